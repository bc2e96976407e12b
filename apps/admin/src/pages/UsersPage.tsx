import { Anchor, Button, Group, SegmentedControl, Table, Text, TextInput } from "@mantine/core";
import { USER_SEARCH_FIELDS, type UserSearchField } from "@photogate/core";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link, useSearch, useSearchParams } from "wouter";
import { useApi } from "../context";
import { formatTime } from "../logic/format";
import { currentToken, firstPage } from "../logic/pager";
import { UserStateBadge } from "../ui/badges";
import { Pager } from "../ui/Pager";
import { EmptyState, ErrorState, ListSkeleton, PageHeader } from "../ui/states";

const FIELD_LABELS: Record<UserSearchField, string> = { email: "E-mail", username: "Username", sub: "Sub" };

// Keyed by the query string: a link to other filters starts the form and the pages afresh.
export default function UsersPage() {
  return <UsersPageView key={useSearch()} />;
}

function UsersPageView() {
  const api = useApi();
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const byParam = params.get("by");
  const by: UserSearchField = USER_SEARCH_FIELDS.includes(byParam as UserSearchField)
    ? (byParam as UserSearchField)
    : "email";
  const [draft, setDraft] = useState(q);
  const [draftBy, setDraftBy] = useState<UserSearchField>(by);
  const [pager, setPager] = useState(firstPage);
  const token = currentToken(pager);

  const query = useQuery({
    queryKey: ["users", by, q, token],
    queryFn: ({ signal }) =>
      api.call("searchUsers", {
        query: { by, ...(q ? { q } : {}), ...(token ? { nextToken: token } : {}) },
        signal,
      }),
    placeholderData: keepPreviousData,
  });

  function search(event: FormEvent) {
    event.preventDefault();
    setPager(firstPage);
    const next = new URLSearchParams();
    if (draft.trim()) next.set("q", draft.trim());
    if (draftBy !== "email") next.set("by", draftBy);
    setParams(next);
  }

  return (
    <>
      <PageHeader title="Users" />
      <form onSubmit={search} aria-label="Search users">
        <Group align="flex-end" gap="sm" wrap="wrap" mb="md">
          <SegmentedControl
            value={draftBy}
            onChange={(v) => setDraftBy(v as UserSearchField)}
            data={USER_SEARCH_FIELDS.map((f) => ({ value: f, label: FIELD_LABELS[f] }))}
            aria-label="Search by"
          />
          <TextInput
            className="grow"
            placeholder={draftBy === "email" ? "Starts with… (e.g. demo@)" : "Starts with… (UUID prefix)"}
            aria-label="Search text"
            value={draft}
            onChange={(e) => setDraft(e.currentTarget.value)}
          />
          <Button type="submit" loading={query.isFetching && !query.isPending}>
            Search
          </Button>
        </Group>
      </form>

      {query.isPending ? (
        <ListSkeleton />
      ) : query.isError ? (
        <ErrorState error={query.error} onRetry={() => void query.refetch()} />
      ) : query.data.items.length === 0 ? (
        <EmptyState title={q ? "No users match" : "No users yet"}>
          {q
            ? `No user's ${FIELD_LABELS[by].toLowerCase()} starts with “${q}”. Search matches the beginning of the value, case-sensitively for subs.`
            : "Users appear here once they sign up."}
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <Table striped highlightOnHover verticalSpacing="sm" aria-label="Users">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>E-mail</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th className="hide-narrow">Sub</Table.Th>
                <Table.Th>Created</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {query.data.items.map((user) => (
                <Table.Tr key={user.sub} data-testid="user-row">
                  <Table.Td>
                    <Anchor component={Link} href={`/users/${user.sub}`} fw={500}>
                      {user.email ?? user.username}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <UserStateBadge user={user} />
                  </Table.Td>
                  <Table.Td className="hide-narrow">
                    <Text size="xs" ff="monospace" c="dimmed">
                      {user.sub}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{formatTime(user.createdAt)}</Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </div>
      )}
      <Pager state={pager} nextToken={query.data?.nextToken} loading={query.isFetching} onChange={setPager} />
    </>
  );
}

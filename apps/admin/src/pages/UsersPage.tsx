import {
  Anchor,
  Button,
  Group,
  NativeSelect,
  SegmentedControl,
  Table,
  Text,
  TextInput,
  UnstyledButton,
} from "@mantine/core";
import { isUuid, USER_SEARCH_FIELDS, type UserSearchField } from "@photogate/core";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link, useSearch, useSearchParams } from "wouter";
import { useApi } from "../context";
import { formatTime } from "../logic/format";
import { currentToken, type PagerState, pagerFromParam, pagerToParam } from "../logic/pager";
import { UserStateBadge } from "../ui/badges";
import { Pager } from "../ui/Pager";
import { EmptyState, ErrorState, ListSkeleton, PageHeader } from "../ui/states";

type SearchMode = UserSearchField | "any";
const FIELD_LABELS: Record<SearchMode, string> = {
  any: "Contains",
  email: "E-mail starts with",
  username: "Username starts with",
  sub: "Sub starts with",
};
const STATES = ["enabled", "disabled", "unconfirmed"] as const;

// Keyed by the query string: a link to other filters starts the form and the pages afresh.
export default function UsersPage() {
  return <UsersPageView key={useSearch()} />;
}

function UsersPageView() {
  const api = useApi();
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const byParam = params.get("by");
  const by: SearchMode = USER_SEARCH_FIELDS.includes(byParam as UserSearchField)
    ? (byParam as UserSearchField)
    : "any";
  const stateParam = params.get("state");
  const state = STATES.find((s) => s === stateParam);
  const group =
    params.get("group") === "support" || params.get("group") === "admins"
      ? (params.get("group") as "support" | "admins")
      : undefined;
  const sort =
    params.get("sort") === "-created" || params.get("sort") === "created" || params.get("sort") === "-email"
      ? (params.get("sort") as "-created" | "created" | "-email")
      : undefined;
  const [draft, setDraft] = useState(q);
  const [draftBy, setDraftBy] = useState<SearchMode>(by);
  const pager = pagerFromParam(params.get("pages"));
  const token = currentToken(pager);

  const query = useQuery({
    queryKey: ["users", by, q, state, group, sort, token],
    queryFn: ({ signal }) =>
      api.call("searchUsers", {
        query: {
          ...(by !== "any" ? { by } : {}),
          ...(q ? { q } : {}),
          ...(by === "any" && state ? { state } : {}),
          ...(by === "any" && group ? { group } : {}),
          ...(by === "any" && sort ? { sort } : {}),
          ...(token ? { nextToken: token } : {}),
        },
        signal,
      }),
    placeholderData: keepPreviousData,
  });

  function setParam(name: string, value: string | undefined) {
    const next = new URLSearchParams(params);
    next.delete("pages");
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next);
  }
  const setPager = (next: PagerState) => setParam("pages", pagerToParam(next));

  function search(event: FormEvent) {
    event.preventDefault();
    const next = new URLSearchParams(params);
    next.delete("pages");
    if (draft.trim()) next.set("q", draft.trim());
    else next.delete("q");
    if (draftBy !== "any") next.set("by", draftBy);
    else next.delete("by");
    setParams(next);
  }
  const sortHeader = (field: "email" | "created", label: string) => {
    const active = (sort ?? "email").replace("-", "") === field;
    const descending = sort === `-${field}`;
    return (
      <Table.Th aria-sort={active ? (descending ? "descending" : "ascending") : "none"}>
        <UnstyledButton
          className="sort-button"
          onClick={() =>
            setParam("sort", active && !descending ? `-${field}` : field === "email" ? undefined : field)
          }
        >
          {label} {active ? (descending ? "↓" : "↑") : ""}
        </UnstyledButton>
      </Table.Th>
    );
  };

  return (
    <>
      <PageHeader title="Users" />
      <form onSubmit={search} aria-label="Search users">
        <Group align="flex-end" gap="sm" wrap="wrap" mb="md">
          <SegmentedControl
            value={draftBy}
            onChange={(v) => setDraftBy(v as SearchMode)}
            data={(["any", ...USER_SEARCH_FIELDS] as const).map((f) => ({
              value: f,
              label: FIELD_LABELS[f],
            }))}
            aria-label="Search by"
          />
          <TextInput
            className="grow"
            placeholder={
              draftBy === "any" ? "Any part of e-mail, name, username or sub, or a photo id" : "Starts with…"
            }
            aria-label="Search text"
            value={draft}
            onChange={(e) => setDraft(e.currentTarget.value)}
          />
          <Button type="submit" loading={query.isFetching && !query.isPending}>
            Search
          </Button>
        </Group>
        <Group gap="sm" mb="md">
          <NativeSelect
            label="State"
            value={state ?? ""}
            onChange={(e) => setParam("state", e.currentTarget.value || undefined)}
            data={[{ value: "", label: "any" }, ...STATES.map((s) => ({ value: s, label: s }))]}
          />
          <NativeSelect
            label="Group"
            value={group ?? ""}
            onChange={(e) => setParam("group", e.currentTarget.value || undefined)}
            data={[
              { value: "", label: "any" },
              { value: "support", label: "support" },
              { value: "admins", label: "admins" },
            ]}
          />
        </Group>
      </form>

      {query.isPending ? (
        <ListSkeleton />
      ) : query.isError ? (
        <ErrorState error={query.error} onRetry={() => void query.refetch()} />
      ) : query.data.items.length === 0 ? (
        <EmptyState title={q ? "No users match" : "No users yet"}>
          {q
            ? by === "any"
              ? `No user's e-mail, name, username or sub contains “${q}”${isUuid(q.toLowerCase()) ? ", and no photo has that id" : ""}.`
              : `No user's ${FIELD_LABELS[by].toLowerCase()} “${q}”.`
            : "Users appear here once they sign up."}
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <Table striped highlightOnHover verticalSpacing="sm" aria-label="Users">
            <Table.Thead>
              <Table.Tr>
                {sortHeader("email", "E-mail")}
                <Table.Th>State</Table.Th>
                <Table.Th className="hide-narrow">Sub</Table.Th>
                {sortHeader("created", "Created")}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {query.data.items.map((user) => (
                <Table.Tr key={user.sub} data-testid="user-row">
                  <Table.Td>
                    <Anchor component={Link} href={`/users/${user.sub}`} fw={500}>
                      {user.email ?? user.username}
                    </Anchor>
                    {user.ownsPhoto && (
                      <Text size="xs" data-testid="owns-photo">
                        owns{" "}
                        <Anchor component={Link} href={`/photos/${user.sub}/${user.ownsPhoto}`}>
                          photo {user.ownsPhoto}
                        </Anchor>
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <UserStateBadge user={user} />
                  </Table.Td>
                  <Table.Td className="hide-narrow">
                    <Text size="xs" ff="monospace">
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

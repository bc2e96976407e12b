import { Anchor, Badge, Button, Group, SegmentedControl, Table, Text, TextInput } from "@mantine/core";
import type { AuditItem } from "@photogate/core";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link, useSearch, useSearchParams } from "wouter";
import { useApi, useSession } from "../context";
import { AUDIT_LABELS, auditTargetRef, changedFields, formatTime, shortId } from "../logic/format";
import { currentToken, firstPage } from "../logic/pager";
import { Pager } from "../ui/Pager";
import { EmptyState, ErrorState, ListSkeleton, PageHeader } from "../ui/states";

type Filter = "day" | "actor" | "target";
const FILTERS: { value: Filter; label: string; placeholder: string }[] = [
  { value: "day", label: "Day", placeholder: "YYYY-MM-DD (UTC); today when empty" },
  { value: "actor", label: "Actor", placeholder: "The acting admin's sub" },
  { value: "target", label: "Target", placeholder: "user/{sub} or photo/{owner}/{photoId}" },
];

function Target({ target }: { target: string }) {
  const ref = auditTargetRef(target);
  if (ref.kind === "other") return <span className="mono">{ref.text}</span>;
  return (
    <Anchor component={Link} href={ref.href} size="sm">
      {ref.kind === "user" ? `user ${shortId(ref.sub)}` : `photo ${shortId(ref.photoId)}`}
    </Anchor>
  );
}

function Changes({ entry }: { entry: AuditItem }) {
  const changes = changedFields(entry.before, entry.after).slice(0, 3);
  if (changes.length === 0)
    return (
      <Text size="xs" c="dimmed">
        —
      </Text>
    );
  return (
    <Text size="xs" className="changes">
      {changes.map((c) => (
        <span key={c.field} className="change">
          {c.field}: <s>{c.from.slice(0, 40)}</s> → {c.to.slice(0, 40)}
        </span>
      ))}
    </Text>
  );
}

// Keyed by the query string: a link to other filters starts the form and the pages afresh.
export default function AuditPage() {
  return <AuditPageView key={useSearch()} />;
}

function AuditPageView() {
  const api = useApi();
  const me = useSession()?.claims.sub;
  const [params, setParams] = useSearchParams();
  const active: Filter = params.get("actor") ? "actor" : params.get("target") ? "target" : "day";
  const value = params.get(active) ?? "";
  const [draftFilter, setDraftFilter] = useState<Filter>(active);
  const [draft, setDraft] = useState(value);
  const [pager, setPager] = useState(firstPage);
  const token = currentToken(pager);

  const query = useQuery({
    queryKey: ["audit", active, value, token],
    queryFn: ({ signal }) =>
      api.call("listAudit", {
        query: { ...(value ? { [active]: value } : {}), ...(token ? { nextToken: token } : {}) },
        signal,
      }),
    placeholderData: keepPreviousData,
  });

  function apply(event: FormEvent) {
    event.preventDefault();
    setPager(firstPage);
    setParams(draft.trim() ? { [draftFilter]: draft.trim() } : {});
  }

  return (
    <>
      <PageHeader title="Audit log" />
      <form onSubmit={apply} aria-label="Filter the audit log">
        <Group align="flex-end" gap="sm" mb="md" wrap="wrap">
          <SegmentedControl
            value={draftFilter}
            onChange={(v) => setDraftFilter(v as Filter)}
            data={FILTERS.map(({ value, label }) => ({ value, label }))}
            aria-label="Filter by"
          />
          <TextInput
            className="grow"
            aria-label="Filter value"
            placeholder={FILTERS.find((f) => f.value === draftFilter)?.placeholder}
            value={draft}
            onChange={(e) => setDraft(e.currentTarget.value)}
          />
          <Button type="submit">Filter</Button>
          {me && (
            <Button
              variant="default"
              onClick={() => {
                setDraftFilter("actor");
                setDraft(me);
                setPager(firstPage);
                setParams({ actor: me });
              }}
            >
              My actions
            </Button>
          )}
        </Group>
      </form>
      {query.isPending ? (
        <ListSkeleton />
      ) : query.isError ? (
        <ErrorState error={query.error} onRetry={() => void query.refetch()} />
      ) : query.data.items.length === 0 ? (
        <EmptyState title="No audit entries">
          {value
            ? `Nothing recorded for ${active} “${value}”.`
            : "No admin action has been recorded today (UTC)."}
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <Table striped verticalSpacing="xs" aria-label="Audit entries">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>When</Table.Th>
                <Table.Th>Action</Table.Th>
                <Table.Th>Target</Table.Th>
                <Table.Th>Actor</Table.Th>
                <Table.Th className="hide-narrow">Changes</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {query.data.items.map((entry) => (
                <Table.Tr key={entry.auditId} data-testid="audit-row" data-action={entry.action}>
                  <Table.Td>
                    <Text size="sm">{formatTime(entry.at)}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={entry.action.endsWith("delete") ? "red" : "blue"} tt="none">
                      {AUDIT_LABELS[entry.action]}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Target target={entry.target} />
                  </Table.Td>
                  <Table.Td>
                    <Anchor component={Link} href={`/audit?actor=${entry.actor}`} size="sm">
                      {entry.actor === me ? "you" : shortId(entry.actor)}
                    </Anchor>
                  </Table.Td>
                  <Table.Td className="hide-narrow">
                    <Changes entry={entry} />
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

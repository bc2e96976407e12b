import { Anchor, Badge, Button, Group, NativeSelect, Table, Text, TextInput } from "@mantine/core";
import { AUDIT_ACTIONS, type AuditAction, type AuditItem, type RouteQuery } from "@photogate/core";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link, useSearch, useSearchParams } from "wouter";
import { errorMessage } from "../api/client";
import { useApi, useSession } from "../context";
import {
  AUDIT_LABELS,
  auditTargetRef,
  changedFields,
  formatTime,
  parseTypedDate,
  shortId,
  toCsv,
} from "../logic/format";
import { currentToken, pagerFromParam, pagerToParam } from "../logic/pager";
import { Pager } from "../ui/Pager";
import { EmptyState, ErrorState, ListSkeleton, PageHeader } from "../ui/states";

const FILTER_KEYS = ["actor", "target", "action", "from", "to", "day"] as const;
/** Pages a CSV export reads at most (60 entries each). */
const EXPORT_PAGES = 20;

function Target({ entry }: { entry: AuditItem }) {
  const ref = auditTargetRef(entry.target);
  if (ref.kind === "other") return <span className="mono">{ref.text}</span>;
  const who = entry.targetEmail ?? (ref.kind === "user" ? shortId(ref.sub) : shortId(ref.owner));
  return (
    <Anchor component={Link} href={ref.href} size="sm">
      {ref.kind === "user" ? who : `${who}'s photo ${shortId(ref.photoId)}`}
    </Anchor>
  );
}

function Changes({ entry }: { entry: AuditItem }) {
  const changes = changedFields(entry.before, entry.after);
  if (changes.length === 0) return <Text size="xs">—</Text>;
  return (
    <ul className="changes">
      {changes.map((c) => (
        <li key={c.field}>
          <strong>{c.field}</strong>: {c.from === "—" ? c.to : `${c.from} → ${c.to}`}
        </li>
      ))}
    </ul>
  );
}

export default function AuditPage() {
  return <AuditPageView key={useSearch()} />;
}

function AuditPageView() {
  const api = useApi();
  const me = useSession();
  const [params, setParams] = useSearchParams();
  const filters = Object.fromEntries(
    FILTER_KEYS.flatMap((k) => (params.get(k) ? [[k, params.get(k)!]] : [])),
  ) as Partial<Record<(typeof FILTER_KEYS)[number], string>>;
  const pager = pagerFromParam(params.get("pages"));
  const token = currentToken(pager);
  const [actor, setActor] = useState(filters.actor ?? "");
  const [action, setAction] = useState(filters.action ?? "");
  const [from, setFrom] = useState(filters.from ?? "");
  const [to, setTo] = useState(filters.to ?? "");
  const [formError, setFormError] = useState<{ from?: string; to?: string }>({});
  const [exporting, setExporting] = useState<string | undefined>();
  const query = filters as RouteQuery<"listAudit">;

  const list = useQuery({
    queryKey: ["audit", filters, token],
    queryFn: ({ signal }) =>
      api.call("listAudit", { query: { ...query, ...(token ? { nextToken: token } : {}) }, signal }),
    placeholderData: keepPreviousData,
  });

  function apply(event: FormEvent) {
    event.preventDefault();
    const fromDate = from.trim() ? parseTypedDate(from) : undefined;
    const toDate = to.trim() ? parseTypedDate(to) : undefined;
    const errors = {
      ...(from.trim() && !fromDate ? { from: "Not a date: pick one, or type it as 27/11/2026" } : {}),
      ...(to.trim() && !toDate ? { to: "Not a date: pick one, or type it as 27/11/2026" } : {}),
    };
    setFormError(errors);
    if (errors.from || errors.to) return;
    const next = new URLSearchParams();
    if (actor.trim()) next.set("actor", actor.trim());
    if (filters.target) next.set("target", filters.target);
    if (action) next.set("action", action);
    if (fromDate) next.set("from", fromDate);
    if (toDate) next.set("to", toDate);
    setParams(next);
  }

  async function exportCsv() {
    setExporting("Exporting…");
    try {
      const rows: string[][] = [["at", "action", "actor", "target", "changes"]];
      let nextToken: string | undefined;
      let pages = 0;
      do {
        const page = await api.call("listAudit", {
          query: { ...query, limit: 60, ...(nextToken ? { nextToken } : {}) },
        });
        for (const e of page.items)
          rows.push([
            e.at,
            e.action,
            e.actorEmail ?? e.actor,
            e.targetEmail ? `${e.target} (${e.targetEmail})` : e.target,
            changedFields(e.before, e.after)
              .map((c) => `${c.field}: ${c.from} → ${c.to}`)
              .join("; "),
          ]);
        nextToken = page.nextToken;
        pages++;
      } while (nextToken && pages < EXPORT_PAGES);
      const url = URL.createObjectURL(new Blob([toCsv(rows)], { type: "text/csv" }));
      const link = document.createElement("a");
      link.href = url;
      link.download = "photogate-audit.csv";
      link.click();
      URL.revokeObjectURL(url);
      setExporting(nextToken ? `Exported the first ${rows.length - 1} entries` : undefined);
    } catch (error) {
      setExporting(`Export failed: ${errorMessage(error)}`);
    }
  }

  const described = Object.entries(filters)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
  return (
    <>
      <PageHeader title="Audit log">
        <Button variant="default" onClick={() => void exportCsv()} loading={exporting === "Exporting…"}>
          Export CSV
        </Button>
      </PageHeader>
      {exporting && exporting !== "Exporting…" && (
        <Text size="sm" role="status" mb="sm">
          {exporting}
        </Text>
      )}
      <form onSubmit={apply} aria-label="Filter the audit log">
        <Group align="flex-start" gap="sm" mb="md" wrap="wrap">
          <TextInput
            className="grow"
            label="Actor"
            placeholder="e-mail, e.g. support@photogate.local"
            value={actor}
            onChange={(e) => setActor(e.currentTarget.value)}
          />
          <NativeSelect
            label="Action"
            value={action}
            onChange={(e) => setAction(e.currentTarget.value)}
            data={[
              { value: "", label: "any" },
              ...AUDIT_ACTIONS.map((a) => ({ value: a, label: AUDIT_LABELS[a as AuditAction] })),
            ]}
          />
          {(
            [
              ["From", from, setFrom, formError.from],
              ["To", to, setTo, formError.to],
            ] as const
          ).map(([label, value, set, error]) => (
            // The browser's own date picker: typed or picked, keyboard-accessible, always YYYY-MM-DD.
            <TextInput
              key={label}
              label={`${label} (UTC day)`}
              type="date"
              value={value}
              error={error}
              onChange={(e) => set(e.currentTarget.value)}
            />
          ))}
          <Group gap="xs" mt={24}>
            <Button type="submit">Filter</Button>
            {me?.email && (
              <Button variant="default" onClick={() => setParams({ actor: me.email! })}>
                My actions
              </Button>
            )}
          </Group>
        </Group>
      </form>
      {list.isPending ? (
        <ListSkeleton />
      ) : list.isError ? (
        <ErrorState error={list.error} />
      ) : list.data.items.length === 0 ? (
        <EmptyState title="No audit entries">
          {described
            ? `Nothing recorded for ${described}.`
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
                <Table.Th>Changes</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.data.items.map((entry) => (
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
                    <Target entry={entry} />
                  </Table.Td>
                  <Table.Td>
                    <Anchor
                      component={Link}
                      href={`/audit?actor=${encodeURIComponent(entry.actorEmail ?? entry.actor)}`}
                      size="sm"
                    >
                      {entry.actor === me?.claims.sub ? "you" : (entry.actorEmail ?? shortId(entry.actor))}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <Changes entry={entry} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </div>
      )}
      <Pager
        state={pager}
        nextToken={list.data?.nextToken}
        loading={list.isFetching}
        onChange={(next) => {
          const out = new URLSearchParams(params);
          const pages = pagerToParam(next);
          if (pages) out.set("pages", pages);
          else out.delete("pages");
          setParams(out);
        }}
      />
    </>
  );
}

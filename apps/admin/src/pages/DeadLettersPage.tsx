import { Alert, Badge, Button, Group, Table, Text } from "@mantine/core";
import { MAX_DEAD_LETTER_BATCH, type RedriveResult, type RedriveSummary } from "@photogate/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useApi, useRole } from "../context";
import { formatTime } from "../logic/format";
import { useAction, useConfirm } from "../ui/actions";
import { EmptyState, ErrorState, ListSkeleton, PageHeader } from "../ui/states";

const OUTCOME = {
  replayed: { color: "green", label: "Replayed" },
  failed: { color: "red", label: "Failed" },
  "would-replay": { color: "gray", label: "Would replay" },
} as const;

/** Upload events the processor failed on every attempt (the DLQ), and their replay; admins only. */
export default function DeadLettersPage() {
  const role = useRole();
  if (role !== "admins") {
    return (
      <>
        <PageHeader title="Dead letters" />
        <Alert color="gray" title="Admins only">
          Replaying failed uploads is for the admins group; ask an admin.
        </Alert>
      </>
    );
  }
  return <DeadLettersView />;
}

function DeadLettersView() {
  const api = useApi();
  const [confirmDialog, confirm] = useConfirm();
  const { running, run } = useAction();
  const [summary, setSummary] = useState<RedriveSummary | undefined>();
  const query = useQuery({
    queryKey: ["dead-letters"],
    queryFn: ({ signal }) => api.call("listDeadLetters", { query: { limit: MAX_DEAD_LETTER_BATCH }, signal }),
  });
  const redrive = (dryRun: boolean) =>
    api.call("redriveDeadLetters", { body: { dryRun, max: MAX_DEAD_LETTER_BATCH } });
  const count = query.data?.items.length ?? 0;
  const total = query.data?.total ?? 0;

  return (
    <>
      {confirmDialog}
      <PageHeader title="Dead letters">
        <Group gap="xs">
          <Button
            variant="default"
            disabled={count === 0}
            loading={running === "dry-run"}
            onClick={() =>
              void run("dry-run", {
                run: () => redrive(true),
                success: (s: RedriveSummary) => `A replay would take ${s.results.length}`,
                onSuccess: setSummary,
              })
            }
          >
            Preview replay
          </Button>
          <Button
            color="orange"
            disabled={count === 0}
            onClick={() =>
              confirm({
                title: `Replay ${count} dead letter${count === 1 ? "" : "s"}?`,
                message: (
                  <Text size="sm">
                    Each of the {count} upload events{total > count ? ` (of ${total})` : ""} is run through
                    the processor again, once; those that succeed are removed, those that fail stay with their
                    error. The run is recorded in the audit log.
                  </Text>
                ),
                confirmLabel: `Replay ${count}`,
                color: "orange",
                run: () => redrive(false),
                success: (s: RedriveSummary) =>
                  `Replayed ${s.replayed}${s.failed.length > 0 ? `, ${s.failed.length} failed` : ""}`,
                onSuccess: setSummary,
              })
            }
          >
            Replay all
          </Button>
        </Group>
      </PageHeader>
      {summary && <Results summary={summary} />}
      {query.isPending ? (
        <ListSkeleton />
      ) : query.isError ? (
        <ErrorState error={query.error} onRetry={() => void query.refetch()} />
      ) : count === 0 ? (
        <EmptyState title="No dead letters">Every upload event so far reached the processor.</EmptyState>
      ) : (
        <div className="table-wrap">
          <Text size="sm" c="dimmed" mb="xs">
            {total > count ? `The first ${count} of ${total}` : `${count}`} waiting to be replayed
          </Text>
          <Table striped verticalSpacing="xs" aria-label="Dead letters">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Failed</Table.Th>
                <Table.Th>Key</Table.Th>
                <Table.Th>Last error</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {query.data.items.map((item) => (
                <Table.Tr key={item.id} data-testid="dead-letter-row">
                  <Table.Td>
                    <Text size="sm">{formatTime(item.failedAt)}</Text>
                  </Table.Td>
                  <Table.Td className="mono">{item.key}</Table.Td>
                  <Table.Td>
                    <Text size="sm">{item.error}</Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </div>
      )}
    </>
  );
}

function Results({ summary }: { summary: RedriveSummary }) {
  return (
    <Alert
      color={summary.failed.length > 0 ? "red" : summary.dryRun ? "gray" : "green"}
      title={
        summary.dryRun
          ? `Preview: a replay would take ${summary.results.length}`
          : `Replayed ${summary.replayed}, failed ${summary.failed.length}, ${summary.remaining} left`
      }
      mb="md"
      role="status"
    >
      <Table verticalSpacing={4} aria-label="Replay results">
        <Table.Tbody>
          {summary.results.map((r: RedriveResult) => (
            <Table.Tr key={r.id} data-testid="redrive-result" data-outcome={r.outcome}>
              <Table.Td>
                <Badge color={OUTCOME[r.outcome].color} variant="light" tt="none">
                  {OUTCOME[r.outcome].label}
                </Badge>
              </Table.Td>
              <Table.Td className="mono">{r.key}</Table.Td>
              <Table.Td>
                <Text size="xs">{r.replayError ?? ""}</Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Alert>
  );
}

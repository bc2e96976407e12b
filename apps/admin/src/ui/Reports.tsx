import { List, Text, Title } from "@mantine/core";
import {
  auditTarget,
  type PhotoDetail,
  REPORT_REASON_LABELS,
  ReportReason,
  type ReportTally,
  tallyReports,
} from "@photogate/core";
import { useQuery } from "@tanstack/react-query";
import { useApi } from "../context";
import { formatTime } from "../logic/format";

/** "Reported ×2: Spam or advertising (2)": on a queue card, under the reasons. */
export function ReportLine({ reports }: { reports: ReportTally }) {
  return (
    <Text size="xs" className="report-text" lineClamp={2} data-testid="reported">
      Reported{reports.count > 1 ? ` ×${reports.count}` : ""}:{" "}
      {reports.reasons
        .map((r) => `${REPORT_REASON_LABELS[r.reason]}${r.count > 1 ? ` (${r.count})` : ""}`)
        .join(" · ")}
    </Text>
  );
}

/** What a report's audit entry keeps: the reason and the reporter's comment, if any. */
function reportOf(after: unknown): { reason?: ReportReason; comment?: string } {
  if (typeof after !== "object" || after === null) return {};
  const { reason, comment } = after as { reason?: unknown; comment?: unknown };
  const parsed = ReportReason.safeParse(reason);
  return {
    ...(parsed.success ? { reason: parsed.data } : {}),
    ...(typeof comment === "string" && comment ? { comment } : {}),
  };
}

/**
 * Users' reports of a photo: the open ones by reason, the reporters' comments (from the audit
 * log, where they are kept), and what the last review did with earlier ones.
 */
export function PhotoReports({ photo }: { photo: PhotoDetail }) {
  const api = useApi();
  const open = photo.openReports ?? [];
  const handled = photo.reportsHandled;
  const reported = open.length > 0 || handled !== undefined;
  const comments = useQuery({
    queryKey: ["audit", { target: auditTarget.photo(photo.owner, photo.photoId), action: "photo.report" }],
    queryFn: ({ signal }) =>
      api.call("listAudit", {
        query: { target: auditTarget.photo(photo.owner, photo.photoId), action: "photo.report", limit: 10 },
        signal,
      }),
    enabled: reported,
  });
  if (!reported) return null;
  const tally = tallyReports(open);
  const withComments = (comments.data?.items ?? [])
    .map((e) => ({ at: e.at, ...reportOf(e.after) }))
    .filter((r) => r.comment);
  return (
    <section aria-labelledby="reports-heading" className="photo-reports" data-testid="photo-reports">
      <Title order={2} size="h5" id="reports-heading" mb={6}>
        Reports
      </Title>
      {open.length > 0 ? (
        <>
          <Text size="sm" className="report-text" fw={600}>
            Reported by {open.length} user{open.length === 1 ? "" : "s"}: approve to keep the photo, reject to
            remove it.
          </Text>
          <List size="sm" spacing={2} mb={4}>
            {tally.reasons.map((r) => (
              <List.Item key={r.reason}>
                {REPORT_REASON_LABELS[r.reason]} ({r.count})
              </List.Item>
            ))}
          </List>
        </>
      ) : (
        handled && (
          <Text size="sm" mb={4}>
            {handled.reports.length} report{handled.reports.length === 1 ? "" : "s"}{" "}
            {handled.outcome === "kept" ? "handled: the photo was kept" : "handled: the photo was removed"} on{" "}
            {formatTime(handled.at)}.
          </Text>
        )
      )}
      {withComments.length > 0 && (
        <>
          <Text size="xs" c="dimmed">
            Reporters' comments (newest first)
          </Text>
          <List size="sm" spacing={2} listStyleType="none" p={0}>
            {withComments.map((r) => (
              <List.Item key={`${r.at}-${r.comment}`}>
                “{r.comment}” {r.reason ? `(${REPORT_REASON_LABELS[r.reason]}, ${formatTime(r.at)})` : ""}
              </List.Item>
            ))}
          </List>
        </>
      )}
    </section>
  );
}

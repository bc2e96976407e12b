import { Alert, Anchor, Button, Group, Kbd, Paper, SegmentedControl, Text } from "@mantine/core";
import type { PhotoSummary } from "@photogate/core";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { Link, useLocation, useSearchParams } from "wouter";
import { errorMessage } from "../api/client";
import { useApi } from "../context";
import { type BulkResult, runEach } from "../logic/bulk";
import { formatAge, REASON_LABELS } from "../logic/format";
import { currentToken, pagerFromParam, pagerToParam } from "../logic/pager";
import { queueCommand } from "../logic/queue-keys";
import { type UndoRequest, useConfirm } from "../ui/actions";
import { FaceImage } from "../ui/FaceImage";
import { Pager } from "../ui/Pager";
import { Thumbnail } from "../ui/PhotoCard";
import { ReasonList } from "../ui/PhotoFacts";
import { photoName, usePhotoRequests } from "../ui/photo-actions";
import { PhotoReports, ReportLine } from "../ui/Reports";
import { EmptyState, ErrorState, GridSkeleton, PageHeader } from "../ui/states";

const QUEUES = [
  { value: "review", label: "Needs review" },
  { value: "failed", label: "Failed" },
] as const;

function isEditable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return (
    target.isContentEditable ||
    ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName) ||
    // Keys typed while a confirmation is open belong to it.
    target.closest('[role="dialog"]') !== null
  );
}

/** A link or button has focus: Enter and Space are its own. */
function isControl(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && target.closest("a, button, [role='button']") !== null;
}

export default function QueuePage() {
  const api = useApi();
  const [params, setParams] = useSearchParams();
  const queue = params.get("status") === "failed" ? "failed" : "review";
  const pager = pagerFromParam(params.get("pages"));
  const token = currentToken(pager);
  const [marked, setMarked] = useState<Set<string>>(new Set());
  const [results, setResults] = useState<{ title: string; items: BulkResult[] }>({ title: "", items: [] });
  const [dialog, confirm] = useConfirm();
  const requests = usePhotoRequests();
  const [, navigate] = useLocation();

  const list = useQuery({
    queryKey: ["photos", { queue }, token],
    queryFn: ({ signal }) =>
      api.call("listPhotos", {
        query: {
          ...(queue === "failed" ? { status: "failed" } : { queue: "review" }),
          ...(token ? { nextToken: token } : {}),
        },
        signal,
      }),
    placeholderData: keepPreviousData,
  });
  const items = list.data?.items ?? [];
  const wanted = params.get("photo");
  const found = items.findIndex((p) => p.photoId === wanted);
  // After a review the list is re-read without that photo: the one after it takes its place.
  const [lastIndex, setLastIndex] = useState(0);
  const index = found >= 0 ? found : Math.min(lastIndex, Math.max(items.length - 1, 0));
  const current: PhotoSummary | undefined = items[index];

  function update(next: Record<string, string | undefined>) {
    setParams(
      (prev) => {
        const out = new URLSearchParams(prev);
        for (const [k, v] of Object.entries(next)) {
          if (v === undefined) out.delete(k);
          else out.set(k, v);
        }
        return out;
      },
      { replace: true },
    );
  }
  const select = (i: number) => {
    const photo = items[i];
    if (!photo) return;
    setLastIndex(i);
    update({ photo: photo.photoId });
  };

  const detail = useQuery({
    queryKey: ["photo", current?.owner, current?.photoId],
    queryFn: ({ signal }) =>
      api.call("getPhoto", { params: { owner: current!.owner, photoId: current!.photoId }, signal }),
    enabled: current !== undefined,
  });
  // Claim the photo on screen so the other reviewers see who is on it.
  const claim = useQuery({
    queryKey: ["claim", current?.owner, current?.photoId],
    queryFn: () => api.call("claimReview", { params: { owner: current!.owner, photoId: current!.photoId } }),
    enabled: current !== undefined && queue === "review",
    staleTime: 60_000,
  });
  const heldByOther = claim.data && !claim.data.mine ? claim.data.reviewClaim : undefined;

  const latest = useRef({ items, index, confirm, requests, navigate });
  latest.current = { items, index, confirm, requests, navigate };
  const toggleMark = (photoId: string) =>
    setMarked((m) => {
      const next = new Set(m);
      if (next.has(photoId)) next.delete(photoId);
      else next.add(photoId);
      return next;
    });

  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      const { items, index, confirm, requests, navigate } = latest.current;
      // The photo whose card has focus is the one acted on; otherwise the selected one.
      const card = event.target instanceof HTMLElement ? event.target.closest("[data-queue-index]") : null;
      const focused = card ? Number(card.getAttribute("data-queue-index")) : index;
      const command = queueCommand(
        {
          key: event.key,
          altKey: event.altKey,
          ctrlKey: event.ctrlKey,
          metaKey: event.metaKey,
          inEditableField: isEditable(event.target) || document.querySelector('[role="dialog"]') !== null,
          onControl: isControl(event.target),
        },
        focused,
        items.length,
      );
      if (!command) return;
      const photo = items[command.index];
      if (!photo) return;
      event.preventDefault();
      if (command.type === "select") {
        select(command.index);
        document.querySelector<HTMLElement>(`[data-queue-index="${command.index}"]`)?.focus();
      } else if (command.type === "approve" && photo.status !== "failed") confirm(requests.approve(photo));
      else if (command.type === "reject") confirm(requests.reject(photo));
      else if (command.type === "open") navigate(`/photos/${photo.owner}/${photo.photoId}`);
      else if (command.type === "mark") toggleMark(photo.photoId);
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  /** Bulk review of the marked photos: asks first (naming them), then one call each, results per photo. */
  function bulk(kind: "approve" | "reject") {
    const photos = items.filter((p) => marked.has(p.photoId));
    const verb = kind === "approve" ? "Approve" : "Reject";
    confirm({
      title: `${verb} ${photos.length} marked photo${photos.length === 1 ? "" : "s"}?`,
      message: (
        <>
          {kind === "approve"
            ? "Each is published to its owner and shared."
            : "Each owner reads the canned reply for their photo's current reason code."}
          <ul className="bulk-results">
            {photos.map((p) => (
              <li key={p.photoId}>{photoName(p)}</li>
            ))}
          </ul>
        </>
      ),
      confirmLabel: `${verb} ${photos.length}`,
      color: kind === "approve" ? "green" : "red",
      reason: {
        label: "Internal note (audit log only, never shown to the users)",
        initial: `${kind === "approve" ? "Approved" : "Rejected"} in a bulk review`,
      },
      run: ({ reason }) =>
        runEach(photos, {
          name: photoName,
          act: (p) => {
            const params = { owner: p.owner, photoId: p.photoId };
            return kind === "approve"
              ? api.call("approvePhoto", { params, body: { reason } })
              : api.call("rejectPhoto", { params, body: { note: reason } });
          },
          done: () => (kind === "approve" ? "approved" : "rejected"),
          failed: errorMessage,
        }),
      success: (outcome) =>
        `${kind === "approve" ? "Approved" : "Rejected"} ${outcome.filter((o) => o.ok).length} of ${outcome.length} photos`,
      onSuccess: (outcome) => {
        setResults({ title: "Bulk results", items: outcome });
        setMarked(new Set());
      },
      undo: (outcome) => bulkUndo(outcome.filter((o) => o.ok)),
    });
  }

  /** Undo of a bulk review: each photo it changed gets its automatic verdict back, results per photo. */
  function bulkUndo(changed: BulkResult[]): UndoRequest<BulkResult[]> | undefined {
    if (changed.length === 0) return undefined;
    return {
      label: "Undo",
      run: () =>
        runEach(changed, {
          name: (r) => r.name,
          act: (r) => api.call("restoreVerdict", { params: { owner: r.owner, photoId: r.photoId } }),
          done: (record) => `restored (${record.status}, as the automatic verdict said)`,
          failed: errorMessage,
        }),
      success: "Restored the automatic verdicts",
      successOf: (undone) => `Restored ${undone.filter((o) => o.ok).length} of ${undone.length} photos`,
      onSuccess: (undone) => setResults({ title: "Undo results", items: undone }),
    };
  }

  return (
    <>
      {dialog}
      <PageHeader title="Moderation queue">
        <SegmentedControl
          value={queue}
          onChange={(value) => setParams(value === "failed" ? { status: "failed" } : {})}
          data={[...QUEUES]}
          aria-label="Queue"
        />
      </PageHeader>
      <Text size="sm" c="dimmed" mb="md" className="key-help">
        <Kbd>j</Kbd> / <Kbd>k</Kbd> or <Kbd>Tab</Kbd> move · <Kbd>a</Kbd> approve · <Kbd>r</Kbd> reject ·{" "}
        <Kbd>x</Kbd> mark · <Kbd>o</Kbd> open · <Kbd>?</Kbd> all shortcuts
      </Text>
      {marked.size > 0 && (
        <Paper withBorder p="xs" mb="sm" className="bulk-bar" aria-label="Marked photos">
          <Group gap="sm">
            <Text size="sm" fw={600}>
              {marked.size} marked
            </Text>
            {queue === "review" && (
              <Button size="xs" color="green" onClick={() => bulk("approve")}>
                Approve marked
              </Button>
            )}
            <Button size="xs" color="red" onClick={() => bulk("reject")}>
              Reject marked
            </Button>
            <Button size="xs" variant="default" onClick={() => setMarked(new Set())}>
              Clear marks
            </Button>
          </Group>
        </Paper>
      )}
      {results.items.length > 0 && (
        <Alert
          color="gray"
          title={results.title}
          mb="sm"
          withCloseButton
          onClose={() => setResults({ title: "", items: [] })}
          closeButtonLabel="Dismiss results"
        >
          <ul className="bulk-results" data-testid="bulk-results">
            {results.items.map((r) => (
              <li key={r.photoId} data-ok={r.ok}>
                {r.name}: {r.text}
              </li>
            ))}
          </ul>
        </Alert>
      )}
      {list.isPending ? (
        <GridSkeleton count={6} />
      ) : list.isError ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title="Nothing to review">
          {queue === "review"
            ? "Every photo that needed a person has been reviewed."
            : "No photo failed processing."}
        </EmptyState>
      ) : (
        <div className="queue-layout">
          <div
            className="queue-list"
            role="listbox"
            aria-label="Photos to review"
            aria-multiselectable="false"
          >
            {items.map((photo, i) => (
              // biome-ignore lint/a11y/useKeyWithClickEvents: keys are handled page-wide (onKey above) for the focused card
              <div
                key={photo.photoId}
                role="option"
                aria-selected={i === index}
                aria-checked={marked.has(photo.photoId)}
                data-queue-index={i}
                data-photo-id={photo.photoId}
                className={`queue-card${i === index ? " selected" : ""}${marked.has(photo.photoId) ? " marked" : ""}`}
                tabIndex={0}
                onFocus={() => i !== index && select(i)}
                onClick={() => select(i)}
              >
                <Thumbnail photo={photo} />
                <Text size="xs" fw={600} truncate>
                  {photo.ownerEmail ?? photo.owner.slice(0, 8)}
                </Text>
                <Text size="xs">waiting {formatAge(photo.createdAt)}</Text>
                {photo.reasonCodes.length > 0 && (
                  <Text size="xs" className="reason-text" lineClamp={2}>
                    {photo.reasonCodes.map((c) => REASON_LABELS[c]).join(" · ")}
                  </Text>
                )}
                {photo.reports && <ReportLine reports={photo.reports} />}
                {photo.reviewClaim && (
                  <Text size="xs" className="claim-text">
                    in review: {photo.reviewClaim.email ?? photo.reviewClaim.by.slice(0, 8)}
                  </Text>
                )}
              </div>
            ))}
          </div>
          <Paper withBorder p="md" className="queue-preview" component="section" aria-label="Selected photo">
            {current && (
              <>
                <Group justify="space-between" mb="sm" wrap="wrap" gap="xs">
                  <Anchor component={Link} href={`/photos/${current.owner}/${current.photoId}`}>
                    Open {photoName(current)}
                  </Anchor>
                  <Group gap="xs">
                    {current.status !== "failed" && (
                      <Button color="green" size="sm" onClick={() => confirm(requests.approve(current))}>
                        Approve <Kbd ml={6}>a</Kbd>
                      </Button>
                    )}
                    <Button color="red" size="sm" onClick={() => confirm(requests.reject(current))}>
                      Reject <Kbd ml={6}>r</Kbd>
                    </Button>
                    {current.status === "failed" && (
                      <Button
                        variant="default"
                        size="sm"
                        onClick={() => confirm(requests.reprocess(current))}
                      >
                        Reprocess
                      </Button>
                    )}
                  </Group>
                </Group>
                {heldByOther && (
                  <Alert color="yellow" mb="sm" data-testid="claimed">
                    {heldByOther.email ?? heldByOther.by} is reviewing this photo (until{" "}
                    {new Date(heldByOther.until).toLocaleTimeString("en-GB", { timeStyle: "short" })}).
                  </Alert>
                )}
                {detail.isError ? (
                  <ErrorState error={detail.error} onRetry={() => void detail.refetch()} />
                ) : detail.data ? (
                  <>
                    <FaceImage photo={detail.data} />
                    <ReasonList photo={detail.data} />
                    <PhotoReports photo={detail.data} />
                  </>
                ) : (
                  <Text size="sm" c="dimmed">
                    Loading…
                  </Text>
                )}
              </>
            )}
          </Paper>
        </div>
      )}
      <Pager
        state={pager}
        nextToken={list.data?.nextToken}
        loading={list.isFetching}
        onChange={(next) => update({ pages: pagerToParam(next), photo: undefined })}
      />
    </>
  );
}

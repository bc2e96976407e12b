import { Anchor, Button, Group, Kbd, Paper, SegmentedControl, Text } from "@mantine/core";
import type { PhotoStatus, PhotoSummary } from "@photogate/core";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { Link, useLocation, useSearch, useSearchParams } from "wouter";
import { useApi } from "../context";
import { currentToken, firstPage } from "../logic/pager";
import { queueCommand } from "../logic/queue-keys";
import { useConfirm } from "../ui/actions";
import { FaceImage } from "../ui/FaceImage";
import { Pager } from "../ui/Pager";
import { PhotoCard } from "../ui/PhotoCard";
import { ReasonList } from "../ui/PhotoFacts";
import { usePhotoRequests } from "../ui/photo-actions";
import { EmptyState, ErrorState, GridSkeleton, PageHeader } from "../ui/states";

const QUEUES = [
  { value: "rejected", label: "Rejected" },
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

// Keyed by the query string: a link to other filters starts the form and the pages afresh.
export default function QueuePage() {
  return <QueuePageView key={useSearch()} />;
}

function QueuePageView() {
  const api = useApi();
  const [params, setParams] = useSearchParams();
  const status: PhotoStatus = params.get("status") === "failed" ? "failed" : "rejected";
  const [pager, setPager] = useState(firstPage);
  const [selected, setSelected] = useState(0);
  const [dialog, confirm] = useConfirm();
  const requests = usePhotoRequests();
  const [, navigate] = useLocation();
  const token = currentToken(pager);

  const list = useQuery({
    queryKey: ["photos", { status }, token],
    queryFn: ({ signal }) =>
      api.call("listPhotos", { query: { status, ...(token ? { nextToken: token } : {}) }, signal }),
    placeholderData: keepPreviousData,
  });
  const items = list.data?.items ?? [];
  // After an approval the list is re-read without that photo: the same index is the next one.
  const index = Math.min(selected, Math.max(items.length - 1, 0));
  const current: PhotoSummary | undefined = items[index];

  const detail = useQuery({
    queryKey: ["photo", current?.owner, current?.photoId],
    queryFn: ({ signal }) =>
      api.call("getPhoto", { params: { owner: current!.owner, photoId: current!.photoId }, signal }),
    enabled: current !== undefined,
  });

  const latest = useRef({ items, index, confirm, requests, navigate, dialogOpen: false });
  latest.current = { ...latest.current, items, index, confirm, requests, navigate };

  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      const { items, index, confirm, requests, navigate } = latest.current;
      const command = queueCommand(
        {
          key: event.key,
          altKey: event.altKey,
          ctrlKey: event.ctrlKey,
          metaKey: event.metaKey,
          inEditableField: isEditable(event.target) || document.querySelector('[role="dialog"]') !== null,
        },
        index,
        items.length,
      );
      if (!command) return;
      const photo = items[command.index];
      if (!photo) return;
      event.preventDefault();
      if (command.type === "select") setSelected(command.index);
      else if (command.type === "approve" && photo.status !== "failed") confirm(requests.approve(photo));
      else if (command.type === "reject") confirm(requests.reject(photo));
      else if (command.type === "open") navigate(`/photos/${photo.owner}/${photo.photoId}`);
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const selectedRef = useRef<HTMLDivElement | null>(null);
  useEffect(() => {
    selectedRef.current?.scrollIntoView?.({ block: "nearest" });
  }, [index]);

  return (
    <>
      {dialog}
      <PageHeader title="Moderation queue">
        <SegmentedControl
          value={status}
          onChange={(value) => {
            setPager(firstPage);
            setSelected(0);
            setParams({ status: value });
          }}
          data={[...QUEUES]}
          aria-label="Queue"
        />
      </PageHeader>
      <Text size="sm" c="dimmed" mb="md" className="key-help">
        <Kbd>j</Kbd> / <Kbd>k</Kbd> next / previous · <Kbd>a</Kbd> approve · <Kbd>r</Kbd> reject ·{" "}
        <Kbd>o</Kbd> open · in a dialog, <Kbd>Enter</Kbd> confirms and <Kbd>Esc</Kbd> cancels
      </Text>
      {list.isPending ? (
        <GridSkeleton count={6} />
      ) : list.isError ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title="Nothing to review">
          {status === "rejected" ? "No photo is rejected right now." : "No photo failed processing."}
        </EmptyState>
      ) : (
        <div className="queue-layout">
          <div
            className="queue-list"
            role="listbox"
            tabIndex={0}
            aria-label="Photos to review"
            aria-activedescendant={current ? `q-${current.photoId}` : undefined}
          >
            {items.map((photo, i) => (
              <div
                key={photo.photoId}
                id={`q-${photo.photoId}`}
                role="option"
                aria-selected={i === index}
                ref={i === index ? selectedRef : undefined}
                onClick={() => setSelected(i)}
                // j/k/a/r are handled on the window; Space selects the focused option.
                onKeyDown={(e) => {
                  if (e.key === " ") {
                    e.preventDefault();
                    setSelected(i);
                  }
                }}
                tabIndex={-1}
              >
                <PhotoCard photo={photo} selected={i === index} />
              </div>
            ))}
          </div>
          <Paper withBorder p="md" className="queue-preview" aria-label="Selected photo">
            {current && (
              <>
                <Group justify="space-between" mb="sm" wrap="wrap" gap="xs">
                  <Anchor
                    component={Link}
                    href={`/photos/${current.owner}/${current.photoId}`}
                    className="mono"
                  >
                    {current.photoId.slice(0, 8)} →
                  </Anchor>
                  <Group gap="xs">
                    {current.status !== "failed" && (
                      <Button color="green" size="sm" onClick={() => confirm(requests.approve(current))}>
                        Approve <Kbd ml={6}>a</Kbd>
                      </Button>
                    )}
                    <Button
                      color="red"
                      variant="light"
                      size="sm"
                      onClick={() => confirm(requests.reject(current))}
                    >
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
                {detail.isError ? (
                  <ErrorState error={detail.error} onRetry={() => void detail.refetch()} />
                ) : detail.data ? (
                  <>
                    <FaceImage photo={detail.data} />
                    <ReasonList photo={detail.data} />
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
        onChange={(next) => {
          setSelected(0);
          setPager(next);
        }}
      />
    </>
  );
}

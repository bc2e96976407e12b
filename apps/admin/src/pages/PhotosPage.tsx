import { Anchor, Group, SegmentedControl, Text } from "@mantine/core";
import { PHOTO_STATUSES, type PhotoStatus } from "@photogate/core";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useSearch, useSearchParams } from "wouter";
import { useApi } from "../context";
import { currentToken, firstPage } from "../logic/pager";
import { Pager } from "../ui/Pager";
import { PhotoCard } from "../ui/PhotoCard";
import { EmptyState, ErrorState, GridSkeleton, PageHeader } from "../ui/states";

const EMPTY_TEXT: Record<PhotoStatus, string> = {
  pending: "Nothing is waiting to be processed.",
  processing: "Nothing is being processed right now.",
  approved: "No photo has been approved yet.",
  rejected: "No rejected photos. The moderation queue is empty.",
  failed: "No photo failed processing.",
};

// Keyed by the query string: a link to other filters starts the form and the pages afresh.
export default function PhotosPage() {
  return <PhotosPageView key={useSearch()} />;
}

function PhotosPageView() {
  const api = useApi();
  const [params, setParams] = useSearchParams();
  const owner = params.get("owner") ?? undefined;
  const statusParam = params.get("status") as PhotoStatus | null;
  const status: PhotoStatus = statusParam && PHOTO_STATUSES.includes(statusParam) ? statusParam : "approved";
  const [pager, setPager] = useState(firstPage);
  const token = currentToken(pager);

  const query = useQuery({
    queryKey: ["photos", owner ? { owner } : { status }, token],
    queryFn: ({ signal }) =>
      api.call("listPhotos", {
        query: { ...(owner ? { owner } : { status }), ...(token ? { nextToken: token } : {}) },
        signal,
      }),
    placeholderData: keepPreviousData,
  });

  return (
    <>
      <PageHeader title="Photos">
        {owner ? (
          <Group gap="xs">
            <Text size="sm">
              Photos of{" "}
              <Anchor component={Link} href={`/users/${owner}`} className="mono">
                {owner.slice(0, 8)}…
              </Anchor>
            </Text>
            <Anchor component={Link} href="/photos" size="sm">
              Show all by status
            </Anchor>
          </Group>
        ) : (
          <SegmentedControl
            value={status}
            onChange={(value) => {
              setPager(firstPage);
              setParams({ status: value });
            }}
            data={PHOTO_STATUSES.map((s) => ({ value: s, label: s }))}
            aria-label="Status"
          />
        )}
      </PageHeader>
      {query.isPending ? (
        <GridSkeleton />
      ) : query.isError ? (
        <ErrorState error={query.error} onRetry={() => void query.refetch()} />
      ) : query.data.items.length === 0 ? (
        <EmptyState title="No photos here">
          {owner ? "This user has no photos." : EMPTY_TEXT[status]}
        </EmptyState>
      ) : (
        <section className="photo-grid" aria-label="Photos">
          {query.data.items.map((photo) => (
            <PhotoCard key={photo.photoId} photo={photo} />
          ))}
        </section>
      )}
      <Pager state={pager} nextToken={query.data?.nextToken} loading={query.isFetching} onChange={setPager} />
    </>
  );
}

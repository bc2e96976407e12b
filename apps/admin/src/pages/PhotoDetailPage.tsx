import { Anchor, Button, Group, Paper, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link, useLocation, useParams } from "wouter";
import { useApi } from "../context";
import { useAction, useConfirm } from "../ui/actions";
import { PhotoStatusBadge } from "../ui/badges";
import { FaceImage } from "../ui/FaceImage";
import { PhotoFacts } from "../ui/PhotoFacts";
import { openReportCount, photoName, usePhotoRequests } from "../ui/photo-actions";
import { ErrorState, ListSkeleton } from "../ui/states";

export default function PhotoDetailPage() {
  const { owner, photoId } = useParams<{ owner: string; photoId: string }>();
  const api = useApi();
  const [, navigate] = useLocation();
  const [dialog, confirm] = useConfirm();
  const { running, run } = useAction();
  const requests = usePhotoRequests();
  const query = useQuery({
    queryKey: ["photo", owner, photoId],
    queryFn: ({ signal }) => api.call("getPhoto", { params: { owner, photoId }, signal }),
    // The processor may still be at work: look again until the verdict is in.
    refetchInterval: (q) =>
      q.state.data?.status === "pending" || q.state.data?.status === "processing" ? 2000 : false,
  });

  if (query.isPending) return <ListSkeleton rows={5} />;
  if (query.isError)
    return (
      <>
        <Anchor component={Link} href="/photos" size="sm">
          ← Photos
        </Anchor>
        <ErrorState error={query.error} onRetry={() => void query.refetch()} />
      </>
    );
  const photo = query.data;
  const inProgress = photo.status === "pending" || photo.status === "processing";
  // A reported photo is approved already: approving it again keeps it and handles the reports.
  const approvable = photo.status !== "approved" || openReportCount(photo) > 0;
  // "…and next": on to the oldest other photo waiting for review, or back to the queue.
  const goNext = async () => {
    const queue = await api.call("listPhotos", { query: { queue: "review", limit: 5 } });
    const next = queue.items.find((p) => p.photoId !== photo.photoId);
    navigate(next ? `/photos/${next.owner}/${next.photoId}` : "/queue");
  };

  return (
    <>
      {dialog}
      <Group justify="space-between" mb="sm" wrap="wrap">
        <Anchor component={Link} href={`/users/${photo.owner}`} size="sm">
          ← Owner: {photo.ownerEmail ?? photo.owner}
        </Anchor>
        <Anchor
          component={Link}
          href={`/audit?target=${encodeURIComponent(`photo/${photo.owner}/${photo.photoId}`)}`}
          size="sm"
        >
          Audit log for this photo
        </Anchor>
      </Group>
      <Group gap="sm" mb="md" wrap="wrap">
        <Title order={1} size="h2">
          {photoName(photo)}
        </Title>
        <PhotoStatusBadge status={photo.status} />
        {inProgress && (
          <Text size="sm" c="dimmed">
            being processed…
          </Text>
        )}
      </Group>
      <div className="detail-layout">
        <FaceImage photo={photo} />
        <Paper withBorder p="md">
          <Group gap="xs" mb="md" wrap="wrap" aria-label="Photo actions">
            {approvable && (
              <Button
                color="green"
                disabled={inProgress || photo.status === "failed"}
                title={photo.status === "failed" ? "Reprocess a failed photo first" : undefined}
                onClick={() => confirm(requests.approve(photo))}
              >
                Approve
              </Button>
            )}
            <Button color="red" disabled={inProgress} onClick={() => confirm(requests.reject(photo))}>
              Reject
            </Button>
            {approvable && (
              <Button
                color="green"
                variant="outline"
                disabled={inProgress || photo.status === "failed"}
                onClick={() => confirm(requests.approve(photo, () => void goNext()))}
              >
                Approve and next
              </Button>
            )}
            <Button
              color="red"
              variant="outline"
              disabled={inProgress}
              onClick={() => confirm(requests.reject(photo, () => void goNext()))}
            >
              Reject and next
            </Button>
            <Button
              variant="default"
              disabled={photo.status === "processing"}
              onClick={() => confirm(requests.reprocess(photo))}
            >
              Reprocess
            </Button>
            {photo.status === "approved" && (
              <Button
                variant="default"
                loading={running === "picture"}
                onClick={() => void run("picture", requests.profilePicture(photo))}
              >
                Make profile picture
              </Button>
            )}
            <Button
              color="red"
              variant="subtle"
              disabled={photo.status === "processing"}
              onClick={() => confirm(requests.remove(photo, () => navigate(`/users/${photo.owner}`)))}
            >
              Delete
            </Button>
          </Group>
          <PhotoFacts photo={photo} />
        </Paper>
      </div>
    </>
  );
}

import { Card, Group, Text } from "@mantine/core";
import type { PhotoSummary } from "@photogate/core";
import type { ReactNode } from "react";
import { Link } from "wouter";
import { formatDay, formatTime, REASON_LABELS } from "../logic/format";
import { PhotoStatusBadge } from "./badges";

export function Thumbnail({ photo, size = 160 }: { photo: PhotoSummary; size?: number }) {
  if (!photo.thumbnail)
    return (
      <div className="thumb thumb-missing" data-size={size}>
        <Text size="xs" c="dimmed">
          {photo.status === "failed" ? "no image" : "no thumbnail yet"}
        </Text>
      </div>
    );
  return (
    <img
      className="thumb"
      src={photo.thumbnail.url}
      alt={`Upload ${photo.photoId.slice(0, 8)}`}
      loading="lazy"
    />
  );
}

export function PhotoCard({
  photo,
  children,
  selected,
}: {
  photo: PhotoSummary;
  children?: ReactNode;
  selected?: boolean;
}) {
  const href = `/photos/${photo.owner}/${photo.photoId}`;
  return (
    <Card
      withBorder
      padding="xs"
      className={selected ? "photo-card selected" : "photo-card"}
      data-photo-id={photo.photoId}
      data-status={photo.status}
    >
      <Card.Section>
        <Link href={href} className="thumb-link" aria-label={`Open photo ${photo.photoId.slice(0, 8)}`}>
          <Thumbnail photo={photo} />
        </Link>
      </Card.Section>
      <Group justify="space-between" mt="xs" gap={4} wrap="nowrap">
        <PhotoStatusBadge status={photo.status} />
        <Text size="xs" c="dimmed" truncate title={formatTime(photo.createdAt)}>
          {formatDay(photo.createdAt)}
        </Text>
      </Group>
      {photo.reasonCodes.length > 0 && (
        <Text size="xs" c="red.8" mt={4} lineClamp={2}>
          {photo.reasonCodes.map((c) => REASON_LABELS[c]).join(" · ")}
        </Text>
      )}
      {photo.reviewedBy && (
        <Text size="xs" c="dimmed" mt={2}>
          reviewed by support
        </Text>
      )}
      {children}
    </Card>
  );
}

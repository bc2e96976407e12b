import { Alert, Badge, List, Stack, Table, Text, Title } from "@mantine/core";
import type { PhotoDetail } from "@photogate/core";
import { describeMeasurement, formatTime, REASON_LABELS } from "../logic/format";

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** The verdict's reasons with what was measured against which limit. */
export function ReasonList({ photo }: { photo: PhotoDetail }) {
  if (photo.reasons.length === 0)
    return (
      <Text size="sm" c="dimmed" data-testid="reasons">
        {photo.status === "approved" ? "Passed every check." : "No reasons recorded."}
      </Text>
    );
  return (
    <List spacing="xs" data-testid="reasons" listStyleType="none" p={0}>
      {photo.reasons.map((reason, i) => (
        <List.Item key={`${reason.code}-${i}`} className="reason">
          <Badge color="red" variant="light" mr={6}>
            {REASON_LABELS[reason.code]}
          </Badge>
          <Text span size="sm">
            {reason.message}
          </Text>
          {describeMeasurement(reason) && (
            <Text size="xs" c="dimmed" className="measure">
              {describeMeasurement(reason)}
            </Text>
          )}
        </List.Item>
      ))}
    </List>
  );
}

export function PhotoFacts({ photo }: { photo: PhotoDetail }) {
  const face = photo.face;
  const rows: [string, string][] = [
    ["Created", formatTime(photo.createdAt)],
    ["Processed", formatTime(photo.processedAt)],
    ["Size", photo.width && photo.height ? `${photo.width} × ${photo.height} px` : "—"],
    ["Format", photo.format ?? "—"],
    ["Upload", bytes(photo.bytes)],
    ["Attempts", String(photo.attempts)],
    ["Reviewed by", photo.reviewedBy ?? "— (automatic verdict)"],
  ];
  if (face) {
    rows.push(
      ["Faces found", String(face.count)],
      ["Face confidence", `${face.confidence.toFixed(1)}%`],
      ["Face area", `${(face.areaRatio * 100).toFixed(1)}% of the photo`],
      [
        "Pose (yaw / pitch / roll)",
        `${face.pose.yaw.toFixed(1)}° / ${face.pose.pitch.toFixed(1)}° / ${face.pose.roll.toFixed(1)}°`,
      ],
      ["Sharpness", face.sharpness.toFixed(1)],
      ["Brightness", face.brightness.toFixed(1)],
    );
    if (face.eyesOpen)
      rows.push([
        "Eyes open",
        `${face.eyesOpen.value ? "yes" : "no"} (${face.eyesOpen.confidence.toFixed(1)}%)`,
      ]);
    if (face.sunglasses)
      rows.push([
        "Sunglasses",
        `${face.sunglasses.value ? "yes" : "no"} (${face.sunglasses.confidence.toFixed(1)}%)`,
      ]);
  }
  return (
    <Stack gap="md">
      <section>
        <Title order={2} size="h5" mb={6}>
          Reasons
        </Title>
        <ReasonList photo={photo} />
      </section>
      {photo.failure && (
        <Alert color="orange" title={`Processing failed: ${photo.failure.code}`}>
          {photo.failure.message}
        </Alert>
      )}
      {photo.moderationLabels.length > 0 && (
        <section>
          <Title order={2} size="h5" mb={6}>
            Moderation labels
          </Title>
          <List size="sm">
            {photo.moderationLabels.map((l) => (
              <List.Item key={`${l.parentName}/${l.name}`}>
                {l.parentName ? `${l.parentName} › ` : ""}
                {l.name}: {l.confidence.toFixed(1)}%
              </List.Item>
            ))}
          </List>
        </section>
      )}
      <Table withRowBorders={false} verticalSpacing={4} fz="sm" aria-label="Measurements">
        <Table.Tbody>
          {rows.map(([k, v]) => (
            <Table.Tr key={k}>
              <Table.Th className="fact-key">{k}</Table.Th>
              <Table.Td>{v}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

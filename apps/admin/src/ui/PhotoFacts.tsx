import { Alert, Badge, List, Stack, Table, Text, Title } from "@mantine/core";
import type { PhotoDetail } from "@photogate/core";
import { describeMeasurement, formatTime, originalFate, REASON_LABELS } from "../logic/format";
import { PhotoReports } from "./Reports";

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** Who overrode the verdict: their e-mail, or their sub's start when the user pool has none. */
function reviewer(photo: PhotoDetail): string {
  return photo.reviewedByEmail ?? `support member ${photo.reviewedBy?.slice(0, 8) ?? "unknown"}`;
}

/** The verdict's reasons with what was measured against which limit, and any override by support. */
export function ReasonList({ photo }: { photo: PhotoDetail }) {
  const automatic = photo.automatic;
  return (
    <div data-testid="reasons">
      {photo.reviewedBy && (
        <Text size="sm" mb={6} data-testid="override">
          {photo.status === "approved" ? "Approved" : "Rejected"} by {reviewer(photo)}
          {photo.reviewedAt ? ` on ${formatTime(photo.reviewedAt)}` : ""}
          {automatic ? `, overriding the automatic verdict (${automatic.status}):` : "."}
        </Text>
      )}
      <Reasons
        reasons={automatic && photo.status === "approved" ? automatic.reasons : photo.reasons}
        status={automatic && photo.status === "approved" ? automatic.status : photo.status}
      />
      {automatic && photo.status === "rejected" && photo.reviewedBy && (
        <Text size="xs" mt={4}>
          Automatic verdict: {automatic.status}
          {automatic.reasons.length > 0
            ? ` (${automatic.reasons.map((r) => REASON_LABELS[r.code]).join(", ")})`
            : ""}
        </Text>
      )}
    </div>
  );
}

function Reasons({ reasons, status }: { reasons: PhotoDetail["reasons"]; status: string }) {
  if (reasons.length === 0)
    return (
      <Text size="sm" c="dimmed">
        {status === "approved" ? "Passed every check." : "No reasons recorded."}
      </Text>
    );
  return (
    <List spacing="xs" listStyleType="none" p={0}>
      {reasons.map((reason, i) => (
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
    ["Original", originalFate(photo.originalExpiresAt)],
    ["Attempts", String(photo.attempts)],
    [
      "Reviewed",
      photo.reviewedBy ? `by ${reviewer(photo)}, ${formatTime(photo.reviewedAt)}` : "— (automatic verdict)",
    ],
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
      <PhotoReports photo={photo} />
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

import { Button, Group, Text } from "@mantine/core";

export function Pager({
  page,
  hasPrevious,
  hasNext,
  onPrevious,
  onNext,
  loading,
}: {
  page: number;
  hasPrevious: boolean;
  hasNext: boolean;
  onPrevious(): void;
  onNext(): void;
  loading?: boolean;
}) {
  if (!hasPrevious && !hasNext) return null;
  return (
    <Group justify="space-between" mt="md" aria-label="Pages">
      <Button variant="default" size="sm" disabled={!hasPrevious || loading} onClick={onPrevious}>
        ← Previous
      </Button>
      <Text size="sm" c="dimmed">
        Page {page + 1}
      </Text>
      <Button variant="default" size="sm" disabled={!hasNext || loading} onClick={onNext}>
        Next →
      </Button>
    </Group>
  );
}

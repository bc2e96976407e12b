import { Alert, Button, Center, Group, Skeleton, Stack, Text, Title } from "@mantine/core";
import type { ReactNode } from "react";
import { ApiError, errorMessage } from "../api/client";

export function EmptyState({
  title,
  children,
  action,
}: {
  title: string;
  children?: ReactNode;
  action?: ReactNode;
}) {
  return (
    <Center py={48} className="empty-state" data-testid="empty-state">
      <Stack align="center" gap={6} maw={420}>
        <div className="empty-icon" aria-hidden="true" />
        <Title order={2} size="h4">
          {title}
        </Title>
        {children && (
          <Text c="dimmed" ta="center" size="sm">
            {children}
          </Text>
        )}
        {action}
      </Stack>
    </Center>
  );
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const notFound = error instanceof ApiError && error.status === 404;
  return (
    <Alert
      color={notFound ? "gray" : "red"}
      title={notFound ? "Not found" : "Could not load this"}
      role="alert"
      my="md"
    >
      <Stack gap="xs" align="flex-start">
        <Text size="sm" style={{ whiteSpace: "pre-line" }}>
          {errorMessage(error)}
        </Text>
        {onRetry && !notFound && (
          <Button size="xs" variant="default" onClick={onRetry}>
            Try again
          </Button>
        )}
      </Stack>
    </Alert>
  );
}

export function ListSkeleton({ rows = 6 }: { rows?: number }) {
  return (
    <Stack gap="xs" aria-busy="true">
      {Array.from({ length: rows }, (_, i) => (
        <Skeleton key={i} h={36} />
      ))}
    </Stack>
  );
}

export function GridSkeleton({ count = 8 }: { count?: number }) {
  return (
    <div className="photo-grid" aria-busy="true">
      {Array.from({ length: count }, (_, i) => (
        <Skeleton key={i} h={200} />
      ))}
    </div>
  );
}

export function PageHeader({ title, children }: { title: ReactNode; children?: ReactNode }) {
  return (
    <Group justify="space-between" align="flex-end" mb="md" wrap="wrap" gap="sm">
      <Title order={1} size="h2">
        {title}
      </Title>
      {children}
    </Group>
  );
}

import { Button, Group, Text } from "@mantine/core";
import { hasPrevious, nextPage, type PagerState, previousPage } from "../logic/pager";

/** Previous / Next over a list the API pages with `nextToken`; hidden when there is one page. */
export function Pager({
  state,
  nextToken,
  onChange,
  loading,
}: {
  state: PagerState;
  /** The current page's `nextToken`: there is a next page when it is set. */
  nextToken: string | undefined;
  onChange(next: PagerState): void;
  loading?: boolean;
}) {
  const canGoBack = hasPrevious(state);
  if (!canGoBack && !nextToken) return null;
  return (
    <Group justify="space-between" mt="md" aria-label="Pages">
      <Button
        variant="default"
        size="sm"
        disabled={!canGoBack || loading}
        onClick={() => onChange(previousPage(state))}
      >
        ← Previous
      </Button>
      <Text size="sm" c="dimmed">
        Page {state.page + 1}
      </Text>
      <Button
        variant="default"
        size="sm"
        disabled={!nextToken || loading}
        onClick={() => onChange(nextPage(state, nextToken))}
      >
        Next →
      </Button>
    </Group>
  );
}

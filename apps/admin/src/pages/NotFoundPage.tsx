import { Anchor, Stack, Text, Title } from "@mantine/core";
import { Link } from "wouter";

export default function NotFoundPage() {
  return (
    <Stack py="xl" align="flex-start">
      <Title order={1} size="h3">
        Page not found
      </Title>
      <Text c="dimmed">There is nothing at this address.</Text>
      <Anchor component={Link} href="/users">
        Go to users
      </Anchor>
    </Stack>
  );
}

import { Alert, Button, Center, Paper, Stack, Text, Title } from "@mantine/core";
import { useServices, useSession } from "../context";
import { Logo } from "../ui/Logo";

/** A signed-in person outside the support and admins groups. */
export function NoAccessPage() {
  const { session } = useServices();
  const current = useSession();
  return (
    <Center mih="100vh" p="md" className="signin-bg">
      <Paper withBorder shadow="sm" p="xl" w="100%" maw={460} component="main">
        <Stack>
          <Logo />
          <Title order={1} size="h3">
            No access
          </Title>
          <Alert color="red" role="alert">
            {current?.email ?? "This account"} is not a member of the support team, so it cannot use the
            photogate admin.
          </Alert>
          <Text size="sm" c="dimmed">
            If you should have access, ask an administrator to add you to the <b>support</b> group, then sign
            in again.
          </Text>
          <Button variant="default" onClick={() => void session.signOut()}>
            Sign out
          </Button>
        </Stack>
      </Paper>
    </Center>
  );
}

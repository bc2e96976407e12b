import { Alert, Center, Code, Paper, Stack, Text, Title } from "@mantine/core";

/** The app cannot start without a valid /config.json: say which, and who can fix it. */
export function ConfigErrorPage({ message }: { message: string }) {
  return (
    <Center mih="100vh" p="md">
      <Paper withBorder p="xl" maw={560} component="main">
        <Stack>
          <Title order={1} size="h3">
            The admin app is not configured
          </Title>
          <Alert color="red" role="alert" style={{ whiteSpace: "pre-line" }}>
            {message}
          </Alert>
          <Text size="sm">
            The app reads <Code>/config.json</Code> (apiUrl, region, userPoolId, userPoolClientId) next to
            index.html. Deploying the AdminSite writes it; locally, <Code>pnpm dev</Code> serves it.
          </Text>
        </Stack>
      </Paper>
    </Center>
  );
}

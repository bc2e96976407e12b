import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from "@mantine/core";
import { type FormEvent, useEffect, useState } from "react";
import { signInMessage } from "../auth/cognito";
import { useServices } from "../context";
import { Logo } from "../ui/Logo";

export function SignInPage() {
  const { session } = useServices();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const ended = session.endedBecause();

  useEffect(() => {
    // SRP's library is fetched while the person types, not with the first page.
    void import("amazon-cognito-identity-js");
  }, []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await session.signIn(email, password);
    } catch (e) {
      setError(signInMessage(e));
      setBusy(false);
    }
  }

  return (
    <Center mih="100vh" p="md" className="signin-bg">
      <Paper withBorder shadow="sm" p="xl" w="100%" maw={400} component="main">
        <form onSubmit={submit} aria-label="Sign in">
          <Stack>
            <Logo />
            <div>
              <Title order={1} size="h3">
                Sign in
              </Title>
              <Text c="dimmed" size="sm">
                For the photogate support team.
              </Text>
            </div>
            {ended && !error && (
              <Alert color="yellow" role="status">
                {ended}
              </Alert>
            )}
            {error && (
              <Alert color="red" role="alert" title="Could not sign in">
                {error}
              </Alert>
            )}
            <TextInput
              label="E-mail"
              type="email"
              autoComplete="username"
              required
              autoFocus
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
            />
            <PasswordInput
              label="Password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
            />
            <Button type="submit" loading={busy} fullWidth>
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}

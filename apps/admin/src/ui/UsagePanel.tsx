import { Button, Group, NumberInput, Paper, Stack, Text, TextInput, Title } from "@mantine/core";
import type { PeriodUsage, UserUsage } from "@photogate/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { ApiError, errorMessage } from "../api/client";
import { useApi, useRole } from "../context";
import { formatBytes, formatTime } from "../logic/format";
import { useToast } from "./toasts";

const MB = 1024 * 1024;

/**
 * The user's upload quota: today's and this month's uploads and bytes against the limits in
 * force, and when each resets; admins can set this user's daily limits.
 */
export function UsagePanel({ sub, name }: { sub: string; name: string }) {
  const api = useApi();
  const role = useRole();
  const query = useQuery({
    queryKey: ["usage", sub],
    queryFn: ({ signal }) => api.call("getUserUsage", { params: { sub }, signal }),
  });
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="usage-title">
      <Title order={2} size="h5" mb="sm" id="usage-title">
        Upload quota
      </Title>
      {query.isPending ? (
        <Text size="sm" c="dimmed">
          Loading usage…
        </Text>
      ) : query.isError ? (
        <Text size="sm" c="red.8" role="alert">
          {query.error instanceof ApiError && query.error.code === "NOT_SUPPORTED"
            ? "No upload quota is configured."
            : `Could not load usage: ${errorMessage(query.error)}`}
        </Text>
      ) : (
        <Stack gap="sm">
          <div className="facts" data-testid="usage">
            <PeriodFacts label="Today" usage={query.data.day} />
            {query.data.month && <PeriodFacts label="This month" usage={query.data.month} />}
          </div>
          <Text size="xs" c="dimmed" data-testid="quota-source">
            {query.data.override
              ? `Limits set by an admin on ${formatTime(query.data.override.updatedAt)}`
              : "The environment's default limits apply."}
          </Text>
          {role === "admins" && <QuotaForm sub={sub} name={name} usage={query.data} />}
        </Stack>
      )}
    </Paper>
  );
}

function PeriodFacts({ label, usage }: { label: string; usage: PeriodUsage }) {
  return (
    <div className="fact">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="sm" component="div" className="fact-value">
        {usage.uploads} of {usage.limit.uploads} uploads · {formatBytes(usage.bytes)} of{" "}
        {formatBytes(usage.limit.bytes)}
        <Text size="xs" c="dimmed" component="div">
          resets {formatTime(usage.resetsAt)}
        </Text>
      </Text>
    </div>
  );
}

function QuotaForm({ sub, name, usage }: { sub: string; name: string; usage: UserUsage }) {
  const api = useApi();
  const toast = useToast();
  const client = useQueryClient();
  const [uploads, setUploads] = useState<number | string>(usage.day.limit.uploads);
  const [megabytes, setMegabytes] = useState<number | string>(Math.round(usage.day.limit.bytes / MB));
  const [reason, setReason] = useState("");
  const mutation = useMutation({
    mutationFn: () =>
      api.call("setUserQuota", {
        params: { sub },
        body: {
          daily: { uploads: Number(uploads), bytes: Math.round(Number(megabytes) * MB) },
          ...(usage.override?.monthly ? { monthly: usage.override.monthly } : {}),
          reason,
        },
      }),
    onSuccess: (next) => {
      client.setQueryData(["usage", sub], next);
      toast({
        color: "green",
        title: "Limits saved",
        message: `${name} may now upload ${next.day.limit.uploads} photos a day`,
      });
    },
  });
  const fieldError = (path: string) =>
    mutation.error instanceof ApiError
      ? mutation.error.fields.find((f) => f.path.startsWith(path))?.message
      : undefined;
  // Mantine's default error red is too light for small text on white (WCAG contrast).
  const errorStyle = { error: { color: "var(--mantine-color-red-8)" } };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    mutation.mutate();
  };
  return (
    <form onSubmit={submit} aria-label="Daily upload limits">
      <Group align="flex-end" gap="sm" wrap="wrap">
        <NumberInput
          label="Uploads per day"
          min={1}
          allowDecimal={false}
          value={uploads}
          onChange={setUploads}
          error={fieldError("body.daily.uploads")}
          styles={errorStyle}
          w={150}
        />
        <NumberInput
          label="MB per day"
          min={1}
          allowDecimal={false}
          value={megabytes}
          onChange={setMegabytes}
          error={fieldError("body.daily.bytes")}
          styles={errorStyle}
          w={150}
        />
        <TextInput
          label="Why (kept in the audit log)"
          value={reason}
          onChange={(e) => setReason(e.currentTarget.value)}
          error={fieldError("body.reason")}
          styles={errorStyle}
          miw={240}
        />
        <Button type="submit" loading={mutation.isPending}>
          Save limits
        </Button>
      </Group>
      {mutation.isError && !(mutation.error instanceof ApiError && mutation.error.fields.length > 0) && (
        <Text size="sm" c="red.8" role="alert" mt="xs">
          {errorMessage(mutation.error)}
        </Text>
      )}
    </form>
  );
}

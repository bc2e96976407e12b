import { Alert, Button, Group, Modal, NativeSelect, Stack, Text, Textarea, TextInput } from "@mantine/core";
import { CANNED_REPLIES, REASON_CODES, type ReasonCode } from "@photogate/core";
import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type ReactNode, useCallback, useState } from "react";
import { errorMessage } from "../api/client";
import { REASON_LABELS } from "../logic/format";
import { useToast } from "./toasts";

/**
 * Every admin action goes through here: a button shows progress while it runs, the result is a
 * toast that says what happened (or why not), and every cached list is re-read afterwards.
 * Destructive ones ask first, in a dialog that keeps the error in view if it fails.
 */

export interface ActionInput {
  /** The internal note (audit log only). */
  reason: string;
  code: ReasonCode;
  /** The message to the user (reject): published in status.json. */
  message: string;
}

/** What the toast's Undo does, for actions that can be taken back. */
export interface UndoRequest<U = unknown> {
  label: string;
  run(): Promise<U>;
  success: string;
  /** The success toast's title from what was undone, when it depends on it (bulk). */
  successOf?(result: U): string;
  onSuccess?(result: U): void;
}

export interface ActionRequest<T = unknown> {
  run(input: ActionInput): Promise<T>;
  /** The toast's title on success. */
  success: string | ((result: T) => string);
  onSuccess?(result: T): void;
  /** Queries of what the action deleted: dropped, not re-read (that would only answer 404). */
  removes?: readonly (readonly unknown[])[];
  /** Offered in the success toast for a short while; from the result when it depends on it (bulk). */
  undo?: UndoRequest | ((result: T) => UndoRequest | undefined);
}

export interface ConfirmRequest<T = unknown> extends ActionRequest<T> {
  title: string;
  message: ReactNode;
  confirmLabel: string;
  color?: "red" | "blue" | "green" | "orange";
  /** Asks for a reason (approve / reject); its initial text. */
  reason?: { label: string; initial: string };
  /** Asks for the reason code the owner's client shows and the message to the user (reject). */
  withCode?: { initial: ReasonCode };
  /** What the action is about (the photo and its owner), shown at the top of the dialog. */
  subject?: ReactNode;
}

function useFinish() {
  const toast = useToast();
  const queryClient = useQueryClient();
  return useCallback(
    async <T,>(request: ActionRequest<T>, result: T) => {
      const undo = typeof request.undo === "function" ? request.undo(result) : request.undo;
      toast({
        color: "green",
        title: typeof request.success === "string" ? request.success : request.success(result),
        ...(undo
          ? {
              action: {
                label: undo.label,
                run: async () => {
                  try {
                    const undone = await undo.run();
                    toast({
                      color: "blue",
                      title: undo.successOf?.(undone) ?? undo.success,
                    });
                    undo.onSuccess?.(undone);
                  } catch (error) {
                    toast({ color: "red", title: "Undo did not work", message: errorMessage(error) });
                  }
                  await queryClient.invalidateQueries();
                },
              },
            }
          : {}),
      });
      const removed = request.removes ?? [];
      request.onSuccess?.(result);
      if (removed.length > 0) {
        // Let a navigation away from the deleted thing's page unmount it first: while it is
        // mounted, its query would be created again and fetched (a 404).
        await new Promise((resolve) => setTimeout(resolve, 0));
        for (const queryKey of removed) queryClient.removeQueries({ queryKey: [...queryKey], exact: true });
      }
      const isRemoved = (key: readonly unknown[]) =>
        removed.some((r) => JSON.stringify(r) === JSON.stringify(key));
      await queryClient.invalidateQueries({ predicate: (query) => !isRemoved(query.queryKey) });
    },
    [toast, queryClient],
  );
}

/** Runs a non-destructive action at once; `running` tells the button to show progress. */
export function useAction() {
  const toast = useToast();
  const finish = useFinish();
  const [running, setRunning] = useState<string | undefined>();
  const run = useCallback(
    async <T,>(key: string, request: ActionRequest<T>) => {
      setRunning(key);
      try {
        const result = await request.run({ reason: "", code: "MODERATION", message: "" });
        await finish(request, result);
      } catch (error) {
        toast({ color: "red", title: "That did not work", message: errorMessage(error) });
      } finally {
        setRunning(undefined);
      }
    },
    [finish, toast],
  );
  return { running, run };
}

/** A confirmation dialog and the function that opens it. */
export type Confirm = <T>(request: ConfirmRequest<T>) => void;

export function useConfirm(): [ReactNode, Confirm] {
  const finish = useFinish();
  const [request, setRequest] = useState<ConfirmRequest<unknown> | undefined>();
  const [reason, setReason] = useState("");
  const [code, setCode] = useState<ReasonCode>("MODERATION");
  const [message, setMessage] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();

  const ask = useCallback(<T,>(next: ConfirmRequest<T>) => {
    setRequest(next as ConfirmRequest<unknown>);
    setReason(next.reason?.initial ?? "");
    const initialCode = next.withCode?.initial ?? "MODERATION";
    setCode(initialCode);
    setMessage(CANNED_REPLIES[initialCode][0] ?? "");
    setError(undefined);
    setBusy(false);
  }, []);

  const close = () => {
    if (!busy) setRequest(undefined);
  };

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!request) return;
    if (request.reason && reason.trim() === "") {
      setError("Say why: the note is kept in the audit log.");
      return;
    }
    if (request.withCode && message.trim() === "") {
      setError("Write the message the user will read, or pick a canned reply.");
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const result = await request.run({ reason: reason.trim(), code, message: message.trim() });
      setRequest(undefined);
      await finish(request, result);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  const dialog = (
    <Modal
      // Scroll locking injects a <style> element, which the CSP (style-src 'self') refuses.
      lockScroll={false}
      opened={request !== undefined}
      onClose={close}
      title={request?.title}
      centered
      closeOnEscape={!busy}
      closeButtonProps={{ "aria-label": "Close dialog" }}
    >
      {request && (
        <form onSubmit={submit}>
          <Stack>
            {request.subject && <div className="dialog-subject">{request.subject}</div>}
            <Text size="sm" component="div">
              {request.message}
            </Text>
            {request.withCode && (
              <>
                <NativeSelect
                  label="Reason code shown to the user"
                  value={code}
                  onChange={(e) => {
                    const next = e.currentTarget.value as ReasonCode;
                    setCode(next);
                    setMessage(CANNED_REPLIES[next][0] ?? "");
                  }}
                  data={REASON_CODES.map((c) => ({ value: c, label: `${REASON_LABELS[c]} (${c})` }))}
                />
                <NativeSelect
                  label="Canned reply"
                  value={CANNED_REPLIES[code].includes(message) ? message : ""}
                  onChange={(e) => e.currentTarget.value && setMessage(e.currentTarget.value)}
                  data={[
                    { value: "", label: "— your own words —" },
                    ...CANNED_REPLIES[code].map((r) => ({ value: r, label: r })),
                  ]}
                />
                <Textarea
                  label="Message to the user (published with the verdict)"
                  value={message}
                  onChange={(e) => setMessage(e.currentTarget.value)}
                  maxLength={500}
                  autosize
                  minRows={2}
                  required
                />
              </>
            )}
            {request.reason && (
              <TextInput
                label={request.reason.label}
                value={reason}
                onChange={(e) => setReason(e.currentTarget.value)}
                maxLength={500}
                data-autofocus
                required
              />
            )}
            {error && (
              <Alert color="red" role="alert" title="That did not work">
                {error}
              </Alert>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={close} disabled={busy}>
                Cancel
              </Button>
              <Button
                type="submit"
                color={request.color ?? "blue"}
                loading={busy}
                data-autofocus={!request.reason}
              >
                {request.confirmLabel}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
  return [dialog, ask];
}

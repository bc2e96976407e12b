import { Button, Notification } from "@mantine/core";
import { createContext, type ReactNode, useCallback, useContext, useMemo, useRef, useState } from "react";

export interface Toast {
  id: number;
  color: "green" | "red" | "blue";
  title: string;
  message?: string | undefined;
  /** A button in the toast (Undo); the toast stays longer and closes when it is pressed. */
  action?: { label: string; run(): Promise<void> } | undefined;
}

type Push = (toast: Omit<Toast, "id">) => void;

const ToastContext = createContext<Push>(() => {});

/** How long a result stays on screen (one with Undo, longer); errors stay until closed. */
const SUCCESS_MS = 6000;
const UNDO_MS = 15_000;

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const next = useRef(1);
  const close = useCallback((id: number) => setToasts((all) => all.filter((t) => t.id !== id)), []);
  const push = useCallback<Push>(
    (toast) => {
      const id = next.current++;
      setToasts((all) => [...all.slice(-3), { ...toast, id }]);
      if (toast.color !== "red") setTimeout(() => close(id), toast.action ? UNDO_MS : SUCCESS_MS);
    },
    [close],
  );
  const value = useMemo(() => push, [push]);
  return (
    <ToastContext.Provider value={value}>
      {children}
      <div className="toasts" role="status" aria-live="polite">
        {toasts.map((t) => (
          <Notification
            key={t.id}
            color={t.color}
            title={t.title}
            onClose={() => close(t.id)}
            closeButtonProps={{ "aria-label": "Dismiss" }}
            withBorder
            data-testid="toast"
          >
            {t.message}
            {t.action && (
              <Button
                size="xs"
                variant="default"
                mt={4}
                onClick={() => {
                  close(t.id);
                  void t.action?.run();
                }}
              >
                {t.action.label}
              </Button>
            )}
          </Notification>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

export function useToast(): Push {
  return useContext(ToastContext);
}

/**
 * Structured JSON logs, one object per line: CloudWatch Logs Insights queries them by field
 * (`filter event = "upload.skipped"`) without a parsing step.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";

export interface LogEntry {
  level: LogLevel;
  /** A stable, dotted event name; the human detail goes in `message`. */
  event: string;
  message?: string;
  [field: string]: unknown;
}

export interface Logger {
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export type LogSink = (entry: LogEntry) => void;

const stdoutSink: LogSink = (entry) => {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);
};

export function createLogger(sink: LogSink = stdoutSink, base: Record<string, unknown> = {}): Logger {
  const write = (level: LogLevel, event: string, fields?: Record<string, unknown>) =>
    sink({ ...base, ...serialiseErrors(fields), level, event });
  return {
    info: (event, fields) => write("info", event, fields),
    warn: (event, fields) => write("warn", event, fields),
    error: (event, fields) => write("error", event, fields),
    child: (fields) => createLogger(sink, { ...base, ...fields }),
  };
}

// Error objects stringify to {}; keep what an operator needs and drop the stack's noise.
function serialiseErrors(fields: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!fields) return {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] =
      value instanceof Error
        ? { name: value.name, message: value.message, code: (value as { code?: unknown }).code }
        : value;
  }
  return out;
}

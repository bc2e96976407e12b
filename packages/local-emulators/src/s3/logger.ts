/**
 * Structured log lines, in the processor's Logger shape (`createLogger()` from
 * @photogate/processor fits), so the dev runner prints one kind of line for every part.
 */
export interface S3Logger {
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: S3Logger = { info() {}, warn() {}, error() {} };

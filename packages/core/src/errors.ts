/**
 * Named errors with stable codes. Callers map them to responses in one place;
 * the `code` is what logs, records and API bodies carry.
 */
export class PhotogateError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A key that does not follow the layout in docs/architecture.md ("Object keys"). */
export class InvalidKeyError extends PhotogateError {
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super("INVALID_KEY", `Invalid object key "${key}": ${reason}`);
  }
}

/** Configuration that is missing or does not match its schema; raised once, at start-up. */
export class ConfigError extends PhotogateError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("INVALID_CONFIG", message, options);
  }
}

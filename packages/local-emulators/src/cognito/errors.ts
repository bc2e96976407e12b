import { PhotogateError } from "@photogate/core";

/** cognito-local did not start, or exited while it was needed; the message carries its last output. */
export class UserPoolEmulatorError extends PhotogateError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("USER_POOL_EMULATOR", message, options);
  }
}

/** The pool could not be provisioned as the stack defines it (e.g. two pools share the name). */
export class ProvisionError extends PhotogateError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("PROVISION_FAILED", message, options);
  }
}

/** A seed user that could never sign in on AWS: its password breaks the stack's password policy. */
export class SeedUserError extends PhotogateError {
  constructor(message: string) {
    super("INVALID_SEED_USER", message);
  }
}

export type SignInErrorCode =
  /** Unknown user or wrong password: one code for both, as the pool's preventUserExistenceErrors does. */
  | "INCORRECT_USERNAME_OR_PASSWORD"
  /** The user still has a temporary password (created but never given a permanent one). */
  | "PASSWORD_CHANGE_REQUIRED"
  | "USER_NOT_CONFIRMED"
  /** The pool asked for a challenge (MFA, …) that a password sign-in cannot answer. */
  | "CHALLENGE_REQUIRED";

export class SignInError extends PhotogateError {
  declare readonly code: SignInErrorCode;

  constructor(code: SignInErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

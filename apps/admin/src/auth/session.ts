import type { AppConfig } from "../config";
import { cognitoEndpoint } from "../config";
import { type CognitoClient, createCognitoClient } from "./cognito";
import { type AccessClaims, accessClaims, emailOf, needsRefresh, type Tokens } from "./tokens";

/**
 * The signed-in session: tokens kept in sessionStorage (per tab, gone when the tab closes; the
 * strict CSP is what keeps scripts from reading them), refreshed shortly before they expire,
 * one refresh at a time however many requests ask at once. With a tab channel, open tabs share
 * it: a new tab (a deep link opened from another) asks the others for the session instead of
 * showing sign-in, and signing in or out in one tab does so in all.
 */

export interface SessionState {
  tokens: Tokens;
  claims: AccessClaims;
  email: string | undefined;
}

export interface SessionStore {
  get(): SessionState | undefined;
  subscribe(listener: () => void): () => void;
  signIn(username: string, password: string): Promise<SessionState>;
  /** A usable access token, refreshed first when it is about to expire; undefined when signed out. */
  accessToken(options?: { forceRefresh?: boolean }): Promise<string | undefined>;
  signOut(): Promise<void>;
  /** Ends the session without calling Cognito (the refresh token was refused). */
  expire(reason: string): void;
  /** Why the last session ended on its own, for the sign-in page. */
  endedBecause(): string | undefined;
}

export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const STORAGE_KEY = "photogate.admin.session";
/** The BroadcastChannel name the app's tabs share the session on (same origin only). */
export const SESSION_CHANNEL = "photogate.admin.session";

/** The part of BroadcastChannel the store uses. */
export interface TabChannel {
  postMessage(message: TabMessage): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
}

export type TabMessage = { type: "request" } | { type: "session"; tokens: Tokens } | { type: "signed-out" };

export interface SessionStoreOptions {
  config: AppConfig;
  storage?: KeyValueStorage;
  cognito?: CognitoClient;
  now?: () => number;
  /** Shares the session with the app's other tabs (the app passes a BroadcastChannel). */
  tabs?: TabChannel;
}

function stateFrom(tokens: Tokens): SessionState {
  return { tokens, claims: accessClaims(tokens.accessToken), email: emailOf(tokens.idToken) };
}

export function createSessionStore(options: SessionStoreOptions): SessionStore {
  const { config } = options;
  const storage = options.storage ?? sessionStorage;
  const now = options.now ?? Date.now;
  const cognito =
    options.cognito ??
    createCognitoClient({
      userPoolId: config.userPoolId,
      clientId: config.userPoolClientId,
      endpoint: cognitoEndpoint(config),
    });
  const listeners = new Set<() => void>();
  const tabs = options.tabs;
  let state: SessionState | undefined = restore();
  let refreshing: Promise<SessionState | undefined> | undefined;
  let ended: string | undefined;

  function restore(): SessionState | undefined {
    const text = storage.getItem(STORAGE_KEY);
    if (!text) return undefined;
    try {
      return stateFrom(JSON.parse(text) as Tokens);
    } catch {
      storage.removeItem(STORAGE_KEY);
      return undefined;
    }
  }

  function set(next: SessionState | undefined, options: { fromOtherTab?: boolean } = {}) {
    state = next;
    if (next) storage.setItem(STORAGE_KEY, JSON.stringify(next.tokens));
    else storage.removeItem(STORAGE_KEY);
    if (!options.fromOtherTab) {
      tabs?.postMessage(next ? { type: "session", tokens: next.tokens } : { type: "signed-out" });
    }
    for (const listener of listeners) listener();
  }

  tabs?.addEventListener("message", ({ data }) => {
    const message = data as TabMessage;
    if (message?.type === "request" && state) tabs.postMessage({ type: "session", tokens: state.tokens });
    else if (message?.type === "session" && message.tokens.accessToken !== state?.tokens.accessToken) {
      try {
        ended = undefined;
        set(stateFrom(message.tokens), { fromOtherTab: true });
      } catch {
        // Not tokens this app can read: ignore rather than sign this tab out.
      }
    } else if (message?.type === "signed-out" && state) {
      ended = "You signed out in another tab.";
      set(undefined, { fromOtherTab: true });
    }
  });
  if (!state) tabs?.postMessage({ type: "request" });

  async function refresh(current: SessionState): Promise<SessionState | undefined> {
    try {
      const next = stateFrom(await cognito.refresh(current.tokens));
      // A sign-out while the refresh was under way wins.
      if (state?.tokens.refreshToken !== current.tokens.refreshToken) return state;
      set(next);
      return next;
    } catch (error) {
      const code = (error as { code?: string }).code;
      // Only a refused refresh token ends the session; a network blip leaves it for the next try.
      if (code === "NotAuthorizedException") {
        ended = "Your session has ended. Sign in again.";
        set(undefined);
        return undefined;
      }
      throw error;
    }
  }

  return {
    get: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async signIn(username, password) {
      const name = username.trim().toLowerCase();
      const next = stateFrom(await cognito.signIn(name, password));
      ended = undefined;
      set(next);
      return next;
    },
    async accessToken(opts) {
      const current = state;
      if (!current) return undefined;
      if (!opts?.forceRefresh && !needsRefresh(current.claims, now())) return current.tokens.accessToken;
      refreshing ??= refresh(current).finally(() => {
        refreshing = undefined;
      });
      return (await refreshing)?.tokens.accessToken;
    },
    async signOut() {
      const current = state;
      set(undefined);
      // Best effort: the tokens are gone from this tab whatever Cognito answers.
      if (current) await cognito.revoke(current.tokens).catch(() => {});
    },
    expire(reason) {
      ended = reason;
      set(undefined);
    },
    endedBecause: () => ended,
  };
}

import { describe, expect, it, vi } from "vitest";
import { type CognitoClient, CognitoError } from "../src/auth/cognito";
import { createSessionStore, type KeyValueStorage, type TabChannel } from "../src/auth/session";
import { REFRESH_MARGIN_SECONDS, type Tokens } from "../src/auth/tokens";
import { type AppConfig, parseConfig } from "../src/config";
import { fakeTokens } from "./jwt";

const NOW_S = 1_800_000_000;
const localConfig: AppConfig = parseConfig({
  apiUrl: "http://127.0.0.1:4600/api",
  region: "us-east-1",
  userPoolId: "local_pool",
  userPoolClientId: "admin-client",
  userPoolEndpoint: "http://127.0.0.1:4504",
});

function memoryStorage(): KeyValueStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    removeItem: (k) => void data.delete(k),
  };
}

function fakeCognito(overrides: Partial<CognitoClient> = {}) {
  return {
    signIn: vi.fn(async (_username: string, _password: string) =>
      fakeTokens({ groups: ["support"], exp: NOW_S + 1800 }),
    ),
    refresh: vi.fn(async (tokens: Tokens) => ({
      ...fakeTokens({ groups: ["support"], exp: NOW_S + 3600 }),
      refreshToken: tokens.refreshToken,
    })),
    revoke: vi.fn(async () => {}),
    ...overrides,
  } satisfies CognitoClient;
}

function store(
  options: { cognito?: CognitoClient; config?: AppConfig; storage?: KeyValueStorage; nowS?: number } = {},
) {
  const storage = options.storage ?? memoryStorage();
  const cognito = options.cognito ?? fakeCognito();
  let now = (options.nowS ?? NOW_S) * 1000;
  const session = createSessionStore({
    config: options.config ?? localConfig,
    storage,
    cognito,
    now: () => now,
  });
  return {
    session,
    storage,
    cognito,
    advance(seconds: number) {
      now += seconds * 1000;
    },
  };
}

describe("session store", () => {
  it("signs in (e-mail lower-cased) and keeps the tokens for the tab", async () => {
    const { session, storage, cognito } = store();
    const listener = vi.fn();
    session.subscribe(listener);
    const state = await session.signIn("  Support@Photogate.Local ", "pw");
    expect(cognito.signIn).toHaveBeenCalledWith("support@photogate.local", "pw");
    expect(state.claims.groups).toEqual(["support"]);
    expect(state.email).toBe("support@example.com");
    expect(listener).toHaveBeenCalledOnce();
    // A reload in the same tab finds the session again.
    const again = createSessionStore({ config: localConfig, storage, cognito, now: () => NOW_S * 1000 });
    expect(again.get()?.claims.sub).toBe(state.claims.sub);
  });

  it("shows no session when sign-in is refused", async () => {
    const cognito = fakeCognito({
      signIn: vi.fn(async () => {
        throw new CognitoError("NotAuthorizedException", "Incorrect username or password.");
      }),
    });
    const storage = memoryStorage();
    const { session } = store({ cognito, storage });
    await expect(session.signIn("a@b.c", "wrong")).rejects.toMatchObject({ code: "NotAuthorizedException" });
    expect(session.get()).toBeUndefined();
    expect(storage.data.size).toBe(0);
  });

  it("hands out the current token while it is fresh, and refreshes once when it is about to expire", async () => {
    const { session, cognito, advance } = store();
    const first = (await session.signIn("s@x", "pw")).tokens.accessToken;
    expect(await session.accessToken()).toBe(first);
    expect(cognito.refresh).not.toHaveBeenCalled();

    advance(1800 - REFRESH_MARGIN_SECONDS + 1);
    const [a, b, c] = await Promise.all([
      session.accessToken(),
      session.accessToken(),
      session.accessToken(),
    ]);
    expect(cognito.refresh).toHaveBeenCalledOnce();
    expect(a).not.toBe(first);
    expect(new Set([a, b, c]).size).toBe(1);
    expect(session.get()?.claims.exp).toBe(NOW_S + 3600);
  });

  it("refreshes on demand after the API refused a token", async () => {
    const { session, cognito } = store();
    await session.signIn("s@x", "pw");
    await session.accessToken({ forceRefresh: true });
    expect(cognito.refresh).toHaveBeenCalledOnce();
  });

  it("ends the session when the refresh token is refused, and says why", async () => {
    const cognito = fakeCognito({
      refresh: vi.fn(async () => {
        throw new CognitoError("NotAuthorizedException", "Refresh Token has been revoked");
      }),
    });
    const { session, storage } = store({ cognito });
    await session.signIn("s@x", "pw");
    expect(await session.accessToken({ forceRefresh: true })).toBeUndefined();
    expect(session.get()).toBeUndefined();
    expect((storage as ReturnType<typeof memoryStorage>).data.size).toBe(0);
    expect(session.endedBecause()).toMatch(/session has ended/);
  });

  it("keeps the session through a network failure during refresh", async () => {
    const cognito = fakeCognito({
      refresh: vi.fn(async () => {
        throw new CognitoError("NETWORK", "fetch failed");
      }),
    });
    const { session } = store({ cognito });
    await session.signIn("s@x", "pw");
    await expect(session.accessToken({ forceRefresh: true })).rejects.toMatchObject({ code: "NETWORK" });
    expect(session.get()).toBeDefined();
  });

  it("signs out at once and revokes the refresh token, even when revocation fails", async () => {
    const cognito = fakeCognito({
      revoke: vi.fn(async () => {
        throw new CognitoError("UnsupportedOperationException", "not here");
      }),
    });
    const { session } = store({ cognito });
    const state = await session.signIn("s@x", "pw");
    await session.signOut();
    expect(session.get()).toBeUndefined();
    expect(cognito.revoke).toHaveBeenCalledWith(state.tokens);
    expect(await session.accessToken()).toBeUndefined();
  });

  it("drops stored tokens it cannot read", () => {
    const storage = memoryStorage();
    storage.setItem("photogate.admin.session", "{not json");
    const { session } = store({ storage });
    expect(session.get()).toBeUndefined();
    expect(storage.data.size).toBe(0);
  });
});

describe("session shared across tabs", () => {
  /** Two tabs of the app: Node's BroadcastChannel delivers between instances as browsers do. */
  function tabs(name = `photogate-test-${Math.random()}`) {
    const channels: BroadcastChannel[] = [];
    const open = (cognito: CognitoClient = fakeCognito()) => {
      const channel = new BroadcastChannel(name);
      channels.push(channel);
      return createSessionStore({
        config: localConfig,
        storage: memoryStorage(),
        cognito,
        now: () => NOW_S * 1000,
        tabs: channel as unknown as TabChannel,
      });
    };
    const close = () => {
      for (const channel of channels) channel.close();
    };
    return { open, close };
  }

  it("a new tab (a deep link opened from the app) gets the open tab's session instead of the sign-in page", async () => {
    const { open, close } = tabs();
    try {
      const first = open();
      const signedIn = await first.signIn("support@photogate.local", "pw");
      const second = open();
      expect(second.get()).toBeUndefined();
      await vi.waitFor(() => expect(second.get()?.claims.sub).toBe(signedIn.claims.sub));
      expect(await second.accessToken()).toBe(signedIn.tokens.accessToken);
    } finally {
      close();
    }
  });

  it("signing out in one tab signs every tab out and says why", async () => {
    const { open, close } = tabs();
    try {
      const first = open();
      const second = open();
      await first.signIn("support@photogate.local", "pw");
      await vi.waitFor(() => expect(second.get()).toBeDefined());
      await second.signOut();
      await vi.waitFor(() => expect(first.get()).toBeUndefined());
      expect(first.endedBecause()).toMatch(/signed out in another tab/);
    } finally {
      close();
    }
  });

  it("tabs of another channel (another app or origin) share nothing", async () => {
    const a = tabs();
    const b = tabs();
    try {
      const first = a.open();
      await first.signIn("support@photogate.local", "pw");
      const stranger = b.open();
      const neighbour = a.open();
      await vi.waitFor(() => expect(neighbour.get()).toBeDefined());
      expect(stranger.get()).toBeUndefined();
    } finally {
      a.close();
      b.close();
    }
  });
});

import {
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminUpdateUserAttributesCommand,
  CognitoIdentityProviderClient,
  ListUsersCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import type { Page, UserSummary } from "@photogate/core";
import { signIn } from "@photogate/local-emulators";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syncDirectory } from "../../src/directory";
import { type LocalAdminApi, startLocalAdminApi } from "./local-admin-api";

// The users search reads the user directory (DynamoDB), not Cognito: these tests change the pool
// behind the admin API's back and check what the search shows before and after a re-sync.
let local: LocalAdminApi;
let idp: CognitoIdentityProviderClient;
let tokens: Record<"support" | "admin", string>;

async function search(query: string, token = tokens.support): Promise<Page<UserSummary>> {
  const response = await fetch(`${local.url}/users?${query}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const body = await response.text();
  expect(response.status, body).toBe(200);
  return JSON.parse(body) as Page<UserSummary>;
}

async function post(path: string, token = tokens.support, method = "POST") {
  const response = await fetch(`${local.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}` },
  });
  expect(response.status, await response.text()).toBe(200);
}

/** A user made straight in the pool (a sign-up, another tool): the admin API never hears of it. */
async function createOutside(email: string): Promise<string> {
  const created = await idp.send(
    new AdminCreateUserCommand({
      UserPoolId: local.emulators.pool.userPoolId,
      Username: email,
      MessageAction: "SUPPRESS",
      UserAttributes: [
        { Name: "email", Value: email },
        { Name: "name", Value: "Outside Person" },
      ],
    }),
  );
  return created.User!.Attributes!.find((a) => a.Name === "sub")!.Value!;
}

beforeAll(async () => {
  local = await startLocalAdminApi();
  const { emulators } = local;
  idp = new CognitoIdentityProviderClient({
    region: emulators.region,
    credentials: emulators.serviceCredentials,
    endpoint: emulators.urls.cognitoIdp,
  });
  const client = emulators.pool.adminClientId;
  const token = async (name: "support" | "admin") => {
    const user = local.user(name);
    return (await signIn(idp, client, user.email, user.password)).accessToken;
  };
  tokens = { support: await token("support"), admin: await token("admin") };
}, 120_000);

afterAll(async () => {
  idp?.destroy();
  await local?.stop();
});

describe("the user directory behind the users search", () => {
  it("shows a user created outside the admin API after the re-sync, not before", async () => {
    const sub = await createOutside("outsider@elsewhere.example");
    expect((await search("q=outsider")).items).toEqual([]);
    const synced = await local.syncDirectory();
    expect(synced).toMatchObject({ added: 1, removed: 0 });
    const found = await search("q=outside%20person");
    expect(found.items.map((u) => [u.sub, u.email, u.status])).toEqual([
      [sub, "outsider@elsewhere.example", "FORCE_CHANGE_PASSWORD"],
    ]);
    // Never signed in: "unconfirmed" in the state filter.
    expect((await search("state=unconfirmed")).items.map((u) => u.sub)).toContain(sub);
  });

  it("shows a disable through the API at once, without a re-sync", async () => {
    const demo = local.user("demo");
    await post(`/users/${demo.sub}/disable`);
    const disabled = await search("state=disabled");
    expect(disabled.items.map((u) => u.sub)).toEqual([demo.sub]);
    expect(disabled.items[0]!.enabled).toBe(false);
    await post(`/users/${demo.sub}/enable`);
    expect((await search("state=disabled")).items).toEqual([]);
  });

  it("shows a group change through the API at once", async () => {
    const demo = local.user("demo");
    await post(`/users/${demo.sub}/groups/support`, tokens.admin, "PUT");
    expect((await search("group=support")).items.map((u) => u.sub)).toContain(demo.sub);
    await post(`/users/${demo.sub}/groups/support`, tokens.admin, "DELETE");
    expect((await search("group=support")).items.map((u) => u.sub)).not.toContain(demo.sub);
  });

  it("does not undo a disable made while a re-sync was reading the pool", async () => {
    const demo = local.user("demo");
    const deps = local.adminDeps;
    // The sync's ListUsers answers first, then support disables demo, then the sync writes.
    const send = deps.cognito.send.bind(deps.cognito) as (command: unknown) => Promise<unknown>;
    const racing = Object.create(deps.cognito) as typeof deps.cognito;
    let disabled = false;
    racing.send = (async (command: unknown) => {
      const result = await send(command);
      if (command instanceof ListUsersCommand && !disabled) {
        disabled = true;
        // The pool was read before this disable: the sync now holds demo as enabled.
        await post(`/users/${demo.sub}/disable`);
      }
      return result;
    }) as typeof racing.send;
    const result = await syncDirectory({ ...deps, cognito: racing });
    expect(result.skipped).toBeGreaterThanOrEqual(1);
    expect((await search("state=disabled")).items.map((u) => u.sub)).toEqual([demo.sub]);
    await post(`/users/${demo.sub}/enable`);
  });

  it("picks up an attribute changed outside the admin API at the re-sync", async () => {
    const sub = await createOutside("renamed@elsewhere.example");
    await local.syncDirectory();
    await idp.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: local.emulators.pool.userPoolId,
        Username: sub,
        UserAttributes: [{ Name: "name", Value: "Zebediah Quill" }],
      }),
    );
    expect((await search("q=zebediah")).items).toEqual([]);
    expect(await local.syncDirectory()).toMatchObject({ updated: 1, added: 0, removed: 0 });
    expect((await search("q=zebediah")).items.map((u) => u.sub)).toEqual([sub]);
  });

  it("drops a user deleted in Cognito at the re-sync", async () => {
    const sub = await createOutside("leaving@elsewhere.example");
    await local.syncDirectory();
    expect((await search("q=leaving@")).items.map((u) => u.sub)).toEqual([sub]);
    await idp.send(
      new AdminDeleteUserCommand({ UserPoolId: local.emulators.pool.userPoolId, Username: sub }),
    );
    expect(await local.syncDirectory()).toMatchObject({ removed: 1, added: 0 });
    expect((await search("q=leaving@")).items).toEqual([]);
  });

  it("re-syncs idempotently: a second run changes nothing and the search answers the same", async () => {
    await local.syncDirectory();
    const before = await search("sort=-created&limit=60");
    const again = await local.syncDirectory();
    expect(again).toEqual({ users: before.items.length, added: 0, updated: 0, removed: 0, skipped: 0 });
    expect(await search("sort=-created&limit=60")).toEqual(before);
  });

  it("sorts and pages over the directory", async () => {
    const all = (await search("sort=email&limit=60")).items.map((u) => u.email ?? u.username);
    expect(all).toEqual([...all].sort((a, b) => a.localeCompare(b)));
    const newest = (await search("sort=-created&limit=60")).items.map((u) => u.createdAt ?? "");
    expect(newest).toEqual([...newest].sort().reverse());
    const paged: string[] = [];
    let token: string | undefined;
    do {
      const page = await search(`sort=email&limit=2${token ? `&nextToken=${token}` : ""}`);
      paged.push(...page.items.map((u) => u.email ?? u.username));
      token = page.nextToken;
    } while (token);
    expect(paged).toEqual(all);
  });
});

import {
  AdminGetUserCommand,
  AdminUpdateUserAttributesCommand,
  DeleteUserAttributesCommand,
  GetUserCommand,
  NotAuthorizedException,
  UpdateUserAttributesCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { USER_WRITABLE_ATTRIBUTES } from "@photogate/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signIn } from "../../src/cognito/provision";
import { type LocalPool, PASSWORD, startLocalPool } from "./local-pool";

// QUALITY 45 / issue 13: the app clients' WriteAttributes hold locally as on AWS, where
// cognito-local would let a user point `picture` at anything.
let local: LocalPool;
let accessToken: string;
const EMAIL = "alice@example.com";

beforeAll(async () => {
  local = await startLocalPool();
  accessToken = (await signIn(local.client, local.pool.uploadClientId, EMAIL, PASSWORD)).accessToken;
}, 120_000);

afterAll(async () => {
  await local?.stop();
});

async function attributes(): Promise<Record<string, string | undefined>> {
  const user = await local.client.send(
    new AdminGetUserCommand({ UserPoolId: local.pool.userPoolId, Username: local.subs[EMAIL] }),
  );
  return Object.fromEntries((user.UserAttributes ?? []).map((a) => [a.Name, a.Value]));
}

describe("UpdateUserAttributes with the user's own access token", () => {
  it("refuses `picture` with Cognito's NotAuthorizedException and changes nothing", async () => {
    const attempt = local.client.send(
      new UpdateUserAttributesCommand({
        AccessToken: accessToken,
        UserAttributes: [{ Name: "picture", Value: "https://evil.example/unmoderated.png" }],
      }),
    );
    await expect(attempt).rejects.toBeInstanceOf(NotAuthorizedException);
    await expect(attempt).rejects.toThrow("A client attempted to write unauthorized attribute");
    expect((await attributes()).picture).toBeUndefined();
  });

  it("refuses a batch that mixes an allowed attribute with `picture`, writing neither", async () => {
    const attempt = local.client.send(
      new UpdateUserAttributesCommand({
        AccessToken: accessToken,
        UserAttributes: [
          { Name: "name", Value: "Alice Sneaky" },
          { Name: "picture", Value: "x.png" },
        ],
      }),
    );
    await expect(attempt).rejects.toBeInstanceOf(NotAuthorizedException);
    expect(await attributes()).not.toMatchObject({ name: "Alice Sneaky" });
  });

  it.each(["email", "email_verified"])(
    "refuses %s too (only photogate and support change it)",
    async (name) => {
      await expect(
        local.client.send(
          new UpdateUserAttributesCommand({
            AccessToken: accessToken,
            UserAttributes: [{ Name: name, Value: "x" }],
          }),
        ),
      ).rejects.toBeInstanceOf(NotAuthorizedException);
    },
  );

  it("refuses deleting `picture` that photogate set", async () => {
    await local.client.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: local.pool.userPoolId,
        Username: local.subs[EMAIL],
        UserAttributes: [{ Name: "picture", Value: "shared/a/b/display.webp" }],
      }),
    );
    await expect(
      local.client.send(
        new DeleteUserAttributesCommand({ AccessToken: accessToken, UserAttributeNames: ["picture"] }),
      ),
    ).rejects.toBeInstanceOf(NotAuthorizedException);
    expect((await attributes()).picture).toBe("shared/a/b/display.webp");
  });

  it("lets the user write an attribute in the client's list, and read `picture`", async () => {
    expect(USER_WRITABLE_ATTRIBUTES).toContain("name");
    await local.client.send(
      new UpdateUserAttributesCommand({
        AccessToken: accessToken,
        UserAttributes: [{ Name: "name", Value: "Alice" }],
      }),
    );
    const user = await local.client.send(new GetUserCommand({ AccessToken: accessToken }));
    const own = Object.fromEntries((user.UserAttributes ?? []).map((a) => [a.Name, a.Value]));
    expect(own.name).toBe("Alice");
    expect(own.picture).toBe("shared/a/b/display.webp");
  });
});

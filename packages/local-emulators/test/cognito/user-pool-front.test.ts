import {
  AdminResetUserPasswordCommand,
  CreateUserPoolClientCommand,
  InitiateAuthCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalPool, PASSWORD, SEED, startLocalPool } from "./local-pool";

// What the front answers that cognito-local itself does not (the conformance suite covers the
// rest against any target): the app client's allowed flows, and no HTTP 500 for what it lacks.
let local: LocalPool;
beforeAll(async () => {
  local = await startLocalPool();
});
afterAll(() => local?.stop());

const failure = (call: Promise<unknown>) =>
  call.then(
    () => undefined,
    (e: { name?: string; message?: string; $metadata?: { httpStatusCode?: number } }) => ({
      name: e.name,
      message: e.message,
      status: e.$metadata?.httpStatusCode,
    }),
  );

describe("the user-pool front", () => {
  // https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_InitiateAuth.html
  it("refuses a flow the app client does not allow, as Cognito does", async () => {
    const { UserPoolClient } = await local.client.send(
      new CreateUserPoolClientCommand({
        UserPoolId: local.pool.userPoolId,
        ClientName: "srp-only",
        ExplicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
      }),
    );
    const refused = await failure(
      local.client.send(
        new InitiateAuthCommand({
          AuthFlow: "USER_PASSWORD_AUTH",
          ClientId: UserPoolClient?.ClientId,
          AuthParameters: { USERNAME: SEED[0]!.email, PASSWORD },
        }),
      ),
    );
    expect(refused).toEqual({
      name: "InvalidParameterException",
      message: "USER_PASSWORD_AUTH flow not enabled for this client",
      status: 400,
    });
  });

  it("answers an unknown app client with ResourceNotFoundException", async () => {
    const refused = await failure(
      local.client.send(
        new InitiateAuthCommand({
          AuthFlow: "USER_PASSWORD_AUTH",
          ClientId: "no-such-client",
          AuthParameters: { USERNAME: SEED[0]!.email, PASSWORD },
        }),
      ),
    );
    expect(refused).toMatchObject({ name: "ResourceNotFoundException", status: 400 });
  });

  it("answers an operation cognito-local lacks with a 400 UnsupportedOperationException, not a 500", async () => {
    const refused = await failure(
      local.client.send(
        new AdminResetUserPasswordCommand({ UserPoolId: local.pool.userPoolId, Username: SEED[0]!.email }),
      ),
    );
    expect(refused).toMatchObject({ name: "UnsupportedOperationException", status: 400 });
  });
});

import {
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  ScanCommand,
} from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsError, identityCredentials, MADE_UP_KEYS, srpSignIn } from "./support";
import {
  type ConformanceTarget,
  clientConfig,
  createTestUser,
  type plannedTarget,
  serviceUrl,
  type TestUser,
} from "./target";

/** DynamoDB: SigV4 on every call, and IAM that keeps users' identity-pool sessions off the tables. */
export function dynamoDbCases(target: () => ConformanceTarget, planned: ReturnType<typeof plannedTarget>) {
  describe("dynamodb", () => {
    let admin: DynamoDBClient;
    beforeAll(() => {
      admin = new DynamoDBClient(clientConfig(target(), "dynamodb"));
    });
    afterAll(() => admin?.destroy());

    // DescribeTable returns the table's key schema: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeTable.html
    it("describes the photo table to the account's administrator, keyed by owner and photoId", async () => {
      const { Table } = await admin.send(new DescribeTableCommand({ TableName: target().photoTable }));
      expect(Table?.TableStatus).toBe("ACTIVE");
      expect(Table?.KeySchema?.map((k) => k.AttributeName).sort()).toEqual(["owner", "photoId"]);
    });

    // A request with no Authorization header: MissingAuthenticationTokenException, HTTP 400
    // (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/CommonErrors.html).
    it.skipIf(planned.lacks("iam-enforcement") !== undefined)(
      "refuses an unsigned request with MissingAuthenticationTokenException",
      async () => {
        const response = await fetch(serviceUrl(target(), "dynamodb"), {
          method: "POST",
          headers: {
            "content-type": "application/x-amz-json-1.0",
            "x-amz-target": "DynamoDB_20120810.ListTables",
          },
          body: "{}",
        });
        expect(response.status).toBe(400);
        const body = (await response.json()) as { __type: string };
        expect(body.__type).toMatch(/#MissingAuthenticationTokenException$/);
      },
    );

    // An access key AWS never issued: UnrecognizedClientException "The security token included in
    // the request is invalid." (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/CommonErrors.html)
    it.skipIf(planned.lacks("iam-enforcement") !== undefined)(
      "refuses made-up keys with UnrecognizedClientException",
      async () => {
        const stranger = new DynamoDBClient(clientConfig(target(), "dynamodb", MADE_UP_KEYS));
        const error = await awsError(
          stranger.send(new DescribeTableCommand({ TableName: target().photoTable })),
        );
        stranger.destroy();
        expect(error).toEqual({
          name: "UnrecognizedClientException",
          message: "The security token included in the request is invalid.",
          status: 400,
        });
      },
    );

    // A known key with the wrong secret: InvalidSignatureException, HTTP 400
    // (https://docs.aws.amazon.com/IAM/latest/UserGuide/signature-v4-troubleshooting.html).
    it.skipIf(planned.lacks("iam-enforcement") !== undefined)(
      "refuses a signature made with the wrong secret with InvalidSignatureException",
      async () => {
        const real = await admin.config.credentials();
        const forged = new DynamoDBClient(
          clientConfig(target(), "dynamodb", { ...real, secretAccessKey: `${real.secretAccessKey}x` }),
        );
        const error = await awsError(
          forged.send(new DescribeTableCommand({ TableName: target().photoTable })),
        );
        forged.destroy();
        expect(error).toMatchObject({ name: "InvalidSignatureException", status: 400 });
        expect(error.message).toMatch(
          /^The request signature we calculated does not match the signature you provided/,
        );
      },
    );

    describe.skipIf(
      planned.lacks("iam-enforcement") !== undefined ||
        planned.lacks("cognito-identity") !== undefined ||
        planned.lacks("cognito-idp") !== undefined,
    )("with a user's identity-pool credentials", () => {
      let user: TestUser & { remove(): Promise<void> };
      let asUser: DynamoDBClient;
      beforeAll(async () => {
        user = await createTestUser(target());
        const tokens = await srpSignIn(target(), user.email, user.password);
        asUser = new DynamoDBClient(
          clientConfig(target(), "dynamodb", await identityCredentials(target(), tokens.idToken)),
        );
      });
      afterAll(async () => {
        asUser?.destroy();
        await user?.remove();
      });

      // The identity-pool role grants S3 only; DynamoDB answers AccessDeniedException (HTTP 400)
      // naming the principal, the action and the resource:
      // https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
      it("cannot read, query or scan the tables: AccessDeniedException naming principal, action and resource", async () => {
        const { photoTable, auditTable } = target();
        const calls = [
          [
            "GetItem",
            photoTable,
            asUser.send(
              new GetItemCommand({ TableName: photoTable, Key: { owner: { S: "x" }, photoId: { S: "y" } } }),
            ),
          ],
          [
            "Query",
            photoTable,
            asUser.send(
              new QueryCommand({
                TableName: photoTable,
                KeyConditionExpression: "#o = :o",
                ExpressionAttributeNames: { "#o": "owner" },
                ExpressionAttributeValues: { ":o": { S: "x" } },
              }),
            ),
          ],
          ["Scan", auditTable, asUser.send(new ScanCommand({ TableName: auditTable }))],
        ] as const;
        for (const [action, table, call] of calls) {
          const error = await awsError(call);
          expect(error).toMatchObject({ name: "AccessDeniedException", status: 400 });
          expect(error.message).toMatch(
            new RegExp(
              `^User: arn:aws:sts::\\d{12}:assumed-role/[\\w+=,.@-]+/CognitoIdentityCredentials is not authorized to perform: dynamodb:${action} on resource: arn:aws:dynamodb:${target().region}:\\d{12}:table/${table}`,
            ),
          );
        }
      });
    });
  });
}

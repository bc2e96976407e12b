import {
  AdminListGroupsForUserCommand,
  CognitoIdentityProviderClient,
  ListUsersCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { photoTable } from "@photogate/core";
import { DEFAULT_DATA_DIR, readEndpoints } from "../endpoints";
import { parseCommandLine, runMain } from "./args";

const USAGE = `Usage: pnpm users

Lists the local user pool's users with their groups, status and photo counts by status.
Needs a running local stack (pnpm dev).`;

runMain(async () => {
  const { values } = parseCommandLine(
    process.argv.slice(2),
    { "data-dir": { type: "string", default: DEFAULT_DATA_DIR }, help: { type: "boolean", default: false } },
    USAGE,
  );
  if (values.help) return void console.log(USAGE);
  const endpoints = await readEndpoints(values["data-dir"]);
  const aws = { region: endpoints.region, credentials: endpoints.serviceCredentials };
  const idp = new CognitoIdentityProviderClient({ ...aws, endpoint: endpoints.urls.cognitoIdp });
  const dynamo = DynamoDBDocumentClient.from(
    new DynamoDBClient({ ...aws, endpoint: endpoints.urls.dynamodb }),
  );
  try {
    console.log(
      `${"email".padEnd(28)} ${"sub".padEnd(36)} ${"status".padEnd(10)} ${"groups".padEnd(16)} photos`,
    );
    let token: string | undefined;
    do {
      const page = await idp.send(
        new ListUsersCommand({ UserPoolId: endpoints.userPool.id, PaginationToken: token }),
      );
      for (const user of page.Users ?? []) {
        const attribute = (name: string) => user.Attributes?.find((a) => a.Name === name)?.Value ?? "";
        const sub = attribute("sub");
        const groups = await idp.send(
          new AdminListGroupsForUserCommand({ UserPoolId: endpoints.userPool.id, Username: user.Username }),
        );
        const counts = await photoCounts(dynamo, endpoints.photoTable, sub);
        console.log(
          `${attribute("email").padEnd(28)} ${sub.padEnd(36)} ${(user.Enabled === false ? "disabled" : (user.UserStatus ?? "")).padEnd(10)} ${(
            groups.Groups ?? []
          )
            .map((g) => g.GroupName)
            .join(",")
            .padEnd(16)} ${counts}`,
        );
      }
      token = page.PaginationToken;
    } while (token);
  } finally {
    idp.destroy();
    dynamo.destroy();
  }
});

async function photoCounts(dynamo: DynamoDBDocumentClient, table: string, owner: string): Promise<string> {
  const counts = new Map<string, number>();
  let start: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: "#owner = :owner",
        ExpressionAttributeNames: { "#owner": photoTable.partitionKey, "#status": "status" },
        ExpressionAttributeValues: { ":owner": owner },
        ProjectionExpression: "#status",
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? [])
      counts.set(String(item.status), (counts.get(String(item.status)) ?? 0) + 1);
    start = page.LastEvaluatedKey;
  } while (start);
  return [...counts].map(([status, n]) => `${n} ${status}`).join(", ") || "none";
}

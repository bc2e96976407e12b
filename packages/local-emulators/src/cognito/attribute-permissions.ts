import { UNAUTHORIZED_ATTRIBUTE_MESSAGE } from "@photogate/core";
import { AwsJsonError } from "../aws-json-server";

/**
 * An app client's WriteAttributes, as Cognito enforces them on the operations a user calls with
 * their own access token; cognito-local lets any attribute through. Without a list (a client
 * created without WriteAttributes) every attribute is writable, as on AWS.
 */
const ATTRIBUTE_WRITES = new Set(["UpdateUserAttributes", "DeleteUserAttributes"]);

/** The attribute names an UpdateUserAttributes or DeleteUserAttributes request would change. */
function attributesWritten(operation: string, input: Record<string, unknown>): string[] {
  if (operation === "UpdateUserAttributes") {
    const list = Array.isArray(input.UserAttributes) ? input.UserAttributes : [];
    return list.map((a) => String((a as { Name?: unknown })?.Name ?? ""));
  }
  if (operation === "DeleteUserAttributes") {
    return (Array.isArray(input.UserAttributeNames) ? input.UserAttributeNames : []).map(String);
  }
  return [];
}

/** Cognito's NotAuthorizedException when a name is outside the client's write list. */
export function checkWritableAttributes(
  operation: string,
  input: Record<string, unknown>,
  writable: readonly string[] | undefined,
): void {
  if (!ATTRIBUTE_WRITES.has(operation) || writable === undefined) return;
  const refused = attributesWritten(operation, input).filter((name) => !writable.includes(name));
  if (refused.length > 0) throw new AwsJsonError("NotAuthorizedException", UNAUTHORIZED_ATTRIBUTE_MESSAGE);
}

/**
 * Refuses an attribute write outside the client's WriteAttributes, reading them from the pool
 * (DescribeUserPoolClient) on each such call: they change rarely, and the calls are few.
 */
export async function enforceWriteAttributes(
  call: <T>(operation: string, input: Record<string, unknown>) => Promise<T>,
  operation: string,
  input: Record<string, unknown>,
  token: { userPoolId: string; clientId: unknown },
): Promise<void> {
  if (!ATTRIBUTE_WRITES.has(operation)) return;
  const { UserPoolClient } = await call<{ UserPoolClient?: { WriteAttributes?: string[] } }>(
    "DescribeUserPoolClient",
    { UserPoolId: token.userPoolId, ClientId: String(token.clientId ?? "") },
  );
  checkWritableAttributes(operation, input, UserPoolClient?.WriteAttributes);
}

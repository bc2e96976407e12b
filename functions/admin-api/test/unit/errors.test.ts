import { describe, expect, it } from "vitest";
import { toErrorBody } from "../../src/errors";

/** An error shaped as the AWS SDK throws it for a service's JSON error answer. */
const awsError = (name: string, message: string) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });

describe("toErrorBody of Cognito's errors", () => {
  it("answers Cognito's UnsupportedOperationException as 501 NOT_SUPPORTED, with Cognito's reason", () => {
    const answer = toErrorBody(awsError("UnsupportedOperationException", "AdminResetUserPassword is off"));
    expect(answer.status).toBe(501);
    expect(answer.body.error.code).toBe("NOT_SUPPORTED");
    expect(answer.body.error.message).toContain("AdminResetUserPassword is off");
  });

  it("answers an error type no AWS service sends (an emulator's own) as an opaque 500", () => {
    const answer = toErrorBody(awsError("CognitoLocal#Unsupported", "internal detail"));
    expect(answer.status).toBe(500);
    expect(JSON.stringify(answer.body)).not.toContain("internal detail");
  });
});

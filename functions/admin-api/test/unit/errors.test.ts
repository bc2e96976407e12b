import { describe, expect, it } from "vitest";
import { toErrorBody } from "../../src/errors";
import { awsError } from "../helpers";

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

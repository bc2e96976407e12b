import {
  AdminDeleteUserAttributesCommand,
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  UserNotFoundException,
} from "@aws-sdk/client-cognito-identity-provider";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { clearPictureOfPhoto, decideProfilePicture, uploadIntentOf } from "../src/profile-picture";

const cognito = mockClient(CognitoIdentityProviderClient);
const target = {
  cognito: new CognitoIdentityProviderClient({ region: "eu-west-1" }),
  userPoolId: "eu-west-1_P",
};
const OWNER = "3f1c9a52-7d4e-4b8a-9c2f-5e6d7a8b9c0d";
const PHOTO_ID = "a1b2c3d4-e5f6-4789-8abc-def012345678";
const OTHER_PHOTO = "b1b2c3d4-e5f6-4789-8abc-def012345678";
const pictureOf = (photoId: string) => `https://d1.cloudfront.net/shared/${OWNER}/${photoId}/display.webp`;

beforeEach(() => cognito.reset());

describe("uploadIntentOf", () => {
  it("reads the profile-picture intent from S3 user metadata", () => {
    expect(uploadIntentOf({ "photogate-intent": "profile-picture" })).toBe("profile-picture");
  });
  it.each([[undefined], [{}], [{ "photogate-intent": "avatar" }], [{ "photogate-intent": "" }]])(
    "finds no intent in %j",
    (metadata) => {
      expect(uploadIntentOf(metadata)).toBeUndefined();
    },
  );
});

describe("decideProfilePicture", () => {
  it("sets the picture only for an approved photo", () => {
    expect(decideProfilePicture({ status: "approved", reasons: [] })).toEqual({ action: "set" });
  });
  it("keeps the picture for a rejected photo, naming every reason", () => {
    const decision = decideProfilePicture({
      status: "rejected",
      reasons: [
        { code: "SUNGLASSES", message: "s" },
        { code: "BLURRY", message: "b" },
      ],
    });
    expect(decision).toMatchObject({ action: "keep", outcome: { set: false, code: "PHOTO_REJECTED" } });
    expect(decision.action === "keep" && decision.outcome.message).toContain("SUNGLASSES, BLURRY");
  });
});

describe("clearPictureOfPhoto", () => {
  it("removes `picture` when it names this photo, and returns the value removed", async () => {
    cognito
      .on(AdminGetUserCommand)
      .resolves({ Username: OWNER, UserAttributes: [{ Name: "picture", Value: pictureOf(PHOTO_ID) }] });
    expect(await clearPictureOfPhoto(target, OWNER, PHOTO_ID)).toBe(pictureOf(PHOTO_ID));
    expect(cognito.commandCalls(AdminDeleteUserAttributesCommand).map((c) => c.args[0].input)).toEqual([
      { UserPoolId: "eu-west-1_P", Username: OWNER, UserAttributeNames: ["picture"] },
    ]);
  });

  it.each([
    ["another photo", [{ Name: "picture", Value: pictureOf(OTHER_PHOTO) }]],
    ["no picture", []],
    ["a value photogate did not write", [{ Name: "picture", Value: "https://evil.example/x.png" }]],
  ])("leaves %s alone", async (_, attributes) => {
    cognito.on(AdminGetUserCommand).resolves({ Username: OWNER, UserAttributes: attributes });
    expect(await clearPictureOfPhoto(target, OWNER, PHOTO_ID)).toBeUndefined();
    expect(cognito.commandCalls(AdminDeleteUserAttributesCommand)).toEqual([]);
  });

  it("does nothing for a user who no longer exists", async () => {
    cognito.on(AdminGetUserCommand).rejects(new UserNotFoundException({ message: "gone", $metadata: {} }));
    expect(await clearPictureOfPhoto(target, OWNER, PHOTO_ID)).toBeUndefined();
  });
});

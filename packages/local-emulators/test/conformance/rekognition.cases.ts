import {
  DetectFacesCommand,
  DetectModerationLabelsCommand,
  RekognitionClient,
} from "@aws-sdk/client-rekognition";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { portraitScene } from "../../src/sample-images";
import { awsError, identityCredentials, MADE_UP_KEYS, srpSignIn } from "./support";
import { type ConformanceTarget, clientConfig, createTestUser, type plannedTarget } from "./target";

/** Rekognition's DetectFaces and DetectModerationLabels as the processor calls them. */
export function rekognitionCases(target: () => ConformanceTarget, planned: ReturnType<typeof plannedTarget>) {
  describe.skipIf(planned.lacks("rekognition") !== undefined)("rekognition", () => {
    let rekognition: RekognitionClient;
    let portrait: Buffer;
    beforeAll(async () => {
      rekognition = new RekognitionClient(clientConfig(target(), "rekognition"));
      portrait = (await portraitScene()).jpeg;
    });
    afterAll(() => rekognition?.destroy());

    // FaceDetail: BoundingBox as ratios, Confidence, Landmarks, Pose, Quality with DEFAULT attributes:
    // https://docs.aws.amazon.com/rekognition/latest/APIReference/API_DetectFaces.html
    it("DetectFaces finds the one face of a portrait, with the DEFAULT attributes' shape", async () => {
      const { FaceDetails } = await rekognition.send(new DetectFacesCommand({ Image: { Bytes: portrait } }));
      expect(FaceDetails).toHaveLength(1);
      const [face] = FaceDetails ?? [];
      for (const side of ["Width", "Height", "Left", "Top"] as const) {
        expect(face?.BoundingBox?.[side]).toBeGreaterThan(0);
        expect(face?.BoundingBox?.[side]).toBeLessThan(1);
      }
      expect(face?.Confidence).toBeGreaterThan(90);
      expect(face?.Landmarks?.map((l) => l.Type)).toEqual(
        expect.arrayContaining(["eyeLeft", "eyeRight", "nose"]),
      );
      expect(Object.keys(face?.Pose ?? {}).sort()).toEqual(["Pitch", "Roll", "Yaw"]);
      expect(Object.keys(face?.Quality ?? {}).sort()).toEqual(["Brightness", "Sharpness"]);
      expect(face?.EyesOpen).toBeUndefined();
    });

    // ModerationLabels (empty for a plain portrait) and ModerationModelVersion:
    // https://docs.aws.amazon.com/rekognition/latest/APIReference/API_DetectModerationLabels.html
    it("DetectModerationLabels returns no label for a plain portrait, and the model version", async () => {
      const result = await rekognition.send(
        new DetectModerationLabelsCommand({ Image: { Bytes: portrait }, MinConfidence: 60 }),
      );
      expect(result.ModerationLabels).toEqual([]);
      expect(result.ModerationModelVersion).toMatch(/^\d+\.\d+$/);
    });

    // Bytes that are not a JPEG or PNG: InvalidImageFormatException, HTTP 400.
    // https://docs.aws.amazon.com/rekognition/latest/APIReference/API_DetectFaces.html#API_DetectFaces_Errors
    it("refuses bytes that are no image with InvalidImageFormatException", async () => {
      const error = await awsError(
        rekognition.send(new DetectFacesCommand({ Image: { Bytes: Buffer.from("this is not an image") } })),
      );
      expect(error).toMatchObject({ name: "InvalidImageFormatException", status: 400 });
    });

    // Image bytes over 5 MB: ImageTooLargeException (the limit is on the image, not the base64):
    // https://docs.aws.amazon.com/rekognition/latest/dg/limits.html
    it("refuses image bytes over 5 MB with ImageTooLargeException", async () => {
      const noise = Buffer.alloc(1400 * 1300 * 3);
      for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
      const png = await sharp(noise, { raw: { width: 1400, height: 1300, channels: 3 } })
        .png({ compressionLevel: 0 })
        .toBuffer();
      expect(png.length).toBeGreaterThan(5 * 1024 * 1024);
      const error = await awsError(
        rekognition.send(new DetectModerationLabelsCommand({ Image: { Bytes: png } })),
      );
      expect(error).toMatchObject({ name: "ImageTooLargeException", status: 400 });
    });

    // Unknown keys: UnrecognizedClientException (https://docs.aws.amazon.com/rekognition/latest/APIReference/CommonErrors.html).
    it.skipIf(planned.lacks("iam-enforcement") !== undefined)(
      "refuses made-up keys with UnrecognizedClientException",
      async () => {
        const stranger = new RekognitionClient(clientConfig(target(), "rekognition", MADE_UP_KEYS));
        const error = await awsError(stranger.send(new DetectFacesCommand({ Image: { Bytes: portrait } })));
        stranger.destroy();
        expect(error).toMatchObject({ name: "UnrecognizedClientException", status: 400 });
      },
    );

    // The identity-pool role allows no Rekognition action: AccessDeniedException.
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
    it.skipIf(
      planned.lacks("iam-enforcement") !== undefined ||
        planned.lacks("cognito-identity") !== undefined ||
        planned.lacks("cognito-idp") !== undefined,
    )("refuses a user's identity-pool credentials with AccessDeniedException", async () => {
      const user = await createTestUser(target());
      try {
        const tokens = await srpSignIn(target(), user.email, user.password);
        const asUser = new RekognitionClient(
          clientConfig(target(), "rekognition", await identityCredentials(target(), tokens.idToken)),
        );
        const error = await awsError(asUser.send(new DetectFacesCommand({ Image: { Bytes: portrait } })));
        asUser.destroy();
        expect(error.name).toBe("AccessDeniedException");
        expect(error.message).toMatch(/is not authorized to perform: rekognition:DetectFaces/);
      } finally {
        await user.remove();
      }
    });
  });
}

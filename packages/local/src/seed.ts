import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import type { PhotoRecord } from "@photogate/core";
import { nameBasedUuid, samplePhotos, signIn } from "@photogate/local-emulators";
import type { DevStackEndpoints, DevStackUser } from "./endpoints";
import { uploadThroughEdge } from "./upload";

export interface SeededPhoto {
  name: string;
  photoId: string;
  expect: string;
  /** False when an earlier run had uploaded it already. */
  uploaded: boolean;
}

export function findUser(endpoints: DevStackEndpoints, name: string): DevStackUser {
  const user = endpoints.users.find((u) => u.name === name || u.email === name);
  if (!user) {
    const known = endpoints.users.map((u) => u.name).join(", ");
    throw new Error(`No local user "${name}": the seeded users are ${known}`);
  }
  return user;
}

/** Signs a seeded user in with the upload client and returns their tokens. */
export async function signInLocalUser(endpoints: DevStackEndpoints, user: DevStackUser) {
  const idp = new CognitoIdentityProviderClient({
    endpoint: endpoints.urls.cognitoIdp,
    region: endpoints.region,
    credentials: endpoints.serviceCredentials,
  });
  try {
    return await signIn(idp, endpoints.userPool.uploadClientId, user.email, user.password);
  } finally {
    idp.destroy();
  }
}

/**
 * Uploads the sample photos for a user through the edge, the way a client app does, unless an
 * earlier run did already (their ids are stable). The caller waits for the notifications.
 */
export async function seedSamplePhotos(
  endpoints: DevStackEndpoints,
  userName = "demo",
): Promise<SeededPhoto[]> {
  const user = findUser(endpoints, userName);
  const dynamo = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: endpoints.urls.dynamodb,
      region: endpoints.region,
      credentials: endpoints.serviceCredentials,
    }),
  );
  try {
    const tokens = await signInLocalUser(endpoints, user);
    const seeded: SeededPhoto[] = [];
    for (const sample of await samplePhotos()) {
      const photoId = nameBasedUuid(`sample/${user.sub}/${sample.name}`);
      const existing = await dynamo.send(
        new GetCommand({ TableName: endpoints.photoTable, Key: { owner: user.sub, photoId } }),
      );
      const uploaded = !(existing.Item as PhotoRecord | undefined);
      if (uploaded) {
        await uploadThroughEdge(endpoints.urls.edge, tokens.accessToken, {
          owner: user.sub,
          photoId,
          extension: "jpg",
          body: sample.jpeg,
        });
      }
      seeded.push({ name: sample.name, photoId, expect: sample.expect, uploaded });
    }
    return seeded;
  } finally {
    dynamo.destroy();
  }
}

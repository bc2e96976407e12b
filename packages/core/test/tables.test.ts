import { describe, expect, it } from "vitest";
import { auditTable, createTableInput, photoTable, usageTable } from "../src";

describe("createTableInput", () => {
  it("keys the photo table by owner and photo id, with the status and owner indexes by time", () => {
    const input = createTableInput(photoTable, "photos");
    expect(input.KeySchema).toEqual([
      { AttributeName: "owner", KeyType: "HASH" },
      { AttributeName: "photoId", KeyType: "RANGE" },
    ]);
    const indexes = Object.fromEntries(
      (input.GlobalSecondaryIndexes ?? []).map((i) => [i.IndexName, i.KeySchema]),
    );
    expect(indexes.byStatus).toEqual([
      { AttributeName: "status", KeyType: "HASH" },
      { AttributeName: "createdAt", KeyType: "RANGE" },
    ]);
    expect(indexes.byOwner?.[1]).toEqual({ AttributeName: "createdAt", KeyType: "RANGE" });
  });

  it("indexes photo ids to their owners, keys only; every other index projects the whole record", () => {
    const input = createTableInput(photoTable, "photos");
    const byName = Object.fromEntries((input.GlobalSecondaryIndexes ?? []).map((i) => [i.IndexName, i]));
    expect(byName.byPhotoId).toEqual({
      IndexName: "byPhotoId",
      KeySchema: [
        { AttributeName: "photoId", KeyType: "HASH" },
        { AttributeName: "owner", KeyType: "RANGE" },
      ],
      Projection: { ProjectionType: "KEYS_ONLY" },
    });
    for (const name of ["byStatus", "byOwner", "byReview"])
      expect(byName[name]?.Projection).toEqual({ ProjectionType: "ALL" });
  });

  it("defines each key attribute once, even when indexes share it", () => {
    const photo = createTableInput(photoTable, "t").AttributeDefinitions.map((a) => a.AttributeName);
    expect(photo.sort()).toEqual(["createdAt", "owner", "photoId", "reviewQueue", "status"]);
    const audit = createTableInput(auditTable, "t").AttributeDefinitions.map((a) => a.AttributeName);
    expect(audit.sort()).toEqual(["actor", "day", "sortKey", "target"]);
  });

  it("keys the usage table by owner and period, with no index list (DynamoDB refuses an empty one)", () => {
    const input = createTableInput(usageTable, "usage");
    expect(input.KeySchema.map((k) => k.AttributeName)).toEqual(["owner", "period"]);
    expect(input).not.toHaveProperty("GlobalSecondaryIndexes");
  });
});

import { Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { PhotoTables } from "../src/constructs/photo-tables";
import { normaliseSynth, parse, type ResourceConfig, resourcesOf } from "./support";

function synthTables(deletionProtection: boolean) {
  const json = Testing.synthScope((scope) => {
    new PhotoTables(scope, "tables", {
      photoTableName: "t-photos",
      auditTableName: "t-audit",
      usageTableName: "t-usage",
      deletionProtection,
    });
  });
  const tables = Object.fromEntries(
    resourcesOf(parse(json), "aws_dynamodb_table").map(([, config]) => [
      config.name,
      config as ResourceConfig,
    ]),
  );
  return { json, tables };
}

describe("PhotoTables", () => {
  const { json, tables } = synthTables(true);
  const photos = tables["t-photos"]!;
  const audit = tables["t-audit"]!;

  it("matches the snapshot", () => {
    expect(normaliseSynth(json)).toMatchSnapshot();
  });

  it("keys photos by owner and photoId", () => {
    expect(photos.hash_key).toBe("owner");
    expect(photos.range_key).toBe("photoId");
  });

  it("has the status, per-owner and (sparse) review-queue indexes by createdAt, and a keys-only photo-id index", () => {
    const indexes = [...photos.global_secondary_index].sort((a, b) => a.name.localeCompare(b.name));
    expect(indexes).toEqual([
      { name: "byOwner", hash_key: "owner", range_key: "createdAt", projection_type: "ALL" },
      { name: "byPhotoId", hash_key: "photoId", range_key: "owner", projection_type: "KEYS_ONLY" },
      { name: "byReview", hash_key: "reviewQueue", range_key: "createdAt", projection_type: "ALL" },
      { name: "byStatus", hash_key: "status", range_key: "createdAt", projection_type: "ALL" },
    ]);
  });

  it("defines each key attribute once, as a string", () => {
    const names = photos.attribute.map((a: { name: string }) => a.name).sort();
    expect(names).toEqual(["createdAt", "owner", "photoId", "reviewQueue", "status"]);
    expect(photos.attribute.every((a: { type: string }) => a.type === "S")).toBe(true);
  });

  it("keys usage by owner and period, with TTL on expiresAt (and no TTL on the other tables)", () => {
    const usage = tables["t-usage"]!;
    expect([usage.hash_key, usage.range_key]).toEqual(["owner", "period"]);
    expect(usage.ttl).toEqual({ enabled: true, attribute_name: "expiresAt" });
    expect(usage.global_secondary_index).toEqual([]);
    expect(photos.ttl).toBeUndefined();
    expect(audit.ttl).toBeUndefined();
  });

  it("keys the audit table by target and sortKey, with actor and day indexes", () => {
    expect(audit.hash_key).toBe("target");
    expect(audit.range_key).toBe("sortKey");
    expect(audit.global_secondary_index.map((i: { name: string }) => i.name).sort()).toEqual([
      "byActor",
      "byDay",
    ]);
  });

  it("makes both tables on-demand, with point-in-time recovery and server-side encryption", () => {
    for (const table of [photos, audit]) {
      expect(table.billing_mode).toBe("PAY_PER_REQUEST");
      expect(table.point_in_time_recovery).toEqual({ enabled: true });
      expect(table.server_side_encryption).toEqual({ enabled: true });
      expect(table.deletion_protection_enabled).toBe(true);
    }
  });

  it("follows the environment's deletion protection setting", () => {
    const { tables: off } = synthTables(false);
    expect(off["t-photos"]!.deletion_protection_enabled).toBe(false);
    expect(off["t-audit"]!.deletion_protection_enabled).toBe(false);
  });
});

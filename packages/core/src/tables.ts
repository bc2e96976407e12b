/**
 * DynamoDB key schema, shared by the stacks (which create the tables), the local stack
 * (which creates them in the emulator) and the functions (which query them).
 */
export const photoTable = {
  partitionKey: "owner",
  sortKey: "photoId",
  indexes: {
    /** The moderation queue: photos of one status, newest first. */
    byStatus: { partitionKey: "status", sortKey: "createdAt" },
    /** One owner's photos, newest first. */
    byOwner: { partitionKey: "owner", sortKey: "createdAt" },
    /**
     * Sparse: only photos waiting for a person's review carry `reviewQueue`, so this index is
     * the review queue itself (oldest first) and a reviewed photo leaves it by losing the key.
     */
    byReview: { partitionKey: "reviewQueue", sortKey: "createdAt" },
    /**
     * Whose photo an id is (support searches by photo id). Keys only: the owner is all it answers.
     * Ids are client-chosen, so two owners may share one; each is found.
     */
    byPhotoId: { partitionKey: "photoId", sortKey: "owner", projection: "KEYS_ONLY" },
  },
} as const;

export const auditTable = {
  partitionKey: "target",
  sortKey: "sortKey",
  indexes: {
    byActor: { partitionKey: "actor", sortKey: "sortKey" },
    /** Everything on one UTC day, for the audit log page. */
    byDay: { partitionKey: "day", sortKey: "sortKey" },
  },
} as const;

/**
 * Per-owner upload counts, one item per UTC period (`day#YYYY-MM-DD`, `month#YYYY-MM`, see
 * quota.ts) holding `uploads`, `bytes` and `counted` (the uploads already counted, so a
 * redelivery is not counted twice), plus the `limits` item of an admin's override. Period items
 * expire by TTL on `expiresAt` (epoch seconds); the override has none.
 */
export const usageTable = {
  partitionKey: "owner",
  sortKey: "period",
  indexes: {},
  ttlAttribute: "expiresAt",
} as const;

/**
 * The user directory: one item per user of a pool (`pool` = user-pool id, `sort` = sub),
 * mirroring what the admin app's user search and list need (see UserDirectoryEntry), so the
 * search reads one partition instead of walking Cognito's ListUsers 60 users a call.
 */
export const userTable = {
  partitionKey: "pool",
  sortKey: "sub",
  indexes: {},
} as const;

export type TableSchema = typeof photoTable | typeof auditTable | typeof usageTable | typeof userTable;

/** An index's projection: every attribute unless its schema says otherwise. */
export function indexProjection(index: { partitionKey: string; sortKey: string }): "ALL" | "KEYS_ONLY" {
  return "projection" in index && index.projection === "KEYS_ONLY" ? "KEYS_ONLY" : "ALL";
}

/**
 * The DynamoDB CreateTable input for a schema (structurally the SDK's CreateTableCommandInput),
 * for everything that creates tables through the API: the local stack and integration tests.
 * Every key attribute is a string.
 */
export function createTableInput(schema: TableSchema, tableName: string) {
  const indexes: [string, { partitionKey: string; sortKey: string }][] = Object.entries(schema.indexes);
  const keyNames = [
    schema.partitionKey,
    schema.sortKey,
    ...indexes.flatMap(([, i]) => [i.partitionKey, i.sortKey]),
  ];
  const globalIndexes = indexes.map(([indexName, index]) => ({
    IndexName: indexName,
    KeySchema: [
      { AttributeName: index.partitionKey, KeyType: "HASH" as const },
      { AttributeName: index.sortKey, KeyType: "RANGE" as const },
    ],
    Projection: { ProjectionType: indexProjection(index) },
  }));
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST" as const,
    KeySchema: [
      { AttributeName: schema.partitionKey, KeyType: "HASH" as const },
      { AttributeName: schema.sortKey, KeyType: "RANGE" as const },
    ],
    AttributeDefinitions: [...new Set(keyNames)].map((name) => ({
      AttributeName: name,
      AttributeType: "S" as const,
    })),
    // DynamoDB refuses an empty list: a table without indexes has no such field.
    ...(globalIndexes.length > 0 ? { GlobalSecondaryIndexes: globalIndexes } : {}),
  };
}

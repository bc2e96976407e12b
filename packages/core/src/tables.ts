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

export type TableSchema = typeof photoTable | typeof auditTable;

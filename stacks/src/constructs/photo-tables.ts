import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import {
  auditTable,
  indexProjection,
  photoTable,
  type TableSchema,
  usageTable,
  userTable,
} from "@photogate/core";
import { Construct } from "constructs";

export interface PhotoTablesOptions {
  photoTableName: string;
  auditTableName: string;
  /** Per-owner upload counts for the quota; no table without a name. */
  usageTableName?: string;
  /** The user directory the admin users search reads; no table without a name. */
  userTableName?: string;
  /** Refuses `terraform destroy` (and console deletes) while on. */
  deletionProtection: boolean;
}

/** Photo records, the admin audit log and quota usage, keyed exactly as core's tables.ts says. */
export class PhotoTables extends Construct {
  readonly photoTable: DynamodbTable;
  readonly auditTable: DynamodbTable;
  readonly usageTable?: DynamodbTable;
  readonly userTable?: DynamodbTable;

  constructor(scope: Construct, id: string, options: PhotoTablesOptions) {
    super(scope, id);
    this.photoTable = tableFromSchema(this, "photo-table", options.photoTableName, photoTable, options);
    this.auditTable = tableFromSchema(this, "audit-table", options.auditTableName, auditTable, options);
    if (options.usageTableName) {
      this.usageTable = tableFromSchema(this, "usage-table", options.usageTableName, usageTable, options);
    }
    if (options.userTableName) {
      this.userTable = tableFromSchema(this, "user-table", options.userTableName, userTable, options);
    }
  }
}

function tableFromSchema(
  scope: Construct,
  id: string,
  name: string,
  schema: TableSchema,
  options: PhotoTablesOptions,
): DynamodbTable {
  const indexes = Object.entries(schema.indexes).map(([indexName, keys]) => ({
    name: indexName,
    hashKey: keys.partitionKey,
    rangeKey: keys.sortKey,
    projectionType: indexProjection(keys),
  }));
  // DynamoDB wants a definition for every attribute used in any key, each exactly once.
  const keyAttributes = new Set<string>([
    schema.partitionKey,
    schema.sortKey,
    ...indexes.flatMap((i) => [i.hashKey, i.rangeKey]),
  ]);
  return new DynamodbTable(scope, id, {
    name,
    billingMode: "PAY_PER_REQUEST",
    hashKey: schema.partitionKey,
    rangeKey: schema.sortKey,
    attribute: [...keyAttributes].map((attribute) => ({ name: attribute, type: "S" })),
    globalSecondaryIndex: indexes,
    pointInTimeRecovery: { enabled: true },
    // A KMS key (AWS managed) rather than the default AWS-owned key: use shows in CloudTrail.
    serverSideEncryption: { enabled: true },
    deletionProtectionEnabled: options.deletionProtection,
    // Usage items of past periods delete themselves (a couple of days after the period ends).
    ...("ttlAttribute" in schema ? { ttl: { enabled: true, attributeName: schema.ttlAttribute } } : {}),
  });
}

// s3rver ships no type declarations; these cover what the local stack uses of it.
declare module "s3rver" {
  import type { EventEmitter } from "node:events";
  import type { AddressInfo } from "node:net";

  interface S3rverOptions {
    address?: string;
    port?: number;
    silent?: boolean;
    directory?: string;
    resetOnClose?: boolean;
    /** Bucket names that `run()` creates, with CORS/website configuration XML documents. */
    configureBuckets?: { name: string; configs?: (string | Buffer)[] }[];
  }

  /** What s3rver emits as "event" after an object is written or deleted. */
  export interface S3rverEvent {
    Records: [
      {
        eventName: string;
        eventTime: string;
        s3: {
          bucket: { name: string };
          object: { key: string; size?: number; eTag?: string; sequencer: string };
        };
      },
    ];
  }

  /** s3rver is a Koa application: `middleware` is Koa's list, composed when the server starts. */
  export default class S3rver extends EventEmitter {
    constructor(options: S3rverOptions);
    proxy: boolean;
    middleware: ((ctx: S3rverContext, next: () => Promise<void>) => Promise<void>)[];
    store: import("s3rver/lib/stores/filesystem.js").FilesystemStore;
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
  }

  /** The parts of Koa's context the local stack reads. */
  export interface S3rverContext {
    method: string;
    /** The raw request target, as received. */
    url: string;
    path: string;
    query: Record<string, string | string[] | undefined>;
    headers: Record<string, string | string[] | undefined>;
    ip: string;
  }
}

declare module "s3rver/lib/models/account.js" {
  interface AwsAccount {
    createKeyPair(accessKeyId: string, secretAccessKey: string): void;
  }
  const account: { DUMMY_ACCOUNT: AwsAccount };
  export default account;
}

declare module "s3rver/lib/models/object.js" {
  export default class S3Object {
    static ALLOWED_METADATA: string[];
    constructor(bucket: string, key: string, content: unknown, metadata: Record<string, unknown>);
    bucket: string;
    key: string;
    content: unknown;
    metadata: Record<string, string>;
    range?: { start: number; end: number };
  }
}

/** The store methods atomic-store.ts replaces on the instance (s3rver's callers use only these). */
declare module "s3rver/lib/stores/filesystem.js" {
  import type S3Object from "s3rver/lib/models/object.js";

  export interface FilesystemStore {
    getResourcePath(bucket: string, key: string | undefined, resource: string): string;
    getMetadata(bucket: string, key: string): Promise<Record<string, string | number>>;
    getObject(
      bucket: string,
      key: string,
      options?: { start?: number; end?: number },
    ): Promise<S3Object | null>;
    putObject(object: S3Object): Promise<{ size: number; md5: string }>;
    copyObject(
      srcBucket: string,
      srcKey: string,
      destBucket: string,
      destKey: string,
      replacementMetadata: Record<string, unknown> | null,
    ): Promise<Record<string, string | number>>;
    deleteObject(bucket: string, key: string): Promise<void>;
    getBucketPath(bucket: string): string;
    listObjects(bucket: string, options: ListObjectsOptions): Promise<ListObjectsResult>;
  }

  export interface ListObjectsOptions {
    delimiter?: string;
    startAfter?: string;
    prefix?: string;
    maxKeys?: number;
  }

  export interface ListObjectsResult {
    objects: S3Object[];
    commonPrefixes: string[];
    isTruncated: boolean;
  }

  /** The class's statics: how keys map to file paths. */
  const FilesystemStoreClass: {
    encodeKeyPath(key: string): string;
    decodeKeyPath(keyPath: string): string;
  };
  export default FilesystemStoreClass;
}

declare module "s3rver/lib/utils.js" {
  /** Every file under `dir`, descending into the folders `recurseFilter` accepts. */
  export function walk(dir: string, recurseFilter?: (dirPath: string) => boolean): Generator<string>;
}

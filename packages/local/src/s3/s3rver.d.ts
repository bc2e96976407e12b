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
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
  }

  /** The parts of Koa's context the local stack reads. */
  export interface S3rverContext {
    method: string;
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

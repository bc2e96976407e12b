import { createHash, type Hash } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { Transform, type TransformCallback } from "node:stream";
import { S3Error } from "./errors";

/**
 * Upload integrity as S3 checks it (https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html):
 * `Content-MD5` and one `x-amz-checksum-<algorithm>`, sent as a header or (with `aws-chunked`
 * bodies, the SDK's default) as a trailer named in `x-amz-trailer`. A mismatch is 400 BadDigest
 * and the object is not written.
 */
export type ChecksumAlgorithm = "crc32" | "crc32c" | "sha1" | "sha256";
export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = ["crc32", "crc32c", "sha1", "sha256"];
const DIGEST_BYTES: Record<ChecksumAlgorithm, number> = { crc32: 4, crc32c: 4, sha1: 20, sha256: 32 };

/** What a request says its body hashes to, read from its headers before the body arrives. */
export interface ChecksumExpectations {
  /** Base64 MD5 from Content-MD5. */
  md5?: string;
  /** The one x-amz-checksum-* algorithm, from a header or the declared trailer. */
  algorithm?: ChecksumAlgorithm;
  /** Its value when sent as a header; undefined when it comes as a trailer. */
  value?: string;
}

/** Reads and validates the integrity headers of a PutObject or UploadPart; throws S3's 400s. */
export function checksumExpectations(headers: IncomingHttpHeaders): ChecksumExpectations {
  const expectations: ChecksumExpectations = {};
  const md5 = single(headers["content-md5"]);
  if (md5 !== undefined) {
    if (Buffer.from(md5, "base64").length !== 16 || !isBase64(md5)) {
      throw new S3Error("InvalidDigest", "The Content-MD5 you specified is not valid.");
    }
    expectations.md5 = md5;
  }
  const sent = CHECKSUM_ALGORITHMS.filter((a) => headers[`x-amz-checksum-${a}`] !== undefined);
  const trailer = single(headers["x-amz-trailer"])?.trim().toLowerCase();
  const trailed = CHECKSUM_ALGORITHMS.find((a) => trailer === `x-amz-checksum-${a}`);
  if (sent.length + (trailed ? 1 : 0) > 1) {
    throw new S3Error(
      "InvalidRequest",
      "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.",
    );
  }
  if (sent[0]) {
    const value = single(headers[`x-amz-checksum-${sent[0]}`]) ?? "";
    if (!isBase64(value) || Buffer.from(value, "base64").length !== DIGEST_BYTES[sent[0]]) {
      throw new S3Error("InvalidRequest", `Value for x-amz-checksum-${sent[0]} header is invalid.`);
    }
    expectations.algorithm = sent[0];
    expectations.value = value;
  } else if (trailed) {
    expectations.algorithm = trailed;
  }
  return expectations;
}

/**
 * Passes a body through unchanged while hashing it, and holds back its last chunk until the
 * digests are compared: on a mismatch the stream errors with BadDigest before the receiver has
 * the whole body, so s3rver (which waits for Content-Length bytes) never commits the object.
 */
export class ChecksumVerifier extends Transform {
  private held: Buffer | undefined;
  private readonly md5: Hash | undefined;
  private readonly digest: Digest | undefined;
  /** The checksum of the body (base64), once it has been verified. */
  computed: string | undefined;
  /** The x-amz-checksum-* algorithm checked, if any. */
  readonly algorithm: ChecksumAlgorithm | undefined;

  /** @param trailers the trailers of the aws-chunked body, read once the body has ended */
  constructor(
    private readonly expected: ChecksumExpectations,
    private readonly trailers: () => Readonly<Record<string, string>> = () => ({}),
  ) {
    super();
    this.algorithm = expected.algorithm;
    this.md5 = expected.md5 ? createHash("md5") : undefined;
    this.digest = expected.algorithm ? createDigest(expected.algorithm) : undefined;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.md5?.update(chunk);
    this.digest?.update(chunk);
    if (this.held) this.push(this.held);
    this.held = chunk;
    callback();
  }

  override _flush(callback: TransformCallback): void {
    const mismatch = this.verify();
    if (mismatch) {
      callback(mismatch);
      return;
    }
    if (this.held) this.push(this.held);
    callback();
  }

  /** The S3Error the body earns, or undefined when every digest matches. */
  private verify(): S3Error | undefined {
    const { md5, algorithm } = this.expected;
    if (md5 && this.md5?.digest("base64") !== md5) {
      return new S3Error("BadDigest", "The Content-MD5 you specified did not match what we received.");
    }
    if (!algorithm || !this.digest) return undefined;
    const expected = this.expected.value ?? this.trailers()[`x-amz-checksum-${algorithm}`];
    const computed = this.digest.digest();
    if (expected === undefined) {
      return new S3Error(
        "InvalidRequest",
        `The x-amz-checksum-${algorithm} trailer is missing from the body.`,
      );
    }
    if (computed !== expected) {
      return new S3Error(
        "BadDigest",
        `The ${algorithm.toUpperCase()} you specified did not match the calculated checksum.`,
      );
    }
    this.computed = computed;
    return undefined;
  }
}

/** An incremental checksum; `digest()` gives it base64-encoded, as S3's headers carry it. */
export interface Digest {
  update(bytes: Buffer): void;
  digest(): string;
}

export function createDigest(algorithm: ChecksumAlgorithm): Digest {
  if (algorithm === "sha1" || algorithm === "sha256") {
    const hash = createHash(algorithm);
    return { update: (bytes) => hash.update(bytes), digest: () => hash.digest("base64") };
  }
  const table = algorithm === "crc32" ? CRC32_TABLE : CRC32C_TABLE;
  let crc = 0xffffffff;
  return {
    update(bytes) {
      for (let i = 0; i < bytes.length; i++) crc = table[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
    },
    digest() {
      const out = Buffer.alloc(4);
      out.writeUInt32BE((crc ^ 0xffffffff) >>> 0);
      return out.toString("base64");
    },
  };
}

/** Reflected CRC-32 lookup table for a polynomial (IEEE 0xEDB88320 for CRC32, Castagnoli 0x82F63B78 for CRC32C). */
function crcTable(polynomial: number): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? polynomial ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}
const CRC32_TABLE = crcTable(0xedb88320);
const CRC32C_TABLE = crcTable(0x82f63b78);

function isBase64(text: string): boolean {
  return /^[A-Za-z0-9+/]*={0,2}$/.test(text) && text.length % 4 === 0;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

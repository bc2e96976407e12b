import { Transform, type TransformCallback } from "node:stream";
import { S3Error } from "./errors";

const CRLF = Buffer.from("\r\n");
/** A chunk header is `<hex size>[;chunk-signature=<64 hex>]`; anything much longer is not one. */
const MAX_HEADER_BYTES = 4096;

/**
 * Decodes an `aws-chunked` body (what the SDK sends with `STREAMING-…` payload hashes) into the
 * object's bytes, because s3rver would store the framing as content. Chunk signatures are read
 * past, not verified (the request's own signature was checked); trailers (`x-amz-checksum-*`)
 * are kept in `trailers` for the checksum check (checksums.ts).
 */
export class AwsChunkedDecoder extends Transform {
  private buffer: Buffer = Buffer.alloc(0);
  private state: "header" | "data" | "crlf" | "trailer" | "done" = "header";
  /** Trailer fields after the last chunk, by lower-case name. */
  readonly trailers: Record<string, string> = {};
  /** Bytes of data left in the current chunk. */
  private remaining = 0;
  private decoded = 0;

  constructor(private readonly expectedLength?: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      if (this.state !== "done") {
        this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
        this.drain();
      }
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    // A last trailer line without its closing CRLF still counts.
    if (this.state === "trailer") {
      if (this.buffer.length > 0) this.addTrailer(this.buffer.toString("latin1"));
      this.state = "done";
    }
    if (this.state !== "done") {
      callback(new S3Error("IncompleteBody", "The aws-chunked body ended before its last chunk"));
    } else if (this.expectedLength !== undefined && this.decoded !== this.expectedLength) {
      callback(
        new S3Error(
          "IncompleteBody",
          `x-amz-decoded-content-length says ${this.expectedLength} bytes, the chunks held ${this.decoded}`,
        ),
      );
    } else callback();
  }

  private drain(): void {
    for (;;) {
      switch (this.state) {
        case "header": {
          const header = this.takeLine("a chunk header");
          if (header === undefined) return;
          if (!/^[0-9a-fA-F]{1,16}(;|$)/.test(header)) throw malformed(`bad chunk header "${header}"`);
          const size = Number.parseInt(header.split(";")[0]!, 16);
          if (size === 0) {
            // Trailers (checksums, their signature) may follow; nothing after them is content.
            this.state = "trailer";
            break;
          }
          this.remaining = size;
          this.state = "data";
          break;
        }
        case "data": {
          if (this.buffer.length === 0) return;
          const take = Math.min(this.remaining, this.buffer.length);
          this.push(this.buffer.subarray(0, take));
          this.decoded += take;
          this.buffer = this.buffer.subarray(take);
          this.remaining -= take;
          if (this.remaining > 0) return;
          this.state = "crlf";
          break;
        }
        case "crlf":
          if (this.buffer.length < 2) return;
          if (!this.buffer.subarray(0, 2).equals(CRLF)) throw malformed("chunk data is not followed by CRLF");
          this.buffer = this.buffer.subarray(2);
          this.state = "header";
          break;
        case "trailer": {
          const line = this.takeLine("a trailer");
          if (line === undefined) return;
          if (line === "") {
            this.state = "done";
            this.buffer = Buffer.alloc(0);
            return;
          }
          this.addTrailer(line);
          break;
        }
        case "done":
          return;
      }
    }
  }

  /** The next CRLF-terminated line, consumed; undefined until it has fully arrived. */
  private takeLine(what: string): string | undefined {
    const end = this.buffer.indexOf(CRLF);
    if (end < 0) {
      if (this.buffer.length > MAX_HEADER_BYTES) throw malformed(`${what} is too long`);
      return undefined;
    }
    const line = this.buffer.subarray(0, end).toString("latin1");
    this.buffer = this.buffer.subarray(end + 2);
    return line;
  }

  private addTrailer(line: string): void {
    const colon = line.indexOf(":");
    if (colon > 0) this.trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
}

function malformed(why: string): S3Error {
  return new S3Error("IncompleteBody", `The aws-chunked body is malformed: ${why}`);
}

import type { IncomingMessage } from "node:http";

export interface BodyLimit {
  /** Bodies longer than this are not kept: `body` is undefined. */
  maxBytes: number;
  /**
   * How much of an oversize body is still read (and dropped) before the connection is cut.
   * Reading it to the end lets the client see the answer instead of a reset; past this, the
   * request is destroyed. Default: all of it.
   */
  maxDrainBytes?: number;
}

export interface ReadBody {
  /** The whole body, or undefined when it was over `maxBytes`. */
  body: Buffer | undefined;
  /** How many bytes arrived (for an error message that says how much was sent). */
  bytes: number;
}

/** A request's body within a size cap, draining what is over it (see BodyLimit). */
export function readBody(request: IncomingMessage, limit: BodyLimit): Promise<ReadBody> {
  const maxDrain = limit.maxDrainBytes ?? Number.POSITIVE_INFINITY;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    const over = () => resolve({ body: undefined, bytes });
    request.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= limit.maxBytes) chunks.push(chunk);
      else {
        chunks.length = 0;
        if (bytes > maxDrain) request.destroy();
      }
    });
    request.on("error", (error) => (bytes > limit.maxBytes ? over() : reject(error)));
    request.on("close", () => {
      if (bytes > limit.maxBytes) over();
    });
    request.on("end", () =>
      bytes <= limit.maxBytes ? resolve({ body: Buffer.concat(chunks), bytes }) : over(),
    );
  });
}

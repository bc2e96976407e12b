import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { describe, expect, it } from "vitest";
import { AwsChunkedDecoder } from "../../src/s3/aws-chunked";

const signature = "a".repeat(64);

/** `aws-chunked` framing as the SDK writes it, signed (seed-signature variant) or with a trailer. */
function frame(parts: string[], variant: "signed" | "trailer"): Buffer {
  const ext = variant === "signed" ? `;chunk-signature=${signature}` : "";
  const chunks = parts.map((p) => `${Buffer.byteLength(p).toString(16)}${ext}\r\n${p}\r\n`);
  const last = variant === "signed" ? `0${ext}\r\n\r\n` : "0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n";
  return Buffer.from(chunks.join("") + last);
}

/** Feeds `body` in pieces of `size` bytes, so every boundary (inside headers, data, CRLFs) is crossed. */
async function decode(body: Buffer, size: number, expectedLength?: number): Promise<string> {
  const pieces: Buffer[] = [];
  for (let i = 0; i < body.length; i += size) pieces.push(body.subarray(i, i + size));
  return (await buffer(Readable.from(pieces).pipe(new AwsChunkedDecoder(expectedLength)))).toString();
}

describe("AwsChunkedDecoder", () => {
  const parts = ["hello, ", "aws-chunked ", "world"];
  const content = parts.join("");

  it.each([1, 2, 3, 7, 64, 4096])(
    "decodes signed and trailer framing fed %i bytes at a time",
    async (size) => {
      expect(await decode(frame(parts, "signed"), size, content.length)).toBe(content);
      expect(await decode(frame(parts, "trailer"), size, content.length)).toBe(content);
    },
  );

  it("refuses a body that ends before the last chunk", async () => {
    const cut = frame(parts, "trailer").subarray(0, 20);
    await expect(decode(cut, 5)).rejects.toMatchObject({ code: "IncompleteBody" });
  });

  it("refuses a body whose decoded length differs from x-amz-decoded-content-length", async () => {
    await expect(decode(frame(parts, "signed"), 16, content.length + 1)).rejects.toMatchObject({
      code: "IncompleteBody",
    });
  });

  it("refuses framing that is not aws-chunked", async () => {
    await expect(decode(Buffer.from("zz\r\nnot a chunk\r\n"), 4)).rejects.toMatchObject({
      code: "IncompleteBody",
    });
    await expect(decode(Buffer.from("3\r\nabcX\r\n0\r\n\r\n"), 4)).rejects.toMatchObject({
      code: "IncompleteBody",
    });
  });
});

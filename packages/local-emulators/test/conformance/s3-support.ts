import { spawnSync } from "node:child_process";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import type { ConformanceTarget, Keys } from "./target";

/** An S3 error body: `<Error><Code/><Message/>…<RequestId/></Error>`, every element by name. */
export function s3Error(xml: string): {
  code?: string;
  message?: string;
  requestId?: string;
  fields: Record<string, string>;
} {
  const fields: Record<string, string> = {};
  const inner = /<Error>([\s\S]*)<\/Error>/.exec(xml)?.[1] ?? "";
  for (const [, name, value] of inner.matchAll(/<(\w+)>([^<]*)<\/\1>/g)) fields[name!] = value!;
  return { code: fields.Code, message: fields.Message, requestId: fields.RequestId, fields };
}

/**
 * A raw S3 request to the target's bucket, SigV4-signed with @smithy/signature-v4 (unsigned when
 * `credentials` is undefined): path-style on an endpoint override, virtual-hosted on AWS or when
 * asked (then the bucket goes in the Host header and the connection still goes to the endpoint).
 */
export async function signedFetch(
  target: ConformanceTarget,
  credentials: Keys | undefined,
  method: string,
  key: string,
  options: { region?: string; virtualHosted?: boolean } = {},
): Promise<Response> {
  const endpoint = new URL(target.endpoints.s3 ?? `https://s3.${target.region}.amazonaws.com`);
  const virtualHosted = options.virtualHosted ?? !target.endpoints.s3;
  const host = virtualHosted ? `${target.bucket}.${endpoint.host}` : endpoint.host;
  const path = `${virtualHosted ? "" : `/${target.bucket}`}/${key.split("/").map(encodeURIComponent).join("/")}`;
  let headers: Record<string, string> = { host, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" };
  if (credentials) {
    const signer = new SignatureV4({
      credentials,
      region: options.region ?? target.region,
      service: "s3",
      sha256: Hash.bind(null, "sha256"),
      uriEscapePath: false,
      applyChecksum: false,
    });
    const signed = await signer.sign(
      new HttpRequest({ method, protocol: endpoint.protocol, hostname: host.split(":")[0]!, path, headers }),
    );
    headers = signed.headers;
  }
  const send = endpoint.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      // On AWS the virtual host resolves by itself; locally, connect to the endpoint, name the bucket's host.
      {
        host: target.endpoints.s3 ? endpoint.hostname : host,
        port: endpoint.port || undefined,
        method,
        path,
        headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined)
              responseHeaders.set(name, Array.isArray(value) ? value.join(",") : value);
          }
          resolve(
            new Response(Buffer.concat(chunks), { status: res.statusCode ?? 0, headers: responseHeaders }),
          );
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end();
  });
}

/** Why a command-line client cannot be used (not installed, does not run), or undefined when it can. */
export function tryCommand(command: string, args: string[]): string | undefined {
  const result = spawnSync(command, args, { encoding: "utf8", timeout: 30_000 });
  if (result.error)
    return `${command} is not installed here (${(result.error as NodeJS.ErrnoException).code})`;
  if (result.status !== 0) return `${command} ${args.join(" ")} failed: ${result.stderr.trim()}`;
  return undefined;
}

import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";

export interface ListeningServer {
  /** `http://host:port`, with an IPv6 host in brackets. */
  url: string;
  /** Stops accepting, ends open connections, resolves when closed. */
  close(): Promise<void>;
}

/** Listens on `port` (0: a free one) and `host` (default 127.0.0.1); the local stack's servers all start so. */
export async function listen(server: Server, port = 0, host = "127.0.0.1"): Promise<ListeningServer> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const { address, port: bound } = server.address() as AddressInfo;
  return {
    url: `http://${address.includes(":") ? `[${address}]` : address}:${bound}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** Where a request is forwarded: an HTTP origin, or a server on a Unix socket. */
export type Upstream = URL | { socketPath: string };

/**
 * Sends a request whose body was already read on to `upstream` (same method, target and
 * headers, the Host made the upstream's) and pipes the answer back; `unreachable` answers
 * when the upstream does not.
 */
export function forwardBuffered(
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  upstream: Upstream,
  unreachable: (error: Error) => void,
): void {
  const { target, host } = upstreamOptions(upstream);
  const proxied = httpRequest(
    {
      ...target,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, host, "content-length": String(body.length) },
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
      answer.on("error", () => res.destroy());
    },
  );
  proxied.on("error", (error) => (res.headersSent ? res.destroy() : unreachable(error)));
  proxied.end(body);
}

/** The options `http.request` needs to reach `upstream`, and the Host header to send it. */
export function upstreamOptions(upstream: Upstream): {
  target: { host: string; port: string } | { socketPath: string };
  host: string;
} {
  return upstream instanceof URL
    ? { target: { host: upstream.hostname, port: upstream.port }, host: upstream.host }
    : { target: upstream, host: "localhost" };
}

/** One request to `upstream` with its whole answer; rejects on a network error or after `timeoutMs`. */
export function requestUpstream(
  upstream: Upstream,
  request: {
    method: string;
    path: string;
    headers?: Record<string, string>;
    body?: string;
    timeoutMs?: number;
  },
): Promise<{ status: number; body: Buffer }> {
  const { target, host } = upstreamOptions(upstream);
  return new Promise((resolve, reject) => {
    const sent = httpRequest(
      { ...target, method: request.method, path: request.path, headers: { ...request.headers, host } },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on("data", (chunk: Buffer) => chunks.push(chunk));
        answer.on("error", reject);
        answer.on("end", () => resolve({ status: answer.statusCode ?? 0, body: Buffer.concat(chunks) }));
      },
    );
    sent.on("error", reject);
    if (request.timeoutMs) sent.setTimeout(request.timeoutMs, () => sent.destroy(new Error("timed out")));
    sent.end(request.body);
  });
}

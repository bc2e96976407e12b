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
  const to = upstream instanceof URL ? { host: upstream.hostname, port: upstream.port } : upstream;
  const host = upstream instanceof URL ? upstream.host : "localhost";
  const proxied = httpRequest(
    {
      ...to,
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

import { generateKeyPairSync, sign } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** A stand-in user pool for tests that need signed tokens but no Cognito: a JWKS URL and a signer. */
export interface TestTokenIssuer {
  /** The `iss` of its tokens. */
  issuer: string;
  jwksUri: string;
  /** An RS256 token with these claims (plus iss, iat and a one-hour exp unless given). */
  token(claims: Record<string, unknown>): string;
  close(): Promise<void>;
}

export async function startTestTokenIssuer(): Promise<TestTokenIssuer> {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: "jwk" }), kid: "k1", alg: "RS256", use: "sig" };
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/pool`;
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return {
    issuer,
    jwksUri: `${issuer}/.well-known/jwks.json`,
    token(claims) {
      const now = Math.floor(Date.now() / 1000);
      const payload = { iss: issuer, iat: now, exp: now + 3600, ...claims };
      const input = `${part({ alg: "RS256", kid: "k1", typ: "JWT" })}.${part(payload)}`;
      return `${input}.${sign("sha256", Buffer.from(input), privateKey).toString("base64url")}`;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

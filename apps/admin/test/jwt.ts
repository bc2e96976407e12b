/** An unsigned JWT with the given payload: the app reads claims, the API verifies signatures. */
export function fakeJwt(payload: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "RS256", kid: "test" })}.${part(payload)}.c2lnbmF0dXJl`;
}

export function fakeTokens(claims: { sub?: string; groups?: string[]; exp: number; email?: string }) {
  const sub = claims.sub ?? "11111111-2222-4333-8444-555555555555";
  return {
    accessToken: fakeJwt({
      sub,
      username: sub,
      exp: claims.exp,
      token_use: "access",
      ...(claims.groups ? { "cognito:groups": claims.groups } : {}),
    }),
    idToken: fakeJwt({ sub, exp: claims.exp, token_use: "id", email: claims.email ?? "support@example.com" }),
    refreshToken: `refresh-${claims.exp}`,
  };
}

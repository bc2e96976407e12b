import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * The server side of Cognito's SRP-6a (USER_SRP_AUTH → PASSWORD_VERIFIER), computed exactly as
 * the clients compute their side (amazon-cognito-identity-js's AuthenticationHelper, the
 * Amplify and boto3 helpers): the 3072-bit group of RFC 5054 with g = 2, SHA-256, k = H(N | g),
 * u = H(A | B), x = H(salt | H(poolName | userId | ":" | password)), the session key derived
 * with HKDF ("Caldera Derived Key"), and PASSWORD_CLAIM_SIGNATURE an HMAC of
 * poolName | userId | secret block | timestamp.
 */
const N = BigInt(
  `0x${[
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD",
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F",
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510",
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7",
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C",
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
  ].join("")}`,
);
const g = 2n;

/** Big-endian hex of a non-negative value, even length, with "00" first when the top bit is set. */
function padHex(value: bigint): string {
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  return /^[89a-f]/i.test(hex) ? `00${hex}` : hex;
}

function hashHex(hex: string): string {
  return createHash("sha256").update(Buffer.from(hex, "hex")).digest("hex");
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = ((base % modulus) + modulus) % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}

const k = BigInt(`0x${hashHex(padHex(N) + padHex(g))}`);

/** x = H(salt | H(poolName | userId | ":" | password)), the password's private value. */
function passwordExponent(poolName: string, userId: string, password: string, saltHex: string): bigint {
  const inner = createHash("sha256").update(`${poolName}${userId}:${password}`, "utf8").digest("hex");
  return BigInt(`0x${hashHex(padHex(BigInt(`0x${saltHex}`)) + inner)}`);
}

/** What the server keeps between the PASSWORD_VERIFIER challenge and the client's answer. */
export interface SrpServerState {
  /** The client's public value A. */
  A: bigint;
  /** The server's private value b and public value B. */
  b: bigint;
  B: bigint;
  saltHex: string;
  /** The password verifier g^x. */
  verifier: bigint;
}

/** Whether SRP_A is acceptable: a hex number that is not 0 modulo N. */
export function validSrpA(srpA: string): bigint | undefined {
  if (!/^[0-9a-f]+$/i.test(srpA)) return undefined;
  const A = BigInt(`0x${srpA}`);
  return A % N === 0n ? undefined : A;
}

/** Starts the exchange for a user whose password the pool knows: a fresh salt, b and B. */
export function startSrp(A: bigint, poolName: string, userId: string, password: string): SrpServerState {
  const saltHex = randomBytes(16).toString("hex");
  const verifier = modPow(g, passwordExponent(poolName, userId, password, saltHex), N);
  const b = BigInt(`0x${randomBytes(128).toString("hex")}`) % N;
  const B = (k * verifier + modPow(g, b, N)) % N;
  return { A, b, B, saltHex, verifier };
}

/** The challenge's SALT and SRP_B, as hex the clients parse. */
export function challengeValues(state: SrpServerState): { SALT: string; SRP_B: string } {
  return { SALT: state.saltHex, SRP_B: state.B.toString(16) };
}

/**
 * Checks PASSWORD_CLAIM_SIGNATURE: the client can only produce it from the session key both
 * sides derive, which needs the password.
 */
export function verifyPasswordClaim(
  state: SrpServerState,
  claim: { poolName: string; userId: string; secretBlock: string; timestamp: string; signature: string },
): boolean {
  const u = BigInt(`0x${hashHex(padHex(state.A) + padHex(state.B))}`);
  if (u === 0n) return false;
  const S = modPow(state.A * modPow(state.verifier, u, N), state.b, N);
  const prk = createHmac("sha256", Buffer.from(padHex(u), "hex"))
    .update(Buffer.from(padHex(S), "hex"))
    .digest();
  const key = createHmac("sha256", prk)
    .update(Buffer.concat([Buffer.from("Caldera Derived Key", "utf8"), Buffer.from([1])]))
    .digest()
    .subarray(0, 16);
  const expected = createHmac("sha256", key)
    .update(
      Buffer.concat([
        Buffer.from(claim.poolName, "utf8"),
        Buffer.from(claim.userId, "utf8"),
        Buffer.from(claim.secretBlock, "base64"),
        Buffer.from(claim.timestamp, "utf8"),
      ]),
    )
    .digest();
  const provided = Buffer.from(claim.signature, "base64");
  return provided.length === expected.length && timingSafeEqual(provided, expected);
}

/** A verifier-shaped challenge for a user who does not exist, so SRP reveals no users either. */
export function decoySrp(A: bigint): SrpServerState {
  const b = BigInt(`0x${randomBytes(128).toString("hex")}`) % N;
  const verifier = modPow(g, BigInt(`0x${randomBytes(32).toString("hex")}`), N);
  return {
    A,
    b,
    B: (k * verifier + modPow(g, b, N)) % N,
    saltHex: randomBytes(16).toString("hex"),
    verifier,
  };
}

import type { EnvironmentConfig } from "./config";

/**
 * A `processing` claim holds a lease: until it ends, nobody else may process the photo (a
 * redelivery skips it, support's reprocess and overrides get 409 with the time left); after it
 * ends, a redelivery, a reprocess or the reconciler may take it over. The lease is the
 * processor's timeout plus a margin, so a run Lambda has not yet killed is never taken over.
 */
export function claimLeaseSeconds(processor: Pick<EnvironmentConfig["processor"], "timeoutSeconds">): number {
  return processor.timeoutSeconds + Math.max(30, Math.ceil(processor.timeoutSeconds / 4));
}

/** The claim fields a `processing` record carries (absent on records written before leases). */
export interface ClaimFields {
  status: string;
  claimedBy?: string | undefined;
  claimedAt?: string | undefined;
  leaseExpiresAt?: string | undefined;
}

export type LeaseState =
  | { held: false }
  | { held: true; claimedBy?: string; claimedAt?: string; leaseExpiresAt: string; secondsLeft: number };

/**
 * Whether a run holds the photo now. Only a `processing` record can be held; one without a lease
 * (written before leases existed, or a claim torn by a crash) counts as expired.
 */
export function leaseState(record: ClaimFields, now: Date): LeaseState {
  if (record.status !== "processing" || !record.leaseExpiresAt) return { held: false };
  const msLeft = Date.parse(record.leaseExpiresAt) - now.getTime();
  if (!(msLeft > 0)) return { held: false };
  return {
    held: true,
    leaseExpiresAt: record.leaseExpiresAt,
    secondsLeft: Math.ceil(msLeft / 1000),
    ...(record.claimedBy ? { claimedBy: record.claimedBy } : {}),
    ...(record.claimedAt ? { claimedAt: record.claimedAt } : {}),
  };
}

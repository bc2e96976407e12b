import { randomBytes } from "node:crypto";

/**
 * Temporary credentials the local identity endpoint issues and the local S3 gateway checks,
 * standing in for STS: each set carries the session tags its role policy evaluates
 * (`aws:PrincipalTag/owner`), exactly like an identity-pool session on AWS.
 */
export interface SessionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

/** Which identity-pool role a session has assumed. */
export type SessionRole = "authenticated" | "unauthenticated";

export interface Session extends SessionCredentials {
  identityId: string;
  role: SessionRole;
  /** Session tags, e.g. { owner: <user-pool sub> }. */
  principalTags: Record<string, string>;
}

/** Long-lived credentials of the local stack's own services (processor, seeding, edge origin). */
export interface ServiceCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * Long-lived keys of one of the local functions (the processor, the admin API), standing in for
 * the execution role Lambda gives it: calls signed with them are held to `policy`, the statements
 * the stacks synthesize for that role.
 */
export interface RoleCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** The role's name on AWS, e.g. `photogate-local-processor-role`. */
  roleName: string;
  /** IAM policy document (`{ Version, Statement }`) with every ARN resolved. */
  policy: unknown;
}

export class CredentialStore {
  private readonly sessions = new Map<string, Session>();
  private readonly roles = new Map<string, RoleCredentials>();

  constructor(
    readonly service: ServiceCredentials,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Issues a new session; `ttlSeconds` matches GetCredentialsForIdentity's one hour by default. */
  issue(
    identityId: string,
    principalTags: Record<string, string>,
    ttlSeconds = 3600,
    role: SessionRole = "authenticated",
  ): Session {
    const session: Session = {
      // Like STS, temporary keys start with ASIA; the random part makes them unguessable.
      accessKeyId: `ASIA${randomBytes(8).toString("hex").toUpperCase()}`,
      secretAccessKey: randomBytes(30).toString("base64url"),
      sessionToken: randomBytes(48).toString("base64url"),
      expiration: new Date(this.now().getTime() + ttlSeconds * 1000),
      identityId,
      role,
      principalTags,
    };
    this.sessions.set(session.accessKeyId, session);
    return session;
  }

  /** The session for an access key, whether or not it has expired (callers say which error). */
  find(accessKeyId: string): Session | undefined {
    return this.sessions.get(accessKeyId);
  }

  isExpired(session: Session): boolean {
    return session.expiration.getTime() <= this.now().getTime();
  }

  /** Registers a function role's keys; signing with them is held to the role's policy. */
  addRole(role: RoleCredentials): RoleCredentials {
    this.roles.set(role.accessKeyId, role);
    return role;
  }

  findRole(accessKeyId: string): RoleCredentials | undefined {
    return this.roles.get(accessKeyId);
  }

  isService(accessKeyId: string): boolean {
    return accessKeyId === this.service.accessKeyId;
  }
}

import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Store } from "./store";
import type { AccessTokenKind, Credentials, OAuthClient, Principal, PresentedCredential, UnauthenticatedReason } from "./types";

/**
 * Resolves a presented credential to a principal. Full-access credentials (the API token, the
 * email + key pair) see everything; a scoped token (minted through the admin API or a seed) is bound
 * to one organization of one backend, sees that organization and its descendants, and expires; an
 * access token the emulator issued (OAuth2 client credentials, a dialect's session login) is bound
 * to the dialect it was issued for, carries its subject and expires.
 */

export type AuthResult = { ok: true; principal: Principal } | { ok: false; reason: UnauthenticatedReason };

const digest = (s: string): Buffer => createHash("sha256").update(s).digest();
export const digestHex = (s: string): string => digest(s).toString("hex");

/** Constant-time string equality. */
/** A request's `Authorization: Bearer <token>`: null when absent, "malformed" when it is not a bearer token. */
export function bearerCredential(authorization: string | undefined): PresentedCredential | null | "malformed" {
  if (typeof authorization !== "string" || authorization === "") return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  return m ? { kind: "bearer", token: m[1]! } : "malformed";
}

export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** What the audit log calls the full-access API token. */
export const API_TOKEN_NAME = "orgform emulator API token";

export class Authenticator {
  private readonly apiTokenDigest: Buffer;
  private readonly keyPairDigest: Buffer;
  /** Start-up OAuth2 clients (CLI / options): client id -> secret digest. Admin-added ones are in the store. */
  private readonly startupClients = new Map<string, Buffer>();

  constructor(
    private readonly store: Store,
    private readonly creds: Credentials,
    private readonly now: () => Date,
  ) {
    this.apiTokenDigest = digest(creds.apiToken);
    this.keyPairDigest = digest(`${creds.authEmail.toLowerCase()}\0${creds.authKey}`);
    for (const c of creds.oauthClients) this.startupClients.set(c.clientId, digest(c.clientSecret));
  }

  authenticate(backend: string, presented: PresentedCredential | null | "malformed"): AuthResult {
    if (presented === null) return { ok: false, reason: "missing" };
    if (presented === "malformed") return { ok: false, reason: "malformed" };
    if (presented.kind === "key") {
      const d = digest(`${presented.email.toLowerCase()}\0${presented.key}`);
      if (timingSafeEqual(d, this.keyPairDigest)) {
        return { ok: true, principal: { id: `key:${d.toString("hex").slice(0, 16)}`, kind: "api-key", name: presented.email, email: presented.email } };
      }
      return { ok: false, reason: "invalid" };
    }
    const d = digest(presented.token);
    if (timingSafeEqual(d, this.apiTokenDigest)) {
      return { ok: true, principal: { id: `token:${d.toString("hex").slice(0, 16)}`, kind: "api-token", name: API_TOKEN_NAME, email: this.creds.authEmail } };
    }
    const issued = this.store.getAccessToken(d.toString("hex"));
    if (issued) {
      if (issued.backend !== backend) return { ok: false, reason: "invalid" };
      if (Date.parse(issued.expiresAt) <= this.now().getTime()) return { ok: false, reason: "expired" };
      return {
        ok: true,
        principal: {
          id: `issued:${createHash("sha256").update(`${issued.via}\0${issued.subject}`).digest("hex").slice(0, 16)}`,
          kind: "access-token",
          name: issued.subject,
          issued: { via: issued.via as AccessTokenKind, subject: issued.subject, expiresAt: issued.expiresAt },
        },
      };
    }
    const row = this.store.getToken(presented.token);
    if (!row || row.backend !== backend) return { ok: false, reason: "invalid" };
    if (Date.parse(row.expiresAt) <= this.now().getTime()) return { ok: false, reason: "expired" };
    return {
      ok: true,
      principal: {
        id: `scoped:${d.toString("hex").slice(0, 16)}`,
        kind: "scoped-token",
        name: row.name ?? `scoped token ${d.toString("hex").slice(0, 16)}`,
        scope: { backend: row.backend, orgId: row.orgId, expiresAt: row.expiresAt },
      },
    };
  }

  /**
   * Whether a token would be taken for another credential: the API token, the admin token, the
   * key of the key pair, an OAuth2 client's secret or an issued access token. A scoped token equal
   * to one of them would keep that credential's access (the API token is resolved first), or hand
   * its holder the admin token: minting one is refused.
   */
  isReserved(token: string): boolean {
    const d = digest(token);
    const secrets = [this.creds.apiToken, this.creds.adminToken, this.creds.authKey].map(digest);
    const clients = [...this.startupClients.values(), ...this.store.allOAuthClients().map((c) => Buffer.from(c.secretDigest, "hex"))];
    let hit = false;
    for (const s of [...secrets, ...clients]) hit = timingSafeEqual(s, d) || hit;
    return hit || this.store.getAccessToken(d.toString("hex")) !== undefined;
  }

  /** Whether `clientId` / `clientSecret` is a configured OAuth2 client; its own token lifetime if it has one. */
  checkClient(clientId: string, clientSecret: string): { ok: boolean; ttlSeconds?: number } {
    const given = digest(clientSecret);
    const startup = this.startupClients.get(clientId);
    if (startup) return { ok: timingSafeEqual(startup, given) };
    const row = this.store.getOAuthClient(clientId);
    if (!row) {
      // Same work either way: an unknown client and a wrong secret are indistinguishable.
      timingSafeEqual(given, given);
      return { ok: false };
    }
    return { ok: timingSafeEqual(Buffer.from(row.secretDigest, "hex"), given), ...(row.ttlSeconds !== null ? { ttlSeconds: row.ttlSeconds } : {}) };
  }

  /** Registers (or replaces) an OAuth2 client at run time (admin API); only a digest of the secret is kept. */
  addClient(client: OAuthClient & { ttlSeconds?: number }): void {
    if (this.startupClients.has(client.clientId)) this.startupClients.set(client.clientId, digest(client.clientSecret));
    else {
      this.store.upsertOAuthClient({
        clientId: client.clientId,
        secretDigest: digestHex(client.clientSecret),
        ttlSeconds: client.ttlSeconds ?? null,
        createTime: this.now().toISOString(),
      });
    }
  }

  removeClient(clientId: string): boolean {
    return this.startupClients.delete(clientId) || this.store.deleteOAuthClient(clientId);
  }

  clientIds(): string[] {
    return [...this.startupClients.keys(), ...this.store.allOAuthClients().map((c) => c.clientId)];
  }

  /** Issues an access token for `backend`; the store keeps only its digest. */
  issue(req: { backend: string; via: AccessTokenKind; subject: string; ttlSeconds?: number }): { token: string; expiresIn: number } {
    const ttl = req.ttlSeconds ?? this.creds.tokenTtlSeconds;
    const token = `ofa_${randomBytes(24).toString("base64url")}`;
    const now = this.now();
    this.store.insertAccessToken(digestHex(token), {
      backend: req.backend,
      via: req.via,
      subject: req.subject,
      createTime: now.toISOString(),
      expiresAt: new Date(now.getTime() + ttl * 1000).toISOString(),
    });
    return { token, expiresIn: ttl };
  }

  revoke(token: string): void {
    this.store.deleteAccessToken(digestHex(token));
  }
}

/** Whether a principal may see one organization: its scope's organization is it or one of its ancestors. */
export function canSee(store: Store, principal: Principal, backend: string, orgId: string): boolean {
  if (!principal.scope) return true;
  if (principal.scope.backend !== backend) return false;
  return store.ancestryIds(backend, orgId).includes(principal.scope.orgId);
}

/** Organization ids a principal may see in a backend (`null`: all of them). */
export function visibleOrgIds(store: Store, principal: Principal, backend: string): Set<string> | null {
  if (!principal.scope) return null;
  if (principal.scope.backend !== backend) return new Set();
  return new Set(store.subtreeIds(backend, principal.scope.orgId));
}

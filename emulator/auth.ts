import { createHash, timingSafeEqual } from "node:crypto";
import type { Store } from "./store";
import type { Credentials, Principal, PresentedCredential, UnauthenticatedReason } from "./types";

/**
 * Resolves a presented credential to a principal. Full-access credentials (the API token, the
 * email + key pair) see everything; a scoped token (minted through the admin API or a seed) is bound
 * to one organization of one backend, sees that organization and its descendants, and expires.
 */

export type AuthResult = { ok: true; principal: Principal } | { ok: false; reason: UnauthenticatedReason };

const digest = (s: string): Buffer => createHash("sha256").update(s).digest();

/** Constant-time string equality. */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

export class Authenticator {
  private readonly apiTokenDigest: Buffer;
  private readonly keyPairDigest: Buffer;

  constructor(
    private readonly store: Store,
    private readonly creds: Credentials,
    private readonly now: () => Date,
  ) {
    this.apiTokenDigest = digest(creds.apiToken);
    this.keyPairDigest = digest(`${creds.authEmail.toLowerCase()}\0${creds.authKey}`);
  }

  authenticate(backend: string, presented: PresentedCredential | null | "malformed"): AuthResult {
    if (presented === null) return { ok: false, reason: "missing" };
    if (presented === "malformed") return { ok: false, reason: "malformed" };
    if (presented.kind === "key") {
      const d = digest(`${presented.email.toLowerCase()}\0${presented.key}`);
      if (timingSafeEqual(d, this.keyPairDigest)) {
        return { ok: true, principal: { id: `key:${d.toString("hex").slice(0, 16)}`, kind: "api-key" } };
      }
      return { ok: false, reason: "invalid" };
    }
    const d = digest(presented.token);
    if (timingSafeEqual(d, this.apiTokenDigest)) {
      return { ok: true, principal: { id: `token:${d.toString("hex").slice(0, 16)}`, kind: "api-token" } };
    }
    const row = this.store.getToken(presented.token);
    if (!row || row.backend !== backend) return { ok: false, reason: "invalid" };
    if (Date.parse(row.expiresAt) <= this.now().getTime()) return { ok: false, reason: "expired" };
    return {
      ok: true,
      principal: {
        id: `scoped:${d.toString("hex").slice(0, 16)}`,
        kind: "scoped-token",
        scope: { backend: row.backend, orgId: row.orgId, expiresAt: row.expiresAt },
      },
    };
  }
}

/** Organization ids a principal may see in a backend (`null`: all of them). */
export function visibleOrgIds(store: Store, principal: Principal, backend: string): Set<string> | null {
  if (!principal.scope) return null;
  if (principal.scope.backend !== backend) return new Set();
  return new Set(store.subtreeIds(backend, principal.scope.orgId));
}

import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Store } from "./store";
import type { BucketState } from "./ratelimit";

/**
 * The seam between the emulator core and a vendor dialect. The core owns the store, credentials,
 * rate limiting, faults, counters and the admin API; a dialect owns its routes, its wire format, its
 * way of presenting credentials and its error envelope. Adding a vendor is one folder under
 * `emulator/dialects/<vendor>/` exporting a `Dialect`, listed in `emulator/dialects/index.ts`.
 */

/** A credential as a client presented it (the dialect reads it off the request). */
export type PresentedCredential =
  | { kind: "bearer"; token: string }
  | { kind: "key"; email: string; key: string };

/** Who is calling: a full-access credential, or a token scoped to one organization's subtree. */
export interface Principal {
  /** Stable, non-secret identifier of the credential (rate-limit bucket key). */
  id: string;
  kind: "api-token" | "api-key" | "scoped-token";
  scope?: { backend: string; orgId: string; expiresAt: string };
}

/** An answer the dialect renders in its vendor's format. */
export interface DialectAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export type UnauthenticatedReason = "missing" | "malformed" | "invalid" | "expired";

/** What the core needs a dialect to say in its own words. */
export interface DialectErrors {
  unauthenticated(reason: UnauthenticatedReason): DialectAnswer;
  rateLimited(retryAfterSeconds: number): DialectAnswer;
  /** An injected server fault (500, 502, 503). */
  fault(status: number): DialectAnswer;
  /** No route under the dialect's prefix. */
  noRoute(method: string, path: string): DialectAnswer;
  /** Anything thrown by a handler or by Fastify (bad JSON, wrong media type, body too large...). */
  fromError(err: unknown): DialectAnswer;
}

/** What a dialect gets from the core. */
export interface DialectContext {
  store: Store;
  now(): Date;
  /** A fresh random identifier (32 lowercase hex characters). */
  newId(): string;
  /**
   * Organization ids the principal may see in `backend`, or `null` for all. A scoped token sees its
   * organization and every organization below it.
   */
  visibleOrgIds(principal: Principal, backend: string): Set<string> | null;
}

/** Result of applying a dialect's section of a seed document. */
export interface DialectSeedResult {
  organizations: { id: string; name: string; path: string[] }[];
  members: number;
}

export interface Dialect {
  /** Backend name, e.g. "cloudflare". */
  name: string;
  /** Mount point, e.g. "/cloudflare/client/v4". */
  prefix: string;
  /** Reads the credential from the request: null when absent, "malformed" when unusable. */
  readCredential(req: FastifyRequest): PresentedCredential | null | "malformed";
  errors: DialectErrors;
  /** Rate-limit headers sent on every answer while a limit is configured. */
  rateLimitHeaders(state: BucketState): Record<string, string>;
  /** Registers the routes, relative to `prefix`, on an encapsulated Fastify instance. */
  routes(app: FastifyInstance, ctx: DialectContext): void;
  /** Applies this dialect's section of a seed document; runs inside one store transaction. */
  seed(ctx: DialectContext, section: unknown): DialectSeedResult;
  /** Lines printed on start describing how a client authenticates. */
  describeCredentials(creds: Credentials): string[];
}

/** The credentials the emulator accepts (all overridable). */
export interface Credentials {
  /** Full-access bearer token for every dialect. */
  apiToken: string;
  /** Cloudflare-style `X-Auth-Email` + `X-Auth-Key` pair (full access). */
  authEmail: string;
  authKey: string;
  /** Bearer token for `/_admin/*` only. */
  adminToken: string;
}

export const DEFAULT_CREDENTIALS: Credentials = {
  apiToken: "orgform-emulator-token",
  authEmail: "emulator@orgform.local",
  authKey: "orgform-emulator-key",
  adminToken: "orgform-admin-token",
};

declare module "fastify" {
  interface FastifyRequest {
    principal?: Principal;
    /** Set by the fault injector: answer this write with an error after it commits. */
    commitThenFail?: { status: number | "reset"; fire(): boolean };
  }
}

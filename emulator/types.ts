import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Migration } from "./migrations";
import type { AuditEntry, Store } from "./store";
import type { BucketState } from "./ratelimit";

/**
 * The seam between the emulator core and a vendor dialect. The core owns the store, credentials,
 * rate limiting, faults, counters and the admin API; a dialect owns its routes, its wire format, its
 * way of presenting credentials and its error envelope. Adding a vendor is one folder under
 * `emulator/dialects/<vendor>/` exporting a `Dialect`, plus its one entry in `emulator/dialects/index.ts`.
 * A dialect is the emulator's own reading of its vendor's document: it never imports `schemas/` or
 * provider code, so that adapter and dialect can disagree and a test can catch a misreading.
 */

/** A credential as a client presented it (the dialect reads it off the request). */
export type PresentedCredential =
  | { kind: "bearer"; token: string }
  | { kind: "key"; email: string; key: string };

/**
 * Who is calling: a full-access credential (the API token, the key pair), a token scoped to one
 * organization's subtree, or an access token the emulator issued (OAuth2 client credentials, a
 * dialect's session login), which carries the client or user it was issued to.
 */
export interface Principal {
  /** Stable, non-secret identifier of the credential (rate-limit bucket key). */
  id: string;
  kind: "api-token" | "api-key" | "scoped-token" | "access-token";
  /**
   * Who the audit log says acted (never a secret): the API token's name, the API key's email, a
   * scoped token's name (or "scoped token <id>"), an access token's OAuth2 client id or user name.
   */
  name: string;
  /** The user's email behind the credential, where there is one (the API key's; the full-access user's). */
  email?: string;
  scope?: { backend: string; orgId: string; expiresAt: string };
  /** For `access-token`: how it was obtained and by whom (an OAuth2 client id, a user name). */
  issued?: { via: AccessTokenKind; subject: string; expiresAt: string };
}

/** How an access token the emulator issued was obtained. */
export type AccessTokenKind = "oauth2-client-credentials" | "session";

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
  /**
   * Anything a handler threw, and every request the core refused before a handler ran: a
   * `RequestRefusal` (`refusals.ts`) whose `reason` says what (`malformed-json` 400, including
   * bytes that are not UTF-8 and lone UTF-16 surrogates; `unsupported-media-type` 415;
   * `body-too-large` 413; `malformed-url` 400; `url-too-long` 414; `headers-too-large` 431;
   * `bad-request` 400) and whose `statusCode` is the status to answer. Every answer is in the
   * vendor's shape: a generic test checks it for every dialect.
   */
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
  /**
   * Whether the principal may see one organization: what `visibleOrgIds(...).has(id)` says, in
   * time of the organization's depth rather than of the scope's size (a GET by id as a token
   * scoped to 10,000 organizations).
   */
  canSee(principal: Principal, backend: string, orgId: string): boolean;
  /**
   * Issues an access token for this dialect (a session login, say): the caller presents it later as
   * a bearer token or however the dialect reads it, and the core resolves it to a principal with
   * `issued` set until it expires (`ttlSeconds`, default the configured token lifetime).
   */
  issueAccessToken(req: { backend: string; via: AccessTokenKind; subject: string; ttlSeconds?: number }): { token: string; expiresIn: number };
  /** Ends an issued access token early (logout). */
  revokeAccessToken(token: string): void;
  /**
   * Appends an audit entry for a successful write of `backend` made by this request's principal
   * (time, method, URI without the dialect's prefix, the actor). Call it inside the write's store
   * transaction, so that a failed write leaves no entry.
   */
  audit(req: FastifyRequest, backend: string, entry: AuditWrite): AuditEntry;
  /** Whether this is the emulator's full-access user (`Credentials.userName` / `password`), for a dialect's session login. */
  isFullAccessUser(userName: string, password: string): boolean;
}

/** What a dialect says of one write for the audit log; the core adds the rest. */
export interface AuditWrite {
  orgId: string | null;
  action: AuditEntry["action"];
  resourceType: string;
  resourceId: string;
  status?: number;
  request?: unknown;
  response?: unknown;
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
  /**
   * The vendor takes OAuth2 client credentials: the core serves the token endpoint at `tokenPath`
   * (absolute, e.g. "/commercelayer/oauth/token") for the configured clients, and the tokens it
   * issues are accepted as bearer tokens by this dialect.
   */
  oauth2?: { tokenPath: string };
  /**
   * The JSON media types the vendor takes, when not `application/json` (JSON:API's
   * `application/vnd.api+json`, say): the whole list, so a vendor that refuses plain JSON answers it
   * 415. The core parses them with its strict JSON parser. Do not register a body parser of your
   * own: the core's refuses what the vendors' parsers refuse.
   */
  jsonMediaTypes?: readonly string[];
  /**
   * The dialect's own tables, applied after the core's in order and tracked per dialect, so vendors
   * added side by side never collide. Append only; name tables `<dialect>_<what>`.
   */
  migrations?: readonly Migration[];
  /** Empties the dialect's own tables (`POST /_admin/reset`); runs inside the core's reset transaction. */
  reset?(store: Store): void;
  /** Reads the credential from the request: null when absent, "malformed" when unusable. */
  readCredential(req: FastifyRequest): PresentedCredential | null | "malformed";
  errors: DialectErrors;
  /** Rate-limit headers sent on every answer while a limit is configured. */
  rateLimitHeaders(state: BucketState): Record<string, string>;
  /** Registers the routes, relative to `prefix`, on an encapsulated Fastify instance. */
  routes(app: FastifyInstance, ctx: DialectContext): void;
  /**
   * Routes answered before authentication, under the same prefix (a session login). They are
   * neither journaled nor counted, faulted or rate-limited: their bodies carry passwords.
   */
  publicRoutes?(app: FastifyInstance, ctx: DialectContext): void;
  /** Applies this dialect's section of a seed document; runs inside one store transaction. */
  seed(ctx: DialectContext, section: unknown): DialectSeedResult;
  /** Lines printed on start describing how a client authenticates (`baseUrl`: where the emulator listens). */
  describeCredentials(creds: Credentials, baseUrl: string): string[];
}

/** An OAuth2 client the token endpoints accept (client credentials grant). */
export interface OAuthClient {
  clientId: string;
  clientSecret: string;
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
  /** Clients of the OAuth2 token endpoints (dialects that declare `oauth2`); more via the admin API. */
  oauthClients: OAuthClient[];
  /** Lifetime of issued access tokens, in seconds. */
  tokenTtlSeconds: number;
  /** Full-access user of the dialects whose vendor logs in with a user name and password (a session). */
  userName: string;
  password: string;
}

export const DEFAULT_CREDENTIALS: Credentials = {
  apiToken: "orgform-emulator-token",
  authEmail: "emulator@orgform.local",
  authKey: "orgform-emulator-key",
  adminToken: "orgform-admin-token",
  oauthClients: [{ clientId: "orgform-emulator-client", clientSecret: "orgform-emulator-secret" }],
  tokenTtlSeconds: 3600,
  userName: "orgform-emulator",
  password: "orgform-emulator-password",
};

declare module "fastify" {
  interface FastifyRequest {
    principal?: Principal;
    /** Set by the fault injector: answer this write with an error after it commits. */
    commitThenFail?: { status: number | "reset"; fire(): boolean };
  }
}

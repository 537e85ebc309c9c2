import { randomBytes } from "node:crypto";
import type { Socket } from "node:net";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { Authenticator, canSee, safeEqual, visibleOrgIds } from "./auth";
import { Counters } from "./counters";
import { RequestJournal } from "./journal";
import { registerTokenEndpoint } from "./oauth";
import { DIALECTS } from "./dialects";
import { checkFaultRules, FaultInjector, parseFaultSpec, type FaultRule } from "./faults";
import { parseRateLimit, RateLimiter, type RateLimitConfig } from "./ratelimit";
import { applySeed, readSeedFile, type SeedResult } from "./seed";
import { Store } from "./store";
import { registerAdmin } from "./admin";
import { redactUrl } from "./redact";
import { asRefusal, clientErrorRefusal, coreAnswer, dialectOf, mediaTypeRefusal, registerJsonParser, RequestRefusal, writeRawAnswer } from "./refusals";
import { DEFAULT_CREDENTIALS, type Credentials, type Dialect, type DialectAnswer, type DialectContext } from "./types";

export interface EmulatorOptions {
  /** SQLite file, or `:memory:` (the default for the library; the CLI defaults to `.orgform/emulator.db`). */
  db?: string;
  /**
   * The accepted credentials. None given: the well-known defaults (`DEFAULT_CREDENTIALS`). Any
   * given: no default survives; each one not given is a random secret of this start (shown in
   * `credentials` and the CLI's banner), so a configured emulator never accepts a published key.
   */
  credentials?: Partial<Credentials>;
  /** Rate limit per credential and dialect: `"10/s"`, `"600/m,burst=20"`, a config, or null (off, default). */
  rateLimit?: string | RateLimitConfig | null;
  /** Fault rules: a spec string (see `faults.ts`) or parsed rules. Default: none. */
  faults?: string | FaultRule[];
  /** Seed of the fault PRNG (default 1). */
  faultSeed?: number;
  /** A seed document (already parsed) applied on start, after `seedFile`. */
  seed?: unknown;
  /** A YAML/JSON seed file applied on start. */
  seedFile?: string;
  /** Clock (tests). */
  now?: () => Date;
  /** Request logging, JSON lines on stdout or on the given stream (default off); URLs are redacted (redact.ts). */
  logger?: boolean | { stream: NodeJS.WritableStream };
  /** How long `close()` lets in-flight requests finish before cutting connections (default 10 s). */
  shutdownGraceMs?: number;
  /** Dialects to mount (default: all in `emulator/dialects/index.ts`). */
  dialects?: readonly Dialect[];
}

export interface EmulatorRuntime {
  store: Store;
  credentials: Credentials;
  dialects: readonly Dialect[];
  ctx: DialectContext;
  auth: Authenticator;
  limiter: RateLimiter;
  faults: FaultInjector;
  counters: Counters;
  journal: RequestJournal;
  /** The start-up rate limit and faults, restored by `POST /_admin/reset`. */
  initial: { rateLimit: RateLimitConfig | null; faults: FaultRule[]; faultSeed: number };
  /** Applies a seed document in one transaction. */
  seed(doc: unknown): SeedResult;
}

export interface Emulator {
  app: FastifyInstance;
  store: Store;
  runtime: EmulatorRuntime;
  /** Seed results of `seedFile` / `seed`, if any. */
  seeded: SeedResult | null;
  /** Stops the server (in-flight requests finish) and closes the database. Idempotent. */
  close(): Promise<void>;
}

export interface StartOptions extends EmulatorOptions {
  port?: number;
  host?: string;
}

export interface StartedEmulator extends Emulator {
  /** `http://host:port` */
  url: string;
  /** Base URL of each mounted dialect, by backend name. */
  baseUrls: Record<string, string>;
  /** OAuth2 token URL of each dialect that takes client credentials, by backend name. */
  tokenUrls: Record<string, string>;
  credentials: Credentials;
}

/** The credentials a user configures (the token lifetime is a setting, not one of them). */
const CREDENTIAL_KEYS = ["apiToken", "authEmail", "authKey", "adminToken", "oauthClients", "userName", "password"] as const;

const randomSecret = (): string => `ofr_${randomBytes(24).toString("base64url")}`;

/** The defaults when nothing is configured; otherwise what is configured, and a random secret for the rest. */
export function resolveCredentials(given: Partial<Credentials> = {}): Credentials {
  const tokenTtlSeconds = given.tokenTtlSeconds ?? DEFAULT_CREDENTIALS.tokenTtlSeconds;
  if (!CREDENTIAL_KEYS.some((k) => given[k] !== undefined)) return { ...DEFAULT_CREDENTIALS, tokenTtlSeconds };
  return {
    apiToken: given.apiToken ?? randomSecret(),
    // The email names the key pair's user (not a secret); the key is what must not be the default.
    authEmail: given.authEmail ?? DEFAULT_CREDENTIALS.authEmail,
    authKey: given.authKey ?? randomSecret(),
    adminToken: given.adminToken ?? randomSecret(),
    // Like the email, the user name is not a secret; its password is.
    userName: given.userName ?? DEFAULT_CREDENTIALS.userName,
    password: given.password ?? randomSecret(),
    oauthClients: given.oauthClients ?? DEFAULT_CREDENTIALS.oauthClients.map((c) => ({ clientId: c.clientId, clientSecret: randomSecret() })),
    tokenTtlSeconds,
  };
}

/**
 * Refuses credentials that would stand for one another: the API token, the admin token and the key
 * equal (the holder of one would hold the other's access), or one of them registered as a scoped
 * token in the database (its holder would get full access).
 */
function checkDistinct(c: Credentials, store: Store): void {
  const named: [string, string][] = [["API token", c.apiToken], ["admin token", c.adminToken], ["key of the key pair", c.authKey], ["password of the full-access user", c.password]];
  for (let i = 0; i < named.length; i++) {
    for (let j = i + 1; j < named.length; j++) {
      if (named[i]![1] === named[j]![1]) throw new Error(`the ${named[i]![0]} and the ${named[j]![0]} must differ`);
    }
    if (store.getToken(named[i]![1])) throw new Error(`the ${named[i]![0]} is registered as a scoped token in this database: choose another`);
  }
}

const resolveRateLimit = (r: EmulatorOptions["rateLimit"]): RateLimitConfig | null =>
  r === undefined || r === null ? null : typeof r === "string" ? parseRateLimit(r) : r;

function send(reply: FastifyReply, a: DialectAnswer): FastifyReply {
  reply.code(a.status);
  if (a.headers) reply.headers(a.headers);
  return reply.send(a.body);
}

/** Route key for counters: method and route pattern relative to the dialect's prefix. */
function routeKey(dialect: Dialect, req: FastifyRequest): string {
  const url = req.routeOptions.url;
  const pattern = url === undefined ? "(no route)" : url.startsWith(dialect.prefix) ? url.slice(dialect.prefix.length) || "/" : url;
  return `${req.method} ${pattern}`;
}

function pathAfterPrefix(dialect: Dialect, req: FastifyRequest): string {
  const path = req.url.split("?", 1)[0];
  return path.startsWith(dialect.prefix) ? path.slice(dialect.prefix.length) || "/" : path;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The core's request pipeline for one dialect, in order: count, authenticate, refuse a body that
 * is not JSON (415), rate-limit, inject faults; after the handler, commit-then-fail turns a successful write's answer into an error.
 */
function installCore(scope: FastifyInstance, dialect: Dialect, rt: EmulatorRuntime): void {
  const mediaTypes = (dialect.jsonMediaTypes ?? ["application/json"]).map((t) => t.toLowerCase());
  scope.addHook("onRequest", async (req, reply) => {
    rt.counters.request(dialect.name, routeKey(dialect, req));

    const auth = rt.auth.authenticate(dialect.name, dialect.readCredential(req));
    if (!auth.ok) return send(reply, dialect.errors.unauthenticated(auth.reason));
    req.principal = auth.principal;

    const wrongMedia = mediaTypeRefusal(req.headers, mediaTypes);
    if (wrongMedia) return send(reply, dialect.errors.fromError(wrongMedia));

    const bucket = rt.limiter.take(dialect.name, auth.principal.id);
    if (bucket) {
      reply.headers(dialect.rateLimitHeaders(bucket));
      if (!bucket.allowed) {
        const a = dialect.errors.rateLimited(bucket.retryAfterSeconds);
        return send(reply, { ...a, headers: { ...a.headers, "retry-after": String(bucket.retryAfterSeconds) } });
      }
    }

    if (!rt.faults.active) return;
    const plan = rt.faults.plan(dialect.name, req.method, pathAfterPrefix(dialect, req));
    if (plan.latencyMs > 0) await sleep(plan.latencyMs);
    if (plan.action?.kind === "reset") {
      rt.counters.answer(dialect.name, routeKey(dialect, req), "reset");
      reply.hijack();
      req.raw.socket.resetAndDestroy();
      return reply;
    }
    if (plan.action?.kind === "error") return send(reply, dialect.errors.fault(plan.action.status));
    if (plan.commitThenFail) req.commitThenFail = plan.commitThenFail;
  });

  scope.addHook("onSend", async (req, reply, payload) => {
    const ctf = req.commitThenFail;
    if (!ctf || reply.statusCode >= 300 || !ctf.fire()) return payload;
    if (ctf.status === "reset") {
      rt.counters.answer(dialect.name, routeKey(dialect, req), "reset");
      req.raw.socket.resetAndDestroy();
      return payload;
    }
    const a = dialect.errors.fault(ctf.status);
    reply.code(a.status);
    if (a.headers) reply.headers(a.headers);
    reply.header("content-type", "application/json; charset=utf-8");
    return JSON.stringify(a.body);
  });

  scope.addHook("onResponse", async (req, reply) => {
    const cut = req.raw.socket?.destroyed && !reply.raw.writableFinished;
    rt.journal.record({
      time: rt.ctx.now().toISOString(),
      dialect: dialect.name,
      method: req.method,
      url: redactUrl(req.url.startsWith(dialect.prefix) ? req.url.slice(dialect.prefix.length) || "/" : req.url),
      body: req.body === undefined ? null : req.body,
      status: cut ? "reset" : reply.statusCode,
    });
    if (cut) return;
    rt.counters.answer(dialect.name, routeKey(dialect, req), reply.statusCode);
  });

  scope.setErrorHandler((err, _req, reply) => send(reply, dialect.errors.fromError(asRefusal(err))));
  scope.setNotFoundHandler((req, reply) => send(reply, dialect.errors.noRoute(req.method, pathAfterPrefix(dialect, req))));
}

/** Builds the emulator's Fastify app over its store, without listening. */
export async function buildEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const now = options.now ?? (() => new Date());
  const credentials = resolveCredentials(options.credentials);
  const dialects = options.dialects ?? Object.values(DIALECTS);
  const store = new Store({
    path: options.db ?? ":memory:",
    dialectMigrations: dialects.filter((d) => d.migrations).map((d) => ({ dialect: d.name, migrations: d.migrations! })),
  });
  try {
    for (const d of dialects) if (d.reset) store.onReset(() => d.reset!(store));
    checkDistinct(credentials, store);
    const auth = new Authenticator(store, credentials, now);
    const ctx: DialectContext = {
      store,
      now,
      newId: () => randomBytes(16).toString("hex"),
      visibleOrgIds: (principal, backend) => visibleOrgIds(store, principal, backend),
      canSee: (principal, backend, orgId) => canSee(store, principal, backend, orgId),
      issueAccessToken: (req) => auth.issue(req),
      revokeAccessToken: (token) => auth.revoke(token),
      audit: (req, backend, e) => {
        const principal = req.principal!;
        const prefix = dialects.find((d) => d.name === backend)?.prefix ?? "";
        return store.appendAudit({
          id: randomBytes(16).toString("hex"),
          backend,
          time: now().toISOString(),
          orgId: e.orgId,
          actor: { id: principal.id, kind: principal.kind, name: principal.name, ...(principal.email !== undefined ? { email: principal.email } : {}) },
          action: e.action,
          resourceType: e.resourceType,
          resourceId: e.resourceId,
          method: req.method,
          uri: redactUrl(req.url.startsWith(prefix) ? req.url.slice(prefix.length) || "/" : req.url),
          status: e.status ?? 200,
          request: e.request,
          response: e.response,
        });
      },
      isFullAccessUser: (userName, password) => safeEqual(`${userName}\0${password}`, `${credentials.userName}\0${credentials.password}`),
    };
    const faultRules = typeof options.faults === "string" ? parseFaultSpec(options.faults) : checkFaultRules(options.faults ?? []);
    const initial = { rateLimit: resolveRateLimit(options.rateLimit), faults: faultRules, faultSeed: options.faultSeed ?? 1 };
    const limiter = new RateLimiter(() => now().getTime());
    limiter.configure(initial.rateLimit);
    const faults = new FaultInjector();
    faults.configure(initial.faults, initial.faultSeed);
    const rt: EmulatorRuntime = {
      store,
      credentials,
      dialects,
      ctx,
      auth,
      limiter,
      faults,
      counters: new Counters(now),
      journal: new RequestJournal(),
      initial,
      seed: (doc) => store.tx(() => applySeed(ctx, dialects, doc, (token) => auth.isReserved(token))),
    };

    let seeded: SeedResult | null = null;
    const merge = (r: SeedResult): void => {
      seeded = seeded
        ? { organizations: [...seeded.organizations, ...r.organizations], members: seeded.members + r.members, tokens: [...seeded.tokens, ...r.tokens] }
        : r;
    };
    if (options.seedFile) merge(rt.seed(readSeedFile(options.seedFile)));
    if (options.seed !== undefined) merge(rt.seed(options.seed));

    const app = Fastify({
      // Request logs show URLs with credentials in them redacted (`DELETE /_admin/tokens/<token>`).
      logger: options.logger
        ? {
            serializers: { req: (req: { method: string; url: string }) => ({ method: req.method, url: redactUrl(req.url) }) },
            ...(typeof options.logger === "object" ? { stream: options.logger.stream } : {}),
          }
        : false,
      bodyLimit: 1024 * 1024,
      routerOptions: { ignoreTrailingSlash: true },
      forceCloseConnections: "idle",
      // A URL the router cannot read (bad percent-encoding, a segment over its limit): in the shape
      // of the dialect it names, after authentication as every other answer of a dialect.
      frameworkErrors: (err, req, reply) => {
        const refusal = asRefusal(err);
        const answer = refusal instanceof RequestRefusal ? refusal : new RequestRefusal("bad-request", "the request could not be routed");
        const dialect = dialectOf(dialects, req.url);
        if (!dialect) return send(reply, coreAnswer(answer));
        const auth = rt.auth.authenticate(dialect.name, dialect.readCredential(req));
        return send(reply, auth.ok ? dialect.errors.fromError(answer) : dialect.errors.unauthenticated(auth.reason));
      },
      // What Node's HTTP parser refuses (a request line or headers over its 16 KiB limit...): no
      // request exists yet, so no credential can be read; the answer is in the named dialect's shape.
      clientErrorHandler: (err, socket) => {
        if (err.code === "ECONNRESET" || socket.destroyed) return;
        const { refusal, path } = clientErrorRefusal(err);
        const dialect = path === undefined ? undefined : dialectOf(dialects, path);
        writeRawAnswer(socket as Socket, dialect ? dialect.errors.fromError(refusal) : coreAnswer(refusal));
      },
    });

    // Bodies are JSON, strictly (refusals.ts); text/plain is no JSON: 415, as documented.
    app.removeContentTypeParser("text/plain");
    registerJsonParser(app, ["application/json"]);

    app.get("/", async () => ({
      name: "orgform emulator",
      dialects: Object.fromEntries(dialects.map((d) => [d.name, d.prefix])),
      admin: "/_admin",
    }));
    app.get("/healthz", async () => ({ ok: true }));

    for (const dialect of dialects) {
      if (dialect.oauth2) registerTokenEndpoint(app, dialect as Dialect & { oauth2: { tokenPath: string } }, rt);
      if (dialect.publicRoutes) {
        await app.register(
          async (scope) => {
            scope.setErrorHandler((err, _req, reply) => send(reply, dialect.errors.fromError(err)));
            dialect.publicRoutes!(scope, ctx);
          },
          { prefix: dialect.prefix },
        );
      }
      await app.register(
        async (scope) => {
          const extra = (dialect.jsonMediaTypes ?? []).filter((t) => t !== "application/json");
          if (extra.length > 0) registerJsonParser(scope, extra);
          installCore(scope, dialect, rt);
          dialect.routes(scope, ctx);
        },
        { prefix: dialect.prefix },
      );
    }
    await app.register(async (scope) => registerAdmin(scope, rt), { prefix: "/_admin" });
    await app.ready();

    let closed = false;
    return {
      app,
      store,
      runtime: rt,
      seeded,
      close: async () => {
        if (closed) return;
        closed = true;
        // In-flight requests finish (each commits synchronously before it answers); connections
        // left idle by them are closed as they go idle, and any still busy after the grace period
        // are cut, so a shutdown never waits on a client's keep-alive.
        const sweep = setInterval(() => app.server.closeIdleConnections(), 25);
        const deadline = setTimeout(() => app.server.closeAllConnections(), options.shutdownGraceMs ?? 10_000);
        try {
          await app.close();
        } finally {
          clearInterval(sweep);
          clearTimeout(deadline);
          store.close();
        }
      },
    };
  } catch (err) {
    store.close();
    throw err;
  }
}

/** Builds the emulator and listens; `port: 0` (the default) picks a free port. */
export async function startEmulator(options: StartOptions = {}): Promise<StartedEmulator> {
  const emu = await buildEmulator(options);
  const host = options.host ?? "127.0.0.1";
  try {
    await emu.app.listen({ port: options.port ?? 0, host });
  } catch (err) {
    await emu.close();
    throw err;
  }
  const addr = emu.app.server.address();
  const port = typeof addr === "object" && addr ? addr.port : options.port;
  const shownHost = host.includes(":") ? `[${host}]` : host === "0.0.0.0" ? "127.0.0.1" : host;
  const url = `http://${shownHost}:${port}`;
  return {
    ...emu,
    url,
    baseUrls: Object.fromEntries(emu.runtime.dialects.map((d) => [d.name, url + d.prefix])),
    tokenUrls: Object.fromEntries(emu.runtime.dialects.filter((d) => d.oauth2).map((d) => [d.name, url + d.oauth2!.tokenPath])),
    credentials: emu.runtime.credentials,
  };
}

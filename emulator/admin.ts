import type { FastifyInstance, FastifyReply } from "fastify";
import type { EmulatorRuntime } from "./app";
import { safeEqual } from "./auth";
import { checkFaultRules, parseFaultSpec, ruleFromJson, type FaultRule, type FaultRuleJson } from "./faults";
import { formatRateLimit, parseRateLimit, type RateLimitConfig } from "./ratelimit";
import { mintToken, parseSeedText, SeedError } from "./seed";
import { isObject } from "./json";

/**
 * The admin API under `/_admin` (admin token only, `Authorization: Bearer <admin token>`), shared by
 * tests, benchmarks and users' CI. Answers are plain JSON; errors are `{ error: { code, message } }`.
 * Documented in `emulator/README.md`.
 */

type AdminCode = "UNAUTHENTICATED" | "VALIDATION" | "NOT_FOUND" | "CONFLICT";

class AdminError extends Error {
  constructor(readonly status: number, readonly code: AdminCode, message: string) {
    super(message);
  }
}

const bad = (message: string): AdminError => new AdminError(400, "VALIDATION", message);


function body(req: { body: unknown }): Record<string, unknown> {
  const b = req.body ?? {};
  if (!isObject(b)) throw bad("the body must be a JSON object");
  return b;
}

function asValidation<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof AdminError) throw err;
    throw bad((err as Error).message);
  }
}

function parseRateLimitBody(b: Record<string, unknown>): RateLimitConfig | null {
  if (typeof b.spec === "string") return asValidation(() => parseRateLimit(b.spec as string));
  const rate = b.rate_per_second;
  if (rate === null || rate === 0 || rate === undefined) {
    if (rate === undefined && b.spec === undefined) throw bad("give rate_per_second (and optionally burst) or spec");
    return null;
  }
  if (typeof rate !== "number" || !(rate > 0)) throw bad("rate_per_second must be a positive number, 0 or null");
  const burst = b.burst === undefined ? Math.max(1, Math.round(rate)) : b.burst;
  if (typeof burst !== "number" || !Number.isInteger(burst) || burst < 1) throw bad("burst must be a positive integer");
  return { ratePerSecond: rate, burst };
}

function parseFaultsBody(b: Record<string, unknown>): FaultRule[] {
  if (typeof b.spec === "string") return asValidation(() => parseFaultSpec(b.spec as string));
  if (Array.isArray(b.rules)) return asValidation(() => checkFaultRules((b.rules as unknown[]).map((r) => ruleFromJson(r as FaultRuleJson))));
  if (b.spec === undefined && b.rules === undefined) return [];
  throw bad("give spec (a string) or rules (a list)");
}

export function registerAdmin(app: FastifyInstance, rt: EmulatorRuntime): void {
  const { store, ctx } = rt;

  // Seed documents may be sent as YAML.
  app.addContentTypeParser(["application/yaml", "application/x-yaml", "text/yaml"], { parseAs: "string" }, (_req, text, done) => {
    try {
      done(null, parseSeedText(String(text), "body"));
    } catch (err) {
      done(err as Error, undefined);
    }
  });

  app.addHook("onRequest", async (req, reply) => {
    const h = req.headers.authorization;
    const m = typeof h === "string" ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
    if (!m || !safeEqual(m[1], rt.credentials.adminToken)) {
      return reply.code(401).header("www-authenticate", 'Bearer realm="orgform-emulator-admin"').send({
        error: { code: "UNAUTHENTICATED", message: "the admin API needs Authorization: Bearer <admin token>" },
      });
    }
  });

  app.setErrorHandler((err, _req, reply: FastifyReply) => {
    if (err instanceof AdminError) return reply.code(err.status).send({ error: { code: err.code, message: err.message } });
    if (err instanceof SeedError) return reply.code(400).send({ error: { code: "VALIDATION", message: err.message } });
    const status = (err as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) return reply.code(status).send({ error: { code: "VALIDATION", message: (err as Error).message } });
    return reply.code(500).send({ error: { code: "INTERNAL", message: (err as Error).message } });
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ error: { code: "NOT_FOUND", message: `no admin route ${req.method} ${req.url.split("?")[0]}` } }),
  );

  app.get("/info", async () => ({
    dialects: Object.fromEntries(rt.dialects.map((d) => [d.name, d.prefix])),
    db: store.path,
    schema_version: store.schemaVersion,
    rate_limit: Object.fromEntries(rt.dialects.map((d) => [d.name, formatRateLimit(rt.limiter.configFor(d.name))])),
    faults: rt.faults.describe(),
  }));

  // ---- data ----
  app.post("/seed", async (req, reply) => {
    const result = rt.seed(req.body ?? {});
    return reply.code(201).send(result);
  });

  app.get("/state", async (req) => {
    const q = req.query as Record<string, string | undefined>;
    return {
      organizations: store.allOrgs(q.backend).map((o) => ({
        backend: o.backend,
        id: o.id,
        parent_id: o.parentId,
        name: o.name,
        unique_key: o.uniqueKey,
        document: o.document,
        create_time: o.createTime,
        update_time: o.updateTime,
        version: o.version,
      })),
      members: store.allMembers(q.backend).map((m) => ({
        backend: m.backend,
        id: m.id,
        org_id: m.orgId,
        email: m.email,
        document: m.document,
        create_time: m.createTime,
        update_time: m.updateTime,
        version: m.version,
      })),
    };
  });

  app.post("/reset", async () => {
    store.reset();
    rt.counters.reset();
    rt.journal.reset();
    rt.limiter.configure(rt.initial.rateLimit);
    rt.faults.configure(rt.initial.faults, rt.initial.faultSeed);
    rt.faults.resetCounts();
    return { reset: true };
  });

  // ---- scoped tokens ----
  app.post("/tokens", async (req, reply) => {
    const b = body(req);
    if (typeof b.org_id !== "string" || b.org_id === "") throw bad("org_id (string) is required");
    const dialect = b.dialect ?? b.backend;
    if (dialect !== undefined && (typeof dialect !== "string" || !rt.dialects.some((d) => d.name === dialect))) {
      throw bad(`dialect must be one of ${rt.dialects.map((d) => d.name).join(", ")}`);
    }
    const candidates = store.findOrgAnyBackend(b.org_id).filter((o) => dialect === undefined || o.backend === dialect);
    if (candidates.length === 0) throw new AdminError(404, "NOT_FOUND", `no organization with id ${b.org_id}`);
    if (candidates.length > 1) throw bad(`organization id ${b.org_id} exists in several backends: give dialect`);
    if (b.ttl_seconds !== undefined && typeof b.ttl_seconds !== "number") throw bad("ttl_seconds must be a number");
    if (b.token !== undefined && typeof b.token !== "string") throw bad("token must be a string");
    if (b.name !== undefined && typeof b.name !== "string") throw bad("name must be a string");
    try {
      const minted = store.tx(() =>
        mintToken(ctx, {
          backend: candidates[0].backend,
          orgId: b.org_id as string,
          ttlSeconds: b.ttl_seconds as number | undefined,
          token: b.token as string | undefined,
          name: b.name as string | undefined,
          reserved: (token) => rt.auth.isReserved(token),
        }),
      );
      return reply.code(201).send({ ...minted, dialect: minted.backend });
    } catch (err) {
      if (err instanceof SeedError && /already registered/.test(err.message)) throw new AdminError(409, "CONFLICT", err.message);
      throw err;
    }
  });

  app.get("/tokens", async () => ({
    tokens: store.allTokens().map((t) => ({ token: t.token, backend: t.backend, org_id: t.orgId, create_time: t.createTime, expires_at: t.expiresAt, ...(t.name ? { name: t.name } : {}) })),
  }));

  app.delete("/tokens/:token", async (req) => {
    const { token } = req.params as { token: string };
    if (!store.deleteToken(token)) throw new AdminError(404, "NOT_FOUND", "no such token");
    return { deleted: true };
  });

  // ---- faults ----
  app.get("/faults", async () => rt.faults.describe());
  app.put("/faults", async (req) => {
    const b = body(req);
    const rules = parseFaultsBody(b);
    for (const r of rules) {
      if (r.dialect !== undefined && !rt.dialects.some((d) => d.name === r.dialect)) throw bad(`unknown dialect ${r.dialect}`);
    }
    if (b.seed !== undefined && (typeof b.seed !== "number" || !Number.isInteger(b.seed))) throw bad("seed must be an integer");
    rt.faults.configure(rules, (b.seed as number | undefined) ?? rt.initial.faultSeed);
    rt.faults.resetCounts();
    return rt.faults.describe();
  });
  app.delete("/faults", async () => {
    rt.faults.configure([], rt.initial.faultSeed);
    return rt.faults.describe();
  });

  // ---- rate limits ----
  const describeLimits = () => {
    const d = rt.limiter.describe();
    const show = (c: RateLimitConfig | null) => (c ? { rate_per_second: c.ratePerSecond, burst: c.burst } : null);
    return { global: show(d.global), dialects: Object.fromEntries(Object.entries(d.dialects).map(([k, v]) => [k, show(v)])) };
  };
  app.get("/rate-limit", async () => describeLimits());
  app.put("/rate-limit", async (req) => {
    const b = body(req);
    const dialect = b.dialect;
    if (dialect !== undefined && (typeof dialect !== "string" || !rt.dialects.some((d) => d.name === dialect))) {
      throw bad(`dialect must be one of ${rt.dialects.map((d) => d.name).join(", ")}`);
    }
    rt.limiter.configure(parseRateLimitBody(b), dialect as string | undefined);
    return describeLimits();
  });
  app.delete("/rate-limit", async () => {
    rt.limiter.configure(null);
    return describeLimits();
  });

  // ---- OAuth2 clients (dialects with a token endpoint) ----
  app.get("/oauth-clients", async () => ({
    clients: rt.auth.clientIds().map((id) => ({ client_id: id })),
    token_ttl_seconds: rt.credentials.tokenTtlSeconds,
    token_urls: Object.fromEntries(rt.dialects.filter((d) => d.oauth2).map((d) => [d.name, d.oauth2!.tokenPath])),
  }));
  app.post("/oauth-clients", async (req, reply) => {
    const b = body(req);
    if (typeof b.client_id !== "string" || !/^[\x21-\x7e]{1,200}$/.test(b.client_id)) throw bad("client_id (printable ASCII, no spaces) is required");
    if (typeof b.client_secret !== "string" || b.client_secret.length < 8) throw bad("client_secret (at least 8 characters) is required");
    const ttl = b.token_ttl_seconds;
    if (ttl !== undefined && (typeof ttl !== "number" || !Number.isInteger(ttl) || ttl < 1 || ttl > 366 * 24 * 3600)) {
      throw bad("token_ttl_seconds must be an integer between 1 and 31622400");
    }
    rt.auth.addClient({ clientId: b.client_id, clientSecret: b.client_secret, ...(ttl !== undefined ? { ttlSeconds: ttl as number } : {}) });
    return reply.code(201).send({ client_id: b.client_id, ...(ttl !== undefined ? { token_ttl_seconds: ttl } : {}) });
  });
  app.delete("/oauth-clients/:client_id", async (req) => {
    const { client_id: id } = req.params as { client_id: string };
    if (!rt.auth.removeClient(id)) throw new AdminError(404, "NOT_FOUND", "no such client");
    return { deleted: true };
  });

  // Revokes issued access tokens (OAuth2, sessions), as a vendor revoking them server-side would.
  app.delete("/access-tokens", async (req) => {
    const q = req.query as Record<string, string | undefined>;
    return { revoked: store.deleteAccessTokens(q.dialect) };
  });

  // ---- request journal ----
  app.get("/requests", async (req) => {
    const q = req.query as Record<string, string | undefined>;
    const limit = q.limit === undefined ? undefined : Number(q.limit);
    const after = q.after === undefined ? undefined : Number(q.after);
    if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw bad("limit must be a positive integer");
    if (after !== undefined && !Number.isInteger(after)) throw bad("after must be an integer (a seq)");
    return { last_seq: rt.journal.lastSeq, requests: rt.journal.list({ dialect: q.dialect, limit, afterSeq: after }) };
  });
  app.delete("/requests", async () => {
    rt.journal.reset();
    return { reset: true };
  });

  // ---- counters ----
  app.get("/counters", async () => ({ ...rt.counters.snapshot(), faults: rt.faults.describe().injected }));
  app.delete("/counters", async () => {
    rt.counters.reset();
    rt.faults.resetCounts();
    return { reset: true };
  });
}

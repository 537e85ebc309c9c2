import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { digestHex } from "../../auth";
import type { JsonObject, OrgRow } from "../../store";
import type { DialectContext, Principal } from "../../types";
import { CloudomationError, failure, invalid, notFound } from "./envelope";
import { BACKEND, COMMIT_MESSAGE, patchProblems, PROPERTIES, type OrgRecord } from "./wire";
import { isObject } from "../../json";

/**
 * The organization routes of one workspace's REST API: `GET /organization` (a workspace sees its
 * one organization), `GET /organization/{id}`, `PATCH /organization/{id}` (only the properties sent
 * change), and `POST` / `DELETE`, refused as the document says ("Organization resources cannot be
 * created or deleted"). `POST /auth/login` opens a session. Each handler reads and writes in one
 * store transaction.
 */

export const USERS_TABLE = "cloudomation_users";
export const COMMITS_TABLE = "cloudomation_commits";

/** `GET /organization` paging (our design, as the Flow API lists records): `limit`, `offset`. */
export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;


export function recordOf(row: OrgRow): OrgRecord {
  return { ...row.document, id: row.id, name: row.name };
}

/** A session's subject says what it sees: `all:<user>` (the emulator's full-access user) or `org:<id>:<user>`. */
export function sessionSubject(orgId: string | null, userName: string): string {
  return orgId === null ? `all:${userName}` : `org:${orgId}:${userName}`;
}

/** Organization ids the caller may see; null for all. */
function visibleIds(ctx: DialectContext, principal: Principal): Set<string> | null {
  const subject = principal.issued?.via === "session" ? principal.issued.subject : undefined;
  if (subject?.startsWith("org:")) return new Set([subject.split(":")[1]]);
  return ctx.visibleOrgIds(principal, BACKEND);
}

function visibleRow(ctx: DialectContext, req: FastifyRequest, id: string): OrgRow {
  const row = ctx.store.getOrg(BACKEND, id);
  const visible = visibleIds(ctx, req.principal!);
  if (!row || (visible !== null && !visible.has(id))) throw notFound(id);
  return row;
}

interface Filter {
  field: string;
  op: "eq" | "ne" | "like";
  value: unknown;
}

/** `filter={"field": "name", "op": "eq"|"ne"|"like", "value": …}` (like: `%` and `_` wildcards). */
function parseFilter(raw: string | undefined): Filter | undefined {
  if (raw === undefined) return undefined;
  let f: unknown;
  try {
    f = JSON.parse(raw);
  } catch {
    throw new CloudomationError(400, "filter must be a JSON object {field, op, value}");
  }
  if (!isObject(f) || typeof f.field !== "string" || !["eq", "ne", "like"].includes(String(f.op)) || !("value" in f)) {
    throw new CloudomationError(400, 'filter must be {"field": <property>, "op": "eq" | "ne" | "like", "value": …}');
  }
  if (!PROPERTIES[f.field]) throw new CloudomationError(400, `filter: ${f.field} is not a property of ORGANIZATION records`);
  if (f.op === "like" && typeof f.value !== "string") throw new CloudomationError(400, "filter: like takes a string pattern");
  return f as unknown as Filter;
}

function matches(rec: OrgRecord, f: Filter): boolean {
  const v = rec[f.field];
  if (f.op === "eq") return JSON.stringify(v) === JSON.stringify(f.value);
  if (f.op === "ne") return JSON.stringify(v) !== JSON.stringify(f.value);
  if (typeof v !== "string") return false;
  const pattern = String(f.value)
    .split("")
    .map((c) => (c === "%" ? ".*" : c === "_" ? "." : c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${pattern}$`, "s").test(v);
}

function intParam(q: Record<string, unknown>, name: string, fallback: number, max: number): number {
  const raw = q[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (typeof raw !== "string" || !Number.isInteger(n) || n < 0 || n > max) throw new CloudomationError(400, `${name} must be an integer from 0 to ${max}`);
  return n;
}

const LIST_PARAMS = new Set(["filter", "limit", "offset"]);

function refuse(verb: "created" | "deleted"): CloudomationError {
  return new CloudomationError(405, `Organization resources cannot be ${verb}`, undefined, { allow: verb === "created" ? "GET" : "GET, PATCH" });
}

export function registerOrganizations(app: FastifyInstance, ctx: DialectContext): void {
  const { store } = ctx;

  app.get("/organization", async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    for (const k of Object.keys(q)) if (!LIST_PARAMS.has(k)) throw new CloudomationError(400, `unknown query parameter ${k}: expected filter, limit or offset`);
    const filter = parseFilter(q.filter as string | undefined);
    const limit = intParam(q, "limit", DEFAULT_LIMIT, MAX_LIMIT);
    const offset = intParam(q, "offset", 0, Number.MAX_SAFE_INTEGER);
    const visible = visibleIds(ctx, req.principal!);
    const all = store
      .read(() => store.allOrgs(BACKEND))
      .filter((r) => visible === null || visible.has(r.id))
      .map(recordOf)
      .filter((r) => !filter || matches(r, filter));
    reply.header("x-total-count", String(all.length));
    return all.slice(offset, offset + limit);
  });

  app.get<{ Params: { id: string } }>("/organization/:id", async (req) => store.read(() => recordOf(visibleRow(ctx, req, req.params.id))));

  app.patch<{ Params: { id: string } }>("/organization/:id", async (req) => {
    const body = req.body;
    if (!isObject(body)) throw new CloudomationError(400, "the body must be a JSON object of the properties to change");
    return store.tx(() => {
      const row = visibleRow(ctx, req, req.params.id);
      const problems = patchProblems(body, row.id);
      if (problems.length) throw invalid(problems);
      const now = ctx.now().toISOString();
      const { id: _id, [COMMIT_MESSAGE]: message, ...changes } = body;
      const rec: OrgRecord = { ...recordOf(row), ...changes, modified_at: now };
      const { id: _i, name, ...document } = rec;
      store.updateOrg(BACKEND, row.id, { parentId: null, name: String(name), uniqueKey: null, document: document as JsonObject, updateTime: now });
      if (message !== undefined) store.statement(`INSERT INTO ${COMMITS_TABLE} (org_id, message, time) VALUES (?, ?, ?)`).run(row.id, message ?? null, now);
      return rec;
    });
  });

  app.post("/organization", async () => {
    throw refuse("created");
  });
  app.delete<{ Params: { id: string } }>("/organization/:id", async (req) => {
    store.read(() => visibleRow(ctx, req, req.params.id));
    throw refuse("deleted");
  });
}

/** The commit messages written to an organization, oldest first (they are never read back through the API). */
export function commitMessages(ctx: DialectContext, orgId: string): (string | null)[] {
  return (ctx.store.statement(`SELECT message FROM ${COMMITS_TABLE} WHERE org_id = ? ORDER BY seq`).all(orgId) as { message: string | null }[]).map((r) => r.message);
}

/**
 * `POST /auth/login` `{user_name, password, authentication_method?}`: 302 with `Set-Cookie:
 * token=…` (Engine 7: "the API will respond with HTTP 302 and a Set-Cookie header"), 401 when the
 * user name or password is wrong. Users are the emulator's full-access user and the workspace users
 * a seed gives each organization.
 */
export function registerLogin(app: FastifyInstance, ctx: DialectContext): void {
  app.post("/auth/login", async (req, reply: FastifyReply) => {
    const body = req.body;
    if (!isObject(body) || typeof body.user_name !== "string" || typeof body.password !== "string") {
      return sendFailure(reply, 400, "the body must be {user_name, password}");
    }
    if (body.authentication_method !== undefined && body.authentication_method !== "cloudomation") {
      return sendFailure(reply, 401, "unknown authentication method");
    }
    const user = ctx.store.statement(`SELECT org_id, password_digest FROM ${USERS_TABLE} WHERE user_name = ?`).get(body.user_name) as
      | { org_id: string; password_digest: string }
      | undefined;
    let subject: string | undefined;
    if (user && user.password_digest === digestHex(body.password)) subject = sessionSubject(user.org_id, body.user_name);
    else if (!user && ctx.isFullAccessUser(body.user_name, body.password)) subject = sessionSubject(null, body.user_name);
    if (!subject) return sendFailure(reply, 401, "wrong user name or password");
    const { token, expiresIn } = ctx.issueAccessToken({ backend: BACKEND, via: "session", subject });
    reply.code(302).header("location", "/").header("set-cookie", `token=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${expiresIn}`);
    return reply.send();
  });
}

function sendFailure(reply: FastifyReply, status: number, message: string): FastifyReply {
  const a = failure(status, message);
  return reply.code(a.status).send(a.body);
}

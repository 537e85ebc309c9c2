import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { createHash } from "node:crypto";
import { digestHex } from "../../auth";
import type { JsonObject, OrgRow } from "../../store";
import type { DialectContext, Principal } from "../../types";
import { CloudomationError, failure, invalid, notFound } from "./envelope";
import { BACKEND, COMMIT_MESSAGE, patchProblems, type OrgRecord } from "./wire";
import { isObject } from "../../json";
import { byOf, checkParams, fieldsOf, intParam, matches, parseFilter, plainOf, project, shaped, type Query } from "./query";

/**
 * The organization routes of one workspace's REST API: `GET /organization` (a workspace sees its
 * one organization), `GET /organization/{id}` (or `{name}?by=name`), `PATCH /organization/{id}`
 * (only the properties sent change), and `POST` / `DELETE`, refused as the document says
 * ("Organization resources cannot be created or deleted"). Answers are wrapped under the record
 * type unless `plain=true` (query.ts). `GET /alive` and `POST /auth/login` answer before login.
 * Each handler reads and writes in one store transaction.
 */

export const USERS_TABLE = "cloudomation_users";
export const COMMITS_TABLE = "cloudomation_commits";
/** The session cookie `POST /auth/login` sets (a JWT in the vendor; an issued access token here). */
export const SESSION_COOKIE = "token";

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

const LIST_PARAMS = ["filter", "limit", "offset", "plain", "fields"] as const;
const READ_PARAMS = ["plain", "fields", "by"] as const;
const WRITE_PARAMS = ["plain"] as const;

function refuse(verb: "created" | "deleted"): CloudomationError {
  return new CloudomationError(405, `Organization resources cannot be ${verb}`, undefined, { allow: verb === "created" ? "GET" : "GET, PATCH" });
}

export function registerOrganizations(app: FastifyInstance, ctx: DialectContext): void {
  const { store } = ctx;
  const visibleRecords = (req: FastifyRequest): OrgRecord[] => {
    const visible = visibleIds(ctx, req.principal!);
    return store
      .allOrgs(BACKEND)
      .filter((r) => visible === null || visible.has(r.id))
      .map(recordOf);
  };

  app.get("/organization", async (req, reply) => {
    const q = req.query as Query;
    checkParams(q, LIST_PARAMS);
    const filter = parseFilter(q.filter);
    const limit = intParam(q, "limit", DEFAULT_LIMIT, MAX_LIMIT);
    const offset = intParam(q, "offset", 0, Number.MAX_SAFE_INTEGER);
    const fields = fieldsOf(q);
    const all = store.read(() => visibleRecords(req)).filter((r) => !filter || matches(r, filter));
    reply.header("x-total-count", String(all.length));
    return shaped(plainOf(q), all.slice(offset, offset + limit).map((r) => project(r, fields)));
  });

  app.get<{ Params: { id: string } }>("/organization/:id", async (req) => {
    const q = req.query as Query;
    checkParams(q, READ_PARAMS);
    const [plain, fields, by] = [plainOf(q), fieldsOf(q), byOf(q)];
    const rec = store.read(() => (by === "id" ? recordOf(visibleRow(ctx, req, req.params.id)) : byName(visibleRecords(req), req.params.id)));
    return shaped(plain, project(rec, fields));
  });

  app.patch<{ Params: { id: string } }>("/organization/:id", async (req) => {
    const q = req.query as Query;
    checkParams(q, WRITE_PARAMS);
    const plain = plainOf(q);
    const body = req.body;
    if (!isObject(body)) throw new CloudomationError(400, "the body must be a JSON object of the properties to change");
    return store.tx(() => {
      const row = visibleRow(ctx, req, req.params.id);
      const problems = patchProblems(body, row.id);
      if (problems.length) throw invalid(problems);
      const { id: _id, [COMMIT_MESSAGE]: message, ...changes } = body;
      const before = recordOf(row);
      const changed = changesRecord(before, changes);
      const commit = writesCommit(changed, message, latestCommitMessage(ctx, row.id));
      if (!changed && !commit) return shaped(plain, before);
      const now = ctx.now().toISOString();
      // A commit message alone changes no property: no update, so modified_at stays.
      const rec: OrgRecord = changed ? { ...before, ...changes, modified_at: now } : before;
      if (changed) {
        const { id: _i, name, ...document } = rec;
        store.updateOrg(BACKEND, row.id, { parentId: null, name: String(name), uniqueKey: null, document: document as JsonObject, updateTime: now });
      }
      if (commit) store.statement(`INSERT INTO ${COMMITS_TABLE} (org_id, message, time) VALUES (?, ?, ?)`).run(row.id, message ?? null, now);
      return shaped(plain, rec);
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

/** `GET /organization/{name}?by=name`: the one visible organization of that name (names are not unique: several is a 400). */
function byName(records: OrgRecord[], name: string): OrgRecord {
  const found = records.filter((r) => r.name === name);
  if (found.length === 0) throw new CloudomationError(404, `organization named ${name} not found`);
  if (found.length > 1) throw new CloudomationError(400, `${found.length} organizations are named ${name}: read one by id`);
  return found[0];
}

/** Whether a PATCH's properties change the record (a property sent with the value it has changes nothing). */
export function changesRecord(before: OrgRecord, changes: Record<string, unknown>): boolean {
  return Object.entries(changes).some(([k, v]) => JSON.stringify(before[k] ?? null) !== JSON.stringify(v ?? null));
}

/**
 * Whether a PATCH writes a commit log entry. The same PATCH sent again (a client resending an
 * update whose answer it lost after the first one committed) finds the record as it left it and
 * its message already the latest entry: no second entry, as an engine recording changes writes
 * none for a write that changes nothing. A message alone, different from the latest, is a commit.
 */
export function writesCommit(changed: boolean, message: unknown, latest: string | null | undefined): boolean {
  if (message === undefined) return false;
  return changed || latest === undefined || (message ?? null) !== latest;
}

function latestCommitMessage(ctx: DialectContext, orgId: string): string | null | undefined {
  const row = ctx.store.statement(`SELECT message FROM ${COMMITS_TABLE} WHERE org_id = ? ORDER BY seq DESC LIMIT 1`).get(orgId) as { message: string | null } | undefined;
  return row?.message;
}

/** The commit messages written to an organization, oldest first (they are never read back through the API). */
export function commitMessages(ctx: DialectContext, orgId: string): (string | null)[] {
  return (ctx.store.statement(`SELECT message FROM ${COMMITS_TABLE} WHERE org_id = ? ORDER BY seq`).all(orgId) as { message: string | null }[]).map((r) => r.message);
}

/** A user's `identity_id`: stable per user name (the emulator keeps no user records beyond the login). */
export function identityId(userName: string): string {
  const h = createHash("sha256").update(`cloudomation-identity\0${userName}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * The routes answered before login. `GET /alive`: 200 with a JSON object (devstack-cli checks it
 * first, without a session). `POST /auth/login` `{user_name, password, twofa_code?,
 * authentication_method?: "cloudomation"}`: 200 with the user as JSON (`identity_id`, `name`: what
 * devstack-cli reads) and `Set-Cookie: token=…` (its aiohttp session sends the cookie back); 401
 * when the user name or password is wrong. Engine 7's docs describe a 302 with the cookie instead:
 * the emulator answers what the vendor's client requires. Users are the emulator's full-access
 * user and the workspace users a seed gives each organization.
 */
export function registerLogin(app: FastifyInstance, ctx: DialectContext): void {
  app.get("/alive", async () => ({ alive: true }));

  app.post("/auth/login", async (req, reply: FastifyReply) => {
    const body = req.body;
    if (!isObject(body) || typeof body.user_name !== "string" || typeof body.password !== "string") {
      return sendFailure(reply, 400, "the body must be {user_name, password}");
    }
    if (body.twofa_code !== undefined && body.twofa_code !== null && typeof body.twofa_code !== "string") {
      return sendFailure(reply, 400, "twofa_code must be a string");
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
    // No 2FA in the emulator: a code (devstack-cli sends "" when none is entered) is not checked.
    reply.code(200).header("set-cookie", `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${expiresIn}`);
    return reply.send({ identity_id: identityId(body.user_name), name: body.user_name });
  });
}

function sendFailure(reply: FastifyReply, status: number, message: string): FastifyReply {
  const a = failure(status, message);
  return reply.code(a.status).send(a.body);
}

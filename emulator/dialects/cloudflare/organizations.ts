import type { FastifyInstance, FastifyRequest } from "fastify";
import type { OrgQuery, OrgRow } from "../../store";
import type { DialectContext, Principal } from "../../types";
import { CF, CfError, notFound, success } from "./envelope";
import { checkParams, pageOf, pageRequest, PAGE_PARAMS, single, type Query } from "./pagination";
import {
  BACKEND,
  orgDocument,
  orgToWire,
  orgUniqueKey,
  userIdFor,
  validateOrgBody,
  validateProfile,
  type OrgDocument,
} from "./wire";
import { isObject } from "../../json";

/**
 * Organizations and their profile: `GET/POST /organizations`, `GET/PUT/DELETE /organizations/{id}`,
 * `GET/PUT /organizations/{id}/profile`. Every handler does its reads and writes synchronously in
 * one store transaction, so concurrent requests are serialized and no update is lost.
 */

/**
 * Query parameters of `GET /organizations`, spelled as on Cloudflare's wire (dots for nesting). The
 * document writes `name.starts_with` / `name.ends_with`; the official TypeScript SDK (cloudflare 7.3.0)
 * sends `name.startsWith` / `name.endsWith`: both spellings are accepted, and mean the same.
 */
const FILTER_PARAMS = [
  "id",
  "name.contains",
  "name.starts_with",
  "name.startsWith",
  "name.ends_with",
  "name.endsWith",
  "parent.id",
  "containing.account",
  "containing.organization",
  "containing.user",
] as const;

/** One of two spellings of a filter; both given and different is a contradiction. */
function eitherSpelling(q: Query, a: string, b: string): string | undefined {
  const x = single(q, a);
  const y = single(q, b);
  if (x !== undefined && y !== undefined && x !== y) throw CfError.of(400, CF.invalid, `query parameters ${a} and ${b} are the same filter: give one`);
  return x ?? y;
}
const LIST_PARAMS = [...FILTER_PARAMS, ...PAGE_PARAMS];

/** Keys of the wire organization a client may send back unchanged; the server ignores them. */
const SERVER_OWNED = new Set(["id", "create_time", "meta"]);
const WRITABLE = new Set(["name", "parent", "profile"]);


export function principalOf(req: FastifyRequest): Principal {
  return req.principal!;
}

/** The organization if it exists and the principal may see it; otherwise the same 404 either way. */
export function visibleOrg(ctx: DialectContext, req: FastifyRequest, id: string, suffix = ""): OrgRow {
  const row = ctx.store.getOrg(BACKEND, id);
  if (!row || !ctx.canSee(principalOf(req), BACKEND, id)) throw notFound(`/organizations/${id}${suffix}`);
  return row;
}

/** Whether the caller may see an organization (for what a wire organization shows of its parent). */
const seenBy = (ctx: DialectContext, req: FastifyRequest) => (orgId: string): boolean => ctx.canSee(principalOf(req), BACKEND, orgId);

/** Ids of the organizations containing any of `ids` (their strict ancestors), plus `ids` if `includeSelf`. */
function containing(ctx: DialectContext, ids: string[], includeSelf: boolean): string[] {
  const out = new Set<string>();
  for (const id of ids) {
    const chain = ctx.store.ancestryIds(BACKEND, id);
    for (const a of includeSelf ? chain : chain.slice(1)) out.add(a);
  }
  return [...out];
}

/** `parent`: absent is undefined (a PUT keeps the current parent), null or `{}` is the root. */
function parseParent(body: Record<string, unknown>): string | null | undefined {
  const p = body.parent;
  if (p === undefined) return undefined;
  if (p === null) return null;
  if (!isObject(p)) throw CfError.of(400, CF.invalid, "parent: must be an object {id} or null", "/parent");
  for (const k of Object.keys(p)) {
    if (k !== "id" && k !== "name") throw CfError.of(400, CF.invalid, `parent: unknown field "${k}"`, `/parent/${k}`);
  }
  if (p.id === undefined || p.id === null) return null;
  if (typeof p.id !== "string" || p.id === "") throw CfError.of(400, CF.invalid, "parent.id: must be a non-empty string", "/parent/id");
  return p.id;
}

function readBody(req: FastifyRequest): Record<string, unknown> {
  if (!isObject(req.body)) throw CfError.of(400, CF.invalid, "the request body must be a JSON object");
  return req.body;
}

function checkOrgKeys(body: Record<string, unknown>): void {
  for (const k of Object.keys(body)) {
    if (!WRITABLE.has(k) && !SERVER_OWNED.has(k)) {
      throw CfError.of(400, CF.invalid, `unknown field "${k}" for an organization`, `/${k}`);
    }
  }
}

function forbidden(message: string): CfError {
  return CfError.of(403, CF.forbidden, `Unauthorized to access requested resource: ${message}`);
}

function nameTaken(name: string): CfError {
  return CfError.of(409, CF.nameTaken, `name already taken: an organization named "${name}" already exists under this parent`, "/name");
}

/** Checks the new parent: visible, not the organization itself nor below it, allowed for the token's scope. */
function checkParent(ctx: DialectContext, req: FastifyRequest, parentId: string | null, self?: OrgRow): OrgRow | null {
  const principal = principalOf(req);
  const scopeRoot = principal.scope?.orgId;
  if (self && self.id === scopeRoot && parentId !== self.parentId) {
    throw forbidden("a token scoped to an organization cannot move that organization");
  }
  if (parentId === null) {
    if (scopeRoot !== undefined && !(self && self.id === scopeRoot)) {
      throw forbidden("a token scoped to an organization can only create or move organizations below it");
    }
    return null;
  }
  const parent = ctx.store.getOrg(BACKEND, parentId);
  // Keeping the current parent is always allowed (a scoped token may not see its root's parent).
  if (self && parentId === self.parentId && parent) return parent;
  if (!parent || !ctx.canSee(principal, BACKEND, parentId)) {
    throw CfError.of(400, CF.invalid, `parent.id: no organization ${parentId}`, "/parent/id");
  }
  // Below itself: it is the new parent or one of its ancestors (a walk up, not the whole subtree).
  if (self && ctx.store.ancestryIds(BACKEND, parentId).includes(self.id)) {
    throw CfError.of(400, CF.invalid, "parent.id: an organization cannot be moved under itself or one of its sub-organizations", "/parent/id");
  }
  return parent;
}

export function registerOrganizations(app: FastifyInstance, ctx: DialectContext): void {
  const { store } = ctx;

  app.get("/organizations", async (req) => {
    const q = req.query as Query;
    checkParams(q, LIST_PARAMS);
    const principal = principalOf(req);
    const pageReq = pageRequest(q, "organizations", FILTER_PARAMS, principal);

    return store.read(() => {
      const query: OrgQuery = { backend: BACKEND, idSets: [] };
      const visible = ctx.visibleOrgIds(principal, BACKEND);
      if (visible !== null) query.idSets!.push([...visible]);
      const ids = q.id === undefined ? undefined : Array.isArray(q.id) ? q.id : [q.id];
      if (ids) query.idSets!.push(ids);
      const parent = single(q, "parent.id");
      if (parent !== undefined) query.parentId = parent === "null" ? null : parent;
      query.nameContains = single(q, "name.contains") || undefined;
      query.nameStartsWith = eitherSpelling(q, "name.starts_with", "name.startsWith") || undefined;
      query.nameEndsWith = eitherSpelling(q, "name.ends_with", "name.endsWith") || undefined;
      const account = single(q, "containing.account");
      if (account !== undefined) query.idSets!.push(containing(ctx, store.orgIdsWithDocumentArrayValue(BACKEND, "accounts", account), true));
      const org = single(q, "containing.organization");
      if (org !== undefined) query.idSets!.push(containing(ctx, [org], false));
      const user = single(q, "containing.user");
      if (user !== undefined) {
        const holders = user.includes("@")
          ? store.orgIdsWithMemberEmail(BACKEND, user)
          : [...new Set(store.allMembers(BACKEND).filter((m) => userIdFor(m.email) === user).map((m) => m.orgId))];
        query.idSets!.push(containing(ctx, holders, true));
      }
      const { rows, total } = store.queryOrgs({ ...query, afterSeq: pageReq.afterSeq, limit: pageReq.pageSize + 1 });
      const { page, resultInfo } = pageOf(rows, pageReq, total);
      return success(page.map((r) => orgToWire(r, store, (o) => visible === null || visible.has(o))), resultInfo);
    });
  });

  app.post("/organizations", async (req) => {
    const body = readBody(req);
    checkOrgKeys(body);
    const parentId = parseParent(body) ?? null;
    validateOrgBody(body);
    const doc: OrgDocument = {};
    if (body.profile !== undefined && body.profile !== null) doc.profile = body.profile as OrgDocument["profile"];
    const id = ctx.newId();
    const now = ctx.now().toISOString();
    const name = body.name as string;
    return store.tx(() => {
      checkParent(ctx, req, parentId);
      const key = orgUniqueKey(parentId, name);
      if (store.findOrgByUniqueKey(BACKEND, key)) throw nameTaken(name);
      const row = store.insertOrg({ backend: BACKEND, id, parentId, name, uniqueKey: key, document: doc as never, createTime: now });
      const result = orgToWire(row, store, seenBy(ctx, req));
      ctx.audit(req, BACKEND, { orgId: id, action: "create", resourceType: "organization", resourceId: id, request: body, response: result });
      return success(result);
    });
  });

  app.get("/organizations/:organization_id", async (req) => {
    const { organization_id: id } = req.params as { organization_id: string };
    return store.read(() => success(orgToWire(visibleOrg(ctx, req, id), store, seenBy(ctx, req))));
  });

  app.put("/organizations/:organization_id", async (req) => {
    const { organization_id: id } = req.params as { organization_id: string };
    const body = readBody(req);
    checkOrgKeys(body);
    const sentParent = parseParent(body);
    validateOrgBody(body);
    return store.tx(() => {
      const row = visibleOrg(ctx, req, id);
      // The SDKs' update: `name` required, `parent` and `profile` optional (cloudflare 7.3.0 documents
      // it as "Update an organization's name"). An omitted parent or profile is left as it is; an
      // explicit `parent: null` moves to the root, an explicit `profile: null` removes the profile.
      const doc: OrgDocument = { ...orgDocument(row) };
      if (body.profile === null) delete doc.profile;
      else if (body.profile !== undefined) doc.profile = body.profile as OrgDocument["profile"];
      const parentId = sentParent === undefined ? row.parentId : sentParent;
      const name = body.name as string;
      checkParent(ctx, req, parentId, row);
      const key = orgUniqueKey(parentId, name);
      const clash = store.findOrgByUniqueKey(BACKEND, key);
      if (clash && clash.id !== id) throw nameTaken(name);
      const updated = store.updateOrg(BACKEND, id, { parentId, name, uniqueKey: key, document: doc as never, updateTime: ctx.now().toISOString() });
      const result = orgToWire(updated, store, seenBy(ctx, req));
      ctx.audit(req, BACKEND, { orgId: id, action: "update", resourceType: "organization", resourceId: id, request: body, response: result });
      return success(result);
    });
  });

  app.delete("/organizations/:organization_id", async (req) => {
    const { organization_id: id } = req.params as { organization_id: string };
    return store.tx(() => {
      const row = visibleOrg(ctx, req, id);
      if (principalOf(req).scope?.orgId === id) throw forbidden("a token scoped to an organization cannot delete that organization");
      const children = store.countChildren(BACKEND, id);
      const members = store.countMembers(BACKEND, id);
      const accounts = orgDocument(row).accounts?.length ?? 0;
      if (children + members + accounts > 0) {
        const parts = [
          children ? `${children} sub-organization${children === 1 ? "" : "s"}` : "",
          accounts ? `${accounts} account${accounts === 1 ? "" : "s"}` : "",
          members ? `${members} member${members === 1 ? "" : "s"}` : "",
        ].filter(Boolean);
        throw CfError.of(409, CF.notEmpty, `cannot delete organization ${id}: it is not empty, it still has ${parts.join(" and ")}`);
      }
      store.deleteOrg(BACKEND, id);
      ctx.audit(req, BACKEND, { orgId: id, action: "delete", resourceType: "organization", resourceId: id, response: { id } });
      return success({ id });
    });
  });

  app.get("/organizations/:organization_id/profile", async (req) => {
    const { organization_id: id } = req.params as { organization_id: string };
    return store.read(() => {
      const doc = orgDocument(visibleOrg(ctx, req, id, "/profile"));
      if (!doc.profile) throw CfError.of(404, CF.noProfile, `organization ${id} has no profile`);
      return success(doc.profile);
    });
  });

  app.put("/organizations/:organization_id/profile", async (req, reply) => {
    const { organization_id: id } = req.params as { organization_id: string };
    const body = readBody(req);
    validateProfile(body);
    store.tx(() => {
      const row = visibleOrg(ctx, req, id, "/profile");
      const doc: OrgDocument = { ...orgDocument(row), profile: body as OrgDocument["profile"] };
      store.updateOrg(BACKEND, id, { parentId: row.parentId, name: row.name, uniqueKey: row.uniqueKey, document: doc as never, updateTime: ctx.now().toISOString() });
      ctx.audit(req, BACKEND, { orgId: id, action: "update", resourceType: "profile", resourceId: id, status: 204, request: body });
    });
    // Both SDKs send `Accept: */*` and read no body (cloudflare 7.3.0 APIPromise<void>, cloudflare-go
    // v7.9.0 a nil result): an answer without content.
    return reply.code(204).send();
  });
}

import type { FastifyInstance, FastifyRequest } from "fastify";
import type { JsonObject, OrgRow } from "../../store";
import type { DialectContext, Principal } from "../../types";
import { exists, illegal, notFound, raised, unprocessable, type ValidationItem } from "./errors";
import {
  BACKEND,
  DEFAULT_LIMIT,
  TRIAL_DAYS,
  callerOf,
  canonicalUuid,
  newUuid,
  orgDocument,
  orgToWire,
  validateBody,
  type OrgDocument,
} from "./wire";

/**
 * `GET/POST /organizations`, `GET /organizations/{organization_id_or_name}`,
 * `PATCH/DELETE /organizations/{organization_id}` (document 002). Each handler reads and writes in
 * one store transaction, so concurrent requests are serialized and no update is lost.
 */

export type Query = Record<string, string | string[] | undefined>;

export const principalOf = (req: FastifyRequest): Principal => req.principal!;

/** FastAPI takes the last value of a repeated scalar query parameter. */
export function last(q: Query, name: string): string | undefined {
  const v = q[name];
  return Array.isArray(v) ? v[v.length - 1] : v;
}

export function queryInt(q: Query, name: string, fallback: number, min: number, problems: ValidationItem[]): number {
  const raw = last(q, name);
  if (raw === undefined) return fallback;
  const n = /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n)) {
    problems.push({ type: "int_parsing", loc: ["query", name], msg: "Input should be a valid integer, unable to parse string as an integer", input: raw });
    return fallback;
  }
  if (n < min) problems.push({ type: "greater_than_equal", loc: ["query", name], msg: `Input should be greater than or equal to ${min}`, input: raw, ctx: { ge: min } });
  return n;
}

export function queryBool(q: Query, name: string, problems: ValidationItem[]): boolean {
  const raw = last(q, name);
  if (raw === undefined) return false;
  const v = raw.trim().toLowerCase();
  if (["true", "1", "yes", "on", "t", "y"].includes(v)) return true;
  if (["false", "0", "no", "off", "f", "n"].includes(v)) return false;
  problems.push({ type: "bool_parsing", loc: ["query", name], msg: "Input should be a valid boolean, unable to interpret input", input: raw });
  return false;
}

/** A path parameter typed `string · uuid`: anything else is FastAPI's 422. */
function pathUuid(raw: string, name: string): string {
  const id = canonicalUuid(raw);
  if (!id) throw unprocessable([{ type: "uuid_parsing", loc: ["path", name], msg: "Input should be a valid UUID, invalid length or character", input: raw }]);
  return id;
}

export function visible(ctx: DialectContext, req: FastifyRequest, row: OrgRow | undefined): row is OrgRow {
  if (!row) return false;
  const ids = ctx.visibleOrgIds(principalOf(req), BACKEND);
  return ids === null || ids.has(row.id);
}

function visibleById(ctx: DialectContext, req: FastifyRequest, id: string): OrgRow {
  const row = ctx.store.getOrg(BACKEND, id);
  if (!visible(ctx, req, row)) throw notFound(`Organization with ID ${id} not found.`);
  return row;
}

/** The name is the organization's unique key (organizations are fetched by name). */
const nameKey = (name: string): string => `name:${name}`;

function ownedBy(ctx: DialectContext, ownerId: string): OrgRow | undefined {
  return ctx.store.allOrgs(BACKEND).find((r) => orgDocument(r).owner_id === ownerId);
}

export function registerOrganizations(app: FastifyInstance, ctx: DialectContext): void {
  const { store } = ctx;

  app.get("/organizations", async (req) => {
    const q = req.query as Query;
    const problems: ValidationItem[] = [];
    const offset = queryInt(q, "offset", 0, 0, problems);
    const limit = queryInt(q, "limit", DEFAULT_LIMIT, 1, problems);
    const ownerRaw = last(q, "owner_id");
    const ownerId = ownerRaw === undefined ? undefined : canonicalUuid(ownerRaw);
    if (ownerRaw !== undefined && !ownerId) problems.push({ type: "uuid_parsing", loc: ["query", "owner_id"], msg: "Input should be a valid UUID", input: ownerRaw });
    if (problems.length) throw unprocessable(problems);
    const name = last(q, "name");
    const ownerUsername = last(q, "owner_username");
    return store.read(() =>
      store
        .allOrgs(BACKEND)
        .filter((r) => visible(ctx, req, r))
        .filter((r) => name === undefined || r.name === name)
        .filter((r) => ownerId === undefined || orgDocument(r).owner_id === ownerId)
        .filter((r) => ownerUsername === undefined || orgDocument(r).owner_username === ownerUsername)
        .slice(offset, offset + limit)
        .map((r) => orgToWire(r, ctx.now(), false)),
    );
  });

  app.post("/organizations", async (req) => {
    const body = validateBody(req.body, "create");
    const principal = principalOf(req);
    const caller = callerOf(principal);
    if (caller.serviceAccount) throw illegal("Service accounts are not allowed to create organizations.");
    if (principal.scope) throw illegal("This API token is scoped to one organization and cannot create organizations.");
    const ownerId = body.owner_id === undefined || body.owner_id === null ? caller.id : canonicalUuid(body.owner_id)!;
    if (ownerId !== caller.id && !caller.superuser) throw illegal("You are not allowed to create an organization for another user.");
    const id = body.id === undefined || body.id === null ? newUuid() : canonicalUuid(body.id)!;
    const name = body.name as string;
    const now = ctx.now();
    return store.tx(() => {
      if (store.getOrg(BACKEND, id)) throw exists(`An organization with ID ${id} already exists.`);
      if (store.findOrgByUniqueKey(BACKEND, nameKey(name))) throw exists(`An organization with name '${name}' already exists.`);
      const owned = ownedBy(ctx, ownerId);
      if (owned) throw raised(403, "OrganizationLimitExceeded", `User ${ownerId} already has an organization (${owned.id}): a user can own one organization.`);
      const doc: OrgDocument = {
        description: (body.description as string | null | undefined) ?? null,
        logo_url: (body.logo_url as string | null | undefined) ?? null,
        links: (body.links as JsonObject[] | null | undefined) ?? null,
        owner_id: ownerId,
        owner_username: ownerId === caller.id ? caller.username : null,
        trial_ends_at: new Date(now.getTime() + TRIAL_DAYS * 86_400_000).toISOString(),
        billed: false,
      };
      const row = store.insertOrg({ backend: BACKEND, id, parentId: null, name, uniqueKey: nameKey(name), document: doc as never, createTime: now.toISOString() });
      return orgToWire(row, now, false);
    });
  });

  app.get("/organizations/:organization_id_or_name", async (req) => {
    const { organization_id_or_name: idOrName } = req.params as { organization_id_or_name: string };
    const problems: ValidationItem[] = [];
    const withSubscription = queryBool(req.query as Query, "include_subscription_status", problems);
    if (problems.length) throw unprocessable(problems);
    return store.read(() => {
      const id = canonicalUuid(idOrName);
      const row = (id && store.getOrg(BACKEND, id)) || store.findOrgByUniqueKey(BACKEND, nameKey(idOrName));
      if (!visible(ctx, req, row)) throw notFound(`Organization with ID or name ${idOrName} not found.`);
      return orgToWire(row, ctx.now(), withSubscription);
    });
  });

  app.patch("/organizations/:organization_id", async (req) => {
    const id = pathUuid((req.params as { organization_id: string }).organization_id, "organization_id");
    const body = validateBody(req.body ?? {}, "update");
    return store.tx(() => {
      const row = visibleById(ctx, req, id);
      const doc: OrgDocument = { ...orgDocument(row) };
      // Only the fields sent change; `links` replaces the whole list.
      if (body.description !== undefined) doc.description = body.description as string | null;
      if (body.logo_url !== undefined) doc.logo_url = body.logo_url as string | null;
      if (body.links !== undefined) doc.links = body.links as JsonObject[] | null;
      if (body.owner_id !== undefined && body.owner_id !== null) {
        const owner = canonicalUuid(body.owner_id)!;
        const caller = callerOf(principalOf(req));
        if (owner !== doc.owner_id) {
          doc.owner_id = owner;
          doc.owner_username = owner === caller.id ? caller.username : null;
        }
      }
      const name = typeof body.name === "string" ? body.name : row.name;
      const clash = store.findOrgByUniqueKey(BACKEND, nameKey(name));
      if (clash && clash.id !== id) throw exists(`An organization with name '${name}' already exists.`);
      const updated = store.updateOrg(BACKEND, id, { parentId: null, name, uniqueKey: nameKey(name), document: doc as never, updateTime: ctx.now().toISOString() });
      return orgToWire(updated, ctx.now(), false);
    });
  });

  app.delete("/organizations/:organization_id", async (req, reply) => {
    const id = pathUuid((req.params as { organization_id: string }).organization_id, "organization_id");
    store.tx(() => {
      visibleById(ctx, req, id);
      // A token scoped to an organization acts inside it: deleting it is above that token.
      if (principalOf(req).scope?.orgId === id) throw illegal("A token scoped to an organization cannot delete that organization.");
      store.deleteOrg(BACKEND, id);
    });
    // "200 Successful Response, application/json, any": FastAPI sends `null` for a None return.
    return reply.header("content-type", "application/json").send("null");
  });
}

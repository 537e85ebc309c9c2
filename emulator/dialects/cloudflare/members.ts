import type { FastifyInstance, FastifyRequest } from "fastify";
import type { MemberRow } from "../../store";
import type { DialectContext } from "../../types";
import { CF, CfError, notFound, success } from "./envelope";
import { principalOf, visibleOrg } from "./organizations";
import { checkParams, pageInMemory, pageRequest, PAGE_PARAMS, single, type Query } from "./pagination";
import {
  BACKEND,
  memberToWire,
  memberUniqueKey,
  roleById,
  roles,
  userIdFor,
  validateMember,
  type MemberDocument,
} from "./wire";
import { isObject } from "../../json";

/**
 * Members and roles of an organization, modelled on Cloudflare's account members (the Organizations
 * document stops at "# Members"; docs/architecture.md fixes the design):
 *
 *   GET  /organizations/{id}/roles                      the fixed role set, {id, name, description, permissions}
 *   GET  /organizations/{id}/members                    status filter; page_size/page_token like every list here
 *   POST /organizations/{id}/members                    {email, roles: ["<role id>"], status?: "pending"|"accepted"}
 *   GET  /organizations/{id}/members/{member_id}
 *   PUT  /organizations/{id}/members/{member_id}         {roles: [{id}] | ["<role id>"], status?}
 *   DELETE /organizations/{id}/members/{member_id}      -> {id}
 */

const STATUSES = ["pending", "accepted"] as const;


function readBody(req: FastifyRequest): Record<string, unknown> {
  if (!isObject(req.body)) throw CfError.of(400, CF.invalid, "the request body must be a JSON object");
  return req.body;
}

/** Role ids from `["<id>"]` or `[{id}]`; unknown ids are a 400 naming the offending entry. */
function parseRoles(value: unknown): string[] {
  if (!Array.isArray(value)) throw CfError.of(400, CF.invalid, "roles: must be a list of role ids", "/roles");
  const ids = value.map((r, i) => {
    const id = typeof r === "string" ? r : isObject(r) && typeof r.id === "string" ? r.id : undefined;
    if (id === undefined) throw CfError.of(400, CF.invalid, `roles[${i}]: must be a role id or {id}`, `/roles/${i}`);
    if (!roleById(id)) {
      throw CfError.of(400, CF.invalid, `roles[${i}]: unknown role id ${id}; GET /organizations/{id}/roles lists the roles`, `/roles/${i}`);
    }
    return id;
  });
  // Our design, as for Cloudflare account members: a member holds at least one role.
  if (ids.length === 0) throw CfError.of(400, CF.invalid, "roles: a member needs at least one role", "/roles");
  return [...new Set(ids)];
}

function parseStatus(value: unknown): "pending" | "accepted" | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !(STATUSES as readonly string[]).includes(value)) {
    throw CfError.of(400, CF.invalid, `status: must be one of ${STATUSES.join(", ")}`, "/status");
  }
  return value as "pending" | "accepted";
}

function memberOf(ctx: DialectContext, req: FastifyRequest): { orgId: string; member: MemberRow } {
  const { organization_id: orgId, member_id: memberId } = req.params as { organization_id: string; member_id: string };
  visibleOrg(ctx, req, orgId, `/members/${memberId}`);
  const member = ctx.store.getMember(BACKEND, orgId, memberId);
  if (!member) throw notFound(`/organizations/${orgId}/members/${memberId}`);
  return { orgId, member };
}

export function registerMembers(app: FastifyInstance, ctx: DialectContext): void {
  const { store } = ctx;

  app.get("/organizations/:organization_id/roles", async (req) => {
    const { organization_id: orgId } = req.params as { organization_id: string };
    const q = req.query as Query;
    checkParams(q, PAGE_PARAMS);
    const pageReq = pageRequest(q, `roles:${orgId}`, [], principalOf(req));
    store.read(() => visibleOrg(ctx, req, orgId, "/roles"));
    const all = roles().map((r, i) => ({ seq: i + 1, role: { ...r, permissions: {} } }));
    const { page, resultInfo } = pageInMemory(all, pageReq);
    return success(page.map((p) => p.role), resultInfo);
  });

  app.get("/organizations/:organization_id/roles/:role_id", async (req) => {
    const { organization_id: orgId, role_id: roleId } = req.params as { organization_id: string; role_id: string };
    store.read(() => visibleOrg(ctx, req, orgId, `/roles/${roleId}`));
    const role = roleById(roleId);
    if (!role) throw notFound(`/organizations/${orgId}/roles/${roleId}`);
    return success({ ...role, permissions: {} });
  });

  app.get("/organizations/:organization_id/members", async (req) => {
    const { organization_id: orgId } = req.params as { organization_id: string };
    const q = req.query as Query;
    checkParams(q, ["status", ...PAGE_PARAMS]);
    const status = parseStatus(single(q, "status"));
    const pageReq = pageRequest(q, `members:${orgId}`, ["status"], principalOf(req));
    return store.read(() => {
      visibleOrg(ctx, req, orgId, "/members");
      let rows = store.membersOf(BACKEND, orgId);
      if (status) rows = rows.filter((m) => (m.document as unknown as MemberDocument).status === status);
      const { page, resultInfo } = pageInMemory(rows, pageReq);
      return success(page.map(memberToWire), resultInfo);
    });
  });

  app.post("/organizations/:organization_id/members", async (req) => {
    const { organization_id: orgId } = req.params as { organization_id: string };
    const body = readBody(req);
    for (const k of Object.keys(body)) {
      if (!["email", "roles", "status"].includes(k)) throw CfError.of(400, CF.invalid, `unknown field "${k}" for a member`, `/${k}`);
    }
    const id = ctx.newId();
    const email = body.email;
    return store.tx(() => {
      visibleOrg(ctx, req, orgId, "/members");
      const roleIds = parseRoles(body.roles ?? []);
      const status = parseStatus(body.status) ?? "pending";
      validateMember({ email, status });
      const mail = email as string;
      const key = memberUniqueKey(orgId, mail);
      if (store.findMemberByUniqueKey(BACKEND, key)) {
        throw CfError.of(409, CF.alreadyMember, `${mail} is already a member of organization ${orgId}`, "/email");
      }
      const doc: MemberDocument = { roles: roleIds, status, user_id: userIdFor(mail) };
      const row = store.insertMember({ backend: BACKEND, id, orgId, email: mail, uniqueKey: key, document: doc as never, createTime: ctx.now().toISOString() });
      return success(memberToWire(row));
    });
  });

  app.get("/organizations/:organization_id/members/:member_id", async (req) =>
    store.read(() => success(memberToWire(memberOf(ctx, req).member))),
  );

  app.put("/organizations/:organization_id/members/:member_id", async (req) => {
    const body = readBody(req);
    for (const k of Object.keys(body)) {
      if (!["roles", "status", "id", "email", "user", "policies"].includes(k)) {
        throw CfError.of(400, CF.invalid, `unknown field "${k}" for a member`, `/${k}`);
      }
    }
    if (body.roles === undefined) throw CfError.of(400, CF.invalid, "roles: is required", "/roles");
    const roleIds = parseRoles(body.roles);
    const status = parseStatus(body.status);
    return store.tx(() => {
      const { member } = memberOf(ctx, req);
      const doc = member.document as unknown as MemberDocument;
      const sentEmail = typeof body.email === "string" ? body.email : isObject(body.user) && typeof body.user.email === "string" ? body.user.email : undefined;
      if (sentEmail !== undefined && sentEmail.toLowerCase() !== member.email.toLowerCase()) {
        throw CfError.of(400, CF.invalid, "email: a member's email cannot change; remove the member and add the new email", "/email");
      }
      const next: MemberDocument = { ...doc, roles: roleIds, status: status ?? doc.status };
      const row = store.updateMember(BACKEND, member.id, { email: member.email, uniqueKey: member.uniqueKey, document: next as never, updateTime: ctx.now().toISOString() });
      return success(memberToWire(row));
    });
  });

  app.delete("/organizations/:organization_id/members/:member_id", async (req) =>
    store.tx(() => {
      const { member } = memberOf(ctx, req);
      store.deleteMember(BACKEND, member.id);
      return success({ id: member.id });
    }),
  );
}

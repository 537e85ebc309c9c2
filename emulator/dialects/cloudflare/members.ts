import type { FastifyInstance, FastifyRequest } from "fastify";
import type { MemberRow } from "../../store";
import type { DialectContext } from "../../types";
import { CF, CfError, notFound, success } from "./envelope";
import { principalOf, visibleOrg } from "./organizations";
import { checkParams, pageInMemory, pageRequest, PAGE_PARAMS, single, type Query } from "./pagination";
import { BACKEND, MEMBER_STATUSES, memberToWire, memberUniqueKey, userIdFor, validateMember, type MemberDocument, type MemberStatus } from "./wire";
import { isObject } from "../../json";

/**
 * The public Organizations Members API, as the official Go SDK (cloudflare-go/v7 v7.9.0,
 * organizations/member.go) calls it. The TypeScript SDK (cloudflare 7.3.0) has no members.
 *
 *   GET    /organizations/{id}/members               page_size, page_token, status (repeated), user.email (ends with)
 *   POST   /organizations/{id}/members               {member: {user: {email}, status?: "active"|"canceled"}}
 *   GET    /organizations/{id}/members/{member_id}
 *   DELETE /organizations/{id}/members/{member_id}  204, no body (the SDK reads none)
 *
 * There are no roles and no update: a `roles` field is a 400, a PUT or PATCH of a member is a 405,
 * and `/organizations/{id}/roles` is no route at all (404, code 7000).
 */

const LIST_FILTERS = ["status", "user.email"] as const;

function readBody(req: FastifyRequest): Record<string, unknown> {
  if (!isObject(req.body)) throw CfError.of(400, CF.invalid, "the request body must be a JSON object");
  return req.body;
}

/** `{member: {user: {email}, status?}}`: anything else, a `roles` field first of all, is a 400 naming it. */
export function parseNewMember(body: Record<string, unknown>): { email: string; status: MemberStatus } {
  const refuse = (pointer: string, message: string): never => {
    throw CfError.of(400, CF.invalid, message, pointer);
  };
  const unknown = (pointer: string, k: string): never =>
    k === "roles"
      ? refuse(`${pointer}/roles`, 'unknown field "roles": organization memberships have no roles')
      : refuse(`${pointer}/${k}`, `unknown field "${k}" for a membership; send {"member": {"user": {"email": ...}, "status"?: "active"|"canceled"}}`);
  for (const k of Object.keys(body)) if (k !== "member") unknown("", k);
  const m = body.member;
  if (!isObject(m)) return refuse("/member", "member: is required (an object {user: {email}, status?})");
  for (const k of Object.keys(m)) if (k !== "user" && k !== "status") unknown("/member", k);
  const user = m.user;
  if (!isObject(user)) return refuse("/member/user", "member.user: is required (an object {email})");
  for (const k of Object.keys(user)) if (k !== "email") unknown("/member/user", k);
  const status = m.status ?? "active";
  validateMember({ email: user.email, status });
  return { email: user.email as string, status: status as MemberStatus };
}

/** The repeated `status` filter: each one of the four statuses the SDK knows. */
function parseStatuses(q: Query): Set<string> | undefined {
  const raw = q.status;
  if (raw === undefined) return undefined;
  const values = Array.isArray(raw) ? raw : [raw];
  for (const v of values) {
    if (!(MEMBER_STATUSES as readonly string[]).includes(v)) throw CfError.of(400, CF.invalid, `status: must be one of ${MEMBER_STATUSES.join(", ")}`);
  }
  return new Set(values);
}

function memberOf(ctx: DialectContext, req: FastifyRequest): { orgId: string; member: MemberRow } {
  const { organization_id: orgId, member_id: memberId } = req.params as { organization_id: string; member_id: string };
  visibleOrg(ctx, req, orgId, `/members/${memberId}`);
  const member = ctx.store.getMember(BACKEND, orgId, memberId);
  if (!member) throw notFound(`/organizations/${orgId}/members/${memberId}`);
  return { orgId, member };
}

/** A verb the path does not have: Cloudflare's 405 (code 7001). */
function methodNotAllowed(): never {
  throw CfError.of(405, CF.methodNotAllowed, "Method not allowed for this endpoint: organization memberships cannot be updated; delete the membership and create it again");
}

export function registerMembers(app: FastifyInstance, ctx: DialectContext): void {
  const { store } = ctx;

  app.get("/organizations/:organization_id/members", async (req) => {
    const { organization_id: orgId } = req.params as { organization_id: string };
    const q = req.query as Query;
    checkParams(q, [...LIST_FILTERS, ...PAGE_PARAMS]);
    const statuses = parseStatuses(q);
    const emailEnd = single(q, "user.email")?.toLowerCase();
    const pageReq = pageRequest(q, `members:${orgId}`, LIST_FILTERS, principalOf(req));
    return store.read(() => {
      visibleOrg(ctx, req, orgId, "/members");
      let rows = store.membersOf(BACKEND, orgId);
      if (statuses) rows = rows.filter((m) => statuses.has((m.document as unknown as MemberDocument).status));
      if (emailEnd) rows = rows.filter((m) => m.email.toLowerCase().endsWith(emailEnd));
      const { page, resultInfo } = pageInMemory(rows, pageReq);
      return success(page.map(memberToWire), resultInfo);
    });
  });

  app.post("/organizations/:organization_id/members", async (req) => {
    const { organization_id: orgId } = req.params as { organization_id: string };
    const { email, status } = parseNewMember(readBody(req));
    const id = ctx.newId();
    return store.tx(() => {
      visibleOrg(ctx, req, orgId, "/members");
      const key = memberUniqueKey(orgId, email);
      if (store.findMemberByUniqueKey(BACKEND, key)) {
        throw CfError.of(409, CF.alreadyMember, `${email} is already a member of organization ${orgId}`, "/member/user/email");
      }
      const doc: MemberDocument = { status, user_id: userIdFor(email), name: "" };
      const row = store.insertMember({ backend: BACKEND, id, orgId, email, uniqueKey: key, document: doc as never, createTime: ctx.now().toISOString() });
      const result = memberToWire(row);
      ctx.audit(req, BACKEND, { orgId, action: "create", resourceType: "member", resourceId: id, request: req.body, response: result });
      return success(result);
    });
  });

  app.get("/organizations/:organization_id/members/:member_id", async (req) =>
    store.read(() => success(memberToWire(memberOf(ctx, req).member))),
  );

  app.put("/organizations/:organization_id/members/:member_id", async () => methodNotAllowed());
  app.patch("/organizations/:organization_id/members/:member_id", async () => methodNotAllowed());

  app.delete("/organizations/:organization_id/members/:member_id", async (req, reply) => {
    store.tx(() => {
      const { orgId, member } = memberOf(ctx, req);
      store.deleteMember(BACKEND, member.id);
      ctx.audit(req, BACKEND, { orgId, action: "delete", resourceType: "member", resourceId: member.id, status: 204 });
    });
    return reply.code(204).send();
  });
}

import type { FastifyInstance, FastifyRequest } from "fastify";
import type { OrgRow } from "../../store";
import type { DialectContext } from "../../types";
import { GRPC, StatusError, invalid } from "./status";
import {
  BACKEND,
  checkKeys,
  findMembership,
  findUserByEmail,
  insertUser,
  memberDocument,
  memberToWire,
  memberUniqueKey,
  optionalString,
  orgDocument,
  orgToWire,
  parseEmail,
  parseRole,
  readBody,
  requiredString,
  type MemberDocument,
  type OrgDocument,
} from "./wire";

/**
 * The `aiaengine.api.org` service as REST (our design of what the SDK wraps; emulator/README.md):
 *
 *   GET    /v1/orgs[?user_id=]                 ListUserOrgs -> {orgs: [Org]} (no paging: the SDK returns all)
 *   POST   /v1/orgs                            CreateOrg {name, description?, logo_url?} -> Org
 *   GET    /v1/orgs/{id}                       GetOrg -> Org
 *   PUT    /v1/orgs/{id}                       UpdateOrg {name, description?, logo_url?} (replaces) -> Org
 *   DELETE /v1/orgs/{id}                       DeleteOrg -> {} (400 FAILED_PRECONDITION with an active subscription)
 *   GET    /v1/orgs/{id}/users                 ListOrgUsers -> {users: [OrgUser]}
 *   POST   /v1/orgs/{id}/users                 AddOrgUser {email, role?} (an existing user) -> OrgUser
 *   POST   /v1/orgs/{id}/users:create          CreateOrgUser {name, email, password?, role?} -> OrgUser
 *   PUT    /v1/orgs/{id}/users/{user}          UpdateOrgUserRole {role} -> OrgUser ({user}: id or email)
 *   DELETE /v1/orgs/{id}/users/{user}          RemoveOrgUser -> {}
 *
 * Every handler reads and writes synchronously in one store transaction.
 */

const ORG_WRITABLE = ["name", "description", "logo_url"] as const;
const ORG_SERVER_OWNED = ["id", "has_active_subscription", "created_at", "updated_at"] as const;

function visibleOrg(ctx: DialectContext, req: FastifyRequest, id: string): OrgRow {
  const row = ctx.store.getOrg(BACKEND, id);
  const visible = ctx.visibleOrgIds(req.principal!, BACKEND);
  if (!row || (visible !== null && !visible.has(id))) throw new StatusError(GRPC.NOT_FOUND, `organization ${id} not found`);
  return row;
}

function denied(message: string): StatusError {
  return new StatusError(GRPC.PERMISSION_DENIED, message);
}

/** The organization fields of a create or update body; what is left out is empty (proto3 defaults). */
function orgFields(body: Record<string, unknown>): { name: string; description: string; logo_url: string } {
  checkKeys(body, ORG_WRITABLE, ORG_SERVER_OWNED, "an organization");
  return { name: requiredString(body, "name"), description: optionalString(body, "description") ?? "", logo_url: optionalString(body, "logo_url") ?? "" };
}

export function registerRoutes(app: FastifyInstance, ctx: DialectContext): void {
  const { store } = ctx;
  const params = (req: FastifyRequest) => req.params as { org_id: string; user?: string };

  app.get("/v1/orgs", async (req) => {
    const q = req.query as Record<string, unknown>;
    for (const k of Object.keys(q)) if (k !== "user_id") throw invalid(`unknown query parameter "${k}"`);
    const userId = typeof q.user_id === "string" && q.user_id !== "" ? q.user_id : undefined;
    return store.read(() => {
      const visible = ctx.visibleOrgIds(req.principal!, BACKEND);
      let rows = store.allOrgs(BACKEND).filter((r) => visible === null || visible.has(r.id));
      if (userId) rows = rows.filter((r) => store.membersOf(BACKEND, r.id).some((m) => memberDocument(m).user_id === userId));
      return { orgs: rows.map(orgToWire) };
    });
  });

  app.post("/v1/orgs", async (req) => {
    const fields = orgFields(readBody(req.body));
    if (req.principal!.scope) throw denied("a token scoped to an organization cannot create organizations");
    const now = ctx.now().toISOString();
    const document: OrgDocument = { description: fields.description, logo_url: fields.logo_url, has_active_subscription: false };
    return store.tx(() =>
      orgToWire(store.insertOrg({ backend: BACKEND, id: ctx.newId(), parentId: null, name: fields.name, uniqueKey: null, document: document as never, createTime: now })),
    );
  });

  app.get("/v1/orgs/:org_id", async (req) => store.read(() => orgToWire(visibleOrg(ctx, req, params(req).org_id))));

  app.put("/v1/orgs/:org_id", async (req) => {
    const fields = orgFields(readBody(req.body));
    return store.tx(() => {
      const row = visibleOrg(ctx, req, params(req).org_id);
      const document: OrgDocument = { ...orgDocument(row), description: fields.description, logo_url: fields.logo_url };
      const updated = store.updateOrg(BACKEND, row.id, { parentId: null, name: fields.name, uniqueKey: null, document: document as never, updateTime: ctx.now().toISOString() });
      return orgToWire(updated);
    });
  });

  app.delete("/v1/orgs/:org_id", async (req) =>
    store.tx(() => {
      const row = visibleOrg(ctx, req, params(req).org_id);
      if (req.principal!.scope?.orgId === row.id) throw denied("a token scoped to an organization cannot delete that organization");
      if (orgDocument(row).has_active_subscription) {
        throw new StatusError(GRPC.FAILED_PRECONDITION, `organization ${row.id} has an active subscription: only an organization without active subscriptions can be deleted`);
      }
      // "All related data will be deleted": the memberships go with it (the users stay on the platform).
      for (const m of store.membersOf(BACKEND, row.id)) store.deleteMember(BACKEND, m.id);
      store.deleteOrg(BACKEND, row.id);
      return {};
    }),
  );

  app.get("/v1/orgs/:org_id/users", async (req) =>
    store.read(() => {
      const row = visibleOrg(ctx, req, params(req).org_id);
      return { users: store.membersOf(BACKEND, row.id).map((m) => memberToWire(store, m)) };
    }),
  );

  /** Adds a platform user to the organization (an external user becomes a member). */
  const join = (orgId: string, user: { id: string; email: string }, role: MemberDocument["role"]) => {
    const now = ctx.now().toISOString();
    const existing = findMembership(store, orgId, user.email);
    const document: MemberDocument = { user_id: user.id, role, external: false };
    if (existing) {
      if (!memberDocument(existing).external) throw new StatusError(GRPC.ALREADY_EXISTS, `user ${user.email} is already in organization ${orgId}`);
      return store.updateMember(BACKEND, existing.id, { email: existing.email, uniqueKey: existing.uniqueKey, document: document as never, updateTime: now });
    }
    return store.insertMember({ backend: BACKEND, id: ctx.newId(), orgId, email: user.email, uniqueKey: memberUniqueKey(orgId, user.email), document: document as never, createTime: now });
  };

  app.post("/v1/orgs/:org_id/users", async (req) => {
    const body = readBody(req.body);
    checkKeys(body, ["email", "role"], [], "an organization user");
    const email = parseEmail(body.email);
    const role = parseRole(body.role);
    return store.tx(() => {
      const row = visibleOrg(ctx, req, params(req).org_id);
      const user = findUserByEmail(store, email);
      if (!user) throw new StatusError(GRPC.NOT_FOUND, `no user with email ${email}: add_user adds an existing user; create_user creates one`);
      return memberToWire(store, join(row.id, user, role));
    });
  });

  app.post("/v1/orgs/:org_id/users::create", async (req) => {
    const body = readBody(req.body);
    checkKeys(body, ["name", "email", "password", "role"], [], "a new organization user");
    const name = requiredString(body, "name");
    const email = parseEmail(body.email);
    const password = optionalString(body, "password");
    if (password !== undefined && password.length < 8) throw invalid("password: must be at least 8 characters");
    const role = parseRole(body.role);
    return store.tx(() => {
      const row = visibleOrg(ctx, req, params(req).org_id);
      const user = insertUser(store, { id: ctx.newId(), email, name, password, now: ctx.now().toISOString() });
      return memberToWire(store, join(row.id, user, role));
    });
  });

  const membership = (req: FastifyRequest) => {
    const row = visibleOrg(ctx, req, params(req).org_id);
    const m = findMembership(store, row.id, params(req).user!);
    if (!m) throw new StatusError(GRPC.NOT_FOUND, `user ${params(req).user} is not in organization ${row.id}`);
    return m;
  };

  app.put("/v1/orgs/:org_id/users/:user", async (req) => {
    const body = readBody(req.body);
    checkKeys(body, ["role"], ["user", "external"], "an organization user");
    if (body.role === undefined) throw invalid("role: is required");
    const role = parseRole(body.role);
    return store.tx(() => {
      const m = membership(req);
      const document: MemberDocument = { ...memberDocument(m), role, external: false };
      return memberToWire(store, store.updateMember(BACKEND, m.id, { email: m.email, uniqueKey: m.uniqueKey, document: document as never, updateTime: ctx.now().toISOString() }));
    });
  });

  app.delete("/v1/orgs/:org_id/users/:user", async (req) =>
    store.tx(() => {
      store.deleteMember(BACKEND, membership(req).id);
      return {};
    }),
  );
}

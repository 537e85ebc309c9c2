import type { FastifyInstance, FastifyRequest } from "fastify";
import type { OrgRow } from "../../store";
import type { DialectContext } from "../../types";
import { CODE, StatusError, invalid } from "./status";
import {
  BACKEND,
  findMembership,
  findUserByEmail,
  getUser,
  insertUser,
  memberDocument,
  memberToWire,
  memberUniqueKey,
  newUuid,
  orgDocument,
  orgToWire,
  parseEmail,
  parseRole,
  protoJson,
  readMessage,
  required,
  userToWire,
  type FieldKind,
  type MemberDocument,
  type OrgDocument,
  type UserRow,
} from "./wire";

/**
 * The guides' gRPC calls, each at its gRPC method path in the Connect protocol's unary form
 * (`POST /<package>.<Service>/<Method>`, the request message as the JSON body, the response
 * message as the answer; emulator/README.md). Package and service names are our design: the guides
 * show `from aiaengine.api import org` and the stub `client.orgs`.
 *
 *   OrgService/CreateOrg      CreateOrgRequest{name, description}             -> Org
 *   OrgService/GetOrg         GetOrgRequest{id}                               -> Org
 *   OrgService/UpdateOrg      UpdateOrgRequest{id, name, description, logo_url} -> Org (replaces all three)
 *   OrgService/DeleteOrg      DeleteOrgRequest{id}                            -> {} (failed_precondition with an active subscription)
 *   OrgService/ListOrgs       ListUserOrgsRequest{user_id}                    -> {orgs: [Org]} (no paging: the SDK returns all)
 *   OrgService/ListOrgUsers   ListOrgUsersRequest{id}                         -> {users: [OrgUser]}
 *   OrgService/AddOrgUser     AddOrgUserRequest{id, user_id, role}            -> OrgUser (an existing platform user)
 *   OrgService/CreateOrgUser  CreateOrgUserRequest{id, name, email, password, role} -> OrgUser (004's create_user)
 *   OrgService/UpdateOrgUser  UpdateOrgUserRequest{id, user_id, role}         -> OrgUser (the GUI's role change)
 *   OrgService/RemoveOrgUser  RemoveOrgUserRequest{id, user_id}               -> {}
 *   UserService/ListUsers     ListUsersRequest{email}                         -> {users: [User]} (lookup by email, our design)
 *
 * Every handler reads and writes synchronously in one store transaction.
 */

export const ORG_SERVICE = "aiaengine.api.org.OrgService";
export const USER_SERVICE = "aiaengine.api.user.UserService";

/** Connect's GET form of a side-effect-free call: the request message from the query string. */
function getMessage(query: Record<string, unknown>): unknown {
  for (const k of Object.keys(query)) if (!["connect", "encoding", "message", "base64", "compression"].includes(k)) throw invalid(`unknown query parameter "${k}"`);
  if (query.connect !== undefined && query.connect !== "v1") throw invalid('connect: must be "v1"');
  if (query.encoding !== "json") throw invalid('encoding: must be "json"');
  if (query.compression !== undefined && query.compression !== "identity") throw invalid('compression: must be "identity"');
  if (typeof query.message !== "string") throw invalid("message: the request message is required");
  const text = query.base64 === "1" ? Buffer.from(query.message, "base64url").toString("utf8") : query.message;
  try {
    return JSON.parse(text);
  } catch {
    throw invalid("message: malformed JSON");
  }
}

/** Every procedure's path (after the dialect prefix): any other method on one is a 405. */
export const PROCEDURES = new Set<string>();

const UUID_FIELD: FieldKind = "uuid";

function visibleOrg(ctx: DialectContext, req: FastifyRequest, id: string): OrgRow {
  const row = ctx.store.getOrg(BACKEND, id);
  if (!row || !ctx.canSee(req.principal!, BACKEND, id)) throw new StatusError(CODE.NOT_FOUND, `organization ${id} not found`);
  return row;
}

function denied(message: string): StatusError {
  return new StatusError(CODE.PERMISSION_DENIED, message);
}

export function registerRoutes(app: FastifyInstance, ctx: DialectContext): void {
  const { store } = ctx;

  /**
   * One unary procedure: POST with the request message as its body, read as protobuf's JSON parser
   * reads it. A read (`sideEffectFree`, proto `idempotency_level = NO_SIDE_EFFECTS`) is also served
   * by Connect's GET form, `?encoding=json&message=<the message, URL-encoded>[&base64=1][&connect=v1]`.
   */
  const rpc = (
    service: string,
    method: string,
    fields: Record<string, FieldKind>,
    handler: (m: Record<string, string>, req: FastifyRequest) => unknown,
    sideEffectFree = false,
  ) => {
    const path = `/${service}/${method}`;
    PROCEDURES.add(path);
    // The request message's name as the guides spell it (ListOrgs takes a ListUserOrgsRequest).
    const message = method === "ListOrgs" ? "ListUserOrgsRequest" : `${method}Request`;
    app.post(path, async (req) => handler(readMessage(req.body, fields, message), req));
    if (sideEffectFree) app.get(path, async (req) => handler(readMessage(getMessage(req.query as Record<string, unknown>), fields, message), req));
  };

  rpc(ORG_SERVICE, "ListOrgs", { user_id: UUID_FIELD }, (m, req) =>
    store.read(() => {
      const visible = ctx.visibleOrgIds(req.principal!, BACKEND);
      let rows = store.allOrgs(BACKEND).filter((r) => visible === null || visible.has(r.id));
      // Omitted: the caller's organizations (the API token's: all it may see).
      if (m.user_id) {
        if (!getUser(store, m.user_id)) throw new StatusError(CODE.NOT_FOUND, `user ${m.user_id} not found`);
        rows = rows.filter((r) => findMembership(store, r.id, m.user_id) !== undefined);
      }
      return protoJson({ orgs: rows.map(orgToWire) });
    }),
    true,
  );

  rpc(ORG_SERVICE, "CreateOrg", { name: "string", description: "string" }, (m, req) => {
    const name = required("CreateOrgRequest", m, "name");
    if (req.principal!.scope) throw denied("a token scoped to an organization cannot create organizations");
    const now = ctx.now().toISOString();
    const document: OrgDocument = { description: m.description, logo_url: "", has_active_subscription: false };
    return store.tx(() => orgToWire(store.insertOrg({ backend: BACKEND, id: newUuid(), parentId: null, name, uniqueKey: null, document: document as never, createTime: now })));
  });

  rpc(ORG_SERVICE, "GetOrg", { id: UUID_FIELD }, (m, req) => store.read(() => orgToWire(visibleOrg(ctx, req, required("GetOrgRequest", m, "id")))), true);

  rpc(ORG_SERVICE, "UpdateOrg", { id: UUID_FIELD, name: "string", description: "string", logo_url: "string" }, (m, req) => {
    const id = required("UpdateOrgRequest", m, "id");
    const name = required("UpdateOrgRequest", m, "name");
    return store.tx(() => {
      const row = visibleOrg(ctx, req, id);
      // Replaces: an omitted description or logo_url is "" in proto3, and empties the field.
      const document: OrgDocument = { ...orgDocument(row), description: m.description, logo_url: m.logo_url };
      return orgToWire(store.updateOrg(BACKEND, row.id, { parentId: null, name, uniqueKey: null, document: document as never, updateTime: ctx.now().toISOString() }));
    });
  });

  rpc(ORG_SERVICE, "DeleteOrg", { id: UUID_FIELD }, (m, req) =>
    store.tx(() => {
      const row = visibleOrg(ctx, req, required("DeleteOrgRequest", m, "id"));
      if (req.principal!.scope?.orgId === row.id) throw denied("a token scoped to an organization cannot delete that organization");
      if (orgDocument(row).has_active_subscription) {
        throw new StatusError(CODE.FAILED_PRECONDITION, `organization ${row.id} has an active subscription: only an organization without active subscriptions can be deleted`);
      }
      // "All related data will be deleted": the memberships go with it (the users stay on the platform).
      for (const mem of store.membersOf(BACKEND, row.id)) store.deleteMember(BACKEND, mem.id);
      store.deleteOrg(BACKEND, row.id);
      return {};
    }),
  );

  rpc(ORG_SERVICE, "ListOrgUsers", { id: UUID_FIELD }, (m, req) =>
    store.read(() => {
      const row = visibleOrg(ctx, req, required("ListOrgUsersRequest", m, "id"));
      return protoJson({ users: store.membersOf(BACKEND, row.id).map((mem) => memberToWire(store, mem)) });
    }),
    true,
  );

  /** Adds a platform user to the organization (an external user becomes a member). */
  const join = (orgId: string, user: UserRow, role: MemberDocument["role"]) => {
    const now = ctx.now().toISOString();
    const existing = findMembership(store, orgId, user.id);
    const document: MemberDocument = { user_id: user.id, role, external: false };
    if (existing) {
      if (!memberDocument(existing).external) throw new StatusError(CODE.ALREADY_EXISTS, `user ${user.id} is already in organization ${orgId}`);
      return store.updateMember(BACKEND, existing.id, { email: existing.email, uniqueKey: existing.uniqueKey, document: document as never, updateTime: now });
    }
    return store.insertMember({ backend: BACKEND, id: ctx.newId(), orgId, email: user.email, uniqueKey: memberUniqueKey(orgId, user.email), document: document as never, createTime: now });
  };

  rpc(ORG_SERVICE, "AddOrgUser", { id: UUID_FIELD, user_id: UUID_FIELD, role: "string" }, (m, req) => {
    const id = required("AddOrgUserRequest", m, "id");
    const userId = required("AddOrgUserRequest", m, "user_id");
    const role = parseRole(m.role, "AddOrgUserRequest.role");
    return store.tx(() => {
      const row = visibleOrg(ctx, req, id);
      const user = getUser(store, userId);
      if (!user) throw new StatusError(CODE.NOT_FOUND, `user ${userId} not found: AddOrgUser adds an existing user; CreateOrgUser creates one`);
      return memberToWire(store, join(row.id, user, role));
    });
  });

  rpc(ORG_SERVICE, "CreateOrgUser", { id: UUID_FIELD, name: "string", email: "string", password: "string", role: "string" }, (m, req) => {
    const id = required("CreateOrgUserRequest", m, "id");
    const name = required("CreateOrgUserRequest", m, "name");
    const email = parseEmail(m.email, "CreateOrgUserRequest.email");
    const password = m.password === "" ? undefined : m.password;
    if (password !== undefined && password.length < 8) throw new StatusError(CODE.INVALID_ARGUMENT, "CreateOrgUserRequest.password: must be at least 8 characters");
    const role = parseRole(m.role, "CreateOrgUserRequest.role");
    return store.tx(() => {
      const row = visibleOrg(ctx, req, id);
      const user = insertUser(store, { id: newUuid(), email, name, password, now: ctx.now().toISOString() });
      return memberToWire(store, join(row.id, user, role));
    });
  });

  const membership = (req: FastifyRequest, message: string, m: Record<string, string>) => {
    const row = visibleOrg(ctx, req, required(message, m, "id"));
    const userId = required(message, m, "user_id");
    const found = findMembership(store, row.id, userId);
    if (!found) throw new StatusError(CODE.NOT_FOUND, `user ${userId} is not in organization ${row.id}`);
    return found;
  };

  rpc(ORG_SERVICE, "UpdateOrgUser", { id: UUID_FIELD, user_id: UUID_FIELD, role: "string" }, (m, req) => {
    required("UpdateOrgUserRequest", m, "role");
    const role = parseRole(m.role, "UpdateOrgUserRequest.role");
    return store.tx(() => {
      const found = membership(req, "UpdateOrgUserRequest", m);
      const document: MemberDocument = { ...memberDocument(found), role, external: false };
      return memberToWire(store, store.updateMember(BACKEND, found.id, { email: found.email, uniqueKey: found.uniqueKey, document: document as never, updateTime: ctx.now().toISOString() }));
    });
  });

  rpc(ORG_SERVICE, "RemoveOrgUser", { id: UUID_FIELD, user_id: UUID_FIELD }, (m, req) =>
    store.tx(() => {
      store.deleteMember(BACKEND, membership(req, "RemoveOrgUserRequest", m).id);
      return {};
    }),
  );

  // The platform's users by email (our design: the guides add users by id and name no lookup).
  // The filter is required: the user directory is not listed whole.
  rpc(USER_SERVICE, "ListUsers", { email: "string" }, (m) => {
    const email = parseEmail(required("ListUsersRequest", m, "email"), "ListUsersRequest.email");
    return store.read(() => {
      const user = findUserByEmail(store, email);
      return protoJson({ users: user ? [userToWire(user)] : [] });
    });
  }, true);
}


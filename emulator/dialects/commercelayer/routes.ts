import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { JsonObject, MemberRow, OrgRow } from "../../store";
import type { DialectContext } from "../../types";
import {
  apiBase,
  badRequest,
  checkAccept,
  ClError,
  invalid,
  listDocument,
  listRequest,
  MEDIA_TYPE,
  notFound,
  relatedId,
  requestData,
  retrieveRequest,
  sparse,
  unprocessable,
  type ApiErrorItem,
  type ListRequest,
  type Query,
  type Resource,
} from "./jsonapi";
import {
  ACCESS_SCOPES,
  attributeProblems,
  BACKEND,
  CREATABLE,
  EMAIL,
  findMembership,
  findRole,
  roleOfMembership,
  memberUniqueKey,
  membershipDocument,
  membershipResource,
  newClId,
  newOrgAttributes,
  orgDocument,
  orgResource,
  PREFIX,
  roleResource,
  slugOf,
  standardRoles,
  UPDATABLE,
  type MembershipDocument,
  type OrgDocument,
  type RoleRecord,
} from "./wire";

/**
 * Routes under `/commercelayer/api` (the vendor's `https://provisioning.commercelayer.io/api`), as
 * the provisioning API reference and the official SDK call them:
 * organizations (create, list, retrieve, update; no delete), their memberships and roles,
 * memberships (create, list, retrieve, update, delete) and roles (create, list, retrieve, update).
 * Each handler does its reads and writes synchronously in one store transaction.
 */

const ORG_LIST = {
  filterable: ["id", "name", "slug", "domain", "region", "reference", "reference_origin", "created_at", "updated_at"],
  sortable: ["id", "name", "slug", "domain", "created_at", "updated_at"],
  includable: ["memberships", "roles"],
} as const;
const MEMBERSHIP_LIST = {
  filterable: ["id", "user_email", "status", "owner", "access_scope", "reference", "reference_origin", "created_at", "updated_at"],
  sortable: ["id", "user_email", "status", "created_at", "updated_at"],
  includable: ["organization", "role"],
} as const;
const ROLE_LIST = {
  filterable: ["id", "name", "kind", "created_at", "updated_at"],
  sortable: ["id", "name", "kind", "created_at", "updated_at"],
  includable: ["organization"],
} as const;

const MEMBERSHIP_CREATE = ["user_email", "access_scope", "reference", "reference_origin", "metadata"];
const MEMBERSHIP_UPDATE = ["access_scope", "reference", "reference_origin", "metadata"];

function send(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).header("content-type", MEDIA_TYPE).send(body);
}

/** 400 for an attribute the resource does not take (unknown, or the server's). */
function onlyAttributes(attrs: Record<string, unknown>, allowed: readonly string[], type: string): void {
  for (const k of Object.keys(attrs)) {
    if (!allowed.includes(k)) throw badRequest(`${k} is not a writable attribute of ${type}`, { pointer: `/data/attributes/${k}` }, "PARAMETER_NOT_ALLOWED");
  }
}

function onlyRelationships(rels: Record<string, unknown>, allowed: readonly string[], type: string): void {
  for (const k of Object.keys(rels)) {
    if (!allowed.includes(k)) throw badRequest(`${k} is not a writable relationship of ${type}`, { pointer: `/data/relationships/${k}` }, "PARAMETER_NOT_ALLOWED");
  }
}

export function registerRoutes(app: FastifyInstance, ctx: DialectContext): void {
  const { store } = ctx;
  // Bodies are JSON:API documents, parsed by the core (`jsonMediaTypes`): JSON itself is refused
  // with 415, as the vendor does.
  app.addHook("preHandler", async (req) => checkAccept(req));
  // Every JSON answer of this API is a JSON:API document (the core's errors included).
  app.addHook("onSend", async (_req, reply, payload) => {
    if (String(reply.getHeader("content-type") ?? "").startsWith("application/json")) reply.header("content-type", MEDIA_TYPE);
    return payload;
  });

  const base = (req: FastifyRequest) => apiBase(req, PREFIX);
  const selfUrl = (req: FastifyRequest) => `${req.protocol}://${req.headers.host ?? "127.0.0.1"}${req.url}`;
  const visible = (req: FastifyRequest) => ctx.visibleOrgIds(req.principal!, BACKEND);

  /** The organization if it exists and the caller may see it; the same 404 either way. */
  function visibleOrg(req: FastifyRequest, id: string): OrgRow {
    const row = store.getOrg(BACKEND, id);
    const v = visible(req);
    if (!row || (v !== null && !v.has(id))) throw notFound();
    return row;
  }
  const visibleOrgs = (req: FastifyRequest): OrgRow[] => {
    const v = visible(req);
    return store.allOrgs(BACKEND).filter((o) => v === null || v.has(o.id));
  };

  function visibleMembership(req: FastifyRequest, id: string): MemberRow {
    const row = findMembership(store, id);
    if (!row) throw notFound();
    visibleOrg(req, row.orgId);
    return row;
  }

  function visibleRole(req: FastifyRequest, id: string): { org: OrgRow; role: RoleRecord } {
    const found = findRole(store, id);
    if (!found) throw notFound();
    visibleOrg(req, found.org.id);
    return found;
  }

  // ---- included resources ----
  function included(req: FastifyRequest, resources: Resource[], include: string[]): Resource[] {
    const out = new Map<string, Resource>();
    const add = (r: Resource) => out.set(`${r.type}/${r.id}`, r);
    for (const r of resources) {
      for (const name of include) {
        if (r.type === "organizations" && name === "memberships") {
          const ms = store.membersOf(BACKEND, r.id).map((m) => membershipResource(m, base(req)));
          ms.forEach(add);
          (r.relationships.memberships as Record<string, unknown>).data = ms.map((m) => ({ type: m.type, id: m.id }));
        } else if (r.type === "organizations" && name === "roles") {
          const org = store.getOrg(BACKEND, r.id)!;
          const rs = orgDocument(org).roles.map((role) => roleResource(org, role, base(req)));
          rs.forEach(add);
          (r.relationships.roles as Record<string, unknown>).data = rs.map((x) => ({ type: x.type, id: x.id }));
        } else if (name === "organization") {
          const id = String(r.meta?.organization_id);
          const org = store.getOrg(BACKEND, id);
          if (org) add(orgResource(org, base(req)));
        } else if (r.type === "memberships" && name === "role") {
          const found = roleOfMembership(store, findMembership(store, r.id)!);
          if (found) add(roleResource(found.org, found.role, base(req)));
        }
      }
    }
    return [...out.values()];
  }

  function listAnswer(req: FastifyRequest, all: Resource[], lr: ListRequest): Record<string, unknown> {
    const doc = listDocument(all, lr, selfUrl(req));
    const inc = lr.include.length ? included(req, doc.data, lr.include) : [];
    return { ...doc, ...(inc.length ? { included: inc } : {}) };
  }

  function oneAnswer(req: FastifyRequest, r: Resource, type: string, includable: readonly string[], rr = retrieveRequest(req.query as Query, type, includable)): Record<string, unknown> {
    const inc = rr.include.length ? included(req, [r], rr.include) : [];
    return { data: sparse(r, rr.fields), ...(inc.length ? { included: inc } : {}) };
  }

  const nameTaken = (): ClError => unprocessable([invalid("name", "has already been taken (its slug and domain are another organization's)", "taken")]);

  // ---- organizations ----
  app.get("/organizations", async (req) => {
    const lr = listRequest(req.query as Query, "organizations", ORG_LIST);
    return store.read(() => listAnswer(req, visibleOrgs(req).map((o) => orgResource(o, base(req))), lr));
  });

  app.post("/organizations", async (req, reply) => {
    // A create answers as a retrieve does, `include` and `fields` too (the SDK's create takes
    // QueryParamsRetrieve): checked before anything is written.
    const rr = retrieveRequest(req.query as Query, "organizations", ORG_LIST.includable);
    const { attributes, relationships } = requestData(req, "organizations");
    onlyAttributes(attributes, CREATABLE, "organizations");
    onlyRelationships(relationships, [], "organizations");
    const problems = attributeProblems(attributes, true);
    if (problems.length) throw unprocessable(problems);
    if (visible(req) !== null) throw ClError.of(403, "FORBIDDEN", "Forbidden", "a token scoped to an organization cannot create organizations");
    const now = ctx.now().toISOString();
    const name = attributes.name as string;
    const { name: _name, ...rest } = attributes;
    const doc: OrgDocument = {
      attributes: { ...newOrgAttributes(now), ...(rest as JsonObject), region: (attributes.region as string | null | undefined) ?? newOrgAttributes(now).region, metadata: (attributes.metadata as JsonObject | null | undefined) ?? {} },
      roles: standardRoles(now),
    };
    const created = store.tx(() => {
      if (store.findOrgByUniqueKey(BACKEND, slugOf(name))) throw nameTaken();
      const row = store.insertOrg({ backend: BACKEND, id: newClId(), parentId: null, name, uniqueKey: slugOf(name), document: doc as never, createTime: now });
      return oneAnswer(req, orgResource(row, base(req)), "organizations", ORG_LIST.includable, rr);
    });
    return send(reply, 201, created);
  });

  app.get("/organizations/:id", async (req) => {
    const { id } = req.params as { id: string };
    return store.read(() => oneAnswer(req, orgResource(visibleOrg(req, id), base(req)), "organizations", ORG_LIST.includable));
  });

  app.patch("/organizations/:id", async (req) => {
    const { id } = req.params as { id: string };
    const rr = retrieveRequest(req.query as Query, "organizations", ORG_LIST.includable);
    const { attributes, relationships } = requestData(req, "organizations", id);
    onlyAttributes(attributes, UPDATABLE, "organizations");
    onlyRelationships(relationships, [], "organizations");
    const problems = attributeProblems(attributes, false);
    if (problems.length) throw unprocessable(problems);
    return store.tx(() => {
      const row = visibleOrg(req, id);
      const doc = orgDocument(row);
      const name = typeof attributes.name === "string" ? attributes.name : row.name;
      const clash = store.findOrgByUniqueKey(BACKEND, slugOf(name));
      if (clash && clash.id !== id) throw nameTaken();
      const { name: _name, ...rest } = attributes;
      const now = ctx.now().toISOString();
      // PATCH merges attribute by attribute; an object attribute sent (metadata, config) replaces the old one.
      const next: OrgDocument = { ...doc, attributes: { ...doc.attributes, ...(rest as JsonObject), updated_at: now } };
      if (attributes.metadata === null) next.attributes.metadata = {};
      const updated = store.updateOrg(BACKEND, id, { parentId: null, name, uniqueKey: slugOf(name), document: next as never, updateTime: now });
      return oneAnswer(req, orgResource(updated, base(req)), "organizations", ORG_LIST.includable, rr);
    });
  });

  app.delete("/organizations/:id", async () => {
    throw ClError.of(405, "METHOD_NOT_ALLOWED", "Method not allowed", "organizations cannot be deleted through the provisioning API");
  });

  app.get("/organizations/:id/memberships", async (req) => {
    const { id } = req.params as { id: string };
    const lr = listRequest(req.query as Query, "memberships", MEMBERSHIP_LIST);
    return store.read(() => {
      const org = visibleOrg(req, id);
      return listAnswer(req, store.membersOf(BACKEND, org.id).map((m) => membershipResource(m, base(req))), lr);
    });
  });

  app.get("/organizations/:id/roles", async (req) => {
    const { id } = req.params as { id: string };
    const lr = listRequest(req.query as Query, "roles", ROLE_LIST);
    return store.read(() => {
      const org = visibleOrg(req, id);
      return listAnswer(req, orgDocument(org).roles.map((r) => roleResource(org, r, base(req))), lr);
    });
  });

  // ---- roles ----
  app.get("/roles", async (req) => {
    const lr = listRequest(req.query as Query, "roles", ROLE_LIST);
    return store.read(() => listAnswer(req, visibleOrgs(req).flatMap((org) => orgDocument(org).roles.map((r) => roleResource(org, r, base(req)))), lr));
  });

  app.get("/roles/:id", async (req) => {
    const { id } = req.params as { id: string };
    return store.read(() => {
      const { org, role } = visibleRole(req, id);
      return oneAnswer(req, roleResource(org, role, base(req)), "roles", ROLE_LIST.includable);
    });
  });

  const roleNameProblems = (org: OrgRow, name: unknown, except?: string): ApiErrorItem[] => {
    if (typeof name !== "string" || name.trim() === "") return [invalid("name", "can't be blank", "blank")];
    const clash = orgDocument(org).roles.find((r) => r.id !== except && r.name.toLowerCase() === name.trim().toLowerCase());
    return clash ? [invalid("name", "has already been taken", "taken")] : [];
  };

  app.post("/roles", async (req, reply) => {
    const { attributes, relationships } = requestData(req, "roles");
    onlyAttributes(attributes, ["name", "reference", "reference_origin", "metadata"], "roles");
    onlyRelationships(relationships, ["organization"], "roles");
    const orgId = relatedId(relationships, "organization", "organizations");
    const created = store.tx(() => {
      if (!orgId) throw unprocessable([invalid("organization", "must exist", "blank", "relationships")]);
      const org = visibleOrg(req, orgId);
      const problems = roleNameProblems(org, attributes.name);
      if (problems.length) throw unprocessable(problems);
      const now = ctx.now().toISOString();
      const role: RoleRecord = { id: newClId(), name: String(attributes.name).trim(), kind: "custom", created_at: now, updated_at: now };
      const doc = orgDocument(org);
      store.updateOrg(BACKEND, org.id, { parentId: null, name: org.name, uniqueKey: org.uniqueKey, document: { ...doc, roles: [...doc.roles, role] } as never, updateTime: org.updateTime });
      return { data: roleResource(org, role, base(req)) };
    });
    return send(reply, 201, created);
  });

  app.patch("/roles/:id", async (req) => {
    const { id } = req.params as { id: string };
    const { attributes, relationships } = requestData(req, "roles", id);
    onlyAttributes(attributes, ["name", "reference", "reference_origin", "metadata", "_add_missing_base_permissions"], "roles");
    onlyRelationships(relationships, [], "roles");
    return store.tx(() => {
      const { org, role } = visibleRole(req, id);
      const doc = orgDocument(org);
      let next = role;
      if (attributes.name !== undefined) {
        const problems = roleNameProblems(org, attributes.name, role.id);
        if (problems.length) throw unprocessable(problems);
        next = { ...role, name: String(attributes.name).trim(), updated_at: ctx.now().toISOString() };
      }
      store.updateOrg(BACKEND, org.id, { parentId: null, name: org.name, uniqueKey: org.uniqueKey, document: { ...doc, roles: doc.roles.map((r) => (r.id === id ? next : r)) } as never, updateTime: org.updateTime });
      return { data: roleResource(org, next, base(req)) };
    });
  });

  // ---- memberships ----
  app.get("/memberships", async (req) => {
    const lr = listRequest(req.query as Query, "memberships", MEMBERSHIP_LIST);
    return store.read(() => listAnswer(req, visibleOrgs(req).flatMap((org) => store.membersOf(BACKEND, org.id).map((m) => membershipResource(m, base(req)))), lr));
  });

  app.get("/memberships/:id", async (req) => {
    const { id } = req.params as { id: string };
    return store.read(() => oneAnswer(req, membershipResource(visibleMembership(req, id), base(req)), "memberships", MEMBERSHIP_LIST.includable));
  });

  app.get("/memberships/:id/role", async (req) => {
    const { id } = req.params as { id: string };
    return store.read(() => {
      const found = roleOfMembership(store, visibleMembership(req, id));
      if (!found) throw notFound();
      return { data: roleResource(found.org, found.role, base(req)) };
    });
  });

  app.get("/memberships/:id/organization", async (req) => {
    const { id } = req.params as { id: string };
    return store.read(() => ({ data: orgResource(visibleOrg(req, visibleMembership(req, id).orgId), base(req)) }));
  });

  /** Problems of a membership's own attributes (422 items). */
  function membershipProblems(attributes: Record<string, unknown>): ApiErrorItem[] {
    const problems: ApiErrorItem[] = [];
    if (attributes.access_scope !== undefined && attributes.access_scope !== null && !(ACCESS_SCOPES as readonly unknown[]).includes(attributes.access_scope)) {
      problems.push(invalid("access_scope", `is not included in the list (${ACCESS_SCOPES.join(", ")})`, "inclusion"));
    }
    for (const k of ["reference", "reference_origin"]) {
      if (attributes[k] !== undefined && attributes[k] !== null && typeof attributes[k] !== "string") problems.push(invalid(k, "must be a string", "invalid"));
    }
    if (attributes.metadata !== undefined && attributes.metadata !== null && (typeof attributes.metadata !== "object" || Array.isArray(attributes.metadata))) {
      problems.push(invalid("metadata", "must be an object", "invalid"));
    }
    return problems;
  }

  /** The role a membership names: one of the organization's own roles (422 otherwise). */
  function roleOf(org: OrgRow, roleId: string | null | undefined): RoleRecord | ApiErrorItem {
    if (!roleId) return invalid("role", "must exist", "blank", "relationships");
    const role = orgDocument(org).roles.find((r) => r.id === roleId);
    return role ?? invalid("role", `must be one of the roles of organization ${org.id}`, "invalid", "relationships");
  }

  app.post("/memberships", async (req, reply) => {
    const { attributes, relationships } = requestData(req, "memberships");
    onlyAttributes(attributes, MEMBERSHIP_CREATE, "memberships");
    onlyRelationships(relationships, ["organization", "role", "application_memberships", "membership_profile"], "memberships");
    const orgId = relatedId(relationships, "organization", "organizations");
    const roleId = relatedId(relationships, "role", "roles");
    const created = store.tx(() => {
      const problems = membershipProblems(attributes);
      const email = attributes.user_email;
      if (typeof email !== "string" || email.trim() === "") problems.push(invalid("user_email", "can't be blank", "blank"));
      else if (!EMAIL.test(email)) problems.push(invalid("user_email", "is invalid", "invalid"));
      if (!orgId) {
        problems.push(invalid("organization", "must exist", "blank", "relationships"));
        throw unprocessable(problems);
      }
      const org = visibleOrg(req, orgId);
      const role = roleOf(org, roleId);
      if ("detail" in role) problems.push(role);
      if (typeof email === "string" && store.findMemberByUniqueKey(BACKEND, memberUniqueKey(org.id, email))) {
        problems.push(invalid("user_email", "has already been taken (the user is already a member of this organization)", "taken"));
      }
      if (problems.length) throw unprocessable(problems);
      const now = ctx.now().toISOString();
      const doc: MembershipDocument = {
        role_id: (role as RoleRecord).id,
        status: "pending",
        owner: false,
        access_scope: (attributes.access_scope as string | undefined) ?? "live_access",
        user_first_name: null,
        user_last_name: null,
        reference: (attributes.reference as string | null | undefined) ?? null,
        reference_origin: (attributes.reference_origin as string | null | undefined) ?? null,
        metadata: (attributes.metadata as JsonObject | undefined) ?? {},
      };
      const row = store.insertMember({ backend: BACKEND, id: newClId(), orgId: org.id, email: (email as string).trim(), uniqueKey: memberUniqueKey(org.id, email as string), document: doc as never, createTime: now });
      return { data: membershipResource(row, base(req)) };
    });
    return send(reply, 201, created);
  });

  app.patch("/memberships/:id", async (req) => {
    const { id } = req.params as { id: string };
    const { attributes, relationships } = requestData(req, "memberships", id);
    onlyAttributes(attributes, MEMBERSHIP_UPDATE, "memberships");
    onlyRelationships(relationships, ["role", "application_memberships", "membership_profile"], "memberships");
    const roleId = relatedId(relationships, "role", "roles");
    return store.tx(() => {
      const row = visibleMembership(req, id);
      const org = store.getOrg(BACKEND, row.orgId)!;
      const problems = membershipProblems(attributes);
      const doc = { ...membershipDocument(row) };
      if (roleId !== undefined) {
        const role = roleOf(org, roleId);
        if ("detail" in role) problems.push(role);
        else doc.role_id = role.id;
      }
      if (problems.length) throw unprocessable(problems);
      for (const k of MEMBERSHIP_UPDATE) if (attributes[k] !== undefined) (doc as unknown as Record<string, unknown>)[k] = attributes[k];
      const updated = store.updateMember(BACKEND, id, { email: row.email, uniqueKey: row.uniqueKey, document: doc as never, updateTime: ctx.now().toISOString() });
      return { data: membershipResource(updated, base(req)) };
    });
  });

  app.delete("/memberships/:id", async (req, reply) => {
    const { id } = req.params as { id: string };
    store.tx(() => {
      const row = visibleMembership(req, id);
      if (membershipDocument(row).owner) {
        throw ClError.of(422, "VALIDATION_ERROR", "cannot be deleted", "the owner's membership cannot be deleted: transfer the ownership first");
      }
      store.deleteMember(BACKEND, id);
    });
    return reply.code(204).send();
  });
}


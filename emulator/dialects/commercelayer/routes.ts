import { randomBytes } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { JsonObject, MemberRow, OrgRow } from "../../store";
import type { DialectContext, Principal } from "../../types";
import { isObject } from "../../json";
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
  type ListSpec,
  type Query,
  type Resource,
} from "./jsonapi";
import {
  ACCESS_SCOPES,
  apiCredentialResource,
  applicationMembershipResource,
  attributeProblems,
  BACKEND,
  basePermissions,
  CREATABLE,
  EMAIL,
  findMembership,
  memberUniqueKey,
  membershipDocument,
  membershipProfileResource,
  membershipResource,
  newClId,
  newOrgAttributes,
  ORG_SETTINGS,
  orgDocument,
  orgResource,
  permissionResource,
  PREFIX,
  roleResource,
  slugOf,
  standardRoles,
  UPDATABLE,
  userResource,
  versionResource,
  type ApiCredentialRecord,
  type ApplicationMembershipRecord,
  type MembershipProfileRecord,
  type MembershipDocument,
  type OrgDocument,
  type PermissionRecord,
  type RoleRecord,
  type UserRecord,
  type VersionRecord,
} from "./wire";

/**
 * Routes under `/commercelayer/api` (the vendor's `https://provisioning.commercelayer.io/api`), every
 * route of @commercelayer/provisioning-sdk 2.10.2 touching organizations, memberships, roles,
 * permissions, api credentials, versions and the user (identity_providers aside):
 * - organizations: create, list, retrieve, update (no delete: 405), `transfer_ownership`, and their
 *   memberships, roles, permissions and api_credentials;
 * - memberships: create, list, retrieve, update, delete, `resend`, and their organization, role,
 *   application_memberships, membership_profile and versions;
 * - membership_profiles: create, list, retrieve, update, delete, and their organization and
 *   application_memberships; application_memberships: the same, and their api_credential,
 *   membership, membership_profile, organization and role;
 * - roles: create, list, retrieve, update (`_add_missing_base_permissions` too), and their
 *   organization, permissions, memberships, api_credentials and versions;
 * - permissions: create, list, retrieve, update, and their organization, role and versions;
 * - api_credentials: create, list, retrieve, update, delete, and their organization and role;
 * - versions: list, retrieve; `user`: retrieve, update (a singleton: the token's user).
 * Each handler does its reads and writes synchronously in one store transaction.
 */

const STAMPS = ["id", "reference", "reference_origin", "created_at", "updated_at"];
/** The SDK's `ResourceSort`: what every resource can be sorted by. */
const RESOURCE_SORT = ["id", "reference", "reference_origin", "created_at", "updated_at"];

/** Per resource type: filterable attributes (Ransack, ransack.ts), the SDK's `<X>Sort` fields, includes. */
export const SPECS: Readonly<Record<string, ListSpec>> = {
  organizations: {
    scalars: [...STAMPS, "name", "slug", "domain", "support_phone", "support_email", "logo_url", "favicon_url", "primary_color", "contrast_color", "gtm_id", "gtm_id_test", "region", "can_switch_live", ...Object.keys(ORG_SETTINGS)],
    json: ["metadata", "config", "subscription_info"],
    associations: { memberships: "memberships", roles: "roles", permissions: "permissions", api_credentials: "api_credentials" },
    sortable: [...RESOURCE_SORT, "name", "slug", "domain"],
    includable: ["memberships", "roles", "permissions", "api_credentials"],
  },
  memberships: {
    scalars: [...STAMPS, "user_email", "user_first_name", "user_last_name", "status", "owner", "test_enabled", "access_scope"],
    json: ["metadata"],
    associations: { organization: "organizations", role: "roles", membership_profile: "membership_profiles", application_memberships: "application_memberships" },
    sortable: [...RESOURCE_SORT, "status"],
    includable: ["organization", "role", "application_memberships", "membership_profile", "versions"],
  },
  roles: {
    scalars: [...STAMPS, "name", "kind"],
    json: ["metadata"],
    associations: { organization: "organizations", permissions: "permissions", memberships: "memberships", api_credentials: "api_credentials" },
    sortable: RESOURCE_SORT,
    includable: ["organization", "permissions", "memberships", "api_credentials", "versions"],
  },
  permissions: {
    scalars: [...STAMPS, "can_create", "can_read", "can_update", "can_destroy", "subject"],
    json: ["metadata", "restrictions"],
    associations: { organization: "organizations", role: "roles" },
    sortable: RESOURCE_SORT,
    includable: ["organization", "role", "versions"],
  },
  api_credentials: {
    scalars: [...STAMPS, "name", "kind", "confidential", "redirect_uri", "client_id", "scopes", "expires_in", "mode", "custom"],
    json: ["metadata"],
    associations: { organization: "organizations", role: "roles" },
    sortable: [...RESOURCE_SORT, "mode"],
    includable: ["organization", "role"],
  },
  membership_profiles: {
    scalars: [...STAMPS, "name", "test_enabled", "access_scope"],
    json: ["metadata"],
    associations: { organization: "organizations", application_memberships: "application_memberships" },
    sortable: [...RESOURCE_SORT, "name"],
    includable: ["organization", "application_memberships"],
  },
  application_memberships: {
    scalars: STAMPS,
    json: ["metadata", "filters"],
    associations: { api_credential: "api_credentials", membership: "memberships", membership_profile: "membership_profiles", organization: "organizations", role: "roles" },
    sortable: RESOURCE_SORT,
    includable: ["api_credential", "membership", "membership_profile", "organization", "role"],
  },
  versions: {
    scalars: [...STAMPS, "resource_type", "resource_id", "event"],
    json: ["metadata", "changes", "who"],
    associations: {},
    sortable: RESOURCE_SORT,
    includable: [],
  },
};

/** To-many relationships (the rest are to-one): how `include` links them. */
const TO_MANY = new Set([
  "organizations.memberships",
  "organizations.roles",
  "organizations.permissions",
  "organizations.api_credentials",
  "roles.permissions",
  "roles.memberships",
  "roles.api_credentials",
  "roles.versions",
  "memberships.application_memberships",
  "memberships.versions",
  "permissions.versions",
  "membership_profiles.application_memberships",
]);

/** For a to-many relationship of a resource other than an organization: the to-one link back from the related type. */
const BACK_LINK: Readonly<Record<string, string>> = { roles: "role", memberships: "membership", membership_profiles: "membership_profile" };

const MEMBERSHIP_CREATE = ["user_email", "access_scope", "reference", "reference_origin", "metadata"];
const MEMBERSHIP_UPDATE = ["access_scope", "reference", "reference_origin", "metadata"];
const BASE_WRITABLE = ["reference", "reference_origin", "metadata"];
const PERMISSION_RIGHTS = ["can_create", "can_read", "can_update", "can_destroy"] as const;
/** The lifetime of an API credential's tokens (the SDK: "min. 7200, max. 31536000"). */
const EXPIRES_IN = { min: 7200, max: 31536000 } as const;

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

/** Problems of the attributes every resource takes: reference, reference_origin (strings), metadata (an object). */
function baseProblems(attributes: Record<string, unknown>): ApiErrorItem[] {
  const problems: ApiErrorItem[] = [];
  for (const k of ["reference", "reference_origin"]) {
    if (attributes[k] !== undefined && attributes[k] !== null && typeof attributes[k] !== "string") problems.push(invalid(k, "must be a string", "invalid"));
  }
  if (attributes.metadata !== undefined && attributes.metadata !== null && !isObject(attributes.metadata)) problems.push(invalid("metadata", "must be an object", "invalid"));
  return problems;
}

/** The base attributes sent, to merge into a record (metadata null clears it). */
function baseValues(attributes: Record<string, unknown>): Partial<Pick<RoleRecord, "reference" | "reference_origin" | "metadata">> {
  const out: Record<string, unknown> = {};
  for (const k of BASE_WRITABLE) if (attributes[k] !== undefined) out[k] = k === "metadata" && attributes[k] === null ? {} : attributes[k];
  return out;
}

const secret = (n: number) => randomBytes(n).toString("base64url");

/** The ids of a to-many relationship `{data: [{type, id}]}` in a request (undefined when absent). */
function relatedIds(relationships: Record<string, unknown>, name: string, type: string): string[] | undefined {
  const rel = relationships[name];
  if (rel === undefined) return undefined;
  const data = isObject(rel) ? rel.data : undefined;
  if (data === null) return [];
  if (!Array.isArray(data) || !data.every((d) => isObject(d) && d.type === type && typeof d.id === "string" && d.id !== "")) {
    throw badRequest(`relationships.${name} must be {data: [{type: "${type}", id}]}`, { pointer: `/data/relationships/${name}` });
  }
  return data.map((d) => (d as { id: string }).id);
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

  const baseUrl = (req: FastifyRequest) => apiBase(req, PREFIX);
  const selfUrl = (req: FastifyRequest) => `${req.protocol}://${req.headers.host ?? "127.0.0.1"}${req.url}`;
  const visible = (req: FastifyRequest) => ctx.visibleOrgIds(req.principal!, BACKEND);
  const now = () => ctx.now().toISOString();

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

  /** The lists an organization's document keeps (rows written before lack some). */
  const permissionsOf = (org: OrgRow) => orgDocument(org).permissions ?? [];
  const credentialsOf = (org: OrgRow) => orgDocument(org).api_credentials ?? [];
  const versionsOf = (org: OrgRow) => orgDocument(org).versions ?? [];
  const profilesOf = (org: OrgRow) => orgDocument(org).membership_profiles ?? [];
  const appMembershipsOf = (org: OrgRow) => orgDocument(org).application_memberships ?? [];

  /** Every resource of `type` in one organization, as the API answers them. */
  function resourcesOf(type: string, org: OrgRow, b: string): Resource[] {
    switch (type) {
      case "organizations":
        return [orgResource(org, b)];
      case "memberships":
        return store.membersOf(BACKEND, org.id).map((m) => membershipResource(m, b));
      case "roles":
        return orgDocument(org).roles.map((r) => roleResource(org, r, b));
      case "permissions":
        return permissionsOf(org).map((p) => permissionResource(org, p, b));
      case "api_credentials":
        return credentialsOf(org).map((c) => apiCredentialResource(org, c, b));
      case "versions":
        return versionsOf(org).map((v) => versionResource(org, v, b));
      case "membership_profiles":
        return profilesOf(org).map((p) => membershipProfileResource(org, p, b));
      case "application_memberships":
        return appMembershipsOf(org).map((a) => applicationMembershipResource(org, a, b));
      default:
        return [];
    }
  }

  /** The resource of `type` with that id, with its organization (visible to the caller), or a 404. */
  function locate(req: FastifyRequest, type: string, id: string): { org: OrgRow; resource: Resource } {
    if (type === "organizations") {
      const org = visibleOrg(req, id);
      return { org, resource: orgResource(org, baseUrl(req)) };
    }
    if (type === "memberships") {
      const m = visibleMembership(req, id);
      return { org: store.getOrg(BACKEND, m.orgId)!, resource: membershipResource(m, baseUrl(req)) };
    }
    const has = (org: OrgRow): boolean =>
      type === "roles"
        ? orgDocument(org).roles.some((r) => r.id === id)
        : type === "permissions"
          ? permissionsOf(org).some((p) => p.id === id)
          : type === "api_credentials"
            ? credentialsOf(org).some((c) => c.id === id)
            : type === "versions"
              ? versionsOf(org).some((v) => v.id === id)
              : type === "membership_profiles"
                ? profilesOf(org).some((p) => p.id === id)
                : type === "application_memberships" && appMembershipsOf(org).some((a) => a.id === id);
    const org = store.allOrgs(BACKEND).find(has);
    if (!org) throw notFound();
    visibleOrg(req, org.id);
    return { org, resource: resourcesOf(type, org, baseUrl(req)).find((r) => r.id === id)! };
  }

  /** The resources an association of `r` names: what filters on it and `include` of it read. */
  function related(req: FastifyRequest, r: Resource, association: string): Resource[] {
    const org = store.getOrg(BACKEND, String(r.meta?.organization_id));
    if (!org) return [];
    const b = baseUrl(req);
    if (association === "organization") return [orgResource(org, b)];
    if (r.type === "organizations") return resourcesOf(association, org, b);
    if (association === "versions") return resourcesOf("versions", org, b).filter((v) => v.attributes.resource_id === r.id);
    const back = BACK_LINK[r.type];
    if (back && TO_MANY.has(`${r.type}.${association}`)) {
      return resourcesOf(association, org, b).filter((x) => (x.relationships[back] as { data?: { id?: string } | null } | undefined)?.data?.id === r.id);
    }
    const link = (r.relationships[association] as { data?: { type: string; id: string } | null } | undefined)?.data;
    if (!link) return [];
    return resourcesOf(link.type, org, b).filter((x) => x.id === link.id);
  }

  /** `fields[<type>]` of the query, for the included resources. */
  function fieldsets(req: FastifyRequest): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const [k, v] of Object.entries(req.query as Query)) {
      const m = /^fields\[([a-z_]+)\]$/.exec(k);
      if (m && typeof v === "string") out.set(m[1], v.split(",").filter(Boolean));
    }
    return out;
  }

  function included(req: FastifyRequest, resources: Resource[], include: string[]): Resource[] {
    const out = new Map<string, Resource>();
    const fields = fieldsets(req);
    for (const r of resources) {
      for (const name of include) {
        const rs = related(req, r, name);
        for (const x of rs) out.set(`${x.type}/${x.id}`, sparse(x, fields.get(x.type)));
        const rel = r.relationships[name] as Record<string, unknown> | undefined;
        if (rel) rel.data = TO_MANY.has(`${r.type}.${name}`) ? rs.map((x) => ({ type: x.type, id: x.id })) : rs[0] ? { type: rs[0].type, id: rs[0].id } : null;
      }
    }
    return [...out.values()];
  }

  function listAnswer(req: FastifyRequest, all: Resource[], lr: ListRequest): Record<string, unknown> {
    const doc = listDocument(all, lr, selfUrl(req), (r, a) => related(req, r, a));
    const inc = lr.include.length ? included(req, doc.data, lr.include) : [];
    return { ...doc, ...(inc.length ? { included: inc } : {}) };
  }

  function oneAnswer(req: FastifyRequest, r: Resource, rr = retrieveRequest(req.query as Query, r.type, SPECS[r.type].includable)): Record<string, unknown> {
    const inc = rr.include.length ? included(req, [r], rr.include) : [];
    return { data: sparse(r, rr.fields), ...(inc.length ? { included: inc } : {}) };
  }

  /** GET of a list of `type`: every visible one, or those of one organization. */
  function listRoute(path: string, type: string, scope: (req: FastifyRequest) => Resource[]): void {
    app.get(path, async (req) => {
      const lr = listRequest(req.query as Query, type, SPECS);
      return store.read(() => listAnswer(req, scope(req), lr));
    });
  }
  const allOf = (type: string) => (req: FastifyRequest) => visibleOrgs(req).flatMap((org) => resourcesOf(type, org, baseUrl(req)));

  /** The related routes of a resource: `/<type>/:id/<name>`, a list for to-many, one resource (or null) for to-one. */
  function relatedRoutes(type: string, names: readonly string[]): void {
    for (const name of names) {
      const toMany = TO_MANY.has(`${type}.${name}`);
      if (toMany) {
        const target = name;
        app.get(`/${type}/:id/${name}`, async (req) => {
          const { id } = req.params as { id: string };
          const lr = listRequest(req.query as Query, target, SPECS);
          return store.read(() => listAnswer(req, related(req, locate(req, type, id).resource, name), lr));
        });
      } else {
        app.get(`/${type}/:id/${name}`, async (req) => {
          const { id } = req.params as { id: string };
          return store.read(() => {
            const [one] = related(req, locate(req, type, id).resource, name);
            return one ? oneAnswer(req, one) : { data: null };
          });
        });
      }
    }
  }

  /** Writes an organization's document back (roles, permissions, api credentials and versions live there). */
  function saveDoc(org: OrgRow, doc: OrgDocument): OrgRow {
    return store.updateOrg(BACKEND, org.id, { parentId: null, name: org.name, uniqueKey: org.uniqueKey, document: doc as never, updateTime: org.updateTime });
  }

  /** A version of a change (roles, memberships, permissions are versioned: the SDK's `VersionableResourceType`). */
  function version(resource_type: VersionRecord["resource_type"], resource_id: string, event: VersionRecord["event"], changes: JsonObject): VersionRecord {
    const t = now();
    return { id: newClId(), resource_type, resource_id, event, changes, who: {}, created_at: t, updated_at: t };
  }
  function recordVersion(orgId: string, v: VersionRecord): void {
    const org = store.getOrg(BACKEND, orgId)!;
    const doc = orgDocument(org);
    saveDoc(org, { ...doc, versions: [...(doc.versions ?? []), v] });
  }
  /** `{attribute: [before, after]}` of what changed. */
  function changes(before: Record<string, unknown>, after: Record<string, unknown>): JsonObject {
    const out: JsonObject = {};
    for (const k of Object.keys(after)) if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) out[k] = [before[k] ?? null, after[k] ?? null] as never;
    return out;
  }

  const nameTaken = (): ClError => unprocessable([invalid("name", "has already been taken (its slug and domain are another organization's)", "taken")]);

  // ---- organizations ----
  listRoute("/organizations", "organizations", allOf("organizations"));

  app.post("/organizations", async (req, reply) => {
    // A create answers as a retrieve does, `include` and `fields` too (the SDK's create takes
    // QueryParamsRetrieve): checked before anything is written.
    const rr = retrieveRequest(req.query as Query, "organizations", SPECS.organizations.includable);
    const { attributes, relationships } = requestData(req, "organizations");
    onlyAttributes(attributes, CREATABLE, "organizations");
    onlyRelationships(relationships, [], "organizations");
    const problems = attributeProblems(attributes, true);
    if (problems.length) throw unprocessable(problems);
    if (visible(req) !== null) throw ClError.of(403, "FORBIDDEN", "Forbidden", "a token scoped to an organization cannot create organizations");
    const t = now();
    const name = attributes.name as string;
    const { name: _name, ...rest } = attributes;
    const roles = standardRoles(t);
    const doc: OrgDocument = {
      attributes: { ...newOrgAttributes(t), ...(rest as JsonObject), region: (attributes.region as string | null | undefined) ?? newOrgAttributes(t).region, metadata: (attributes.metadata as JsonObject | null | undefined) ?? {} },
      roles,
      permissions: roles.flatMap((r) => basePermissions(r, [], t)),
      api_credentials: [],
      versions: [],
    };
    const created = store.tx(() => {
      if (store.findOrgByUniqueKey(BACKEND, slugOf(name))) throw nameTaken();
      const row = store.insertOrg({ backend: BACKEND, id: newClId(), parentId: null, name, uniqueKey: slugOf(name), document: doc as never, createTime: t });
      return oneAnswer(req, orgResource(row, baseUrl(req)), rr);
    });
    return send(reply, 201, created);
  });

  app.get("/organizations/:id", async (req) => {
    const { id } = req.params as { id: string };
    return store.read(() => oneAnswer(req, orgResource(visibleOrg(req, id), baseUrl(req))));
  });

  app.patch("/organizations/:id", async (req) => {
    const { id } = req.params as { id: string };
    const rr = retrieveRequest(req.query as Query, "organizations", SPECS.organizations.includable);
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
      const t = now();
      // PATCH merges attribute by attribute; an object attribute sent (metadata, config) replaces the old one.
      const next: OrgDocument = { ...doc, attributes: { ...doc.attributes, ...(rest as JsonObject), updated_at: t } };
      if (attributes.metadata === null) next.attributes.metadata = {};
      const updated = store.updateOrg(BACKEND, id, { parentId: null, name, uniqueKey: slugOf(name), document: next as never, updateTime: t });
      return oneAnswer(req, orgResource(updated, baseUrl(req)), rr);
    });
  });

  app.delete("/organizations/:id", async () => {
    throw ClError.of(405, "METHOD_NOT_ALLOWED", "Method not allowed", "organizations cannot be deleted through the provisioning API");
  });

  /**
   * The SDK's `transfer_ownership`: `PATCH /organizations/{id}/transfer_ownership` with
   * `{data: {type: organizations, id, attributes: {new_owner_email}}}`, answered 204. The new owner
   * must be a member of the organization (our reading: ownership moves between members); the
   * previous owner stays a member.
   */
  app.patch("/organizations/:id/transfer_ownership", async (req, reply) => {
    const { id } = req.params as { id: string };
    const { attributes, relationships } = requestData(req, "organizations", id);
    onlyAttributes(attributes, ["new_owner_email"], "organizations");
    onlyRelationships(relationships, [], "organizations");
    const email = attributes.new_owner_email;
    if (typeof email !== "string" || email.trim() === "") throw unprocessable([invalid("new_owner_email", "can't be blank", "blank")]);
    if (!EMAIL.test(email)) throw unprocessable([invalid("new_owner_email", "is invalid", "invalid")]);
    store.tx(() => {
      const org = visibleOrg(req, id);
      const heir = store.findMemberByUniqueKey(BACKEND, memberUniqueKey(org.id, email));
      if (!heir) throw unprocessable([invalid("new_owner_email", "must be the email of a member of the organization", "invalid")]);
      const t = now();
      for (const m of store.membersOf(BACKEND, org.id)) {
        const doc = membershipDocument(m);
        const owner = m.id === heir.id;
        if (doc.owner === owner) continue;
        store.updateMember(BACKEND, m.id, { email: m.email, uniqueKey: m.uniqueKey, document: { ...doc, owner } as never, updateTime: t });
        recordVersion(org.id, version("memberships", m.id, "update", { owner: [doc.owner, owner] as never }));
      }
    });
    return reply.code(204).send();
  });

  listRoute("/organizations/:id/memberships", "memberships", (req) => resourcesOf("memberships", visibleOrg(req, (req.params as { id: string }).id), baseUrl(req)));
  listRoute("/organizations/:id/roles", "roles", (req) => resourcesOf("roles", visibleOrg(req, (req.params as { id: string }).id), baseUrl(req)));
  listRoute("/organizations/:id/permissions", "permissions", (req) => resourcesOf("permissions", visibleOrg(req, (req.params as { id: string }).id), baseUrl(req)));
  listRoute("/organizations/:id/api_credentials", "api_credentials", (req) => resourcesOf("api_credentials", visibleOrg(req, (req.params as { id: string }).id), baseUrl(req)));

  // ---- roles ----
  listRoute("/roles", "roles", allOf("roles"));
  app.get("/roles/:id", async (req) => store.read(() => oneAnswer(req, locate(req, "roles", (req.params as { id: string }).id).resource)));
  relatedRoutes("roles", ["organization", "permissions", "memberships", "api_credentials", "versions"]);

  const roleNameProblems = (org: OrgRow, name: unknown, except?: string): ApiErrorItem[] => {
    if (typeof name !== "string" || name.trim() === "") return [invalid("name", "can't be blank", "blank")];
    const clash = orgDocument(org).roles.find((r) => r.id !== except && r.name.toLowerCase() === name.trim().toLowerCase());
    return clash ? [invalid("name", "has already been taken", "taken")] : [];
  };

  app.post("/roles", async (req, reply) => {
    const rr = retrieveRequest(req.query as Query, "roles", SPECS.roles.includable);
    const { attributes, relationships } = requestData(req, "roles");
    onlyAttributes(attributes, ["name", ...BASE_WRITABLE], "roles");
    onlyRelationships(relationships, ["organization"], "roles");
    const orgId = relatedId(relationships, "organization", "organizations");
    const created = store.tx(() => {
      const problems = baseProblems(attributes);
      if (!orgId) throw unprocessable([...problems, invalid("organization", "must exist", "blank", "relationships")]);
      const org = visibleOrg(req, orgId);
      problems.unshift(...roleNameProblems(org, attributes.name));
      if (problems.length) throw unprocessable(problems);
      const t = now();
      const role: RoleRecord = { id: newClId(), name: String(attributes.name).trim(), kind: "custom", created_at: t, updated_at: t, ...baseValues(attributes) };
      const doc = orgDocument(org);
      const saved = saveDoc(org, { ...doc, roles: [...doc.roles, role] });
      recordVersion(org.id, version("roles", role.id, "create", { name: [null, role.name] as never, kind: [null, "custom"] as never }));
      return oneAnswer(req, roleResource(saved, role, baseUrl(req)), rr);
    });
    return send(reply, 201, created);
  });

  app.patch("/roles/:id", async (req) => {
    const { id } = req.params as { id: string };
    const rr = retrieveRequest(req.query as Query, "roles", SPECS.roles.includable);
    const { attributes, relationships } = requestData(req, "roles", id);
    onlyAttributes(attributes, ["name", ...BASE_WRITABLE, "_add_missing_base_permissions"], "roles");
    onlyRelationships(relationships, [], "roles");
    return store.tx(() => {
      const { org } = locate(req, "roles", id);
      const doc = orgDocument(org);
      const role = doc.roles.find((r) => r.id === id)!;
      const problems = [...baseProblems(attributes), ...(attributes.name !== undefined ? roleNameProblems(org, attributes.name, role.id) : [])];
      const add = attributes._add_missing_base_permissions;
      if (add !== undefined && add !== null && typeof add !== "boolean") problems.push(invalid("_add_missing_base_permissions", "must be true or false", "invalid"));
      if (problems.length) throw unprocessable(problems);
      const t = now();
      const next: RoleRecord = { ...role, ...(attributes.name !== undefined ? { name: String(attributes.name).trim() } : {}), ...baseValues(attributes), updated_at: t };
      const permissions = [...(doc.permissions ?? [])];
      if (add === true) permissions.push(...basePermissions(next, permissions, t));
      const saved = saveDoc(org, { ...doc, roles: doc.roles.map((r) => (r.id === id ? next : r)), permissions });
      const changed = changes(role as unknown as Record<string, unknown>, { name: next.name, reference: next.reference, reference_origin: next.reference_origin, metadata: next.metadata });
      if (Object.keys(changed).length) recordVersion(org.id, version("roles", id, "update", changed));
      return oneAnswer(req, roleResource(saved, next, baseUrl(req)), rr);
    });
  });

  // ---- permissions ----
  listRoute("/permissions", "permissions", allOf("permissions"));
  app.get("/permissions/:id", async (req) => store.read(() => oneAnswer(req, locate(req, "permissions", (req.params as { id: string }).id).resource)));
  relatedRoutes("permissions", ["organization", "role", "versions"]);

  function rightsProblems(attributes: Record<string, unknown>, creating: boolean): ApiErrorItem[] {
    const problems = baseProblems(attributes);
    for (const k of PERMISSION_RIGHTS) {
      const v = attributes[k];
      if (v === undefined && !creating) continue;
      if (typeof v !== "boolean") problems.push(v === undefined || v === null ? invalid(k, "can't be blank", "blank") : invalid(k, "must be true or false", "invalid"));
    }
    return problems;
  }
  /** The standard roles' permissions are the vendor's (our reading): only a custom role's change. */
  const standardRole = (role: RoleRecord) => invalid("role", `is a standard role (${role.kind}): its permissions cannot be changed`, "invalid", "relationships");

  app.post("/permissions", async (req, reply) => {
    const rr = retrieveRequest(req.query as Query, "permissions", SPECS.permissions.includable);
    const { attributes, relationships } = requestData(req, "permissions");
    onlyAttributes(attributes, [...PERMISSION_RIGHTS, "subject", ...BASE_WRITABLE], "permissions");
    onlyRelationships(relationships, ["role"], "permissions");
    const roleId = relatedId(relationships, "role", "roles");
    const created = store.tx(() => {
      const problems = rightsProblems(attributes, true);
      const subject = attributes.subject;
      if (typeof subject !== "string" || subject.trim() === "") problems.push(invalid("subject", "can't be blank", "blank"));
      if (!roleId) throw unprocessable([...problems, invalid("role", "must exist", "blank", "relationships")]);
      const { org } = locate(req, "roles", roleId);
      const doc = orgDocument(org);
      const role = doc.roles.find((r) => r.id === roleId)!;
      if (role.kind !== "custom") problems.push(standardRole(role));
      if (typeof subject === "string" && (doc.permissions ?? []).some((p) => p.role_id === roleId && p.subject === subject)) problems.push(invalid("subject", "has already been taken", "taken"));
      if (problems.length) throw unprocessable(problems);
      const t = now();
      const p: PermissionRecord = {
        id: newClId(),
        role_id: roleId,
        subject: String(subject),
        can_create: attributes.can_create as boolean,
        can_read: attributes.can_read as boolean,
        can_update: attributes.can_update as boolean,
        can_destroy: attributes.can_destroy as boolean,
        restrictions: {},
        created_at: t,
        updated_at: t,
        ...baseValues(attributes),
      };
      const saved = saveDoc(org, { ...doc, permissions: [...(doc.permissions ?? []), p] });
      recordVersion(org.id, version("permissions", p.id, "create", changes({}, { subject: p.subject, can_create: p.can_create, can_read: p.can_read, can_update: p.can_update, can_destroy: p.can_destroy })));
      return oneAnswer(req, permissionResource(saved, p, baseUrl(req)), rr);
    });
    return send(reply, 201, created);
  });

  app.patch("/permissions/:id", async (req) => {
    const { id } = req.params as { id: string };
    const rr = retrieveRequest(req.query as Query, "permissions", SPECS.permissions.includable);
    const { attributes, relationships } = requestData(req, "permissions", id);
    onlyAttributes(attributes, [...PERMISSION_RIGHTS, ...BASE_WRITABLE], "permissions");
    onlyRelationships(relationships, [], "permissions");
    return store.tx(() => {
      const { org } = locate(req, "permissions", id);
      const doc = orgDocument(org);
      const p = (doc.permissions ?? []).find((x) => x.id === id)!;
      const role = doc.roles.find((r) => r.id === p.role_id);
      const problems = rightsProblems(attributes, false);
      if (role && role.kind !== "custom" && PERMISSION_RIGHTS.some((k) => attributes[k] !== undefined)) problems.push(standardRole(role));
      if (problems.length) throw unprocessable(problems);
      const next: PermissionRecord = { ...p, ...Object.fromEntries(PERMISSION_RIGHTS.filter((k) => attributes[k] !== undefined).map((k) => [k, attributes[k]])), ...baseValues(attributes), updated_at: now() };
      const saved = saveDoc(org, { ...doc, permissions: (doc.permissions ?? []).map((x) => (x.id === id ? next : x)) });
      const changed = changes(p as unknown as Record<string, unknown>, Object.fromEntries(PERMISSION_RIGHTS.map((k) => [k, next[k]])));
      if (Object.keys(changed).length) recordVersion(org.id, version("permissions", id, "update", changed));
      return oneAnswer(req, permissionResource(saved, next, baseUrl(req)), rr);
    });
  });

  // ---- api credentials ----
  listRoute("/api_credentials", "api_credentials", allOf("api_credentials"));
  app.get("/api_credentials/:id", async (req) => store.read(() => oneAnswer(req, locate(req, "api_credentials", (req.params as { id: string }).id).resource)));
  relatedRoutes("api_credentials", ["organization", "role"]);

  function credentialProblems(attributes: Record<string, unknown>, creating: boolean): ApiErrorItem[] {
    const problems = baseProblems(attributes);
    if (creating || attributes.name !== undefined) {
      if (typeof attributes.name !== "string" || attributes.name.trim() === "") problems.push(invalid("name", "can't be blank", "blank"));
    }
    if (creating && (typeof attributes.kind !== "string" || !/^[a-z_]+$/.test(attributes.kind))) {
      problems.push(attributes.kind === undefined || attributes.kind === "" ? invalid("kind", "can't be blank", "blank") : invalid("kind", "is invalid", "invalid"));
    }
    if (attributes.redirect_uri !== undefined && attributes.redirect_uri !== null && typeof attributes.redirect_uri !== "string") problems.push(invalid("redirect_uri", "must be a string", "invalid"));
    const e = attributes.expires_in;
    if (e !== undefined && e !== null && (typeof e !== "number" || !Number.isInteger(e) || e < EXPIRES_IN.min || e > EXPIRES_IN.max)) {
      problems.push(invalid("expires_in", `must be an integer from ${EXPIRES_IN.min} to ${EXPIRES_IN.max}`, "inclusion"));
    }
    if (creating && attributes.mode !== undefined && attributes.mode !== null && attributes.mode !== "test" && attributes.mode !== "live") problems.push(invalid("mode", "is not included in the list (test, live)", "inclusion"));
    if (creating && attributes.custom !== undefined && attributes.custom !== null && typeof attributes.custom !== "boolean") problems.push(invalid("custom", "must be true or false", "invalid"));
    return problems;
  }
  /** A credential's role: one of its organization's roles (422 otherwise). */
  function roleIn(org: OrgRow, roleId: string, problems: ApiErrorItem[]): void {
    if (!orgDocument(org).roles.some((r) => r.id === roleId)) problems.push(invalid("role", `must be one of the roles of organization ${org.id}`, "invalid", "relationships"));
  }

  app.post("/api_credentials", async (req, reply) => {
    const rr = retrieveRequest(req.query as Query, "api_credentials", SPECS.api_credentials.includable);
    const { attributes, relationships } = requestData(req, "api_credentials");
    onlyAttributes(attributes, ["name", "kind", "redirect_uri", "expires_in", "mode", "custom", ...BASE_WRITABLE], "api_credentials");
    onlyRelationships(relationships, ["organization", "role"], "api_credentials");
    const orgId = relatedId(relationships, "organization", "organizations");
    const roleId = relatedId(relationships, "role", "roles");
    const created = store.tx(() => {
      const problems = credentialProblems(attributes, true);
      if (!orgId) throw unprocessable([...problems, invalid("organization", "must exist", "blank", "relationships")]);
      const org = visibleOrg(req, orgId);
      if (roleId) roleIn(org, roleId, problems);
      if (problems.length) throw unprocessable(problems);
      const t = now();
      const kind = String(attributes.kind);
      const c: ApiCredentialRecord = {
        id: newClId(),
        name: String(attributes.name).trim(),
        kind,
        // Sales channels are public clients (the vendor's "API credentials" page); the others confidential.
        confidential: kind !== "sales_channel",
        redirect_uri: (attributes.redirect_uri as string | null | undefined) ?? null,
        client_id: secret(32),
        client_secret: secret(32),
        scopes: "market:all",
        expires_in: (attributes.expires_in as number | null | undefined) ?? (kind === "sales_channel" ? 14400 : 7200),
        mode: (attributes.mode as "test" | "live" | null | undefined) ?? "test",
        custom: (attributes.custom as boolean | null | undefined) ?? false,
        role_id: roleId ?? null,
        created_at: t,
        updated_at: t,
        ...baseValues(attributes),
      };
      const doc = orgDocument(org);
      const saved = saveDoc(org, { ...doc, api_credentials: [...(doc.api_credentials ?? []), c] });
      return oneAnswer(req, apiCredentialResource(saved, c, baseUrl(req)), rr);
    });
    return send(reply, 201, created);
  });

  app.patch("/api_credentials/:id", async (req) => {
    const { id } = req.params as { id: string };
    const rr = retrieveRequest(req.query as Query, "api_credentials", SPECS.api_credentials.includable);
    const { attributes, relationships } = requestData(req, "api_credentials", id);
    onlyAttributes(attributes, ["name", "redirect_uri", "expires_in", ...BASE_WRITABLE], "api_credentials");
    onlyRelationships(relationships, ["role"], "api_credentials");
    const roleId = relatedId(relationships, "role", "roles");
    return store.tx(() => {
      const { org } = locate(req, "api_credentials", id);
      const doc = orgDocument(org);
      const c = (doc.api_credentials ?? []).find((x) => x.id === id)!;
      const problems = credentialProblems(attributes, false);
      if (roleId) roleIn(org, roleId, problems);
      if (problems.length) throw unprocessable(problems);
      const next: ApiCredentialRecord = {
        ...c,
        ...(typeof attributes.name === "string" ? { name: attributes.name.trim() } : {}),
        ...(attributes.redirect_uri !== undefined ? { redirect_uri: attributes.redirect_uri as string | null } : {}),
        ...(typeof attributes.expires_in === "number" ? { expires_in: attributes.expires_in } : {}),
        ...(roleId !== undefined ? { role_id: roleId } : {}),
        ...baseValues(attributes),
        updated_at: now(),
      };
      const saved = saveDoc(org, { ...doc, api_credentials: (doc.api_credentials ?? []).map((x) => (x.id === id ? next : x)) });
      return oneAnswer(req, apiCredentialResource(saved, next, baseUrl(req)), rr);
    });
  });

  app.delete("/api_credentials/:id", async (req, reply) => {
    const { id } = req.params as { id: string };
    store.tx(() => {
      const { org } = locate(req, "api_credentials", id);
      const doc = orgDocument(org);
      saveDoc(org, { ...doc, api_credentials: (doc.api_credentials ?? []).filter((x) => x.id !== id) });
    });
    return reply.code(204).send();
  });

  // ---- membership profiles ----
  listRoute("/membership_profiles", "membership_profiles", allOf("membership_profiles"));
  app.get("/membership_profiles/:id", async (req) => store.read(() => oneAnswer(req, locate(req, "membership_profiles", (req.params as { id: string }).id).resource)));
  relatedRoutes("membership_profiles", ["organization", "application_memberships"]);

  function profileProblems(org: OrgRow, attributes: Record<string, unknown>, creating: boolean, except?: string): ApiErrorItem[] {
    const problems = baseProblems(attributes);
    if (creating || attributes.name !== undefined) {
      if (typeof attributes.name !== "string" || attributes.name.trim() === "") problems.push(invalid("name", "can't be blank", "blank"));
      else if (profilesOf(org).some((p) => p.id !== except && p.name.toLowerCase() === (attributes.name as string).trim().toLowerCase())) problems.push(invalid("name", "has already been taken", "taken"));
    }
    if (creating || attributes.access_scope !== undefined) {
      if (!(ACCESS_SCOPES as readonly unknown[]).includes(attributes.access_scope)) {
        problems.push(attributes.access_scope === undefined || attributes.access_scope === null ? invalid("access_scope", "can't be blank", "blank") : invalid("access_scope", `is not included in the list (${ACCESS_SCOPES.join(", ")})`, "inclusion"));
      }
    }
    return problems;
  }

  /** Links the application memberships a write names (`relationships.application_memberships`) to `link`; 422 items for those not of the organization. */
  function linkAppMemberships(org: OrgRow, ids: string[] | undefined, link: Partial<ApplicationMembershipRecord>, problems: ApiErrorItem[]): ApplicationMembershipRecord[] {
    const all = appMembershipsOf(org);
    if (ids === undefined) return all;
    for (const id of ids) if (!all.some((a) => a.id === id)) problems.push(invalid("application_memberships", `must be application memberships of organization ${org.id}`, "invalid", "relationships"));
    return all.map((a) => (ids.includes(a.id) ? { ...a, ...link, updated_at: now() } : a));
  }

  app.post("/membership_profiles", async (req, reply) => {
    const rr = retrieveRequest(req.query as Query, "membership_profiles", SPECS.membership_profiles.includable);
    const { attributes, relationships } = requestData(req, "membership_profiles");
    onlyAttributes(attributes, ["name", "access_scope", ...BASE_WRITABLE], "membership_profiles");
    onlyRelationships(relationships, ["organization", "application_memberships"], "membership_profiles");
    const orgId = relatedId(relationships, "organization", "organizations");
    const appIds = relatedIds(relationships, "application_memberships", "application_memberships");
    const created = store.tx(() => {
      if (!orgId) throw unprocessable([...baseProblems(attributes), invalid("organization", "must exist", "blank", "relationships")]);
      const org = visibleOrg(req, orgId);
      const problems = profileProblems(org, attributes, true);
      const t = now();
      const p: MembershipProfileRecord = { id: newClId(), name: String(attributes.name ?? "").trim(), access_scope: attributes.access_scope as MembershipProfileRecord["access_scope"], created_at: t, updated_at: t, ...baseValues(attributes) };
      const apps = linkAppMemberships(org, appIds, { membership_profile_id: p.id }, problems);
      if (problems.length) throw unprocessable(problems);
      const doc = orgDocument(org);
      const saved = saveDoc(org, { ...doc, membership_profiles: [...profilesOf(org), p], application_memberships: apps });
      return oneAnswer(req, membershipProfileResource(saved, p, baseUrl(req)), rr);
    });
    return send(reply, 201, created);
  });

  app.patch("/membership_profiles/:id", async (req) => {
    const { id } = req.params as { id: string };
    const rr = retrieveRequest(req.query as Query, "membership_profiles", SPECS.membership_profiles.includable);
    const { attributes, relationships } = requestData(req, "membership_profiles", id);
    onlyAttributes(attributes, ["name", "access_scope", ...BASE_WRITABLE], "membership_profiles");
    onlyRelationships(relationships, ["application_memberships"], "membership_profiles");
    const appIds = relatedIds(relationships, "application_memberships", "application_memberships");
    return store.tx(() => {
      const { org } = locate(req, "membership_profiles", id);
      const p = profilesOf(org).find((x) => x.id === id)!;
      const problems = profileProblems(org, attributes, false, id);
      const apps = linkAppMemberships(org, appIds, { membership_profile_id: id }, problems);
      if (problems.length) throw unprocessable(problems);
      const next: MembershipProfileRecord = {
        ...p,
        ...(typeof attributes.name === "string" ? { name: attributes.name.trim() } : {}),
        ...(attributes.access_scope !== undefined ? { access_scope: attributes.access_scope as MembershipProfileRecord["access_scope"] } : {}),
        ...baseValues(attributes),
        updated_at: now(),
      };
      const doc = orgDocument(org);
      const saved = saveDoc(org, { ...doc, membership_profiles: profilesOf(org).map((x) => (x.id === id ? next : x)), application_memberships: apps });
      return oneAnswer(req, membershipProfileResource(saved, next, baseUrl(req)), rr);
    });
  });

  /** Deleting a profile unlinks it from its memberships and application memberships (our reading). */
  app.delete("/membership_profiles/:id", async (req, reply) => {
    const { id } = req.params as { id: string };
    store.tx(() => {
      const { org } = locate(req, "membership_profiles", id);
      const doc = orgDocument(org);
      const t = now();
      saveDoc(org, {
        ...doc,
        membership_profiles: profilesOf(org).filter((x) => x.id !== id),
        application_memberships: appMembershipsOf(org).map((a) => (a.membership_profile_id === id ? { ...a, membership_profile_id: null, updated_at: t } : a)),
      });
      for (const m of store.membersOf(BACKEND, org.id)) {
        const md = membershipDocument(m);
        if (md.membership_profile_id === id) store.updateMember(BACKEND, m.id, { email: m.email, uniqueKey: m.uniqueKey, document: { ...md, membership_profile_id: null } as never, updateTime: t });
      }
    });
    return reply.code(204).send();
  });

  // ---- application memberships ----
  listRoute("/application_memberships", "application_memberships", allOf("application_memberships"));
  app.get("/application_memberships/:id", async (req) => store.read(() => oneAnswer(req, locate(req, "application_memberships", (req.params as { id: string }).id).resource)));
  relatedRoutes("application_memberships", ["api_credential", "membership", "membership_profile", "organization", "role"]);

  /** An application membership's links, each of the organization's own (422 items otherwise). */
  function appLinkProblems(org: OrgRow, links: { api_credential?: string | null; membership?: string | null; membership_profile?: string | null; role?: string | null }): ApiErrorItem[] {
    const problems: ApiErrorItem[] = [];
    const own = (name: string, ok: boolean) => {
      if (!ok) problems.push(invalid(name, `must be one of organization ${org.id}'s`, "invalid", "relationships"));
    };
    if (links.api_credential) own("api_credential", credentialsOf(org).some((c) => c.id === links.api_credential));
    if (links.membership) own("membership", findMembership(store, links.membership)?.orgId === org.id);
    if (links.membership_profile) own("membership_profile", profilesOf(org).some((p) => p.id === links.membership_profile));
    if (links.role) own("role", orgDocument(org).roles.some((r) => r.id === links.role));
    return problems;
  }
  function filtersProblems(attributes: Record<string, unknown>): ApiErrorItem[] {
    const problems = baseProblems(attributes);
    if (attributes.filters !== undefined && attributes.filters !== null && !isObject(attributes.filters)) problems.push(invalid("filters", "must be an object", "invalid"));
    return problems;
  }

  app.post("/application_memberships", async (req, reply) => {
    const rr = retrieveRequest(req.query as Query, "application_memberships", SPECS.application_memberships.includable);
    const { attributes, relationships } = requestData(req, "application_memberships");
    onlyAttributes(attributes, ["filters", ...BASE_WRITABLE], "application_memberships");
    onlyRelationships(relationships, ["api_credential", "membership", "membership_profile", "organization", "role"], "application_memberships");
    const links = {
      api_credential: relatedId(relationships, "api_credential", "api_credentials"),
      membership: relatedId(relationships, "membership", "memberships"),
      membership_profile: relatedId(relationships, "membership_profile", "membership_profiles"),
      role: relatedId(relationships, "role", "roles"),
    };
    const orgId = relatedId(relationships, "organization", "organizations");
    const created = store.tx(() => {
      const problems = filtersProblems(attributes);
      for (const k of ["api_credential", "role"] as const) if (!links[k]) problems.push(invalid(k, "must exist", "blank", "relationships"));
      if (!orgId) throw unprocessable([...problems, invalid("organization", "must exist", "blank", "relationships")]);
      const org = visibleOrg(req, orgId);
      problems.push(...appLinkProblems(org, links));
      if (problems.length) throw unprocessable(problems);
      const t = now();
      const a: ApplicationMembershipRecord = {
        id: newClId(),
        filters: (attributes.filters as JsonObject | null | undefined) ?? null,
        api_credential_id: links.api_credential!,
        membership_id: links.membership ?? null,
        membership_profile_id: links.membership_profile ?? null,
        role_id: links.role!,
        created_at: t,
        updated_at: t,
        ...baseValues(attributes),
      };
      const doc = orgDocument(org);
      const saved = saveDoc(org, { ...doc, application_memberships: [...appMembershipsOf(org), a] });
      return oneAnswer(req, applicationMembershipResource(saved, a, baseUrl(req)), rr);
    });
    return send(reply, 201, created);
  });

  app.patch("/application_memberships/:id", async (req) => {
    const { id } = req.params as { id: string };
    const rr = retrieveRequest(req.query as Query, "application_memberships", SPECS.application_memberships.includable);
    const { attributes, relationships } = requestData(req, "application_memberships", id);
    onlyAttributes(attributes, ["filters", ...BASE_WRITABLE], "application_memberships");
    onlyRelationships(relationships, ["membership_profile", "role"], "application_memberships");
    const profile = relatedId(relationships, "membership_profile", "membership_profiles");
    const role = relatedId(relationships, "role", "roles");
    return store.tx(() => {
      const { org } = locate(req, "application_memberships", id);
      const a = appMembershipsOf(org).find((x) => x.id === id)!;
      const problems = [...filtersProblems(attributes), ...appLinkProblems(org, { membership_profile: profile, role })];
      if (role === null) problems.push(invalid("role", "must exist", "blank", "relationships"));
      if (problems.length) throw unprocessable(problems);
      const next: ApplicationMembershipRecord = {
        ...a,
        ...(attributes.filters !== undefined ? { filters: attributes.filters as JsonObject | null } : {}),
        ...(profile !== undefined ? { membership_profile_id: profile } : {}),
        ...(role ? { role_id: role } : {}),
        ...baseValues(attributes),
        updated_at: now(),
      };
      const doc = orgDocument(org);
      const saved = saveDoc(org, { ...doc, application_memberships: appMembershipsOf(org).map((x) => (x.id === id ? next : x)) });
      return oneAnswer(req, applicationMembershipResource(saved, next, baseUrl(req)), rr);
    });
  });

  app.delete("/application_memberships/:id", async (req, reply) => {
    const { id } = req.params as { id: string };
    store.tx(() => {
      const { org } = locate(req, "application_memberships", id);
      saveDoc(org, { ...orgDocument(org), application_memberships: appMembershipsOf(org).filter((x) => x.id !== id) });
    });
    return reply.code(204).send();
  });

  // ---- versions ----
  listRoute("/versions", "versions", allOf("versions"));
  app.get("/versions/:id", async (req) => store.read(() => oneAnswer(req, locate(req, "versions", (req.params as { id: string }).id).resource)));

  // ---- the user (a singleton: the token's user) ----
  // One user per credential, kept in memory (the emulator's credentials are not people): what
  // `PATCH /user` changes lasts until the emulator stops.
  const users = new Map<string, UserRecord>();
  function userOf(principal: Principal): UserRecord {
    let u = users.get(principal.id);
    if (!u) {
      const t = now();
      const who = (principal.issued?.subject ?? principal.kind).toLowerCase().replace(/[^a-z0-9.-]+/g, "-");
      u = { id: newClId(), email: `${who}@users.emulator.test`, first_name: "Provisioning", last_name: "User", time_zone: "UTC", otp_required_for_login: false, created_at: t, updated_at: t };
      users.set(principal.id, u);
    }
    return u;
  }

  app.get("/user", async (req) => oneAnswer(req, userResource(userOf(req.principal!), baseUrl(req)), retrieveRequest(req.query as Query, "users", [])));

  app.patch("/user", async (req) => {
    const rr = retrieveRequest(req.query as Query, "users", []);
    const u = userOf(req.principal!);
    const { attributes, relationships } = requestData(req, "users", u.id);
    onlyAttributes(attributes, ["email", "first_name", "last_name", "time_zone", ...BASE_WRITABLE], "users");
    onlyRelationships(relationships, [], "users");
    const problems = baseProblems(attributes);
    if (attributes.email !== undefined && (typeof attributes.email !== "string" || !EMAIL.test(attributes.email))) problems.push(invalid("email", "is invalid", "invalid"));
    for (const k of ["first_name", "last_name"]) {
      if (attributes[k] !== undefined && (typeof attributes[k] !== "string" || (attributes[k] as string).trim() === "")) problems.push(invalid(k, "can't be blank", "blank"));
    }
    if (attributes.time_zone !== undefined && attributes.time_zone !== null && typeof attributes.time_zone !== "string") problems.push(invalid("time_zone", "must be a string", "invalid"));
    if (problems.length) throw unprocessable(problems);
    const next: UserRecord = { ...u, ...Object.fromEntries(["email", "first_name", "last_name", "time_zone"].filter((k) => attributes[k] !== undefined).map((k) => [k, attributes[k]])), ...baseValues(attributes), updated_at: now() };
    users.set(req.principal!.id, next);
    return oneAnswer(req, userResource(next, baseUrl(req)), rr);
  });

  // ---- memberships ----
  listRoute("/memberships", "memberships", allOf("memberships"));
  app.get("/memberships/:id", async (req) => store.read(() => oneAnswer(req, locate(req, "memberships", (req.params as { id: string }).id).resource)));
  relatedRoutes("memberships", ["organization", "role", "application_memberships", "membership_profile", "versions"]);

  /** The SDK's `resend`: `POST /memberships/{id}/resend` sends the invitation again (204); an accepted one has none (422, our reading). */
  app.post("/memberships/:id/resend", async (req, reply) => {
    const { id } = req.params as { id: string };
    store.read(() => {
      const m = visibleMembership(req, id);
      if (membershipDocument(m).status !== "pending") throw unprocessable([invalid("status", "is active: the invitation was accepted, there is none to resend", "invalid")]);
    });
    return reply.code(204).send();
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

  /** A membership's profile: one of the organization's (422 otherwise). */
  function profileProblemsOf(org: OrgRow, profileId: string | null | undefined): ApiErrorItem[] {
    return profileId && !profilesOf(org).some((p) => p.id === profileId) ? [invalid("membership_profile", `must be one of the membership profiles of organization ${org.id}`, "invalid", "relationships")] : [];
  }

  /** The role a membership names: one of the organization's own roles (422 otherwise). */
  function roleOf(org: OrgRow, roleId: string | null | undefined): RoleRecord | ApiErrorItem {
    if (!roleId) return invalid("role", "must exist", "blank", "relationships");
    const role = orgDocument(org).roles.find((r) => r.id === roleId);
    return role ?? invalid("role", `must be one of the roles of organization ${org.id}`, "invalid", "relationships");
  }

  app.post("/memberships", async (req, reply) => {
    const rr = retrieveRequest(req.query as Query, "memberships", SPECS.memberships.includable);
    const { attributes, relationships } = requestData(req, "memberships");
    onlyAttributes(attributes, MEMBERSHIP_CREATE, "memberships");
    onlyRelationships(relationships, ["organization", "role", "application_memberships", "membership_profile"], "memberships");
    const orgId = relatedId(relationships, "organization", "organizations");
    const roleId = relatedId(relationships, "role", "roles");
    const profileId = relatedId(relationships, "membership_profile", "membership_profiles");
    const appIds = relatedIds(relationships, "application_memberships", "application_memberships");
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
      problems.push(...profileProblemsOf(org, profileId));
      const newId = newClId();
      const apps = linkAppMemberships(org, appIds, { membership_id: newId }, problems);
      if (problems.length) throw unprocessable(problems);
      const t = now();
      if (appIds !== undefined) saveDoc(org, { ...orgDocument(org), application_memberships: apps });
      const doc: MembershipDocument = {
        role_id: (role as RoleRecord).id,
        membership_profile_id: profileId ?? null,
        status: "pending",
        owner: false,
        access_scope: (attributes.access_scope as string | undefined) ?? "live_access",
        // The SDK types both as non-null strings: empty until the invited user gives them.
        user_first_name: "",
        user_last_name: "",
        reference: (attributes.reference as string | null | undefined) ?? null,
        reference_origin: (attributes.reference_origin as string | null | undefined) ?? null,
        metadata: (attributes.metadata as JsonObject | undefined) ?? {},
      };
      const row = store.insertMember({ backend: BACKEND, id: newId, orgId: org.id, email: (email as string).trim(), uniqueKey: memberUniqueKey(org.id, email as string), document: doc as never, createTime: t });
      recordVersion(org.id, version("memberships", row.id, "create", { user_email: [null, row.email] as never, role_id: [null, doc.role_id] as never }));
      return oneAnswer(req, membershipResource(row, baseUrl(req)), rr);
    });
    return send(reply, 201, created);
  });

  app.patch("/memberships/:id", async (req) => {
    const { id } = req.params as { id: string };
    const rr = retrieveRequest(req.query as Query, "memberships", SPECS.memberships.includable);
    const { attributes, relationships } = requestData(req, "memberships", id);
    onlyAttributes(attributes, MEMBERSHIP_UPDATE, "memberships");
    onlyRelationships(relationships, ["role", "application_memberships", "membership_profile"], "memberships");
    const roleId = relatedId(relationships, "role", "roles");
    const profileId = relatedId(relationships, "membership_profile", "membership_profiles");
    const appIds = relatedIds(relationships, "application_memberships", "application_memberships");
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
      problems.push(...profileProblemsOf(org, profileId));
      if (profileId !== undefined) doc.membership_profile_id = profileId;
      const apps = linkAppMemberships(org, appIds, { membership_id: id }, problems);
      if (problems.length) throw unprocessable(problems);
      if (appIds !== undefined) saveDoc(org, { ...orgDocument(org), application_memberships: apps });
      for (const k of MEMBERSHIP_UPDATE) if (attributes[k] !== undefined) (doc as unknown as Record<string, unknown>)[k] = attributes[k];
      const updated = store.updateMember(BACKEND, id, { email: row.email, uniqueKey: row.uniqueKey, document: doc as never, updateTime: now() });
      const before = membershipDocument(row);
      const changed = changes(before as unknown as Record<string, unknown>, { role_id: doc.role_id, access_scope: doc.access_scope, reference: doc.reference, reference_origin: doc.reference_origin, metadata: doc.metadata });
      if (Object.keys(changed).length) recordVersion(org.id, version("memberships", id, "update", changed));
      return oneAnswer(req, membershipResource(updated, baseUrl(req)), rr);
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
      const org = store.getOrg(BACKEND, row.orgId)!;
      const apps = appMembershipsOf(org);
      if (apps.some((a) => a.membership_id === id)) saveDoc(org, { ...orgDocument(org), application_memberships: apps.map((a) => (a.membership_id === id ? { ...a, membership_id: null } : a)) });
      recordVersion(row.orgId, version("memberships", id, "destroy", { user_email: [row.email, null] as never }));
    });
    return reply.code(204).send();
  });
}


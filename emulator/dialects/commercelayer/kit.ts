import type { FastifyInstance, FastifyRequest } from "fastify";
import type { JsonObject, MemberRow, OrgRow } from "../../store";
import type { DialectContext } from "../../types";
import { SPECS, TO_MANY, BACK_LINK } from "./common";
import { apiBase, ClError, invalid, listDocument, listRequest, notFound, retrieveRequest, sparse, unprocessable, type ListRequest, type Query, type Resource } from "./jsonapi";
import { apiCredentialResource, applicationMembershipResource, BACKEND, findMembership, membershipProfileResource, membershipResource, newClId, orgDocument, orgResource, permissionResource, PREFIX, roleResource, versionResource, type OrgDocument, type VersionRecord } from "./wire";

/**
 * The helpers every route module uses, over one store: which organizations a caller sees, every
 * resource of a type as the API answers it, where an id is, what an association names, `include`
 * and list answers, the list and related routes of a type, and versions of changes.
 */
export function routeKit(app: FastifyInstance, ctx: DialectContext) {
  const { store } = ctx;
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

  return { store, ctx, baseUrl, now, visible, visibleOrg, visibleOrgs, visibleMembership, permissionsOf, credentialsOf, versionsOf, profilesOf, appMembershipsOf, resourcesOf, locate, related, included, listAnswer, oneAnswer, listRoute, allOf, relatedRoutes, saveDoc, version, recordVersion, changes, nameTaken };
}

export type Kit = ReturnType<typeof routeKit>;

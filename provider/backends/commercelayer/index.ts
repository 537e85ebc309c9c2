// Commerce Layer provisioning API adapter: JSON:API (application/vnd.api+json) both ways,
// `page[number]` / `page[size]` paging with `meta.page_count`, `filter[q][name_cont]`, PATCH merges,
// no DELETE of organizations, memberships with a role of the organization's own.
import { HttpClient, HttpStatusError, type HttpMethod } from "../../http/client";
import { PageProgress, type Shape } from "../../http/protocol";
import { expect, protocol } from "./protocol";
import { OrgformError, isOrgformError } from "../../core/errors";
import { roleRulesOf, sameRole } from "../../core/roles";
import { roleOfAssignment } from "../types";
import type {
  BulkReadAbility,
  Backend,
  CreateIdentity,
  CreatedOrganization,
  Fields,
  MemberAbility,
  MemberAssignment,
  ObservedMember,
  ObservedOrganization,
  OrganizationQuery,
  RoleAbility,
  RoleInfo,
} from "../types";
import {
  fromMembership,
  commercelayerSchemas,
  fromOrganization,
  membershipDocument,
  roleChangeDocument,
  toCreateDocument,
  toUpdateDocument,
  toMarkerDocument,
  updateNeedsLive,
  type WireDocument,
  type WireResource,
} from "./mappers";
import type { ImplementedVendor } from "../index";

const MEDIA_TYPE = "application/vnd.api+json";
/** The largest page the API serves (the SDK's `QueryPageSize` type). */
const PAGE_SIZE = 25;

/** Attempts at adding one member when a POST fails ambiguously and the member is not there. */
const MEMBER_ADD_ATTEMPTS = 6;

interface WireRole {
  id: string;
  name: string;
  administrator: boolean;
}

function wireRole(r: WireResource): WireRole {
  return { id: r.id, name: String(r.attributes.name), administrator: r.attributes.kind === "admin" };
}

export class CommerceLayerBackend implements Backend, MemberAbility, RoleAbility, BulkReadAbility {
  readonly name = "commercelayer" as const;
  /** The ownership marker rides in `metadata.orgform_marker`, the key the schema reserves for it. */
  readonly duplicateGuard = "marker" as const;
  private readonly roleCache = new Map<string, WireRole[]>();

  /** The organization schema the mappers place fields by, and the member roles' comparison rule: looked up once for the adapter's life. */
  private readonly schemas = commercelayerSchemas();
  private readonly roleRules = roleRulesOf(this.schemas.member);

  constructor(private readonly http: HttpClient) {}

  private readonly organizationOf = (wire: WireResource): ObservedOrganization => fromOrganization(wire, this.schemas.organization);

  /** The document of a 2xx answer; undefined on 404; any other answer throws with the vendor's reason. */
  private async call(method: HttpMethod, path: string, body?: unknown, expected?: Shape): Promise<WireDocument | undefined> {
    const res = await this.http.send({ method, path, body, expect: expected, headers: { accept: MEDIA_TYPE, ...(body !== undefined ? { "content-type": MEDIA_TYPE } : {}) } });
    if (res.status >= 200 && res.status < 300) return res.body as WireDocument | undefined;
    if (res.status === 404) return undefined;
    throw new HttpStatusError(res.status, res.body, `commercelayer ${method} ${path.split("?")[0]}`);
  }

  /** Every page of a list, with the resources each page included. */
  private async list(path: string, params: URLSearchParams, what: string, expected: Shape): Promise<{ data: WireResource[]; included: WireResource[] }> {
    const data: WireResource[] = [];
    const included: WireResource[] = [];
    const progress = new PageProgress(this.http.endpointOf({ method: "GET", path }));
    for (let page = 1; ; page++) {
      const q = new URLSearchParams(params);
      q.set("page[size]", String(PAGE_SIZE));
      q.set("page[number]", String(page));
      const doc = await this.call("GET", `${path}?${q}`, undefined, expected);
      // A 404 means the list's owner (the organization) is gone: say so, an empty list would read as "nothing".
      if (!doc) throw new OrgformError("NOT_FOUND", `cannot list ${what}: the organization does not exist`);
      data.push(...(doc.data as WireResource[]));
      included.push(...(doc.included ?? []));
      if (page >= (doc.meta?.page_count ?? 1)) return { data, included };
      progress.next((doc.data as WireResource[]).map((r) => r.id), page + 1);
    }
  }

  private async getWire(id: string): Promise<WireResource | undefined> {
    const doc = await this.call("GET", `/organizations/${encodeURIComponent(id)}`, undefined, expect.organization);
    return doc?.data as WireResource | undefined;
  }

  async getOrganization(id: string): Promise<ObservedOrganization | undefined> {
    const wire = await this.getWire(id);
    return wire && this.organizationOf(wire);
  }

  /** Every organization the token sees, paged; each resource as GET /organizations/{id} answers it. */
  async listAllOrganizations(): Promise<ObservedOrganization[]> {
    return (await this.list("/organizations", new URLSearchParams(), "commercelayer organizations", expect.organizations)).data.map(this.organizationOf);
  }

  async findOrganizations(query: OrganizationQuery): Promise<ObservedOrganization[]> {
    // No hierarchy: every organization is a root.
    if (query.parentId !== undefined && query.parentId !== null) return [];
    const params = new URLSearchParams();
    // `name_cont` is case-insensitive (ILIKE); exactness is checked here, as names are unique by slug.
    if (query.name !== undefined) params.set("filter[q][name_cont]", query.name);
    const { data } = await this.list("/organizations", params, "commercelayer organizations", expect.organizations);
    const wanted = query.name?.toLowerCase();
    return data.map(this.organizationOf).filter((o) => wanted === undefined || o.name.toLowerCase() === wanted);
  }

  /**
   * The answer includes the new organization's roles and memberships (a create takes `include`
   * as a retrieve does): its member set then needs neither list before adding, which saves two of
   * the 2 + N calls an onboarded organization with N members cost. Where the answer carries no
   * linkage for one of them (a server that ignores `include`), that one is not told.
   */
  async createOrganization(declared: Fields, _parentId: string | null, identity: CreateIdentity): Promise<CreatedOrganization> {
    const doc = await this.call("POST", "/organizations?include=roles,memberships", toCreateDocument(declared, identity.marker, this.schemas.organization), expect.organization);
    const wire = doc!.data as WireResource;
    const included = new Map((doc!.included ?? []).map((r) => [`${r.type}/${r.id}`, r]));
    const linked = (name: string): WireResource[] | undefined => {
      const data = wire.relationships?.[name]?.data;
      if (!Array.isArray(data)) return undefined;
      const resources = data.map((d) => included.get(`${d.type}/${d.id}`));
      return resources.every((r) => r !== undefined) ? (resources as WireResource[]) : undefined;
    };
    const created: NonNullable<CreatedOrganization["created"]> = {};
    const roles = linked("roles")?.map(wireRole);
    if (roles) {
      this.roleCache.set(wire.id, roles);
      created.roles = roles.map(({ name, administrator }) => ({ name, administrator }));
    }
    const memberships = linked("memberships");
    if (memberships && roles) created.members = memberships.map((m) => fromMembership(m, new Map(roles.map((r) => [r.id, r.name]))));
    return { ...this.organizationOf(wire), created };
  }

  /** Names are unique (by slug): our organization is the same-named one carrying our marker. */
  async findCreated(declared: Fields, _parentId: string | null, identity: CreateIdentity): Promise<ObservedOrganization | undefined> {
    const sameName = await this.findOrganizations({ name: String(declared.name) });
    return sameName.find((o) => o.marker === identity.marker);
  }

  /** PATCH merges: the live organization is read first only when the update must keep the marker (`updateNeedsLive`). */
  async updateOrganization(id: string, declared: Fields): Promise<ObservedOrganization> {
    const gone = () => new OrgformError("NOT_FOUND", `cannot update commercelayer organization ${id}: it does not exist`);
    const needsLive = updateNeedsLive(declared, this.schemas.organization);
    const live = needsLive ? await this.getWire(id) : undefined;
    if (needsLive && !live) throw gone();
    const body = toUpdateDocument(id, declared, this.schemas.organization, live);
    if (!body) {
      const unchanged = live ?? (await this.getWire(id));
      if (!unchanged) throw gone();
      return this.organizationOf(unchanged);
    }
    const doc = await this.call("PATCH", `/organizations/${encodeURIComponent(id)}`, body, expect.organization);
    if (!doc) throw gone();
    return this.organizationOf(doc.data as WireResource);
  }

  /** The marker rides in `metadata.orgform_marker`: the live metadata sent back with that key changed. */
  async writeMarker(orgId: string, marker: string): Promise<ObservedOrganization> {
    const gone = () => new OrgformError("NOT_FOUND", `cannot write the ownership marker of commercelayer organization ${orgId}: it does not exist`);
    const live = await this.getWire(orgId);
    if (!live) throw gone();
    const doc = await this.call("PATCH", `/organizations/${encodeURIComponent(orgId)}`, toMarkerDocument(live, marker, this.schemas.organization));
    if (!doc) throw gone();
    return this.organizationOf(doc.data as WireResource);
  }

  /** The provisioning API has no DELETE for organizations (the handler releases them instead). */
  async deleteOrganization(id: string): Promise<void> {
    throw new OrgformError("UNSUPPORTED", `commercelayer organization ${id} cannot be deleted: the provisioning API has no delete for organizations`);
  }

  private async roles(orgId: string, fresh = false): Promise<WireRole[]> {
    let roles = fresh ? undefined : this.roleCache.get(orgId);
    if (!roles) {
      const { data } = await this.list(`/organizations/${encodeURIComponent(orgId)}/roles`, new URLSearchParams(), `the roles of commercelayer organization ${orgId}`, expect.roles);
      roles = data.map(wireRole);
      this.roleCache.set(orgId, roles);
    }
    return roles;
  }

  async listRoles(orgId: string): Promise<RoleInfo[]> {
    return (await this.roles(orgId, true)).map(({ name, administrator }) => ({ name, administrator }));
  }

  /** The id of the organization's role of that name (case-insensitively); custom roles may be new, so a miss looks again. */
  private async roleId(orgId: string, roleName: string): Promise<string> {
    const find = (roles: WireRole[]) => roles.find((r) => r.name.toLowerCase() === roleName.toLowerCase());
    const role = find(await this.roles(orgId)) ?? find(await this.roles(orgId, true));
    if (!role) {
      const names = (await this.roles(orgId)).map((r) => r.name);
      throw new OrgformError("VALIDATION", `commercelayer organization ${orgId} has no role "${roleName}" (its roles: ${names.join(", ")})`);
    }
    return role.id;
  }

  async listMembers(orgId: string): Promise<ObservedMember[]> {
    const { data, included } = await this.list(
      `/organizations/${encodeURIComponent(orgId)}/memberships`,
      new URLSearchParams({ include: "role" }),
      `the memberships of commercelayer organization ${orgId}`,
      expect.memberships,
    );
    const names = new Map(included.filter((r) => r.type === "roles").map((r) => [r.id, String(r.attributes.name)]));
    return data.map((m) => fromMembership(m, names));
  }

  async addMember(orgId: string, member: MemberAssignment): Promise<ObservedMember> {
    const role = roleOfAssignment("commercelayer", member);
    const roleId = await this.roleId(orgId, role);
    for (let attempt = 1; ; attempt++) {
      try {
        const doc = await this.call("POST", "/memberships", membershipDocument(member.email, orgId, roleId), expect.membership);
        if (!doc) throw new OrgformError("NOT_FOUND", `cannot add a member to commercelayer organization ${orgId}: it does not exist`);
        return fromMembership(doc.data as WireResource, new Map([[roleId, role]]));
      } catch (err) {
        // An email is a member at most once: after an ambiguous POST, or a 422 "taken", look before failing.
        const existing = (await this.listMembers(orgId)).find((m) => m.email.toLowerCase() === member.email.toLowerCase());
        if (existing) return sameRole(this.roleRules, existing.role, role) ? existing : this.setMemberRole(orgId, existing.id, role);
        // Not there: an ambiguous POST did not commit, so sending it again cannot add it twice.
        if (!isOrgformError(err, "AMBIGUOUS") || attempt >= MEMBER_ADD_ATTEMPTS) throw err;
      }
    }
  }

  async setMemberRole(orgId: string, memberId: string, role: string): Promise<ObservedMember> {
    const roleId = await this.roleId(orgId, role);
    const doc = await this.call("PATCH", `/memberships/${encodeURIComponent(memberId)}`, roleChangeDocument(memberId, roleId), expect.membership);
    if (!doc) throw new OrgformError("NOT_FOUND", `membership ${memberId} of commercelayer organization ${orgId} does not exist`);
    const name = (await this.roles(orgId)).find((r) => r.id === roleId)!.name;
    return fromMembership(doc.data as WireResource, new Map([[roleId, name]]));
  }

  async removeMember(_orgId: string, memberId: string): Promise<void> {
    await this.call("DELETE", `/memberships/${encodeURIComponent(memberId)}`);
  }
}

export const commercelayerVendor = {
  name: "commercelayer",
  status: "implemented",
  protocol,
  open: (http: HttpClient) => new CommerceLayerBackend(http) satisfies Backend & MemberAbility & RoleAbility & BulkReadAbility,
} as const satisfies ImplementedVendor;

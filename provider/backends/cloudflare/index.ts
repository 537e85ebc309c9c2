// Cloudflare Organizations API (closed beta) adapter: envelope {success, errors, messages, result,
// result_info}, page_token pagination; PUT changes the name and what else it is sent (issue 21).
import { HttpClient, HttpStatusError, type HttpMethod } from "../../http/client";
import { OrgformError, isOrgformError } from "../../core/errors";
import type {
  Backend,
  BulkReadAbility,
  CreateIdentity,
  Fields,
  MemberAbility,
  MemberAssignment,
  ObservedMember,
  ObservedOrganization,
  OrganizationQuery,
  ProfileAbility,
} from "../types";
import {
  fromMember,
  fromOrganization,
  fromProfile,
  toCreateBody,
  toProfileBody,
  toUpdateBody,
  type WireMember,
  type WireOrganization,
  type WireProfile,
  type WireRole,
} from "./mappers";
import type { ImplementedVendor } from "../index";
import { roleOfAssignment } from "../types";

interface Envelope<T> {
  success: boolean;
  errors: { code: number; message: string }[];
  result: T;
  result_info?: { next_page_token?: string; total_size?: number };
}

const PAGE_SIZE = 50;
/** POSTs of one member in all, when each ambiguous one is found not to have committed. */
const MEMBER_ADD_ATTEMPTS = 6;

export class CloudflareBackend implements Backend, ProfileAbility, MemberAbility, BulkReadAbility {
  readonly name = "cloudflare" as const;
  /** The ownership marker rides in `profile.external_metadata` (document 003 has no other free field). */
  readonly duplicateGuard = "marker" as const;
  /**
   * The role set, listed once per client: role ids are the same in every organization (our
   * design of Cloudflare members, docs/architecture.md), so one list serves them all.
   */
  private rolesOnce?: Promise<WireRole[]>;

  constructor(private readonly http: HttpClient) {}

  private async call<T>(method: HttpMethod, path: string, body?: unknown): Promise<{ status: number; envelope?: Envelope<T> }> {
    const res = await this.http.send({ method, path, body });
    const envelope = res.body as Envelope<T> | undefined;
    if (res.status >= 200 && res.status < 300) return { status: res.status, envelope };
    if (res.status === 404) return { status: 404, envelope };
    throw new HttpStatusError(res.status, res.body, `cloudflare ${method} ${path.split("?")[0]}`);
  }

  private async list<T>(path: string, params: URLSearchParams): Promise<T[]> {
    const out: T[] = [];
    let token: string | undefined;
    do {
      const q = new URLSearchParams(params);
      q.set("page_size", String(PAGE_SIZE));
      if (token) q.set("page_token", token);
      const { status, envelope } = await this.call<T[]>("GET", `${path}?${q}`);
      // A 404 means the list's owner (the organization) is gone. Say so: an empty list would read as
      // "every member was removed", while the members resources drop their state on NOT_FOUND.
      if (status === 404) throw new OrgformError("NOT_FOUND", `cannot list cloudflare ${path}: the organization does not exist`);
      if (!envelope) return out;
      out.push(...envelope.result);
      token = envelope.result_info?.next_page_token || undefined;
    } while (token);
    return out;
  }

  private async getWire(id: string): Promise<WireOrganization | undefined> {
    const { status, envelope } = await this.call<WireOrganization>("GET", `/organizations/${encodeURIComponent(id)}`);
    return status === 404 ? undefined : envelope?.result;
  }

  async getOrganization(id: string): Promise<ObservedOrganization | undefined> {
    const wire = await this.getWire(id);
    return wire && fromOrganization(wire);
  }

  async findOrganizations(query: OrganizationQuery): Promise<ObservedOrganization[]> {
    const params = new URLSearchParams();
    // The API filters by substring only; exactness is checked here (case-insensitively, as names are unique).
    if (query.name !== undefined) params.set("name.contains", query.name);
    if (query.parentId !== undefined) params.set("parent.id", query.parentId ?? "null");
    const all = await this.list<WireOrganization>("/organizations", params);
    const wanted = query.name?.toLowerCase();
    return all.map(fromOrganization).filter((o) => wanted === undefined || o.name.toLowerCase() === wanted);
  }

  /** Every organization the credential sees: `GET /organizations` unfiltered, 50 per page, profiles embedded. */
  async listAllOrganizations(): Promise<ObservedOrganization[]> {
    return (await this.list<WireOrganization>("/organizations", new URLSearchParams())).map(fromOrganization);
  }

  async createOrganization(declared: Fields, parentId: string | null, identity: CreateIdentity): Promise<ObservedOrganization> {
    const { envelope } = await this.call<WireOrganization>("POST", "/organizations", toCreateBody(declared, parentId, identity.marker));
    return fromOrganization(envelope!.result);
  }

  /** Names are unique among siblings: our organization is the same-named sibling carrying our marker. */
  async findCreated(declared: Fields, parentId: string | null, identity: CreateIdentity): Promise<ObservedOrganization | undefined> {
    const sameName = await this.findOrganizations({ name: String(declared.name), parentId });
    return sameName.find((o) => o.marker === identity.marker);
  }

  async updateOrganization(id: string, declared: Fields, parentId: string | null | undefined): Promise<ObservedOrganization> {
    const body = toUpdateBody(declared, parentId);
    // `name` is the one field an update must carry: read it when the change is elsewhere.
    if (body.name === undefined) {
      const live = await this.getWire(id);
      if (!live) throw new OrgformError("NOT_FOUND", `cannot update cloudflare organization ${id}: it does not exist`);
      body.name = live.name;
    }
    const { status, envelope } = await this.call<WireOrganization>("PUT", `/organizations/${encodeURIComponent(id)}`, body);
    if (status === 404) throw new OrgformError("NOT_FOUND", `cannot update cloudflare organization ${id}: it does not exist`);
    return fromOrganization(envelope!.result);
  }

  async deleteOrganization(id: string): Promise<void> {
    await this.call("DELETE", `/organizations/${encodeURIComponent(id)}`);
  }

  /** The profile; `{}` when the organization has none yet (404 on /profile), undefined when the organization is gone. */
  async getProfile(orgId: string): Promise<Fields | undefined> {
    const { status, envelope } = await this.call<WireProfile>("GET", `/organizations/${encodeURIComponent(orgId)}/profile`);
    if (status !== 404) return fromProfile(envelope?.result);
    return (await this.getWire(orgId)) ? {} : undefined;
  }

  async putProfile(orgId: string, declared: Fields, known?: Fields): Promise<Fields> {
    const path = `/organizations/${encodeURIComponent(orgId)}/profile`;
    const live = known ?? (await this.getProfile(orgId));
    if (!live) throw new OrgformError("NOT_FOUND", `cannot set the profile of cloudflare organization ${orgId}: the organization does not exist`);
    const body = toProfileBody(live, declared);
    const { status, envelope } = await this.call<WireProfile>("PUT", path, body);
    if (status === 404) throw new OrgformError("NOT_FOUND", `cannot set the profile of cloudflare organization ${orgId}: the organization does not exist`);
    return fromProfile((envelope?.result ?? body) as WireProfile);
  }

  private async roles(orgId: string): Promise<WireRole[]> {
    const roles = (this.rolesOnce ??= this.list<WireRole>(`/organizations/${encodeURIComponent(orgId)}/roles`, new URLSearchParams()));
    // A failed list (the organization gone, a fault) is not kept.
    roles.catch(() => this.rolesOnce === roles && (this.rolesOnce = undefined));
    return roles;
  }

  private async roleId(orgId: string, roleName: string): Promise<string> {
    const roles = await this.roles(orgId);
    const role = roles.find((r) => r.name.toLowerCase() === roleName.toLowerCase());
    if (!role) {
      throw new OrgformError(
        "VALIDATION",
        `cloudflare organization ${orgId} has no role "${roleName}" (it has: ${roles.map((r) => r.name).join(", ")})`,
      );
    }
    return role.id;
  }

  async listMembers(orgId: string): Promise<ObservedMember[]> {
    const members = await this.list<WireMember>(`/organizations/${encodeURIComponent(orgId)}/members`, new URLSearchParams());
    return members.map(fromMember);
  }

  async addMember(orgId: string, member: MemberAssignment): Promise<ObservedMember> {
    const role = roleOfAssignment("cloudflare", member);
    const roleId = await this.roleId(orgId, role);
    const path = `/organizations/${encodeURIComponent(orgId)}/members`;
    for (let attempt = 1; ; attempt++) {
      try {
        const { envelope } = await this.call<WireMember>("POST", path, { email: member.email, roles: [roleId], status: "accepted" });
        return fromMember(envelope!.result);
      } catch (err) {
        // An email is a member at most once: after an ambiguous POST, or a 409, look before failing.
        const existing = (await this.listMembers(orgId)).find((m) => m.email.toLowerCase() === member.email.toLowerCase());
        if (existing) return existing.role === role ? existing : this.setMemberRole(orgId, existing.id, role);
        // Not there: an ambiguous POST did not commit, so sending it again cannot add it twice.
        if (!isOrgformError(err, "AMBIGUOUS") || attempt >= MEMBER_ADD_ATTEMPTS) throw err;
      }
    }
  }

  async setMemberRole(orgId: string, memberId: string, role: string): Promise<ObservedMember> {
    const roleId = await this.roleId(orgId, role);
    const { status, envelope } = await this.call<WireMember>(
      "PUT",
      `/organizations/${encodeURIComponent(orgId)}/members/${encodeURIComponent(memberId)}`,
      { roles: [{ id: roleId }] },
    );
    if (status === 404) throw new OrgformError("NOT_FOUND", `member ${memberId} of cloudflare organization ${orgId} does not exist`);
    return fromMember(envelope!.result);
  }

  async removeMember(orgId: string, memberId: string): Promise<void> {
    await this.call("DELETE", `/organizations/${encodeURIComponent(orgId)}/members/${encodeURIComponent(memberId)}`);
  }
}

export const cloudflareVendor = {
  name: "cloudflare",
  status: "implemented",
  open: (http: HttpClient) => new CloudflareBackend(http) satisfies Backend & ProfileAbility & MemberAbility & BulkReadAbility,
} as const satisfies ImplementedVendor;

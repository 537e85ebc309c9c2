// Cloudflare Organizations API (closed beta) adapter: envelope {success, errors, messages, result,
// result_info}, page_token pagination; PUT changes the name and what else it is sent (issue 21).
import { HttpClient, HttpStatusError, type HttpMethod } from "../../http/client";
import { PageProgress, type Shape } from "../../http/protocol";
import { expect, protocol } from "./protocol";
import { OrgformError, isOrgformError } from "../../core/errors";
import type {
  AuditAbility,
  Backend,
  BulkReadAbility,
  ChangeRecord,
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
  cloudflareSchemas,
  fromAuditEntry,
  fromMember,
  fromOrganization,
  fromProfile,
  toCreateBody,
  toProfileBody,
  toUpdateBody,
  type WireAuditEntry,
  type WireMember,
  type WireOrganization,
  toMemberBody,
  type WireProfile,
} from "./mappers";
import type { ImplementedVendor } from "../index";

interface Envelope<T> {
  success: boolean;
  errors: { code: number; message: string }[];
  result: T;
  result_info?: { next_page_token?: string; total_size?: number };
}

const PAGE_SIZE = 50;
/** Cloudflare's "Could not route to …, perhaps your object identifier is invalid?": the addressed object does not exist. */
const NOT_FOUND_CODE = 7003;
/** POSTs of one member in all, when each ambiguous one is found not to have committed. */
const MEMBER_ADD_ATTEMPTS = 6;

export class CloudflareBackend implements Backend, ProfileAbility, MemberAbility, BulkReadAbility, AuditAbility {
  readonly name = "cloudflare" as const;
  /** The ownership marker rides in `profile.external_metadata` (document 003 has no other free field). */
  readonly duplicateGuard = "marker" as const;

  /** The schemas the mappers place fields by, looked up once for the adapter's life. */
  private readonly schemas = cloudflareSchemas();

  constructor(private readonly http: HttpClient) {}

  private readonly organizationOf = (wire: WireOrganization): ObservedOrganization => fromOrganization(wire, this.schemas);
  private readonly memberOf = (wire: WireMember): ObservedMember => fromMember(wire, this.schemas.member);

  private async call<T>(method: HttpMethod, path: string, body?: unknown, expected?: Shape): Promise<{ status: number; envelope?: Envelope<T> }> {
    const res = await this.http.send({ method, path, body, expect: expected });
    const envelope = res.body as Envelope<T> | undefined;
    if (res.status >= 200 && res.status < 300) return { status: res.status, envelope };
    if (res.status === 404) {
      // Only Cloudflare's own failure envelope is a not-found; anything else (HTML, another shape) is no answer of its.
      if (isFailureEnvelope(res.body)) return { status: 404, envelope };
      throw new OrgformError("PROTOCOL", `cloudflare ${method} ${path.split("?")[0]} answered 404 without Cloudflare's error envelope: not taken as "not found"`);
    }
    throw new HttpStatusError(res.status, res.body, `cloudflare ${method} ${path.split("?")[0]}`);
  }

  /**
   * A 404 that says the addressed object does not exist (Cloudflare's "Could not route to …",
   * code 7003), as opposed to a route the API does not have (7000) or any other 404: those are
   * errors that name the route, never "gone".
   */
  private gone(method: HttpMethod, path: string, envelope: Envelope<unknown> | undefined): true {
    if (envelope?.errors?.some((e) => e.code === NOT_FOUND_CODE)) return true;
    const codes = (envelope?.errors ?? []).map((e) => `${e.code} ${e.message}`).join("; ");
    throw new OrgformError("PROTOCOL", `cloudflare ${method} ${path.split("?")[0]} answered 404 (${codes || "no error code"}), not Cloudflare's not-found for it: the route is wrong, not the object gone`);
  }

  private async list<T extends { id: string }>(path: string, params: URLSearchParams, expected: Shape): Promise<T[]> {
    const out: T[] = [];
    let token: string | undefined;
    const progress = new PageProgress(this.http.endpointOf({ method: "GET", path }));
    do {
      const q = new URLSearchParams(params);
      q.set("page_size", String(PAGE_SIZE));
      if (token) q.set("page_token", token);
      const { status, envelope } = await this.call<T[]>("GET", `${path}?${q}`, undefined, expected);
      // Cloudflare's not-found for the organization: it is gone. Say so: an empty list would read as
      // "every member was removed", while the members resources drop their state on NOT_FOUND.
      if (status === 404 && this.gone("GET", path, envelope)) throw new OrgformError("NOT_FOUND", `cannot list cloudflare ${path}: the organization does not exist`);
      if (!envelope) return out;
      out.push(...envelope.result);
      token = envelope.result_info?.next_page_token || undefined;
      progress.next(envelope.result.map((r) => r.id), token);
    } while (token);
    return out;
  }

  private async getWire(id: string): Promise<WireOrganization | undefined> {
    const path = `/organizations/${encodeURIComponent(id)}`;
    const { status, envelope } = await this.call<WireOrganization>("GET", path, undefined, expect.organization);
    return status === 404 && this.gone("GET", path, envelope) ? undefined : envelope?.result;
  }

  async getOrganization(id: string): Promise<ObservedOrganization | undefined> {
    const wire = await this.getWire(id);
    return wire && this.organizationOf(wire);
  }

  async findOrganizations(query: OrganizationQuery): Promise<ObservedOrganization[]> {
    const params = new URLSearchParams();
    // The API filters by substring only; exactness is checked here (case-insensitively, as names are unique).
    if (query.name !== undefined) params.set("name.contains", query.name);
    if (query.parentId !== undefined) params.set("parent.id", query.parentId ?? "null");
    const all = await this.list<WireOrganization>("/organizations", params, expect.page.organizations);
    const wanted = query.name?.toLowerCase();
    return all.map(this.organizationOf).filter((o) => wanted === undefined || o.name.toLowerCase() === wanted);
  }

  /** Every organization the credential sees: `GET /organizations` unfiltered, 50 per page, profiles embedded. */
  async listAllOrganizations(): Promise<ObservedOrganization[]> {
    return (await this.list<WireOrganization>("/organizations", new URLSearchParams(), expect.page.organizations)).map(this.organizationOf);
  }

  async createOrganization(declared: Fields, parentId: string | null, identity: CreateIdentity): Promise<ObservedOrganization> {
    const { envelope } = await this.call<WireOrganization>("POST", "/organizations", toCreateBody(declared, parentId, identity.marker, this.schemas), expect.organization);
    return this.organizationOf(envelope!.result);
  }

  /** Names are unique among siblings: our organization is the same-named sibling carrying our marker. */
  async findCreated(declared: Fields, parentId: string | null, identity: CreateIdentity): Promise<ObservedOrganization | undefined> {
    const sameName = await this.findOrganizations({ name: String(declared.name), parentId });
    return sameName.find((o) => o.marker === identity.marker);
  }

  async updateOrganization(id: string, declared: Fields, parentId: string | null | undefined): Promise<ObservedOrganization> {
    const body = toUpdateBody(declared, parentId, this.schemas.organization);
    // `name` is the one field an update must carry: read it when the change is elsewhere.
    if (body.name === undefined) {
      const live = await this.getWire(id);
      if (!live) throw new OrgformError("NOT_FOUND", `cannot update cloudflare organization ${id}: it does not exist`);
      body.name = live.name;
    }
    const { status, envelope } = await this.call<WireOrganization>("PUT", `/organizations/${encodeURIComponent(id)}`, body, expect.organization);
    if (status === 404) throw new OrgformError("NOT_FOUND", `cannot update cloudflare organization ${id}: it does not exist`);
    return this.organizationOf(envelope!.result);
  }

  /**
   * The latest entry of the organization's audit log (`GET …/logs/audit`, newest first; `since` and
   * `before` are required: the last `days` days up to tomorrow, so nothing written today is cut off).
   */
  async lastChange(orgId: string, days = 30): Promise<ChangeRecord | undefined> {
    const now = Date.now();
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const q = new URLSearchParams({ since: day(now - days * 86_400_000), before: day(now + 86_400_000), direction: "desc", limit: "1" });
    const path = `/organizations/${encodeURIComponent(orgId)}/logs/audit`;
    const { status, envelope } = await this.call<WireAuditEntry[]>("GET", `${path}?${q}`, undefined, expect.page.audit);
    if (status === 404) throw new OrgformError("NOT_FOUND", `cannot read the audit log of cloudflare organization ${orgId}: the organization does not exist`);
    const result = envelope?.result;
    // Not the vendor's answer: an error, never "nobody changed it" (the shape check above says so first).
    if (!Array.isArray(result)) throw new OrgformError("PROTOCOL", `cloudflare GET ${path}: the answer holds no list of audit entries`);
    return result.length ? fromAuditEntry(result[0], `cloudflare GET ${path}`) : undefined;
  }

  async deleteOrganization(id: string): Promise<void> {
    await this.call("DELETE", `/organizations/${encodeURIComponent(id)}`);
  }

  /** The marker rides in `profile.external_metadata`: a PUT of the profile with only that field changed. */
  async writeMarker(orgId: string, marker: string): Promise<ObservedOrganization> {
    await this.putProfile(orgId, { external_metadata: marker });
    const now = await this.getOrganization(orgId);
    if (!now) throw new OrgformError("NOT_FOUND", `cannot write the ownership marker of cloudflare organization ${orgId}: it does not exist`);
    return now;
  }

  /** The profile; `{}` when the organization has none yet (404 on /profile), undefined when the organization is gone. */
  async getProfile(orgId: string): Promise<Fields | undefined> {
    const { status, envelope } = await this.call<WireProfile>("GET", `/organizations/${encodeURIComponent(orgId)}/profile`, undefined, expect.profile);
    if (status !== 404) return fromProfile(envelope?.result, this.schemas.profile);
    return (await this.getWire(orgId)) ? {} : undefined;
  }

  async putProfile(orgId: string, declared: Fields, known?: Fields): Promise<Fields> {
    const path = `/organizations/${encodeURIComponent(orgId)}/profile`;
    const live = known ?? (await this.getProfile(orgId));
    if (!live) throw new OrgformError("NOT_FOUND", `cannot set the profile of cloudflare organization ${orgId}: the organization does not exist`);
    const body = toProfileBody(live, declared, this.schemas.profile);
    // Cloudflare answers the PUT with 204 and no body (both SDKs read none): the body sent is what it holds.
    const { status, envelope } = await this.call<WireProfile>("PUT", path, body);
    if (status === 404) throw new OrgformError("NOT_FOUND", `cannot set the profile of cloudflare organization ${orgId}: the organization does not exist`);
    return fromProfile((envelope?.result ?? body) as WireProfile, this.schemas.profile);
  }

  /** Every membership of the organization (active and canceled alike: the planner tells them apart by the schema's status). */
  async listMembers(orgId: string): Promise<ObservedMember[]> {
    return (await this.list<WireMember>(`/organizations/${encodeURIComponent(orgId)}/members`, new URLSearchParams(), expect.page.members)).map(this.memberOf);
  }

  /** The memberships of one email (the list's `user.email` filter matches the end of the address; exactness is checked here). */
  private async membersWithEmail(orgId: string, email: string): Promise<ObservedMember[]> {
    const listed = await this.list<WireMember>(`/organizations/${encodeURIComponent(orgId)}/members`, new URLSearchParams({ "user.email": email }), expect.page.members);
    return listed.map(this.memberOf).filter((m) => m.email.toLowerCase() === email.toLowerCase());
  }

  /** `POST …/members` `{member: {user: {email}}}`: no status, so the API makes it active; members have no roles. */
  async addMember(orgId: string, member: MemberAssignment): Promise<ObservedMember> {
    const path = `/organizations/${encodeURIComponent(orgId)}/members`;
    for (let attempt = 1; ; attempt++) {
      try {
        const { status, envelope } = await this.call<WireMember>("POST", path, toMemberBody(member.email, this.schemas.member), expect.member);
        if (status === 404 && this.gone("POST", path, envelope)) throw new OrgformError("NOT_FOUND", `cannot add ${member.email} to cloudflare organization ${orgId}: the organization does not exist`);
        return this.memberOf(envelope!.result);
      } catch (err) {
        if (isOrgformError(err, "NOT_FOUND") || isOrgformError(err, "REFUSED") || isOrgformError(err, "PROTOCOL")) throw err;
        // An email is a member at most once: after an ambiguous POST, or a 409, look before failing.
        const [existing] = await this.membersWithEmail(orgId, member.email);
        if (existing) return existing;
        // Not there: an ambiguous POST did not commit, so sending it again cannot add it twice.
        if (!isOrgformError(err, "AMBIGUOUS") || attempt >= MEMBER_ADD_ATTEMPTS) throw err;
      }
    }
  }

  /** `DELETE …/members/{id}` (204, no body); already gone (Cloudflare's not-found) is success. */
  async removeMember(orgId: string, memberId: string): Promise<void> {
    const path = `/organizations/${encodeURIComponent(orgId)}/members/${encodeURIComponent(memberId)}`;
    const { status, envelope } = await this.call("DELETE", path);
    if (status === 404) this.gone("DELETE", path, envelope);
  }
}

/** Cloudflare's own failure envelope: `{success: false, errors: [{code, message}]}`. */
function isFailureEnvelope(body: unknown): boolean {
  if (body === null || typeof body !== "object") return false;
  const b = body as { success?: unknown; errors?: unknown };
  return b.success === false && Array.isArray(b.errors) && b.errors.every((e) => e !== null && typeof e === "object" && typeof (e as { code?: unknown }).code === "number");
}

export const cloudflareVendor = {
  name: "cloudflare",
  status: "implemented",
  protocol,
  open: (http: HttpClient) => new CloudflareBackend(http) satisfies Backend & ProfileAbility & MemberAbility & BulkReadAbility,
} as const satisfies ImplementedVendor;

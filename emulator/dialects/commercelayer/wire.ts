import { randomBytes } from "node:crypto";
import type { JsonObject, MemberRow, OrgRow, Store } from "../../store";
import { isObject } from "../../json";
import { invalid, relationship, type ApiErrorItem, type Resource } from "./jsonapi";

/**
 * The Commerce Layer provisioning API's organizations, memberships and roles <-> the store's rows,
 * and their write rules, written from document 001, the vendor's provisioning API reference and the
 * official SDK's models (@commercelayer/provisioning-sdk 2.10.2), never from orgform's schemas:
 * - organization attributes as document 001 lists them; writable on create: name, the support and
 *   branding fields, the two colours (HEX: `#` and six hexadecimal digits), the GTM ids, `region`,
 *   `config`, `reference`, `reference_origin`, `metadata` (the SDK's OrganizationCreate); on update
 *   the same but `region` (OrganizationUpdate has none: the region is chosen once). Everything
 *   else (slug, domain, limits, flags, subscription info, timestamps) is the server's.
 * - the slug derives from the name and the domain from the slug (`<slug>.commercelayer.io`), so two
 *   organizations cannot have names with the same slug (our reading: a domain is unique).
 * - organizations cannot be deleted (the reference lists create, list, retrieve, update; the SDK
 *   has no `delete`): DELETE is a 405.
 * - every organization gets the two standard roles on creation (the reference: "a read_only and an
 *   admin roles are automatically created"), named `Admin` and `Read only` here (the reference
 *   names their kinds only); custom roles (kind `custom`) are created with a name.
 * - a membership links a user email to one organization with one of that organization's roles;
 *   an email is a member of an organization at most once (our reading); created `pending`.
 */

export const BACKEND = "commercelayer";
export const PREFIX = "/commercelayer/api";

/** Regions the emulator knows (the vendor runs in the EU and in the US; default as document 001 says). */
export const REGIONS = ["eu-west-1", "us-east-1"] as const;
export const DEFAULT_REGION = "eu-west-1";

const NULLABLE_STRINGS = ["support_phone", "support_email", "logo_url", "favicon_url", "gtm_id", "gtm_id_test", "reference", "reference_origin"] as const;
const COLOURS = ["primary_color", "contrast_color"] as const;
export const UPDATABLE = ["name", ...NULLABLE_STRINGS, ...COLOURS, "config", "metadata"] as const;
export const CREATABLE = [...UPDATABLE, "region"] as const;

/** "starts with # and it's followed by six letters and/or numbers" (document 001): hexadecimal digits. */
const HEX_COLOUR = /^#[0-9A-Fa-f]{6}$/;

/** Vendor-style ids: ten letters. */
export function newClId(): string {
  const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  return [...randomBytes(10)].map((b) => letters[b % letters.length]).join("");
}

export function slugOf(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

export interface RoleRecord {
  id: string;
  name: string;
  kind: "admin" | "read_only" | "custom";
  created_at: string;
  updated_at: string;
}

/** What the dialect keeps in an organization row's JSON document. */
export interface OrgDocument {
  attributes: JsonObject;
  roles: RoleRecord[];
}

/** What the dialect keeps in a membership row's JSON document. */
export interface MembershipDocument {
  role_id: string;
  status: "pending" | "active";
  owner: boolean;
  access_scope: string;
  user_first_name: string | null;
  user_last_name: string | null;
  reference: string | null;
  reference_origin: string | null;
  metadata: JsonObject;
}

export const orgDocument = (row: OrgRow): OrgDocument => row.document as unknown as OrgDocument;
export const membershipDocument = (row: MemberRow): MembershipDocument => row.document as unknown as MembershipDocument;

/**
 * Every problem of an organization's attributes at once (422 items), for a create (`region`
 * allowed, `name` required) or an update. Unknown or read-only attributes are 400s (raised apart).
 */
export function attributeProblems(attrs: Record<string, unknown>, creating: boolean): ApiErrorItem[] {
  const problems: ApiErrorItem[] = [];
  if ("name" in attrs || creating) {
    if (attrs.name === undefined || attrs.name === null || (typeof attrs.name === "string" && attrs.name.trim() === "")) problems.push(invalid("name", "can't be blank", "blank"));
    else if (typeof attrs.name !== "string") problems.push(invalid("name", "must be a string", "invalid"));
    else if (slugOf(attrs.name) === "") problems.push(invalid("name", "must contain at least one letter or digit", "invalid"));
  }
  for (const k of NULLABLE_STRINGS) {
    if (attrs[k] !== undefined && attrs[k] !== null && typeof attrs[k] !== "string") problems.push(invalid(k, "must be a string", "invalid"));
  }
  for (const k of COLOURS) {
    const v = attrs[k];
    if (v === undefined || v === null) continue;
    if (typeof v !== "string" || !HEX_COLOUR.test(v)) problems.push(invalid(k, "is invalid: the format is HEX (# followed by six hexadecimal digits)", "invalid"));
  }
  if (attrs.metadata !== undefined && attrs.metadata !== null && !isObject(attrs.metadata)) problems.push(invalid("metadata", "must be an object", "invalid"));
  if (attrs.config !== undefined && attrs.config !== null && !isObject(attrs.config)) problems.push(invalid("config", "must be an object", "invalid"));
  if (creating && attrs.region !== undefined && attrs.region !== null && !(REGIONS as readonly unknown[]).includes(attrs.region)) {
    problems.push(invalid("region", `is not included in the list (${REGIONS.join(", ")})`, "inclusion"));
  }
  return problems;
}

/** The server's defaults of a new organization (document 001's attributes). */
export function newOrgAttributes(now: string): JsonObject {
  return {
    support_phone: null,
    support_email: null,
    logo_url: null,
    favicon_url: null,
    primary_color: null,
    contrast_color: null,
    gtm_id: null,
    gtm_id_test: null,
    config: null,
    discount_disabled: false,
    account_disabled: false,
    acceptance_disabled: false,
    max_concurrent_promotions: 10,
    max_concurrent_imports: 10,
    region: DEFAULT_REGION,
    can_switch_live: false,
    subscription_info: { plan_type: "growth", limits: { organizations: 10, memberships: 50, markets: 5, skus: 10000 }, totals: {} },
    created_at: now,
    updated_at: now,
    reference: null,
    reference_origin: null,
    metadata: {},
  };
}

/** The derived attributes of a name: slug and domain. */
export function derived(name: string): JsonObject {
  const slug = slugOf(name);
  return { slug, domain: `${slug}.commercelayer.io` };
}

export function standardRoles(now: string): RoleRecord[] {
  return [
    { id: newClId(), name: "Admin", kind: "admin", created_at: now, updated_at: now },
    { id: newClId(), name: "Read only", kind: "read_only", created_at: now, updated_at: now },
  ];
}

export function orgResource(row: OrgRow, base: string): Resource {
  const doc = orgDocument(row);
  const rel = (name: string) => relationship(base, "organizations", row.id, name);
  return {
    id: row.id,
    type: "organizations",
    links: { self: `${base}/organizations/${row.id}` },
    attributes: { name: row.name, ...derived(row.name), ...doc.attributes },
    relationships: { memberships: rel("memberships"), roles: rel("roles"), permissions: rel("permissions"), api_credentials: rel("api_credentials") },
    meta: { mode: "test", organization_id: row.id },
  };
}

export function roleResource(org: OrgRow, role: RoleRecord, base: string): Resource {
  const rel = (name: string, data?: unknown) => relationship(base, "roles", role.id, name, data);
  return {
    id: role.id,
    type: "roles",
    links: { self: `${base}/roles/${role.id}` },
    attributes: { name: role.name, kind: role.kind, created_at: role.created_at, updated_at: role.updated_at, reference: null, reference_origin: null, metadata: {} },
    relationships: { organization: rel("organization", { type: "organizations", id: org.id }), permissions: rel("permissions"), memberships: rel("memberships"), api_credentials: rel("api_credentials"), versions: rel("versions") },
    meta: { mode: "test", organization_id: org.id },
  };
}

export function membershipResource(row: MemberRow, base: string): Resource {
  const doc = membershipDocument(row);
  const rel = (name: string, data?: unknown) => relationship(base, "memberships", row.id, name, data);
  return {
    id: row.id,
    type: "memberships",
    links: { self: `${base}/memberships/${row.id}` },
    attributes: {
      user_email: row.email,
      user_first_name: doc.user_first_name,
      user_last_name: doc.user_last_name,
      status: doc.status,
      owner: doc.owner,
      test_enabled: doc.access_scope !== "live_access",
      access_scope: doc.access_scope,
      created_at: row.createTime,
      updated_at: row.updateTime,
      reference: doc.reference,
      reference_origin: doc.reference_origin,
      metadata: doc.metadata,
    },
    relationships: {
      organization: rel("organization", { type: "organizations", id: row.orgId }),
      role: rel("role", { type: "roles", id: doc.role_id }),
      application_memberships: rel("application_memberships"),
      membership_profile: rel("membership_profile"),
      versions: rel("versions"),
    },
    meta: { mode: "test", organization_id: row.orgId },
  };
}

export const memberUniqueKey = (orgId: string, email: string): string => `${orgId}:${email.trim().toLowerCase()}`;

/** A role by id, with the organization it belongs to. */
export function findRole(store: Store, roleId: string): { org: OrgRow; role: RoleRecord } | undefined {
  for (const org of store.allOrgs(BACKEND)) {
    const role = orgDocument(org).roles.find((r) => r.id === roleId);
    if (role) return { org, role };
  }
  return undefined;
}

/** A membership by id, whatever its organization (one indexed row, not a scan: a list including roles asks this per membership). */
export function findMembership(store: Store, id: string): MemberRow | undefined {
  return store.memberById(BACKEND, id);
}

/** A membership's role, looked up in the membership's own organization. */
export function roleOfMembership(store: Store, membership: MemberRow): { org: OrgRow; role: RoleRecord } | undefined {
  const org = store.getOrg(BACKEND, membership.orgId);
  const roleId = membershipDocument(membership).role_id;
  const role = org && orgDocument(org).roles.find((r) => r.id === roleId);
  return org && role ? { org, role } : undefined;
}

/** Plain email shape (the vendor validates it; document 001 does not say how). */
export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const ACCESS_SCOPES = ["live_access", "test_access", "all_access"] as const;

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

/** What every resource of this API carries besides its own attributes (the SDK's `Resource`). */
export interface Stamped {
  id: string;
  created_at: string;
  updated_at: string;
  reference?: string | null;
  reference_origin?: string | null;
  metadata?: JsonObject;
}

export interface RoleRecord extends Stamped {
  name: string;
  kind: "admin" | "read_only" | "custom";
}

/** A role's rights on one subject (the SDK's `Permission`). */
export interface PermissionRecord extends Stamped {
  role_id: string;
  subject: string;
  can_create: boolean;
  can_read: boolean;
  can_update: boolean;
  can_destroy: boolean;
  restrictions: JsonObject;
}

/** An application of the organization (the SDK's `ApiCredential`). */
export interface ApiCredentialRecord extends Stamped {
  name: string;
  kind: string;
  confidential: boolean;
  redirect_uri: string | null;
  client_id: string;
  client_secret: string;
  scopes: string;
  expires_in: number;
  mode: "test" | "live";
  custom: boolean;
  role_id: string | null;
}

/** One change of a versioned resource (roles, memberships, permissions: the SDK's `VersionableResourceType`). */
export interface VersionRecord extends Stamped {
  resource_type: "roles" | "memberships" | "permissions";
  resource_id: string;
  event: "create" | "update" | "destroy";
  changes: JsonObject;
  who: JsonObject;
}

/** A group of users with one access scope for applications (the SDK's `MembershipProfile`). */
export interface MembershipProfileRecord extends Stamped {
  name: string;
  access_scope: (typeof ACCESS_SCOPES)[number];
}

/** An API credential's access through a membership or a membership profile, with a role (the SDK's `ApplicationMembership`). */
export interface ApplicationMembershipRecord extends Stamped {
  filters: JsonObject | null;
  api_credential_id: string;
  membership_id: string | null;
  membership_profile_id: string | null;
  role_id: string;
}

/** What the dialect keeps in an organization row's JSON document (rows written before lack the optional lists). */
export interface OrgDocument {
  attributes: JsonObject;
  roles: RoleRecord[];
  permissions?: PermissionRecord[];
  api_credentials?: ApiCredentialRecord[];
  versions?: VersionRecord[];
  membership_profiles?: MembershipProfileRecord[];
  application_memberships?: ApplicationMembershipRecord[];
}

/** What the dialect keeps in a membership row's JSON document. */
export interface MembershipDocument {
  role_id: string;
  membership_profile_id?: string | null;
  status: "pending" | "active";
  owner: boolean;
  access_scope: string;
  user_first_name: string;
  user_last_name: string;
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

/**
 * The organization's settings: every always-present attribute of the SDK's `Organization` beyond
 * name, slug, domain, can_switch_live and subscription_info (provisioning-sdk 2.10.2,
 * lib/index.d.ts), with the default its comment states ("default is 10"), else its example, else
 * false / 0. Reported only: neither OrganizationCreate nor OrganizationUpdate takes them.
 * `imports_trigger_webhooks` is typed `number` though described as "default is false": 0.
 */
export const ORG_SETTINGS: Readonly<Record<string, boolean | number>> = {
  api_auth_redirect: false,
  api_rules_engine: false,
  api_rules_engine_max_conditions_size: 150,
  api_rules_engine_max_rules_size: 15,
  api_new_auth: false,
  api_purge_single_resource: false,
  api_max_regex_length: 5000,
  addresses_avs_check: true,
  addresses_phone_required: true,
  orders_sales_channel_guest_only: false,
  orders_min_rebuild_shipments_lapse: 0,
  orders_min_refresh_lapse: 0,
  orders_autorefresh_cutoff_test: 50,
  orders_autorefresh_cutoff_live: 500,
  orders_number_editable_test: false,
  orders_number_editable_live: false,
  orders_number_as_reference: false,
  orders_invalid_coupon_errors: true,
  orders_invalid_gift_card_errors: true,
  orders_validate_shipping_stock: false,
  bundles_max_items_count: 10,
  coupons_min_code_length: 8,
  coupons_max_code_length: 40,
  gift_cards_exact_code_matching: false,
  gift_cards_min_code_length: 8,
  gift_cards_max_code_length: 40,
  cleanups_max_concurrent_count: 10,
  exports_max_concurrent_count: 10,
  imports_max_concurrent_count: 10,
  imports_purge_cache: false,
  imports_skip_errors: false,
  inventory_models_max_stock_locations_cutoff: 10,
  promotions_max_concurrent_count: 10,
  promotions_max_conditions_size: 150,
  promotions_max_rules_size: 15,
  price_lists_max_conditions_size: 150,
  price_lists_max_rules_size: 15,
  imports_trigger_webhooks: 0,
  discount_engines_enabled: false,
  discount_engines_errors: false,
  tags_max_name_length: 25,
  tags_max_allowed_number: 10,
  tax_calculators_errors: false,
  external_promotions_errors: false,
  external_prices_errors: true,
};

/**
 * Attributes of document 001 the SDK 2.10.2 no longer has (`discount_disabled`, `account_disabled`,
 * `acceptance_disabled`, `max_concurrent_promotions`, `max_concurrent_imports`): never answered;
 * dropped from rows written before (the last two live on as `promotions_max_concurrent_count` and
 * `imports_max_concurrent_count`).
 */
const RETIRED = ["discount_disabled", "account_disabled", "acceptance_disabled", "max_concurrent_promotions", "max_concurrent_imports"];

/** The server's defaults of a new organization (the SDK's `Organization`). */
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
    region: DEFAULT_REGION,
    can_switch_live: false,
    subscription_info: { plan_type: "growth", limits: { organizations: 10, memberships: 50, markets: 5, skus: 10000 }, totals: {} },
    ...ORG_SETTINGS,
    created_at: now,
    updated_at: now,
    reference: null,
    reference_origin: null,
    metadata: {},
  };
}

function withoutRetired(attributes: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(attributes).filter(([k]) => !RETIRED.includes(k)));
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

/**
 * The subjects a role's base permissions cover (our design: the reference names no list; a few of
 * the core API's resources). The standard roles get them on creation, admin with every right,
 * read_only with reading only; `_add_missing_base_permissions` gives a role those it lacks, reading only.
 */
export const BASE_SUBJECTS = ["customers", "markets", "orders", "prices", "skus", "stock_items"] as const;

export function basePermissions(role: RoleRecord, have: readonly PermissionRecord[], now: string): PermissionRecord[] {
  const all = role.kind === "admin";
  return BASE_SUBJECTS.filter((subject) => !have.some((p) => p.role_id === role.id && p.subject === subject)).map((subject) => ({
    id: newClId(),
    role_id: role.id,
    subject,
    can_create: all,
    can_read: true,
    can_update: all,
    can_destroy: all,
    restrictions: {},
    created_at: now,
    updated_at: now,
  }));
}

/** The base attributes every resource answers (reference, reference_origin, metadata: null / {} when never set). */
function stamped(r: Stamped): JsonObject {
  return { created_at: r.created_at, updated_at: r.updated_at, reference: r.reference ?? null, reference_origin: r.reference_origin ?? null, metadata: r.metadata ?? {} };
}

export function orgResource(row: OrgRow, base: string): Resource {
  const doc = orgDocument(row);
  const rel = (name: string) => relationship(base, "organizations", row.id, name);
  return {
    id: row.id,
    type: "organizations",
    links: { self: `${base}/organizations/${row.id}` },
    attributes: { name: row.name, ...derived(row.name), ...ORG_SETTINGS, ...withoutRetired(doc.attributes) },
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
    attributes: { name: role.name, kind: role.kind, ...stamped(role) },
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
      user_first_name: doc.user_first_name ?? "",
      user_last_name: doc.user_last_name ?? "",
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
      membership_profile: rel("membership_profile", doc.membership_profile_id ? { type: "membership_profiles", id: doc.membership_profile_id } : null),
      versions: rel("versions"),
    },
    meta: { mode: "test", organization_id: row.orgId },
  };
}

export function permissionResource(org: OrgRow, p: PermissionRecord, base: string): Resource {
  const rel = (name: string, data?: unknown) => relationship(base, "permissions", p.id, name, data);
  return {
    id: p.id,
    type: "permissions",
    links: { self: `${base}/permissions/${p.id}` },
    attributes: { can_create: p.can_create, can_read: p.can_read, can_update: p.can_update, can_destroy: p.can_destroy, subject: p.subject, restrictions: p.restrictions, ...stamped(p) },
    relationships: { organization: rel("organization", { type: "organizations", id: org.id }), role: rel("role", { type: "roles", id: p.role_id }), versions: rel("versions") },
    meta: { mode: "test", organization_id: org.id },
  };
}

export function apiCredentialResource(org: OrgRow, c: ApiCredentialRecord, base: string): Resource {
  const rel = (name: string, data?: unknown) => relationship(base, "api_credentials", c.id, name, data);
  const { id, name, kind, confidential, redirect_uri, client_id, client_secret, scopes, expires_in, mode, custom } = c;
  return {
    id,
    type: "api_credentials",
    links: { self: `${base}/api_credentials/${id}` },
    attributes: { name, kind, confidential, redirect_uri, client_id, client_secret, scopes, expires_in, mode, custom, ...stamped(c) },
    relationships: { organization: rel("organization", { type: "organizations", id: org.id }), role: rel("role", c.role_id ? { type: "roles", id: c.role_id } : null) },
    meta: { mode, organization_id: org.id },
  };
}

export function versionResource(org: OrgRow, v: VersionRecord, base: string): Resource {
  return {
    id: v.id,
    type: "versions",
    links: { self: `${base}/versions/${v.id}` },
    attributes: { resource_type: v.resource_type, resource_id: v.resource_id, event: v.event, changes: v.changes, who: v.who, ...stamped(v) },
    relationships: {},
    meta: { mode: "test", organization_id: org.id },
  };
}

export function membershipProfileResource(org: OrgRow, p: MembershipProfileRecord, base: string): Resource {
  const rel = (name: string, data?: unknown) => relationship(base, "membership_profiles", p.id, name, data);
  return {
    id: p.id,
    type: "membership_profiles",
    links: { self: `${base}/membership_profiles/${p.id}` },
    attributes: { name: p.name, test_enabled: p.access_scope !== "live_access", access_scope: p.access_scope, ...stamped(p) },
    relationships: { organization: rel("organization", { type: "organizations", id: org.id }), application_memberships: rel("application_memberships") },
    meta: { mode: "test", organization_id: org.id },
  };
}

export function applicationMembershipResource(org: OrgRow, a: ApplicationMembershipRecord, base: string): Resource {
  const rel = (name: string, data?: unknown) => relationship(base, "application_memberships", a.id, name, data);
  const link = (type: string, id: string | null) => (id ? { type, id } : null);
  return {
    id: a.id,
    type: "application_memberships",
    links: { self: `${base}/application_memberships/${a.id}` },
    attributes: { filters: a.filters, ...stamped(a) },
    relationships: {
      api_credential: rel("api_credential", link("api_credentials", a.api_credential_id)),
      membership: rel("membership", link("memberships", a.membership_id)),
      membership_profile: rel("membership_profile", link("membership_profiles", a.membership_profile_id)),
      organization: rel("organization", { type: "organizations", id: org.id }),
      role: rel("role", link("roles", a.role_id)),
    },
    meta: { mode: "test", organization_id: org.id },
  };
}

/** The user a token belongs to (the SDK's `User`, the singleton at `/user`). */
export interface UserRecord extends Stamped {
  email: string;
  first_name: string;
  last_name: string;
  time_zone: string | null;
  otp_required_for_login: boolean;
}

export function userResource(u: UserRecord, base: string): Resource {
  const { id, email, first_name, last_name, time_zone, otp_required_for_login } = u;
  return { id, type: "users", links: { self: `${base}/user` }, attributes: { email, first_name, last_name, time_zone, otp_required_for_login, ...stamped(u) }, relationships: {}, meta: { mode: "test" } };
}

export const memberUniqueKey = (orgId: string, email: string): string => `${orgId}:${email.trim().toLowerCase()}`;

/** A membership by id, whatever its organization (one indexed row, not a scan: a list including roles asks this per membership). */
export function findMembership(store: Store, id: string): MemberRow | undefined {
  return store.memberById(BACKEND, id);
}

/** Plain email shape (the vendor validates it; document 001 does not say how). */
export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const ACCESS_SCOPES = ["live_access", "test_access", "all_access"] as const;

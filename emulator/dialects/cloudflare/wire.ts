import { createHash } from "node:crypto";
import type { JsonObject, MemberRow, OrgRow, Store } from "../../store";
import { controlCharacter, nameProblem, siblingName } from "../../names";
import { CF, CfError, type CfMessage } from "./envelope";
import { isObject } from "../../json";

/**
 * The Cloudflare wire format <-> the store's generic rows, and the write rules, written from
 * document 003 and the official SDK's types (cloudflare 7.3.0), never from orgform's schemas: this
 * is the emulator's own reading of the vendor, so that a misreading on the provider's side shows.
 *
 * - An organization body is `{name: str, parent?: {id: str} | null, profile?: Profile | null}`.
 * - A profile is whole: all five strings (business_address, business_email, business_name,
 *   business_phone, external_metadata), as document and SDK type it; nothing checks their format
 *   (the document's own example uses `"business_email": "business_email"`).
 * - Names are unique case-insensitively among siblings, compared in NFC; what a name may be is the
 *   emulator's rule (emulator/names.ts): our design, the document is silent.
 * - Lists default to 10 items (the document) and allow at most 50 (our design).
 * - Members are the public Organizations Members API as the Go SDK (cloudflare-go/v7 v7.9.0,
 *   organizations/member.go) types it: no roles, no update.
 */

export const BACKEND = "cloudflare";

/** `page_size`: "Defaults to 10" (document 003); the maximum is ours. */
export const PAGE_SIZE = { default: 10, max: 50 } as const;

/** The five profile fields, each a string, all required when a profile is sent. */
export const PROFILE_FIELDS = ["business_address", "business_email", "business_name", "business_phone", "external_metadata"] as const;

/** What the dialect keeps in an organization row's JSON document. */
export interface OrgDocument {
  /**
   * What differs from the default meta: `managed_by`, `tenant_flags` overrides, other keys a seed
   * set. `hierarchy_tags` is never stored: it is derived from the ancestry on every read.
   */
  meta?: JsonObject;
  profile?: JsonObject | null;
  /** Account ids the organization contains (seed only; filter `containing.account`; they block deletion). */
  accounts?: string[];
  /** What a seed said of each account (name, type, creation time, usage records). */
  account_info?: Record<string, AccountInfo>;
}

/** An account of an organization, as a seed describes it (the Go SDK's tenants.TenantAccount, in part). */
export interface AccountInfo {
  name: string | null;
  type: "standard" | "enterprise";
  created_on: string;
  /** Billable usage records of this account (`GET …/billable/usage`), one per metric and day. */
  usage?: UsageRecord[];
}

export interface UsageRecord {
  /** The day (YYYY-MM-DD, UTC) the usage was consumed on. */
  day: string;
  metric: string;
  metric_name: string;
  quantity: number;
  unit: string;
  product?: string;
}

/**
 * The tenant flags both SDKs read in `meta.tenant_flags` (cloudflare 7.3.0 Organization.Meta.TenantFlags,
 * eight; cloudflare-go v7.9.0 OrganizationMetaTenantFlags, seven: no
 * `account_creation_applies_tenant_defaults`). Values are strings; the defaults are our reading of
 * document 003's older `meta.flags` (the five it lists) plus the SDKs' three new ones.
 */
export const DEFAULT_TENANT_FLAGS: Record<string, string> = {
  account_creation: "enabled",
  account_creation_applies_tenant_defaults: "disabled",
  account_deletion: "enabled",
  account_migration: "disabled",
  account_mobility: "disabled",
  enterprise_capability: "disabled",
  member_management: "enabled",
  sub_org_creation: "enabled",
};

/**
 * The statuses a membership reports (the Go SDK's OrganizationMemberStatus); a create may only ask
 * for `active` or `canceled` (MemberNewParamsMemberStatus), the other two come from seeds.
 */
export const MEMBER_STATUSES = ["active", "pending", "rejected", "canceled"] as const;
export const CREATE_STATUSES = ["active", "canceled"] as const;
export type MemberStatus = (typeof MEMBER_STATUSES)[number];

/** What the dialect keeps in a member row's JSON document (dialect migration 1 rewrote the older `{roles, status: pending|accepted}`). */
export interface MemberDocument {
  status: MemberStatus;
  user_id: string;
  /** The user's display name; "" for an invited address (seeds may set it). */
  name: string;
}

const hex32 = (s: string): string => createHash("md5").update(s).digest("hex");

/** A user's id is derived from the (lower-cased) email, so one person has one id across organizations. */
export const userIdFor = (email: string): string => hex32(`cloudflare-user:${email.toLowerCase()}`);

/** The sibling-uniqueness key of an organization name: case-insensitive and in NFC, among siblings (roots are siblings). */
export function orgUniqueKey(parentId: string | null, name: string): string {
  return `${parentId ?? ""}\u0001${siblingName(name, { caseInsensitive: true })}`;
}

export const memberUniqueKey = (orgId: string, email: string): string => `${orgId}\u0001${email.toLowerCase()}`;

export function orgDocument(row: OrgRow): OrgDocument {
  return row.document as OrgDocument;
}

/**
 * `meta` as both SDKs read it: `hierarchy_tags` (root to self; an organization's tag is its id),
 * `tenant_flags` (all eight, defaults where nothing was set), `managed_by` only when set (the SDKs
 * mark it optional), and any other key a seed set.
 */
export function metaToWire(stored: JsonObject | undefined, chain: string[]): Record<string, unknown> {
  const { tenant_flags: flags, ...rest } = (stored ?? {}) as Record<string, unknown>;
  return { ...rest, hierarchy_tags: chain, tenant_flags: { ...DEFAULT_TENANT_FLAGS, ...(isObject(flags) ? flags : {}) } };
}

/** An account as the Go SDK's tenants.TenantAccount: settings are all nullable and unknown here. */
export function accountToWire(id: string, info: AccountInfo | undefined, orgCreateTime: string): Record<string, unknown> {
  return {
    id,
    created_on: info?.created_on ?? orgCreateTime,
    name: info?.name ?? null,
    settings: {
      abuse_contact_email: null,
      access_approval_expiry: null,
      api_access_enabled: null,
      default_nameservers: null,
      enforce_twofactor: null,
      use_account_custom_ns_by_default: null,
    },
    type: info?.type ?? "standard",
  };
}

/**
 * The wire organization, keys in the document's order. `canSee`: whether the caller may see an
 * organization. A scoped token's own organization shows its parent's id (a PUT, which replaces,
 * must be able to send it back) but never its name: nothing outside the scope is observable
 * beyond what emulator/README.md lists.
 */
export function orgToWire(row: OrgRow, store: Store, canSee: (orgId: string) => boolean = () => true): Record<string, unknown> {
  const doc = orgDocument(row);
  const out: Record<string, unknown> = {
    id: row.id,
    create_time: row.createTime,
    meta: metaToWire(doc.meta, store.ancestryIds(BACKEND, row.id).reverse()),
    name: row.name,
  };
  if (row.parentId !== null) {
    if (!canSee(row.parentId)) out.parent = { id: row.parentId };
    else out.parent = { id: row.parentId, name: store.getOrg(BACKEND, row.parentId)?.name ?? "" };
  }
  if (doc.profile) out.profile = doc.profile;
  return out;
}


const invalid = (message: string, pointer: string): CfMessage => ({ code: CF.invalid, message, source: { pointer } });

function throwIfAny(errors: CfMessage[]): void {
  if (errors.length) throw new CfError(400, errors);
}

/** `name: str` (the document types it): the emulator's name rule (emulator/names.ts) decides the rest. */
export function nameProblems(name: unknown): CfMessage[] {
  const problem = nameProblem(name);
  return problem ? [invalid(`name: ${problem}`, "/name")] : [];
}

/** A profile as the document and the SDK type it: all five fields, each a string, nothing else. */
export function profileProblems(profile: unknown, prefix = ""): CfMessage[] {
  const label = (f: string) => `${prefix ? `${prefix.slice(1).replace(/\//g, ".")}.` : ""}${f}`;
  if (!isObject(profile)) return [invalid(`${prefix ? `${label("").slice(0, -1)}: ` : ""}must be an object with ${PROFILE_FIELDS.join(", ")}`, prefix || "/")];
  const errors: CfMessage[] = [];
  for (const f of PROFILE_FIELDS) {
    const v = profile[f];
    if (v === undefined || v === null) errors.push(invalid(`${label(f)}: is required (a profile is sent whole, all five fields)`, `${prefix}/${f}`));
    else if (typeof v !== "string") errors.push(invalid(`${label(f)}: must be a string`, `${prefix}/${f}`));
  }
  for (const k of Object.keys(profile)) {
    if (!(PROFILE_FIELDS as readonly string[]).includes(k)) errors.push(invalid(`unknown profile field "${k}"`, `${prefix}/${k}`));
  }
  return errors;
}

/** Every problem of an organization body's name and profile at once; throws a 400 listing them. */
export function validateOrgBody(body: { name?: unknown; profile?: unknown }): void {
  throwIfAny([...nameProblems(body.name), ...(body.profile === undefined || body.profile === null ? [] : profileProblems(body.profile, "/profile"))]);
}

export function validateProfile(profile: unknown): void {
  throwIfAny(profileProblems(profile));
}

/** The wire member, exactly the Go SDK's OrganizationMember: every field it marks required, nothing else. */
export function memberToWire(row: MemberRow): Record<string, unknown> {
  const doc = row.document as unknown as MemberDocument;
  return {
    id: row.id,
    create_time: row.createTime,
    meta: {},
    status: doc.status,
    update_time: row.updateTime,
    user: {
      id: doc.user_id,
      email: row.email,
      name: doc.name ?? "",
      two_factor_authentication_enabled: false,
    },
  };
}

/** A member write: an email (our design: something@something, as an invitation needs a mailbox) and a status. */
export function validateMember(m: { email: unknown; status: unknown }, statuses: readonly string[] = CREATE_STATUSES, pointer = "/member"): void {
  const errors: CfMessage[] = [];
  if (typeof m.email !== "string" || !/^[^@\s]+@[^@\s]+$/.test(m.email) || controlCharacter(m.email) !== undefined) {
    errors.push(invalid("member.user.email: must be an email address", `${pointer}/user/email`));
  }
  if (typeof m.status !== "string" || !statuses.includes(m.status)) {
    errors.push(invalid(`member.status: must be one of ${statuses.join(", ")}`, `${pointer}/status`));
  }
  throwIfAny(errors);
}

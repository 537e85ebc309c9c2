// One small interface per vendor adapter. Objects cross it as flat logical records whose field
// names are the schema's (schemas/<backend>/<kind>.schema.json); adapters own the wire mapping.
import type { BackendName } from "../core/backends";

/** A flat record as the schema names its fields. */
export type Fields = Record<string, unknown>;

/** An organization as the API reports it. */
export interface ObservedOrganization {
  id: string;
  name: string;
  /** The parent's id (null: a root organization): structure, never one of the `fields`. */
  parentId: string | null;
  /** Every field the API reported, schema names, read-only ones included. */
  fields: Fields;
  /** The ownership marker the object carries, if any (see `createOrganization`). */
  marker?: string;
  /**
   * The organization's profile where the vendor returns it inside the organization object (`{}`
   * when it has none), so that bulk reads need no call per profile; undefined where it does not.
   */
  profile?: Fields;
}

/**
 * What `createOrganization` answers: the new organization, and what the vendor's answer told of
 * its members and roles where it includes them (Commerce Layer's JSON:API `include`), so that
 * the deployment need not list either before adding its first members. Absent: not told.
 */
export interface CreatedOrganization extends ObservedOrganization {
  created?: { members?: ObservedMember[]; roles?: RoleInfo[] };
}

/** A member: an email, and a role where the backend's members have roles (the member schema's `role`). */
export interface MemberAssignment {
  email: string;
  role?: string;
}

export interface ObservedMember extends MemberAssignment {
  id: string;
  fields: Fields;
}

export interface OrganizationQuery {
  /** Exact name, compared as the vendor's uniqueness rule compares (case-insensitively for most). */
  name?: string;
  /** Only children of this organization; `null` for roots; undefined for any. */
  parentId?: string | null;
}

/**
 * How a vendor lets orgform recognise what an ambiguous create (timeout, reset, 5xx after the
 * request was sent) committed, so that it is never created twice nor lost:
 * - `marker`: an ownership marker in a free field of the object; `findCreated` looks for it.
 * - `client-id`: the client chooses the id; `findCreated` gets the object by that id.
 * - `natural-key`: the vendor keeps names unique; `findCreated` finds the name (after an
 *   ambiguous create only: before one, a same-named object is someone else's).
 * - `none`: nothing tells; an ambiguous create is not retried and the user is told to adopt.
 */
export type DuplicateGuard = "marker" | "client-id" | "natural-key" | "none";

/** What makes one create recognisable, derived from the stack and the organization's key. */
export interface CreateIdentity {
  /** `orgform:<project>/<stack>/<key>`. */
  marker: string;
  /** A UUID derived from the marker (v5): the same for every attempt of the same create. */
  clientId: string;
}

export interface Backend {
  readonly name: BackendName;
  readonly duplicateGuard: DuplicateGuard;
  /** Answers undefined when the organization does not exist (404), never throws for that. */
  getOrganization(id: string): Promise<ObservedOrganization | undefined>;
  findOrganizations(query: OrganizationQuery): Promise<ObservedOrganization[]>;
  /**
   * Creates an organization so that `findCreated` can recognise it (the marker in its free field,
   * the client-chosen id...). Fails with code AMBIGUOUS when the outcome is unknown.
   */
  createOrganization(declared: Fields, parentId: string | null, identity: CreateIdentity): Promise<CreatedOrganization>;
  /**
   * The organization a create with this identity committed, if any, by the vendor's
   * `duplicateGuard` (never called for `none`). Asked before a create (an earlier run may have died
   * after committing) for `marker` and `client-id`, and after an ambiguous create for all three.
   */
  findCreated(declared: Fields, parentId: string | null, identity: CreateIdentity): Promise<ObservedOrganization | undefined>;
  /** Applies the declared fields; fields not declared keep their live values. */
  updateOrganization(id: string, declared: Fields, parentId: string | null | undefined): Promise<ObservedOrganization>;
  /** Succeeds when the organization is already gone; vendor refusals surface with their reason. */
  deleteOrganization(id: string): Promise<void>;
}

/** The vendor keeps a profile beside the organization (read and replaced, never deleted). */
export interface ProfileAbility {
  getProfile(orgId: string): Promise<Fields | undefined>;
  /**
   * Applies the declared fields, keeping undeclared ones at their live values. `live`, when the
   * caller already holds the live profile (a bulk read, the create's answer), spares the read a
   * whole-profile PUT needs; without it the adapter reads first.
   */
  putProfile(orgId: string, declared: Fields, live?: Fields): Promise<Fields>;
}

/** The vendor lists, adds, changes and removes members of an organization. */
export interface MemberAbility {
  /** Throws NOT_FOUND when the organization does not exist (an empty list means no members). */
  listMembers(orgId: string): Promise<ObservedMember[]>;
  /**
   * `sensitive`: the member schema's sensitive import-only fields declared for this member (an
   * initial password), by field name: used only where the adapter creates the user, never sent
   * otherwise, never logged, never part of an error.
   */
  addMember(orgId: string, member: MemberAssignment, sensitive?: Fields): Promise<ObservedMember>;
  /** Absent where members have no roles (the member schema has no `role`). */
  setMemberRole?(orgId: string, memberId: string, role: string): Promise<ObservedMember>;
  /** Succeeds when the member is already gone. */
  removeMember(orgId: string, memberId: string): Promise<void>;
}

/** A role of one organization, as the vendor lists it. */
export interface RoleInfo {
  name: string;
  /** Whether the role makes a member an administrator: a property of the role (its kind), not of its name. */
  administrator: boolean;
}

/**
 * The vendor's roles belong to each organization (standard ones plus custom ones): the member
 * schema's `role` has no `enum`, and a declared role name is resolved against this list.
 */
export interface RoleAbility {
  /** Throws NOT_FOUND when the organization does not exist. */
  listRoles(orgId: string): Promise<RoleInfo[]>;
}

/**
 * Bulk reads: every organization the credential can see in one paginated pass (with their
 * profiles where the vendor embeds them). With it, a refresh costs that list plus one member list
 * per organization instead of a call per resource (provider/backends/deployment-cache.ts).
 */
export interface BulkReadAbility {
  listAllOrganizations(): Promise<ObservedOrganization[]>;
}

/** One write the vendor's audit log shows: who (never a secret), when, what. */
export interface ChangeRecord {
  /** The actor as the vendor names it: a token's name, a user's email, an OAuth2 client. */
  actor: string;
  /** How the actor authenticated, in the vendor's words (Cloudflare: api_token, api_key, oauth, dash). */
  via?: string;
  /** ISO 8601. */
  time: string;
  action: string;
  /** What was written: the organization, its profile, a member. */
  resource: string;
}

/** The vendor keeps an audit log per organization: `orgform drift` names who changed a drifted one. */
export interface AuditAbility {
  /** The latest write to the organization (itself, its profile, its members) within the last `days` days; undefined when the log shows none. */
  lastChange(orgId: string, days?: number): Promise<ChangeRecord | undefined>;
}

/**
 * The vendor has a free field for orgform's ownership marker (capabilities
 * `organization.ownershipMarker`): `adopt: {..., takeOver: true}` rewrites it to this stack's.
 */
export interface MarkerAbility {
  /** Replaces the marker another stack left (orgform's value, never one a user wrote); answers the organization as it now is. */
  writeMarker(orgId: string, marker: string): Promise<ObservedOrganization>;
}

export type FullBackend = Backend &
  Partial<ProfileAbility> &
  Partial<MemberAbility> &
  Partial<RoleAbility> &
  Partial<BulkReadAbility> &
  Partial<AuditAbility> &
  Partial<MarkerAbility>;

export function hasAudit(b: FullBackend): b is Backend & AuditAbility {
  return typeof b.lastChange === "function";
}

export function hasBulkReads(b: FullBackend): b is Backend & BulkReadAbility {
  return typeof b.listAllOrganizations === "function";
}

export function hasProfiles(b: FullBackend): b is Backend & ProfileAbility {
  return typeof b.getProfile === "function" && typeof b.putProfile === "function";
}

export function hasMembers(b: FullBackend): b is Backend & MemberAbility {
  return typeof b.listMembers === "function" && typeof b.addMember === "function";
}

/** The role of a member added to a backend whose members have roles (the handlers always fill it: the declared one or the schema's default). */
export function roleOfAssignment(backend: BackendName, member: MemberAssignment): string {
  if (member.role === undefined) throw new Error(`a ${backend} member needs a role (${member.email})`);
  return member.role;
}

export function hasRoles(b: FullBackend): b is Backend & RoleAbility {
  return typeof b.listRoles === "function";
}

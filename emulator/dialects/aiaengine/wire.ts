import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { Migration } from "../../migrations";
import type { MemberRow, OrgRow, Store } from "../../store";
import { CODE, StatusError, invalid } from "./status";
import { isObject } from "../../json";

/**
 * The AIA Engine wire format <-> the store's rows, and its rules, written from document 004 (the
 * Python SDK's `Org`), the vendor's guides (docs.aiaengine.com "Organization": the gRPC calls
 * CreateOrg, GetOrg, UpdateOrg, DeleteOrg, ListOrgs, ListOrgUsers and their request fields; "Org
 * roles") and our design of what they leave open, never from orgform's schemas:
 *
 * - Messages are proto3 JSON: fields by their proto names (`logo_url`; the lowerCamelCase JSON
 *   names protobuf's parsers also take, `logoUrl`, are accepted too), and an answer leaves out
 *   every field at its default ("", false, an empty list), as protobuf's JSON printer does.
 * - Ids (organizations, users) are UUIDs, as the guides' examples show; anything else is refused.
 * - An organization is `Org{id, name, description, logo_url, has_active_subscription, created_at,
 *   updated_at}`. CreateOrgRequest is `{name, description}` (the guide's fields: a logo is set by
 *   UpdateOrg). UpdateOrgRequest `{id, name, description, logo_url}` replaces all three: proto3
 *   strings have no presence, so an omitted field and "" are the same message, and it empties the
 *   field (what the SDK's `update(name, description=None)` does to the description). `name` is
 *   required and not blank in both.
 * - Nothing makes organization names unique (the document states none; the GUI asks only for a name).
 * - Delete is refused while a subscription is active; otherwise it takes the users' memberships with it.
 * - Users exist on the platform, apart from organizations, with a UUID: AddOrgUser adds an existing
 *   one by id and role (the guide: "by specifying the id and role of an existing user"),
 *   CreateOrgUser creates one (document 004's `create_user`; a password is generated when none is
 *   given and never shown). The guides name no lookup by email: UserService.ListUsers{email} is our
 *   design of one (what 004's `add_user(user_email)` needs to find the id it sends).
 * - An organization user is `OrgUser{user: User{id, email, name}, role, external}`; roles are the
 *   "Org roles" page's three levels, `OrgOwner`, `OrgEditor`, `OrgViewer` (the SDK's
 *   `UserRoles.OrgViewer` is the default); `external` users were added to one of its projects, not
 *   to the organization, and have no organization role.
 */

export const BACKEND = "aiaengine";

export const ROLES = ["OrgOwner", "OrgEditor", "OrgViewer"] as const;
export type Role = (typeof ROLES)[number];
export const DEFAULT_ROLE: Role = "OrgViewer";

/** What the dialect keeps in an organization row's JSON document. */
export interface OrgDocument {
  description: string;
  logo_url: string;
  has_active_subscription: boolean;
}

/** What the dialect keeps in a member row's JSON document (a platform user in one organization). */
export interface MemberDocument {
  user_id: string;
  /** Null for an external user (a collaborator of one of the organization's projects). */
  role: Role | null;
  external: boolean;
}

export interface UserRow {
  id: string;
  email: string;
  name: string;
}

/** The platform's users: the dialect's own table (users exist apart from organizations). */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "aiaengine platform users",
    sql: `
      CREATE TABLE aiaengine_users (
        id              TEXT PRIMARY KEY,
        email           TEXT NOT NULL,
        email_fold      TEXT NOT NULL UNIQUE,
        name            TEXT NOT NULL,
        password_digest TEXT NOT NULL,
        create_time     TEXT NOT NULL
      );
    `,
  },
];


/** proto3 JSON field kinds this service's messages use. */
export type FieldKind = "string" | "uuid";

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const camel = (proto: string) => proto.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * A request message as protobuf's JSON parser reads it: a JSON object whose keys are the message's
 * fields by proto name or JSON name, each of its kind; null is the default. Unknown fields are
 * refused (protobuf's parser can be told to drop them; this service does not, so that a client
 * that drifts from the messages shows). Strings absent or null read as "".
 */
export function readMessage(body: unknown, fields: Record<string, FieldKind>, message: string): Record<string, string> {
  if (!isObject(body)) throw invalid(`${message}: the request body must be a JSON object`);
  const byJsonName = new Map<string, string>();
  for (const proto of Object.keys(fields)) {
    byJsonName.set(proto, proto);
    byJsonName.set(camel(proto), proto);
  }
  const out: Record<string, string> = Object.fromEntries(Object.keys(fields).map((f) => [f, ""]));
  const seen = new Set<string>();
  for (const [key, value] of Object.entries(body)) {
    const proto = byJsonName.get(key);
    if (!proto) throw invalid(`${message}: unknown field "${key}"`);
    if (seen.has(proto)) throw invalid(`${message}: field "${proto}" given twice`);
    seen.add(proto);
    if (value === null) continue;
    if (typeof value !== "string") throw invalid(`${message}.${proto}: must be a string`);
    if (fields[proto] === "uuid" && value !== "" && !UUID_RE.test(value)) throw invalid(`${message}.${proto}: must be a UUID (got ${JSON.stringify(value.slice(0, 64))})`);
    out[proto] = fields[proto] === "uuid" ? value.toLowerCase() : value;
  }
  return out;
}

export function required(message: string, fields: Record<string, string>, name: string): string {
  const v = fields[name];
  if (v === undefined || v.trim() === "") throw invalid(`${message}.${name}: is required`);
  return v;
}

export const isUuid = (s: string) => UUID_RE.test(s);

/** An answer as protobuf's JSON printer writes it: fields at their default ("", false, [], null) are left out. */
export function protoJson(message: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(message)) {
    if (v === "" || v === false || v === null || v === undefined || v === 0 || (Array.isArray(v) && v.length === 0)) continue;
    out[k] = v;
  }
  return out;
}

/** A new id: organizations and users are identified by UUIDs. */
export const newUuid = (): string => randomUUID();

export function parseRole(value: unknown, key = "role"): Role {
  if (value === undefined || value === null || value === "") return DEFAULT_ROLE;
  if (typeof value !== "string" || !(ROLES as readonly string[]).includes(value)) {
    throw invalid(`${key}: must be one of ${ROLES.join(", ")}`);
  }
  return value as Role;
}

/** An email as the platform takes it: something@something (the SDK states no more). */
export function parseEmail(value: unknown, key = "email"): string {
  if (typeof value !== "string" || !/^[^\s@]+@[^\s@]+$/.test(value)) throw invalid(`${key}: must be an email address`);
  return value;
}

export function orgDocument(row: OrgRow): OrgDocument {
  const d = row.document as Partial<OrgDocument>;
  return { description: d.description ?? "", logo_url: d.logo_url ?? "", has_active_subscription: d.has_active_subscription ?? false };
}

/** The `Org` message. */
export function orgToWire(row: OrgRow): Record<string, unknown> {
  const doc = orgDocument(row);
  return protoJson({
    id: row.id,
    name: row.name,
    description: doc.description,
    logo_url: doc.logo_url,
    has_active_subscription: doc.has_active_subscription,
    created_at: row.createTime,
    updated_at: row.updateTime,
  });
}

export function memberDocument(row: MemberRow): MemberDocument {
  return row.document as unknown as MemberDocument;
}

/** The `OrgUser` message. */
export function memberToWire(store: Store, row: MemberRow): Record<string, unknown> {
  const doc = memberDocument(row);
  const user = getUser(store, doc.user_id);
  return protoJson({
    user: userToWire({ id: doc.user_id, email: user?.email ?? row.email, name: user?.name ?? "" }),
    role: doc.role ?? "",
    external: doc.external,
  });
}

/** The `User` message. */
export const userToWire = (user: UserRow): Record<string, unknown> => protoJson({ id: user.id, email: user.email, name: user.name });

export const memberUniqueKey = (orgId: string, email: string) => `${orgId}\u0000${email.toLowerCase()}`;

/** The membership of a platform user (by its id) in an organization. */
export function findMembership(store: Store, orgId: string, userId: string): MemberRow | undefined {
  return store.membersOf(BACKEND, orgId).find((m) => memberDocument(m).user_id === userId);
}

// ---- platform users ----------------------------------------------------------------------

export function getUser(store: Store, id: string): UserRow | undefined {
  return store.statement("SELECT id, email, name FROM aiaengine_users WHERE id = ?").get(id) as UserRow | undefined;
}

export function findUserByEmail(store: Store, email: string): UserRow | undefined {
  return store.statement("SELECT id, email, name FROM aiaengine_users WHERE email_fold = ?").get(email.toLowerCase()) as UserRow | undefined;
}

const digest = (s: string) => createHash("sha256").update(s).digest("hex");

/** A new platform user; without a password one is generated, and no answer ever shows it. */
export function insertUser(store: Store, user: { id: string; email: string; name: string; password?: string; now: string }): UserRow {
  if (findUserByEmail(store, user.email)) throw new StatusError(CODE.ALREADY_EXISTS, `a user with email ${user.email} already exists: AddOrgUser adds an existing user by its id`);
  const password = user.password ?? randomBytes(18).toString("base64url");
  store
    .statement("INSERT INTO aiaengine_users (id, email, email_fold, name, password_digest, create_time) VALUES (?, ?, ?, ?, ?, ?)")
    .run(user.id, user.email, user.email.toLowerCase(), user.name, digest(password), user.now);
  return { id: user.id, email: user.email, name: user.name };
}

/** Whether a user's password is this one (admin inspection: tests prove what a client set, never read it back). */
export function passwordMatches(store: Store, email: string, password: string): boolean {
  const row = store.statement("SELECT password_digest FROM aiaengine_users WHERE email_fold = ?").get(email.toLowerCase()) as { password_digest: string } | undefined;
  return row !== undefined && row.password_digest === digest(password);
}

export function resetUsers(store: Store): void {
  store.statement("DELETE FROM aiaengine_users").run();
}

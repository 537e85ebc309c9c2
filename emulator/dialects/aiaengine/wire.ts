import { createHash, randomBytes } from "node:crypto";
import type { Migration } from "../../migrations";
import type { MemberRow, OrgRow, Store } from "../../store";
import { GRPC, StatusError, invalid } from "./status";
import { isObject } from "../../json";

/**
 * The AIA Engine wire format <-> the store's rows, and its rules, written from document 004 (the
 * Python SDK's `Org`), the vendor's guides (docs.aiaengine.com: the `aiaengine.api.org` gRPC
 * service, "Org roles") and our REST design of that service, never from orgform's schemas:
 *
 * - An organization is `{id, name, description, logo_url, has_active_subscription, created_at,
 *   updated_at}`; a client writes `name` (required, non-empty), `description`, `logo_url`.
 *   `UpdateOrg` replaces them: what an update leaves out is emptied (proto3 defaults), which is why
 *   the SDK's `update(name, description=None)` clears the description.
 * - Nothing makes organization names unique (the document states none; the GUI asks only for a name).
 * - Delete is refused while a subscription is active; otherwise it takes the users' memberships with it.
 * - Users exist on the platform, apart from organizations: `add_user` adds an existing one,
 *   `create_user` creates one (a password is generated when none is given and never shown).
 * - An organization user is `{user: {id, email, name}, role, external}`; roles are the "Org roles"
 *   page's three levels, `OrgOwner`, `OrgEditor`, `OrgViewer` (the SDK's `UserRoles.OrgViewer` is the
 *   default); `external` users were added to one of its projects, not to the organization.
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


export function readBody(body: unknown): Record<string, unknown> {
  if (!isObject(body)) throw invalid("the request body must be a JSON object");
  return body;
}

/** Keys a request may carry: the writable ones, and server-owned ones sent back unchanged (ignored). */
export function checkKeys(body: Record<string, unknown>, writable: readonly string[], serverOwned: readonly string[], what: string): void {
  for (const k of Object.keys(body)) {
    if (!writable.includes(k) && !serverOwned.includes(k)) throw invalid(`unknown field "${k}" in ${what}`);
  }
}

export function optionalString(body: Record<string, unknown>, key: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw invalid(`${key}: must be a string`);
  return v;
}

export function requiredString(body: Record<string, unknown>, key: string): string {
  const v = optionalString(body, key);
  if (v === undefined || v.trim() === "") throw invalid(`${key}: is required`);
  return v;
}

export function parseRole(value: unknown): Role {
  if (value === undefined || value === null || value === "") return DEFAULT_ROLE;
  if (typeof value !== "string" || !(ROLES as readonly string[]).includes(value)) {
    throw invalid(`role: must be one of ${ROLES.join(", ")}`);
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

export function orgToWire(row: OrgRow): Record<string, unknown> {
  const doc = orgDocument(row);
  return {
    id: row.id,
    name: row.name,
    description: doc.description,
    logo_url: doc.logo_url,
    has_active_subscription: doc.has_active_subscription,
    created_at: row.createTime,
    updated_at: row.updateTime,
  };
}

export function memberDocument(row: MemberRow): MemberDocument {
  return row.document as unknown as MemberDocument;
}

export function memberToWire(store: Store, row: MemberRow): Record<string, unknown> {
  const doc = memberDocument(row);
  const user = getUser(store, doc.user_id);
  return {
    user: { id: doc.user_id, email: user?.email ?? row.email, name: user?.name ?? "" },
    role: doc.role ?? "",
    external: doc.external,
  };
}

export const memberUniqueKey = (orgId: string, email: string) => `${orgId}\u0000${email.toLowerCase()}`;

/** The membership of a user (by id or email, as `remove_user(user_email)` names it) in an organization. */
export function findMembership(store: Store, orgId: string, idOrEmail: string): MemberRow | undefined {
  if (idOrEmail.includes("@")) return store.findMemberByUniqueKey(BACKEND, memberUniqueKey(orgId, idOrEmail));
  return store.membersOf(BACKEND, orgId).find((m) => memberDocument(m).user_id === idOrEmail);
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
  if (findUserByEmail(store, user.email)) throw new StatusError(GRPC.ALREADY_EXISTS, `a user with email ${user.email} already exists: add_user adds an existing user`);
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

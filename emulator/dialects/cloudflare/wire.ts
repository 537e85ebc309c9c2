import { createHash } from "node:crypto";
import { capabilitiesOf } from "../../../provider/core/capabilities";
import { schemaFor, validateObserved, type Problem } from "../../../provider/core/schema";
import type { JsonObject, MemberRow, OrgRow, Store } from "../../store";
import { CF, CfError, type CfMessage } from "./envelope";

/**
 * The Cloudflare wire format <-> the store's generic rows, and write validation against the schema
 * files the provider uses (`schemas/cloudflare/*.schema.json`, through provider/core/schema). Field
 * lists (profile fields, role names) come from the schemas and the capability matrix, never from
 * here: this module only knows where the wire nests what the flat schema names.
 */

export const BACKEND = "cloudflare";

export const orgSchema = () => schemaFor(BACKEND, "organization");
export const profileSchema = () => schemaFor(BACKEND, "profile");
export const memberSchema = () => schemaFor(BACKEND, "member");
export const caps = () => capabilitiesOf(BACKEND);

/** What the dialect keeps in an organization row's JSON document. */
export interface OrgDocument {
  meta?: JsonObject;
  profile?: JsonObject | null;
  /** Account ids the organization contains (seed only; filter `containing.account`). */
  accounts?: string[];
}

/** What the dialect keeps in a member row's JSON document. */
export interface MemberDocument {
  roles: string[];
  status: "pending" | "accepted";
  user_id: string;
}

export const DEFAULT_META: JsonObject = {
  flags: {
    account_creation: "enabled",
    account_deletion: "enabled",
    account_migration: "disabled",
    account_mobility: "disabled",
    sub_org_creation: "enabled",
  },
};

const hex32 = (s: string): string => createHash("md5").update(s).digest("hex");

/** A user's id is derived from the (lower-cased) email, so one person has one id across organizations. */
export const userIdFor = (email: string): string => hex32(`cloudflare-user:${email.toLowerCase()}`);

export interface Role {
  id: string;
  name: string;
  description: string;
}

/** The fixed role set of every organization (names from the capability matrix; ids are stable hashes). */
export function roles(): Role[] {
  return caps().members.roles.map((name) => ({
    id: hex32(`cloudflare-role:${name}`),
    name,
    description: `Built-in organization role "${name}".`,
  }));
}

export function roleById(id: string): Role | undefined {
  return roles().find((r) => r.id === id);
}

export function roleByName(name: string): Role | undefined {
  return roles().find((r) => r.name.toLowerCase() === name.toLowerCase());
}

/** The sibling-uniqueness key of an organization name, as the capability matrix says. */
export function orgUniqueKey(parentId: string | null, name: string): string | null {
  const u = caps().organization.nameUniqueness;
  const n = u.caseInsensitive ? name.toLowerCase() : name;
  if (u.scope === "none") return null;
  return u.scope === "global" ? n : `${parentId ?? ""}\u0001${n}`;
}

export const memberUniqueKey = (orgId: string, email: string): string => `${orgId}\u0001${email.toLowerCase()}`;

export function orgDocument(row: OrgRow): OrgDocument {
  return row.document as OrgDocument;
}

/** The wire organization, keys in the document's order. */
export function orgToWire(row: OrgRow, store: Store): Record<string, unknown> {
  const doc = orgDocument(row);
  const out: Record<string, unknown> = {
    id: row.id,
    create_time: row.createTime,
    meta: doc.meta ?? DEFAULT_META,
    name: row.name,
  };
  if (row.parentId !== null) {
    const parent = store.getOrg(BACKEND, row.parentId);
    out.parent = { id: row.parentId, name: parent?.name ?? "" };
  }
  if (doc.profile) out.profile = doc.profile;
  return out;
}

/** The flat logical object of organization.schema.json for a row (what `validateObserved` checks). */
export function orgToFlat(fields: { id: string; name: unknown; parentId: unknown; parentName: string | null; createTime: string; doc: OrgDocument }): Record<string, unknown> {
  const flat: Record<string, unknown> = {
    id: fields.id,
    name: fields.name,
    parent_id: fields.parentId,
    parent_name: fields.parentName,
    create_time: fields.createTime,
    meta: fields.doc.meta ?? DEFAULT_META,
  };
  if (fields.doc.profile !== undefined) flat.profile = fields.doc.profile;
  return flat;
}

/** Where a flat field lives on the wire (JSON pointer), for error `source.pointer`. */
export function wirePointer(path: string[]): string {
  if (path[0] === "parent_id") return "/parent/id";
  if (path[0] === "parent_name") return "/parent/name";
  return "/" + path.map((p) => p.replace(/~/g, "~0").replace(/\//g, "~1")).join("/");
}

export function problemsToError(problems: Problem[], prefix: string[] = [], toPointer: (p: string[]) => string = wirePointer): CfError {
  const errors: CfMessage[] = problems.map((p) => {
    const path = [...prefix, ...p.path];
    const where = path.length ? path.join(".") : "body";
    return { code: CF.invalid, message: `${where}: ${p.message}`, source: { pointer: toPointer(path) } };
  });
  return new CfError(400, errors);
}

export function validateOrg(flat: Record<string, unknown>): void {
  const problems = validateObserved(orgSchema(), flat);
  if (problems.length) throw problemsToError(problems);
}

export function validateProfile(profile: unknown, prefix: string[] = []): void {
  const problems = validateObserved(profileSchema(), profile);
  if (problems.length) throw problemsToError(problems, prefix);
}

/** The wire member (a superset of the architecture contract `{id, user{id,email}, status, roles[{id,name}]}`). */
export function memberToWire(row: MemberRow): Record<string, unknown> {
  const doc = row.document as unknown as MemberDocument;
  return {
    id: row.id,
    email: row.email,
    status: doc.status,
    user: {
      id: doc.user_id,
      email: row.email,
      first_name: null,
      last_name: null,
      two_factor_authentication_enabled: false,
    },
    roles: doc.roles.map((id) => {
      const r = roleById(id);
      return { id, name: r?.name ?? "", description: r?.description ?? "", permissions: {} };
    }),
    policies: [],
  };
}

/** Validates a member against member.schema.json (one flat object per role: the flat member has one role). */
export function validateMember(m: { id: string; email: unknown; roles: string[]; status: unknown; userId: string }): void {
  const names = m.roles.map((id) => roleById(id)?.name);
  const flats = (names.length ? names : [undefined]).map((role) => ({
    id: m.id,
    email: m.email,
    ...(role !== undefined ? { role } : {}),
    status: m.status,
    user_id: m.userId,
  }));
  for (const flat of flats) {
    const problems = validateObserved(memberSchema(), flat);
    if (problems.length) {
      throw problemsToError(problems, [], (p) => (p[0] === "role" ? "/roles" : p[0] === "user_id" ? "/user/id" : wirePointer(p)));
    }
  }
}

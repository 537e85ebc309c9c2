/**
 * Member roles, read from the member schema's `role` property (their one home): the values the
 * vendor accepts (`enum`; absent where roles belong to each organization and are resolved live),
 * the default (`default`) and which roles make a member an administrator (`x-admin-values`).
 * A member schema without a `role` property is a backend whose members have no roles
 * (capabilities.json `members.roles: false` says the same; a unit test holds them equal).
 */
import type { BackendName } from "./backends";
import { capabilitiesOf } from "./capabilities";
import { sameValue } from "./diff";
import { hasSchema, schemaFor } from "./schema";

export interface RoleRules {
  /** Whether members have a role at all. */
  hasRoles: boolean;
  /** The accepted role names, or undefined when the vendor's roles are per organization. */
  values?: readonly string[];
  /** The role a member gets when the declaration names none. */
  defaultRole?: string;
  /** Roles that make a member an administrator. */
  adminRoles: readonly string[];
}

export function memberRoles(backend: BackendName): RoleRules {
  if (!hasSchema(backend, "member")) return { hasRoles: false, adminRoles: [] };
  const role = schemaFor(backend, "member").field("role");
  if (!role) return { hasRoles: false, adminRoles: [] };
  const json = role.json;
  return {
    hasRoles: true,
    ...(role.enum ? { values: role.enum as string[] } : {}),
    ...(typeof json.default === "string" ? { defaultRole: json.default } : {}),
    adminRoles: Array.isArray(json["x-admin-values"]) ? (json["x-admin-values"] as string[]) : [],
  };
}

/** The role a declared member gets: the declared one, else the schema's default; none where members have no roles. */
export function roleOrDefault(backend: BackendName, role: string | undefined): string | undefined {
  const rules = memberRoles(backend);
  return rules.hasRoles ? (role ?? rules.defaultRole) : undefined;
}

/** Whether two role names are the same role, by the `role` field's comparison rule (`x-compare`). */
export function sameRole(backend: BackendName, a: string | undefined, b: string | undefined): boolean {
  return sameValue(hasSchema(backend, "member") ? schemaFor(backend, "member").field("role") : undefined, a, b);
}

/**
 * Whether a role makes a member an administrator (guard rails, `minAdmins`). The one place that
 * answers it from the schema: the member schema's `x-admin-values`, compared by the role field's
 * rule. Never true where members have no roles.
 */
export function isAdminRole(backend: BackendName, role: string | undefined): boolean {
  if (role === undefined) return false;
  return memberRoles(backend).adminRoles.some((r) => sameRole(backend, r, role));
}

/** The one sentence for a role declared where members have none (`orgform validate`, `check`). */
export function noMemberRoles(backend: BackendName): string {
  return `${capabilitiesOf(backend).displayName} members have no roles (a member is an email): remove role`;
}

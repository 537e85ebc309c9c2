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
import { hasSchema, schemaFor, type FieldSpec, type ResourceSchema } from "./schema";

export interface RoleRules {
  /** Whether members have a role at all. */
  hasRoles: boolean;
  /** The accepted role names, or undefined when the vendor's roles are per organization. */
  values?: readonly string[];
  /** The role a member gets when the declaration names none. */
  defaultRole?: string;
  /** Roles that make a member an administrator. */
  adminRoles: readonly string[];
  /** The member schema's `role` property (its comparison rule); undefined where members have no roles. */
  field?: FieldSpec;
}

/** The role rules a member schema states (none: a backend without members, or members without roles). */
export function roleRulesOf(memberSchema: ResourceSchema | undefined): RoleRules {
  const role = memberSchema?.field("role");
  if (!role) return { hasRoles: false, adminRoles: [] };
  const json = role.json;
  return {
    hasRoles: true,
    ...(role.enum ? { values: role.enum as string[] } : {}),
    ...(typeof json.default === "string" ? { defaultRole: json.default } : {}),
    adminRoles: Array.isArray(json["x-admin-values"]) ? (json["x-admin-values"] as string[]) : [],
    field: role,
  };
}

/** The role rules of a backend, for callers that hold only its name (the config loader, the CLI). */
export function memberRoles(backend: BackendName): RoleRules {
  return roleRulesOf(hasSchema(backend, "member") ? schemaFor(backend, "member") : undefined);
}

/** Whether two role names are the same role, by the `role` field's comparison rule (`x-compare`). */
export function sameRole(rules: Pick<RoleRules, "field">, a: string | undefined, b: string | undefined): boolean {
  return sameValue(rules.field, a, b);
}

/**
 * Whether a role makes a member an administrator (guard rails, `minAdmins`). The one place that
 * answers it from the schema: the member schema's `x-admin-values`, compared by the role field's
 * rule. Never true where members have no roles.
 */
export function isAdmin(rules: RoleRules, role: string | undefined): boolean {
  return role !== undefined && rules.adminRoles.some((r) => sameRole(rules, r, role));
}

/** `isAdmin` for callers that hold only the backend's name. */
export function isAdminRole(backend: BackendName, role: string | undefined): boolean {
  return isAdmin(memberRoles(backend), role);
}

/** The one sentence for a role declared where members have none (`orgform validate`, `check`). */
export function noMemberRoles(backend: BackendName): string {
  return `${capabilitiesOf(backend).displayName} members have no roles (a member is an email): remove role`;
}

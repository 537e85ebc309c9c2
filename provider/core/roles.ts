/**
 * Member roles, read from the member schema's `role` property (their one home): the values the
 * vendor accepts (`enum`; absent where roles belong to each organization and are resolved live),
 * the default (`default`) and which roles make a member an administrator (`x-admin-values`).
 */
import type { BackendName } from "./backends";
import { hasSchema, schemaFor } from "./schema";

export interface RoleRules {
  /** The accepted role names, or undefined when the vendor's roles are per organization. */
  values?: readonly string[];
  /** The role a member gets when the declaration names none. */
  defaultRole?: string;
  /** Roles that make a member an administrator. */
  adminRoles: readonly string[];
}

export function memberRoles(backend: BackendName): RoleRules {
  if (!hasSchema(backend, "member")) return { adminRoles: [] };
  const role = schemaFor(backend, "member").field("role");
  const json = role?.json ?? {};
  return {
    ...(role?.enum ? { values: role.enum as string[] } : {}),
    ...(typeof json.default === "string" ? { defaultRole: json.default } : {}),
    adminRoles: Array.isArray(json["x-admin-values"]) ? (json["x-admin-values"] as string[]) : [],
  };
}

/** The role a declared member gets: the declared one, else the schema's default. */
export function roleOrDefault(backend: BackendName, role: string | undefined): string | undefined {
  return role ?? memberRoles(backend).defaultRole;
}

/**
 * Whether a role makes a member an administrator (guard rails, `minAdmins`). The one place that
 * answers it: today the member schema's `x-admin-values`, compared as the API resolves role names
 * (case-insensitively).
 */
export function isAdminRole(backend: BackendName, role: string): boolean {
  const wanted = role.toLowerCase();
  return memberRoles(backend).adminRoles.some((r) => r.toLowerCase() === wanted);
}

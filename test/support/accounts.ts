// Builders of seeded live accounts for any backend, read from its capability matrix and schemas:
// the common seed shape every dialect accepts (`organizations: [{name, children?, profile?,
// members?}]`), posted to the emulator's /_admin/seed. Nested where the vendor has a hierarchy,
// with profiles and members where it has them, as many organizations as one credential may see.
// Where roles belong to each organization (the member schema's `role` has no `enum`), a seeded
// member names what its role is (`{administrator}`), and `seedAccount` gives it the name of one of
// that organization's live roles (`RoleAbility.listRoles`), as a user reads them off the vendor.
import { openBackend } from "../../provider/backends";
import { hasRoles, type RoleInfo } from "../../provider/backends/types";
import type { BackendName } from "../../provider/core/backends";
import { capabilitiesOf } from "../../provider/core/capabilities";
import { memberRoles } from "../../provider/core/roles";
import { hasSchema, schemaFor } from "../../provider/core/schema";
import { emulatorCredentials, type EmulatorAccess } from "../../scripts/emulator-credentials";
import { validValues } from "./values";

/** A role by name, or, where roles belong to each organization, by what it is (named when seeded). */
export type SeedRole = string | { administrator: boolean };

/** A seeded member: an email, and a role where the backend's members have roles. */
export interface SeedMember<R = SeedRole> {
  email: string;
  role?: R;
}

export interface SeedOrganization<R = SeedRole> {
  name: string;
  profile?: Record<string, unknown>;
  members?: SeedMember<R>[];
  children?: SeedOrganization<R>[];
}

/** An organization as it was seeded: every member's role is a role name. */
export type SeededOrganization = SeedOrganization<string>;

/** How many organizations a seeded account of this backend can hold for one credential (at most `wanted`). */
export function accountSize(backend: BackendName, wanted = 50): number {
  const visible = capabilitiesOf(backend).organization.visiblePerCredential;
  return visible === null ? wanted : Math.min(wanted, visible);
}

/** Valid profile values from the profile schema (`both` fields), or undefined where the vendor has none. */
export function aProfile(backend: BackendName, variant = 0): Record<string, unknown> | undefined {
  if (!capabilitiesOf(backend).profile.supported || !hasSchema(backend, "profile")) return undefined;
  const out: Record<string, unknown> = {};
  for (const f of schemaFor(backend, "profile").fields) {
    if (f.access !== "both") continue;
    const values = validValues(f);
    out[f.name] = values[Math.min(variant, values.length - 1)];
  }
  return out;
}

export interface Roles {
  /** A role that makes administrators. */
  admin: string;
  /** A role that does not (the admin role where every role does). */
  other: string;
  all: string[];
}

/** Whether the backend's members have roles at all (the member schema has a `role`). */
export function hasMemberRoles(backend: BackendName): boolean {
  return memberRoles(backend).hasRoles;
}

/** Whether the backend's roles are one fixed set (the member schema's `enum`) rather than each organization's own. */
export function hasFixedRoles(backend: BackendName): boolean {
  return memberRoles(backend).values !== undefined;
}

/**
 * The backend's roles: an administrator role first, then the others. From the member schema's
 * `enum` where roles are a fixed set; where they belong to each organization, from that
 * organization's live roles (`liveRoles`), whose own property says which make administrators.
 */
export function rolesOf(backend: BackendName, live?: readonly RoleInfo[]): Roles {
  const rules = memberRoles(backend);
  if (rules.values) {
    const all = [...rules.values].map(String);
    const admin = rules.adminRoles[0] ?? all[0];
    const other = all.find((r) => !rules.adminRoles.includes(r)) ?? admin;
    return { admin, other, all };
  }
  if (!live) throw new Error(`${backend}'s roles belong to each organization: pass the organization's live roles (liveRoles)`);
  const all = live.map((r) => r.name);
  const admin = live.find((r) => r.administrator)?.name;
  if (admin === undefined) throw new Error(`${backend}: the organization has no administrator role among ${all.join(", ")}`);
  const other = live.find((r) => !r.administrator)?.name ?? admin;
  return { admin, other, all };
}

/** The emulator as a seed needs it: its admin API, and the adapter's view for live roles. */
export type SeedTarget = EmulatorAccess & { url: string; baseUrls: Record<string, string>; credentials: { adminToken: string } };

/** A reader of live organizations' roles (rolesOf), through one adapter where roles belong to each organization. */
export function liveRoleReader(emulator: SeedTarget, backend: BackendName): (orgId: string) => Promise<Roles> {
  if (!hasMemberRoles(backend)) return async () => { throw new Error(`${backend} members have no roles`); };
  if (hasFixedRoles(backend)) return async () => rolesOf(backend);
  const api = openBackend({ backend, endpoint: emulator.baseUrls[backend], credentials: emulatorCredentials(backend, emulator).credentials, sources: {} }, `seed-${backend}`);
  if (!hasRoles(api)) throw new Error(`${backend}: the member schema has no role enum, yet the adapter lists no roles`);
  return async (orgId) => rolesOf(backend, await api.listRoles(orgId));
}

/** The roles of one live organization (rolesOf). */
export function liveRoles(emulator: SeedTarget, backend: BackendName, orgId: string): Promise<Roles> {
  return liveRoleReader(emulator, backend)(orgId);
}

/**
 * Members of one organization where the vendor has members: one administrator, then others. With
 * `roles` (or a fixed role set) by name; else by what each role is, named by `seedAccount`.
 */
export function someMembers(backend: BackendName, label: string, count?: number): SeedMember[] | undefined;
export function someMembers(backend: BackendName, label: string, count: number, roles: Roles): SeedMember<string>[] | undefined;
export function someMembers(backend: BackendName, label: string, count = 2, roles?: Roles): SeedMember[] | undefined {
  if (!capabilitiesOf(backend).members.supported || !hasSchema(backend, "member")) return undefined;
  const slug = label.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  const email = (i: number) => `${i === 0 ? "admin" : `user${i}`}@${slug}.example`;
  // Members without roles: a member is an email.
  if (!hasMemberRoles(backend)) return Array.from({ length: count }, (_, i) => ({ email: email(i) }));
  const named = roles ?? (hasFixedRoles(backend) ? rolesOf(backend) : undefined);
  const role = (admin: boolean): SeedRole => (named ? (admin ? named.admin : named.other) : { administrator: admin });
  return Array.from({ length: count }, (_, i) => ({ email: email(i), role: role(i === 0) }));
}

/**
 * An account of `size` organizations: roots of up to five, the first children nested two deep
 * where the vendor has a hierarchy; the first organization of each root with a profile and members.
 */
export function anAccount(backend: BackendName, size: number, prefix = "Org"): SeedOrganization[] {
  const caps = capabilitiesOf(backend);
  let made = 0;
  const one = (name: string, details: boolean): SeedOrganization => {
    made++;
    const o: SeedOrganization = { name };
    if (details) {
      const profile = aProfile(backend, made % 2);
      if (profile) o.profile = profile;
      const members = someMembers(backend, name, 2 + (made % 2));
      if (members) o.members = members;
    }
    return o;
  };
  const roots: SeedOrganization[] = [];
  for (let r = 1; made < size; r++) {
    const root = one(`${prefix} ${String(r).padStart(2, "0")}`, true);
    roots.push(root);
    if (!caps.hierarchy.supported) continue;
    root.children = [];
    for (let c = 1; c <= 4 && made < size; c++) {
      const child = one(`${prefix} ${String(r).padStart(2, "0")} Unit ${c}`, c === 1);
      root.children.push(child);
      if (c === 1 && made < size) child.children = [one(`${prefix} ${String(r).padStart(2, "0")} Unit ${c} Team`, false)];
    }
  }
  return roots;
}

export function countOrganizations(orgs: readonly SeedOrganization[]): number {
  return orgs.reduce((n, o) => n + 1 + countOrganizations(o.children ?? []), 0);
}

interface SeedResult {
  organizations: { id: string; name: string; path: string[] }[];
}

async function postSeed(emulator: SeedTarget, backend: BackendName, organizations: SeedOrganization[]): Promise<SeedResult> {
  const res = await fetch(`${emulator.url}/_admin/seed`, {
    method: "POST",
    headers: { authorization: `Bearer ${emulator.credentials.adminToken}`, "content-type": "application/json" },
    body: JSON.stringify({ [backend]: { organizations } }),
  });
  if (res.status !== 201) throw new Error(`seeding ${backend}: ${res.status} ${await res.text()}`);
  return (await res.json()) as SeedResult;
}

const hasUnnamedRoles = (orgs: readonly SeedOrganization[]): boolean =>
  orgs.some((o) => (o.members ?? []).some((m) => m.role !== undefined && typeof m.role !== "string") || hasUnnamedRoles(o.children ?? []));

/**
 * Posts a seed of `organizations` for `backend` to an emulator's admin API; returns them as seeded.
 * A member whose role is named by what it is gets one of its organization's live roles: the
 * organizations are seeded first, then (seeding is idempotent) again with their members.
 */
export async function seedAccount(emulator: SeedTarget, backend: BackendName, organizations: SeedOrganization[]): Promise<SeededOrganization[]> {
  if (!hasUnnamedRoles(organizations)) {
    await postSeed(emulator, backend, organizations);
    return organizations as SeededOrganization[];
  }
  const withoutThem = (orgs: readonly SeedOrganization[]): SeedOrganization[] =>
    orgs.map(({ members, children, ...o }) => ({
      ...o,
      ...(members ? { members: members.filter((m) => m.role === undefined || typeof m.role === "string") } : {}),
      ...(children ? { children: withoutThem(children) } : {}),
    }));
  const first = await postSeed(emulator, backend, withoutThem(organizations));
  const idOf = new Map(first.organizations.map((o) => [o.path.join("\u0000"), o.id]));
  const rolesAt = liveRoleReader(emulator, backend);
  const named = async (orgs: readonly SeedOrganization[], above: string[]): Promise<SeededOrganization[]> =>
    Promise.all(
      orgs.map(async ({ members, children, ...o }) => {
        const path = [...above, o.name];
        let roles: Roles | undefined;
        const role = async (r: SeedRole | undefined) => {
          if (r === undefined || typeof r === "string") return r;
          roles ??= await rolesAt(idOf.get(path.join("\u0000"))!);
          return r.administrator ? roles.admin : roles.other;
        };
        const out: SeededOrganization = { ...o };
        if (members) {
          out.members = [];
          for (const m of members) {
            const named = await role(m.role);
            out.members.push(named !== undefined ? { ...m, role: named } : { email: m.email });
          }
        }
        if (children) out.children = await named(children, path);
        return out;
      }),
    );
  const seeded = await named(organizations, []);
  await postSeed(emulator, backend, seeded);
  return seeded;
}

// Builders of seeded live accounts for any backend, read from its capability matrix and schemas:
// the common seed shape every dialect accepts (`organizations: [{name, children?, profile?,
// members?}]`), posted to the emulator's /_admin/seed. Nested where the vendor has a hierarchy,
// with profiles and members where it has them, as many organizations as one credential may see.
import type { BackendName } from "../../provider/core/backends";
import { capabilitiesOf } from "../../provider/core/capabilities";
import { memberRoles } from "../../provider/core/roles";
import { hasSchema, schemaFor } from "../../provider/core/schema";
import { validValues } from "./values";

export interface SeedOrganization {
  name: string;
  profile?: Record<string, unknown>;
  members?: { email: string; role: string }[];
  children?: SeedOrganization[];
}

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

/** The backend's roles: an administrator role first, then the others (the schema's enum). */
export function rolesOf(backend: BackendName): { admin: string; other: string; all: string[] } {
  const rules = memberRoles(backend);
  const all = [...(rules.values ?? [])].map(String);
  const admin = rules.adminRoles[0] ?? all[0];
  const other = all.find((r) => !rules.adminRoles.includes(r)) ?? admin;
  return { admin, other, all };
}

/** Members of one organization where the vendor has members: one administrator, then others. */
export function someMembers(backend: BackendName, label: string, count = 2): { email: string; role: string }[] | undefined {
  if (!capabilitiesOf(backend).members.supported || !hasSchema(backend, "member")) return undefined;
  const { admin, other } = rolesOf(backend);
  const slug = label.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  return Array.from({ length: count }, (_, i) => ({ email: `${i === 0 ? "admin" : `user${i}`}@${slug}.example`, role: i === 0 ? admin : other }));
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

/** Posts a seed of `organizations` for `backend` to an emulator's admin API. */
export async function seedAccount(emulator: { url: string; credentials: { adminToken: string } }, backend: BackendName, organizations: SeedOrganization[]): Promise<void> {
  const res = await fetch(`${emulator.url}/_admin/seed`, {
    method: "POST",
    headers: { authorization: `Bearer ${emulator.credentials.adminToken}`, "content-type": "application/json" },
    body: JSON.stringify({ [backend]: { organizations } }),
  });
  if (res.status !== 201) throw new Error(`seeding ${backend}: ${res.status} ${await res.text()}`);
}

// Desired states of a given size, for the scale tests (test/e2e/scale.test.ts) and the benchmarks
// (bench/*.mjs run the compiled dist/bench/stack-config.js): `orgs` organizations and what the
// backend's capability matrix lets each have (never its name): every tenth a child of the one
// before it where the backend has a hierarchy, a profile where it has profiles, `membersPerOrg`
// members where it has members, whose roles are the backend's own (its member schema, else the
// shape's `roles`: those each organization has), given out in turn. Where the backend cannot
// create them all (no create, or a limit per owner), every organization is adopted by name
// instead, and `seedDocument` gives the emulator seed that puts them there first.
import { capabilitiesOf } from "../provider/core/capabilities";
import type { BackendName } from "../provider/core/backends";
import { membersHaveRoles } from "../provider/core/capabilities";
import { memberRoles } from "../provider/core/roles";

export interface StackShape {
  orgs: number;
  membersPerOrg: number;
  backend: BackendName;
  /** Prefix of the keys and names, so that two stacks can share one emulator. */
  prefix?: string;
  /** Whether each organization declares a profile (default true where the backend has profiles). */
  profiles?: boolean;
  /**
   * Role names to give out in turn where the member schema lists none (roles belong to each
   * organization and are resolved live): the roles a new organization has, as read off the API.
   */
  roles?: readonly string[];
}

export interface StackSize {
  organizations: number;
  profiles: number;
  members: number;
  /** Organizations + profiles + member assignments: what "per managed object" divides by. */
  objects: number;
}

/** What the backend's matrix lets the stack declare. */
function features(shape: StackShape): { parents: boolean; profiles: boolean; members: boolean; adopt: boolean } {
  const caps = capabilitiesOf(shape.backend);
  return {
    parents: caps.hierarchy.supported,
    profiles: caps.profile.supported && shape.profiles !== false,
    members: caps.members.supported && shape.membersPerOrg > 0,
    adopt: adoptsOrganizations(shape.backend),
  };
}

/**
 * Whether a stack of this backend adopts its organizations instead of creating them: the backend
 * cannot create organizations, or lets one owner create only a few (a stack of hundreds could not).
 */
export function adoptsOrganizations(backend: BackendName): boolean {
  const org = capabilitiesOf(backend).organization;
  return !org.create || org.createsPerOwner !== null;
}

/** The most organizations one stack of the backend may declare (one credential sees no more); null = no limit. */
export function maxOrganizations(backend: BackendName): number | null {
  return capabilitiesOf(backend).organization.visiblePerCredential;
}

export function sizeOf(shape: StackShape): StackSize {
  const f = features(shape);
  const profiles = f.profiles ? shape.orgs : 0;
  const members = f.members ? shape.orgs * shape.membersPerOrg : 0;
  return { organizations: shape.orgs, profiles, members, objects: shape.orgs + profiles + members };
}

const pad = (i: number) => String(i).padStart(5, "0");
const nameOf = (prefix: string, i: number) => `${prefix.toUpperCase()} ${pad(i)}`;

/** The YAML text of the desired state. */
export function stackYaml(shape: StackShape): string {
  const f = features(shape);
  const rules = memberRoles(shape.backend);
  // A backend whose members have no roles (Cloudflare's public Members API) declares emails only.
  const roles = !membersHaveRoles(shape.backend) ? [] : (rules.values ?? shape.roles ?? (rules.defaultRole ? [rules.defaultRole] : []));
  const prefix = shape.prefix ?? "org";
  const lines = [`backend: ${shape.backend}`, "organizations:"];
  for (let i = 0; i < shape.orgs; i++) {
    const key = `${prefix}-${pad(i)}`;
    if (f.adopt) lines.push(`  - key: ${key}`, `    adopt: { name: ${nameOf(prefix, i)} }`);
    else lines.push(`  - key: ${key}`, `    name: ${nameOf(prefix, i)}`);
    if (f.parents && i % 10 === 9) lines.push(`    parent: ${prefix}-${pad(i - 1)}`);
    if (f.profiles) lines.push(`    profile:`, `      business_name: ${prefix.toUpperCase()} ${pad(i)} Ltd`);
    if (f.members) {
      lines.push(`    members:`, `      mode: authoritative`, `      items:`);
      for (let m = 0; m < shape.membersPerOrg; m++) {
        const role = roles.length > 0 ? `, role: ${JSON.stringify(roles[m % roles.length])}` : "";
        lines.push(`        - { email: user${m}@${key}.example${role} }`);
      }
    }
  }
  return lines.join("\n") + "\n";
}

/** A UUID of the given number (version 4 shape), for seeded owners. */
const uuidOf = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;

/**
 * The emulator seed document (`POST /_admin/seed`) of the organizations a stack adopts, each under
 * its own owner where the backend names one (`organization.ownerField`) and limits creates per
 * owner, as accounts of many owners are; undefined where the stack creates its organizations.
 */
export function seedDocument(shape: StackShape): Record<string, unknown> | undefined {
  if (!features(shape).adopt) return undefined;
  const org = capabilitiesOf(shape.backend).organization;
  const ownerField = org.createsPerOwner !== null ? org.ownerField : undefined;
  const prefix = shape.prefix ?? "org";
  const organizations = Array.from({ length: shape.orgs }, (_, i) => ({ name: nameOf(prefix, i), ...(ownerField ? { [ownerField]: uuidOf(i + 1) } : {}) }));
  return { version: 1, [shape.backend]: { organizations } };
}

// Desired states of a given size, for the scale tests (test/e2e/scale.test.ts) and the benchmarks
// (bench/*.mjs run the compiled dist/bench/stack-config.js): `orgs` organizations, every tenth a
// child of the one before it, each with a profile and `membersPerOrg` members whose roles are the
// backend's own (its member schema), given out in turn.
import type { BackendName } from "../provider/core/backends";
import { memberRoles } from "../provider/core/roles";

export interface StackShape {
  orgs: number;
  membersPerOrg: number;
  backend: BackendName;
  /** Prefix of the keys and names, so that two stacks can share one emulator. */
  prefix?: string;
  /** Whether each organization declares a profile (default true). */
  profiles?: boolean;
}

export interface StackSize {
  organizations: number;
  profiles: number;
  members: number;
  /** Organizations + profiles + member assignments: what "per managed object" divides by. */
  objects: number;
}

export function sizeOf(shape: StackShape): StackSize {
  const profiles = shape.profiles === false ? 0 : shape.orgs;
  const members = shape.orgs * shape.membersPerOrg;
  return { organizations: shape.orgs, profiles, members, objects: shape.orgs + profiles + members };
}

const pad = (i: number) => String(i).padStart(5, "0");

/** The YAML text of the desired state. */
export function stackYaml(shape: StackShape): string {
  const rules = memberRoles(shape.backend);
  const roles = rules.values ?? (rules.defaultRole ? [rules.defaultRole] : []);
  const prefix = shape.prefix ?? "org";
  const lines = [`backend: ${shape.backend}`, "organizations:"];
  for (let i = 0; i < shape.orgs; i++) {
    const key = `${prefix}-${pad(i)}`;
    lines.push(`  - key: ${key}`, `    name: ${prefix.toUpperCase()} ${pad(i)}`);
    if (i % 10 === 9) lines.push(`    parent: ${prefix}-${pad(i - 1)}`);
    if (shape.profiles !== false) lines.push(`    profile:`, `      business_name: ${prefix.toUpperCase()} ${pad(i)} Ltd`);
    if (shape.membersPerOrg > 0) {
      lines.push(`    members:`, `      mode: authoritative`, `      items:`);
      for (let m = 0; m < shape.membersPerOrg; m++) {
        const role = roles.length > 0 ? `, role: ${JSON.stringify(roles[m % roles.length])}` : "";
        lines.push(`        - { email: user${m}@${key}.example${role} }`);
      }
    }
  }
  return lines.join("\n") + "\n";
}

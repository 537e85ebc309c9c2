// `orgform drift` (the config against the live API, no state) and `pulumi preview --refresh` (the
// engine, through the provider's diff) must agree, for every backend with the real engine: after
// the same out-of-band edits, both name the same resources as changed, and no others. They share
// the planners of provider/core/plan; this holds them to it. One project per backend: export the
// seeded account, adopt it with `pulumi up` (which writes nothing), then every edit the backend's
// capabilities allow (a field, a member added to an authoritative set, a member's role, a member
// removed, a profile field, an organization moved, a declared role differing only in case) is made at once, each on
// its own resource, and judged resource by resource; `pulumi up --refresh` converges them, after
// which both find nothing again.
import * as fs from "node:fs";
import YAML from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { implementedVendors, openBackend } from "../../provider/backends";
import { hasMembers, hasProfiles } from "../../provider/backends/types";
import type { BackendName } from "../../provider/core/backends";
import { capabilitiesOf } from "../../provider/core/capabilities";
import { memberRules } from "../../provider/core/plan/members";
import { schemaFor } from "../../provider/core/schema";
import { emulatorCredentials } from "../../scripts/emulator-credentials";
import { accountSize, anAccount, aProfile, hasMemberRoles, liveRoles, seedAccount } from "../support/accounts";
import { runOrgform } from "../support/cli";
import { orgformProject, type OrgformProject } from "./orgform-harness";

const STEP = 240_000;

/** What drift reports, one entry per resource it finds changed (`organization acme`, `members acme`...). */
interface DriftJson {
  organizations: {
    key: string | null;
    name: string;
    state: string;
    fields: unknown[];
    parent?: unknown;
    profile: unknown[];
    members?: { missing: unknown[]; unmanaged: unknown[]; wrongRole: unknown[]; inactive: unknown[] };
  }[];
}

/** The resources a drift report finds changed, named as the program names them (see resourcesChangedBy). */
function resourcesInDrift(report: DriftJson): string[] {
  const out: string[] = [];
  for (const o of report.organizations) {
    if (o.key === null) {
      out.push(`unmanaged organization ${o.name}`);
      continue;
    }
    if (o.state === "missing" || o.fields.length > 0 || o.parent) out.push(`organization ${o.key}`);
    if (o.profile.length > 0) out.push(`profile ${o.key}`);
    const m = o.members;
    if (m && m.missing.length + m.unmanaged.length + m.wrongRole.length + m.inactive.length > 0) out.push(`members ${o.key}`);
  }
  return out.sort();
}

const KINDS: Record<string, { kind: string; suffix: string }> = {
  Organization: { kind: "organization", suffix: "" },
  OrganizationProfile: { kind: "profile", suffix: "-profile" },
  OrganizationMembers: { kind: "members", suffix: "-members" },
};

/** The resources a `pulumi preview --json` would change (any step but same, read or refresh), named as drift names them. */
function resourcesChangedBy(preview: { steps?: { op: string; urn: string }[] }): string[] {
  const out: string[] = [];
  for (const step of preview.steps ?? []) {
    if (["same", "read", "refresh"].includes(step.op)) continue;
    // urn:pulumi:<stack>::<project>::<parent types $-joined>$<type>::<name>
    const [, , typePath = "", name = ""] = step.urn.split("::");
    const kind = KINDS[typePath.split("$").pop()!.split(":").pop()!];
    if (!kind) continue; // the stack itself
    out.push(`${kind.kind} ${name.slice(0, name.length - kind.suffix.length)}`);
  }
  return out.sort();
}

describe.each(implementedVendors())("orgform drift and pulumi preview --refresh agree on %s", (backend: BackendName) => {
  const caps = capabilitiesOf(backend);
  const caseInsensitiveRoles = caps.members.supported && !!memberRules(schemaFor(backend, "member")).role?.caseInsensitive;
  let p: OrgformProject;
  let doc: Record<string, any>;

  /** Another client: the adapter itself, straight to the emulator (no deployment cache). */
  const other = () =>
    openBackend({ backend, endpoint: p.emulator.baseUrls[backend], credentials: emulatorCredentials(backend, p.emulator).credentials, sources: {} }, `agreement-${backend}`);

  /**
   * The resources each side finds changed on the current config and live state: drift matching
   * without state, drift matching by the ids in the stack's state (--stack), and the preview.
   */
  async function verdicts(): Promise<{ drift: string[]; driftByState: string[]; preview: string[] }> {
    const drift = async (...extra: string[]) => {
      const r = await runOrgform(["drift", "--config", p.configFile, "--quiet", "--format", "json", ...extra], { env: p.ws.env, cwd: p.ws.dir });
      expect([0, 2], `orgform drift ${extra.join(" ")} failed: ${r.stderr}`).toContain(r.code);
      const found = resourcesInDrift(JSON.parse(r.stdout));
      // Its exit code says the same as its report.
      expect(r.code, r.stdout).toBe(found.length > 0 ? 2 : 0);
      return found;
    };
    const preview = await p.ws.pulumi(["preview", "--refresh", "--json"]);
    expect(preview.code, `the preview failed: ${preview.stderr}`).toBe(0);
    return { drift: await drift(), driftByState: await drift("--stack", "e2e", "--cwd", p.ws.dir), preview: resourcesChangedBy(JSON.parse(preview.stdout)) };
  }
  const agreeOn = async (expected: string[]) => {
    const v = await verdicts();
    expect(v).toEqual({ drift: expected, driftByState: expected, preview: expected });
  };

  /** Requests that wrote something (every route but GETs and an OAuth2 token endpoint). */
  const writes = async () => {
    const routes = ((await p.admin("GET", "/counters")).dialects?.[backend]?.routes ?? {}) as Record<string, { count: number }>;
    const tokenUrl = p.emulator.tokenUrls[backend];
    const tokenRoute = tokenUrl ? `POST ${new URL(tokenUrl).pathname}` : undefined;
    return Object.keys(routes).filter((route) => !route.startsWith("GET ") && route !== tokenRoute);
  };

  beforeAll(async () => {
    p = await orgformProject(`agreement-${backend}`, `backend: ${backend}\norganizations: []\n`, { backend });
    await seedAccount(p.emulator, backend, anAccount(backend, Math.min(4, accountSize(backend)), "Agree"));
    const exported = await runOrgform(["export", "--backend", backend, "--out", p.configFile, "--force", "--quiet"], { env: p.ws.env, cwd: p.ws.dir });
    expect(exported.code, exported.stderr).toBe(0);
    doc = YAML.parse(fs.readFileSync(p.configFile, "utf8"));
    // Converging an intruder away removes one of two or three members: more than the guard's default share.
    await p.ws.pulumiOk(["config", "set", "orgform:maxMemberRemovalShare", "0.5"]);
  }, STEP);
  afterAll(async () => p?.close());

  it("adopts the exported account with pulumi up, writing nothing to the API", async () => {
    await p.admin("DELETE", "/counters");
    await p.ws.pulumiOk(["up", "--yes", "--skip-preview"]);
    expect(await writes()).toEqual([]);
  }, STEP);

  it("agree, resource by resource, on every out-of-band edit the backend allows; up --refresh converges them all", async () => {
    const api = other();
    const edited = JSON.parse(JSON.stringify(doc));
    const expected: string[] = [];
    const [root] = doc.organizations;
    const others = doc.organizations.slice(1);

    // A declared role differing from the live one only in case is no change (Commerce Layer
    // admin/Admin): a config edit, on a member set no other edit touches.
    let roleCaseKey: string | undefined;
    if (caseInsensitiveRoles) {
      const target = edited.organizations.find((o: any) => o.members?.items?.some((m: any) => m.role && m.role !== m.role.toLowerCase()));
      expect(target, "an organization with a member whose role has capitals").toBeDefined();
      const member = target.members.items.find((m: any) => m.role !== m.role.toLowerCase());
      member.role = member.role.toLowerCase();
      roleCaseKey = target.key;
      p.writeConfig(YAML.stringify(edited));
    }

    // A field changed through the vendor's API.
    await api.updateOrganization(root.adopt.id, { name: `${root.name} Changed` }, undefined);
    expected.push(`organization ${root.key}`);

    // A member added to an authoritative set.
    let intruderKey: string | undefined;
    if (caps.members.supported) {
      const target = doc.organizations.find((o: any) => o.members?.mode === "authoritative" && o.key !== roleCaseKey);
      expect(target, "an authoritative member set in the export (besides the one whose role case changed)").toBeDefined();
      if (!hasMembers(api)) throw new Error(`${backend} promises members`);
      const template = target.members.items[0];
      await api.addMember(target.adopt.id, template?.role !== undefined ? { email: "intruder@agree.example", role: template.role } : { email: "intruder@agree.example" });
      intruderKey = target.key;
      expected.push(`members ${target.key}`);
    }

    // A member's role changed, where members have roles: a member without the administrator role
    // made one (demoting one could leave an organization without an administrator).
    let roleChangedKey: string | undefined;
    if (hasMemberRoles(backend)) {
      const target = doc.organizations.find((o: any) => o.members?.items?.length > 1 && ![roleCaseKey, intruderKey].includes(o.key));
      expect(target, "a third organization with members").toBeDefined();
      if (!hasMembers(api) || !api.setMemberRole) throw new Error(`${backend} promises members with roles`);
      const roles = await liveRoles(p.emulator, backend, target.adopt.id);
      const declared = target.members.items.find((m: any) => m.role.toLowerCase() !== roles.admin.toLowerCase());
      expect(declared, "a member who is not an administrator").toBeDefined();
      const live = (await api.listMembers(target.adopt.id)).find((m) => m.email.toLowerCase() === declared.email.toLowerCase())!;
      await api.setMemberRole(target.adopt.id, live.id, roles.admin);
      roleChangedKey = target.key;
      expected.push(`members ${target.key}`);
    }

    // A declared member removed out of band, from a member set no other edit touches.
    if (caps.members.supported) {
      const target = doc.organizations.find((o: any) => o.members?.items?.length > 0 && ![roleCaseKey, intruderKey, roleChangedKey].includes(o.key));
      expect(target, "another organization with members").toBeDefined();
      if (!hasMembers(api)) throw new Error(`${backend} promises members`);
      const leaving = target.members.items[target.members.items.length - 1];
      const live = (await api.listMembers(target.adopt.id)).find((m) => m.email.toLowerCase() === leaving.email.toLowerCase())!;
      await api.removeMember(target.adopt.id, live.id);
      expected.push(`members ${target.key}`);
    }

    // A profile field changed to another valid value.
    if (caps.profile.supported) {
      const target = doc.organizations.find((o: any) => o.profile);
      expect(target, "an organization with a profile in the export").toBeDefined();
      if (!hasProfiles(api)) throw new Error(`${backend} promises profiles`);
      const live = (await api.getProfile(target.adopt.id))!;
      const [a, b] = [aProfile(backend, 0)!, aProfile(backend, 1)!];
      const field = Object.keys(a).find((f) => a[f] !== b[f]);
      expect(field, "two valid values of a profile field").toBeDefined();
      await api.putProfile(target.adopt.id, { ...live, [field!]: live[field!] === a[field!] ? b[field!] : a[field!] }, live);
      expected.push(`profile ${target.key}`);
    }

    // An organization moved out of band, under one outside its subtree: a child of the renamed root
    // where there is one, so the preview must compare a parent that it is updating in the same run
    // (its id stays known: the program passes the parent's resource id, not an output of its update).
    if (caps.hierarchy.supported && caps.hierarchy.reparent) {
      const child = others.find((o: any) => o.parent === root.key);
      expect(child, "a child of the renamed root in the export").toBeDefined();
      const below = (o: any): boolean => !!o.parent && (o.parent === child?.key || below(doc.organizations.find((x: any) => x.key === o.parent)));
      const elsewhere = doc.organizations.find((o: any) => o.key !== child?.parent && o.key !== child?.key && !below(o));
      expect(child && elsewhere, "a sub-organization and another organization outside its subtree").toBeTruthy();
      await api.updateOrganization(child.adopt.id, {}, elsewhere.adopt.id);
      expected.push(`organization ${child.key}`);
    }

    // Exactly the edited resources: an export the adoption left differing (a perpetual diff) shows here too.
    await agreeOn([...new Set(expected)].sort());

    await p.ws.pulumiOk(["up", "--refresh", "--yes", "--skip-preview"]);
    await agreeOn([]);
  }, STEP);
});

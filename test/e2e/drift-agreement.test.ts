// `orgform drift` (the config against the live API, no state) and `pulumi preview --refresh` (the
// engine, through the provider's diff) must agree, for every backend with the real engine: after
// the same out-of-band edit, both find a change or both find none. They share the planners of
// provider/core/plan; this holds them to it. One project per backend: export the seeded account,
// adopt it with `pulumi up`, then each edit is made, judged by both, and undone.
import YAML from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { implementedVendors, openBackend } from "../../provider/backends";
import { hasMembers } from "../../provider/backends/types";
import type { BackendName } from "../../provider/core/backends";
import { capabilitiesOf } from "../../provider/core/capabilities";
import { memberRules } from "../../provider/core/plan/members";
import { schemaFor } from "../../provider/core/schema";
import { emulatorCredentials } from "../../scripts/emulator-credentials";
import { accountSize, anAccount, seedAccount } from "../support/accounts";
import { runOrgform } from "../support/cli";
import { orgformProject, type OrgformProject } from "./orgform-harness";

const STEP = 240_000;

describe.each(implementedVendors())("orgform drift and pulumi preview --refresh agree on %s", (backend: BackendName) => {
  const caps = capabilitiesOf(backend);
  const caseInsensitiveRoles = caps.members.supported && !!memberRules(schemaFor(backend, "member")).role?.caseInsensitive;
  let p: OrgformProject;
  let doc: Record<string, any>;

  /** Another client: the adapter itself, straight to the emulator (no deployment cache). */
  const other = () =>
    openBackend({ backend, endpoint: p.emulator.baseUrls[backend], credentials: emulatorCredentials(backend, p.emulator).credentials, sources: {} }, `agreement-${backend}`);

  /**
   * Both verdicts on the current config and live state: drift's exit code (matching without state,
   * and by the ids in the stack's state with --stack: the same), and whether the preview saw changes.
   */
  async function verdicts(): Promise<{ drift: boolean; preview: boolean; detail: string }> {
    const drift = await runOrgform(["drift", "--config", p.configFile, "--quiet"], { env: p.ws.env, cwd: p.ws.dir });
    expect([0, 2], `orgform drift failed: ${drift.stderr}`).toContain(drift.code);
    const byState = await runOrgform(["drift", "--config", p.configFile, "--quiet", "--stack", "e2e", "--cwd", p.ws.dir], { env: p.ws.env, cwd: p.ws.dir });
    expect(byState.code, `orgform drift --stack: ${byState.stderr}`).toBe(drift.code);
    const preview = await p.ws.pulumi(["preview", "--refresh", "--expect-no-changes", "--diff"]);
    const failed = /error:/.test(preview.stderr + preview.stdout) && !/no changes were expected/i.test(preview.stderr + preview.stdout);
    expect(failed, `the preview failed: ${preview.stderr}`).toBe(false);
    return { drift: drift.code === 2, preview: preview.code !== 0, detail: `drift:\n${drift.stdout}\npreview:\n${preview.stdout}` };
  }

  beforeAll(async () => {
    p = await orgformProject(`agreement-${backend}`, `backend: ${backend}\norganizations: []\n`, { backend });
    await seedAccount(p.emulator, backend, anAccount(backend, Math.min(4, accountSize(backend)), "Agree"));
    const exported = await runOrgform(["export", "--backend", backend, "--out", p.configFile, "--force", "--quiet"], { env: p.ws.env, cwd: p.ws.dir });
    expect(exported.code, exported.stderr).toBe(0);
    doc = YAML.parse(require("node:fs").readFileSync(p.configFile, "utf8"));
    await p.ws.pulumiOk(["up", "--yes", "--skip-preview"]);
  }, STEP);
  afterAll(async () => p?.close());

  it("agree that nothing changed right after the adoption", async () => {
    const v = await verdicts();
    expect(v, v.detail).toMatchObject({ drift: false, preview: false });
  }, STEP);

  it.skipIf(!caseInsensitiveRoles)("agree that a declared role differing from the live one only in case is no change (Commerce Layer admin/Admin)", async () => {
    const withMembers = doc.organizations.find((o: any) => o.members?.items?.some((m: any) => m.role && m.role !== m.role.toLowerCase()));
    expect(withMembers, "an organization with a member whose role has capitals").toBeDefined();
    const edited = JSON.parse(JSON.stringify(doc));
    const target = edited.organizations.find((o: any) => o.key === withMembers.key);
    const member = target.members.items.find((m: any) => m.role !== m.role.toLowerCase());
    member.role = member.role.toLowerCase();
    p.writeConfig(YAML.stringify(edited));
    try {
      const v = await verdicts();
      expect(v, v.detail).toMatchObject({ drift: false, preview: false });
    } finally {
      p.writeConfig(YAML.stringify(doc));
    }
  }, STEP);

  it("agree that a field changed out of band is drift", async () => {
    const root = doc.organizations[0];
    const api = other();
    await api.updateOrganization(root.adopt.id, { name: `${root.name} Changed` }, undefined);
    try {
      const v = await verdicts();
      expect(v, v.detail).toMatchObject({ drift: true, preview: true });
    } finally {
      await api.updateOrganization(root.adopt.id, { name: root.name }, undefined);
    }
    const after = await verdicts();
    expect(after, after.detail).toMatchObject({ drift: false, preview: false });
  }, STEP);

  it.skipIf(!caps.members.supported)("agree that a member added out of band to an authoritative set is drift", async () => {
    const target = doc.organizations.find((o: any) => o.members?.mode === "authoritative");
    expect(target, "an authoritative member set in the export").toBeDefined();
    const api = other();
    if (!hasMembers(api)) throw new Error(`${backend} promises members`);
    const template = target.members.items[0];
    const added = await api.addMember(target.adopt.id, template?.role !== undefined ? { email: "intruder@agree.example", role: template.role } : { email: "intruder@agree.example" });
    try {
      const v = await verdicts();
      expect(v, v.detail).toMatchObject({ drift: true, preview: true });
    } finally {
      await api.removeMember(target.adopt.id, added.id);
    }
  }, STEP);

  it.skipIf(!caps.hierarchy.supported || !caps.hierarchy.reparent)("agree that an organization moved out of band is drift", async () => {
    const child = doc.organizations.find((o: any) => o.parent);
    // Somewhere else to go: neither its parent, nor itself, nor below it.
    const below = (o: any): boolean => !!o.parent && (o.parent === child?.key || below(doc.organizations.find((x: any) => x.key === o.parent)));
    const elsewhere = doc.organizations.find((o: any) => o.key !== child?.parent && o.key !== child?.key && !below(o));
    expect(child && elsewhere, "a sub-organization and another organization outside its subtree").toBeTruthy();
    const parent = doc.organizations.find((o: any) => o.key === child.parent);
    const api = other();
    await api.updateOrganization(child.adopt.id, {}, elsewhere.adopt.id);
    try {
      const v = await verdicts();
      expect(v, v.detail).toMatchObject({ drift: true, preview: true });
    } finally {
      await api.updateOrganization(child.adopt.id, {}, parent.adopt.id);
    }
  }, STEP);
});

// Cloudomation Engine end to end with the real engine: organizations exist and are adopted (by
// name, by id), updated (PATCH: only what is declared is sent), released on removal and destroy,
// and the four access classes hold field by field: `both` sent, read and diffed; `export-only`
// in outputs, never sent, never a diff even when the emulator moves usage counters; `import-only`
// sent, never read back, never a diff; `neither` nowhere in state. An update that fails after it
// committed converges on the next run, its commit message logged once however often the PATCH
// was resent. The session password is in no state, log or output.
// An out-of-band change caught by a refreshing preview and converged: the drift agreement's, on
// every backend (docs/testing.md).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commitMessages } from "../../emulator/dialects/cloudomation/organizations";
import { schemaFor } from "../../provider/core/schema";
import { liveState, orgformProject, readTree, SECRETS, type OrgformProject } from "./orgform-harness";

const schema = schemaFor("cloudomation", "organization");
const WORKSPACE_PASSWORD = "e2e-workspace-password-51d0";
const fieldsOf = (access: string) => schema.fields.filter((f) => f.access === access).map((f) => f.name);

/** The desired state: one organization (a credential sees one), adopted as `adopt` says. */
function desired(adopt: string, fields: Record<string, string>, key = "acme"): string {
  return `backend: cloudomation
organizations:
  - key: ${key}
    adopt: ${adopt}
${Object.entries(fields).map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`).join("\n")}
`;
}

describe("a Cloudomation organization under orgform", () => {
  let p: OrgformProject;
  let acme: string;
  let globex: string;
  const logs: string[] = [];
  const up = async () => {
    const r = await p.ws.pulumiOk(["up", "--yes", "--skip-preview"]);
    logs.push(r.stdout, r.stderr);
    return r;
  };
  const live = async (id: string) => (await liveState(p)).organizations.find((o) => o.id === id)!;
  const journal = async () => (await p.admin("GET", "/requests?dialect=cloudomation")).requests as { method: string; url: string; body: any; status: number }[];
  const seed = (organizations: unknown[]) => p.admin("POST", "/seed", { cloudomation: { organizations } });

  beforeAll(async () => {
    p = await orgformProject("cloudomation-lifecycle", "backend: cloudomation\norganizations: []\n", { backend: "cloudomation" });
    const seeded = await seed([{ name: "Acme", usage_count_flow_dev: 1 }, { name: "Globex" }]);
    [acme, globex] = seeded.organizations.map((o: { id: string }) => o.id);
  }, 60_000);
  afterAll(async () => p?.close());

  it("refuses an organization without adopt before any call: Cloudomation organizations cannot be created", async () => {
    await p.admin("DELETE", "/requests");
    p.writeConfig("backend: cloudomation\norganizations:\n  - key: fresh\n    name: Fresh Org\n");
    const r = await p.ws.pulumi(["up", "--yes", "--skip-preview"]);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/orgs\.yaml:3:5.*Cloudomation Engine organizations cannot be created/);
    expect(await journal()).toEqual([]);
  }, 240_000);

  it("adopts by name and sends the declared fields in one PATCH, the import-only commit message with them", async () => {
    await p.admin("DELETE", "/requests");
    p.writeConfig(desired("{name: Acme}", { city: "Vienna", zip: "1010", payment_type: "INVOICE", commit_message: "billing address" }));
    const r = await up();
    expect(r.stdout).toMatch(/1 created/);
    expect((await live(acme)).document).toMatchObject({ city: "Vienna", zip: "1010", payment_type: "INVOICE" });
    expect((await live(acme)).document).not.toHaveProperty("commit_message");
    const writes = (await journal()).filter((j) => j.method !== "GET");
    expect(writes.map((w) => [w.method, w.url, w.body])).toEqual([["PATCH", `/organization/${acme}?plain=true`, { city: "Vienna", zip: "1010", payment_type: "INVOICE", commit_message: "billing address" }]]);
    expect(commitMessages(p.emulator.runtime.ctx, acme)).toEqual(["billing address"]);
  }, 240_000);

  it("shows export-only fields in the outputs, never neither fields", async () => {
    const out = JSON.parse((await p.ws.pulumiOk(["stack", "output", "organizations", "--json"])).stdout).acme;
    expect(out).toMatchObject({ id: acme, active: true, is_trial_account: false, usage_count_flow_dev: 1, organization_id: acme });
    for (const f of fieldsOf("export-only")) expect(out, f).toHaveProperty(f);
    for (const f of fieldsOf("neither").filter((f) => f !== "id")) expect(out, f).not.toHaveProperty(f);
    expect(out).not.toHaveProperty("commit_message");
  }, 240_000);

  it("sees no drift when usage counters and audit fields move between runs (export-only)", async () => {
    await seed([{ id: acme, name: "Acme", usage_count_flow_dev: 42, usage_count_connection_productive: 7, usage_db_size_bytes: 123456, active: false, is_trial_account: true, last_reset_at: "2026-11-01T00:00:00+00:00" }]);
    // Refreshed, and nothing to update: the moved counters are no diff (a preview would say the same, one engine run more).
    const r = await p.ws.pulumiOk(["up", "--refresh", "--yes", "--skip-preview"]);
    logs.push(r.stdout, r.stderr);
    expect(r.stdout).not.toMatch(/\d+ (updated|created|deleted|replaced)/);
    expect(r.stdout).toMatch(/\d+ unchanged/);
    expect(JSON.parse((await p.ws.pulumiOk(["stack", "output", "organizations", "--json"])).stdout).acme).toMatchObject({ usage_count_flow_dev: 42, active: false });
  }, 240_000);

  it("updates a changed field in place, and a changed commit message alone is an update, never drift", async () => {
    p.writeConfig(desired("{name: Acme}", { city: "Graz", zip: "1010", payment_type: "INVOICE", commit_message: "moved to Graz" }));
    expect((await up()).stdout).toMatch(/1 updated/);
    expect((await live(acme)).document.city).toBe("Graz");
    p.writeConfig(desired("{name: Acme}", { city: "Graz", zip: "1010", payment_type: "INVOICE", commit_message: "typo fixed" }));
    expect((await up()).stdout).toMatch(/1 updated/);
    expect(commitMessages(p.emulator.runtime.ctx, acme)).toEqual(["billing address", "moved to Graz", "typo fixed"]);
    logs.push((await p.ws.pulumiOk(["preview", "--refresh", "--expect-no-changes"])).stdout);
  }, 240_000);

  it("converges on the next run after an update that failed after it committed, with one commit log entry however often it was resent", async () => {
    const commitsBefore = commitMessages(p.emulator.runtime.ctx, acme).length;
    await p.admin("PUT", "/faults", { spec: "dialect=cloudomation,method=PATCH,commit-then-fail=1" });
    p.writeConfig(desired("{name: Acme}", { city: "Salzburg", zip: "5020", payment_type: "INVOICE", commit_message: "typo fixed" }));
    const failed = await p.ws.pulumi(["up", "--yes", "--skip-preview"]);
    expect(failed.code).not.toBe(0);
    expect(failed.stdout + failed.stderr).toMatch(/PATCH \/organization.*HTTP 500/);
    expect((await live(acme)).document).toMatchObject({ city: "Salzburg", zip: "5020" });
    const patches = (await p.admin("GET", "/counters")).dialects.cloudomation.routes["PATCH /organization/:id"].statuses;
    expect(patches[500], "the client resent the PATCH").toBeGreaterThan(1);
    await p.admin("DELETE", "/faults");
    await up();
    await p.ws.pulumiOk(["preview", "--refresh", "--expect-no-changes"]);
    expect((await liveState(p)).organizations).toHaveLength(2);
    // Issue 23, item 7: the resends found the record as the first PATCH left it: one entry.
    expect(commitMessages(p.emulator.runtime.ctx, acme).slice(commitsBefore)).toEqual(["typo fixed"]);
  }, 300_000);

  it("adopts another organization by id and releases the one that left the config, which stays as it is", async () => {
    p.writeConfig(desired(`{id: ${globex}}`, { description: "the other workspace" }, "globex"));
    const r = await up();
    expect(r.stdout + r.stderr).toMatch(/Cloudomation Engine organization acme \(.*\) cannot be deleted through the API: released from management/);
    expect((await live(acme)).document.city).toBe("Salzburg");
    expect((await live(globex)).document.description).toBe("the other workspace");
  }, 240_000);

  it("adopts the workspace's only organization with adopt: {}, as a user of that workspace", async () => {
    await seed([{ id: globex, name: "Globex", users: [{ user_name: "globex-admin", password: WORKSPACE_PASSWORD }] }]);
    p.writeConfig("backend: cloudomation\norganizations:\n  - key: workspace\n    adopt: {}\n    region: Styria\n");
    const r = await p.ws.pulumi(["up", "--yes", "--skip-preview"], { env: { CLOUDOMATION_USER_NAME: "globex-admin", CLOUDOMATION_PASSWORD: WORKSPACE_PASSWORD } });
    logs.push(r.stdout, r.stderr);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect((await live(globex)).document.region).toBe("Styria");
    expect(JSON.parse((await p.ws.pulumiOk(["stack", "output", "organizations", "--json"])).stdout).workspace.id).toBe(globex);
  }, 240_000);

  it("releases on destroy too, and leaves no secret and no neither field in state or logs", async () => {
    const r = await p.ws.pulumiOk(["destroy", "--yes", "--skip-preview"]);
    logs.push(r.stdout, r.stderr);
    expect(r.stdout + r.stderr).toMatch(/released from management/);
    expect((await liveState(p)).organizations.map((o) => o.name).sort()).toEqual(["Acme", "Globex"]);
    const state = readTree(p.stateDir);
    expect(state.length).toBeGreaterThan(0);
    for (const secret of [...SECRETS, WORKSPACE_PASSWORD]) {
      expect(state, "state").not.toContain(secret);
      expect(logs.join("\n"), "logs").not.toContain(secret);
    }
    for (const f of fieldsOf("neither").filter((f) => f !== "id")) expect(state, f).not.toContain(`"${f}"`);
  }, 240_000);
});

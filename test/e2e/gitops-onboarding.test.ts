// GitOps with the real engine: onboarding an existing account (export → validate → pulumi up
// adopts everything and writes nothing → no changes), a field-by-field plan, orgform up and its
// delete guard, the member guard through a plain `pulumi up`, and the CI shell script. One project
// is reused across the steps, so that the number of engine runs stays small.
//
// Export, plan, up and the guards are one code path for every vendor (provider/gitops, through the
// Backend interface): the flow runs once, on the backend where it has the most to do (a hierarchy,
// profiles, members, a leaf to release, organizations to delete). Per backend, what differs is
// tested elsewhere: the export of every backend in test/integration/gitops.test.ts, its adoption by
// `pulumi up` writing nothing and a member's role changed and converged in
// test/e2e/drift-agreement.test.ts, the member guard in test/integration/member-guards.test.ts,
// the plan's rendering of members added, removed and re-roled in test/unit/gitops/plan.test.ts
// (docs/testing.md).
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BackendName } from "../../provider/core/backends";
import { accountSize, anAccount, countOrganizations, hasMemberRoles, liveRoles, seedAccount } from "../support/accounts";
import { runOrgform, type CliResult } from "../support/cli";
import { repoRoot, runCommand, type RunResult } from "./harness";
import { SECRETS, liveState, orgformProject, type OrgformProject } from "./orgform-harness";

const STEP = 240_000;
/** The backend the flow runs on (see above): the steps below read its capabilities, not its name. */
const backend: BackendName = "cloudflare";

describe(`GitOps on ${backend} with the real engine`, () => {
  const account = anAccount(backend, Math.min(6, accountSize(backend)), "Onboard");
  const size = countOrganizations(account);
  let p: OrgformProject;
  const printed: (RunResult | CliResult)[] = [];
  let exported: Record<string, any>;
  let releasedName = "";
  const orgform = async (...args: string[]) => {
    const r = await runOrgform(args, { env: p.ws.env, cwd: p.ws.dir });
    printed.push(r);
    return r;
  };
  const writeDoc = (doc: Record<string, any>) => p.writeConfig(YAML.stringify(doc));
  const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));
  /**
   * Requests that changed something since the counters were last reset: every route that is not a
   * GET, but for the OAuth2 token endpoint (getting an access token changes nothing in the account).
   */
  const writes = async () => {
    const counters = await p.admin("GET", "/counters");
    const routes = (counters.dialects?.[backend]?.routes ?? {}) as Record<string, { count: number }>;
    const tokenUrl = p.emulator.tokenUrls[backend];
    const tokenRoute = tokenUrl ? `POST ${new URL(tokenUrl).pathname}` : undefined;
    return Object.entries(routes).filter(([route]) => !route.startsWith("GET ") && route !== tokenRoute).map(([route, r]) => `${route} x${r.count}`);
  };
  /** Organizations nobody else names as parent, the first (a root) excluded. */
  const leaves = (doc: Record<string, any>) => doc.organizations.slice(1).filter((o: any) => !doc.organizations.some((c: any) => c.parent === o.key));

  beforeAll(async () => {
    p = await orgformProject(`onboarding-${backend}`, `backend: ${backend}\norganizations: []\n`, { backend });
    await seedAccount(p.emulator, backend, account);
  }, STEP);
  afterAll(async () => p?.close());

  it("exports the live account into a config that validate accepts", async () => {
    // The project's placeholder config is not an export: replacing it takes --force.
    const run = await orgform("export", "--backend", backend, "--out", p.configFile, "--force", "--quiet");
    expect(run.code, run.stderr).toBe(0);
    const valid = await orgform("validate", p.configFile);
    expect(valid.code, valid.stderr).toBe(0);
    expect(valid.stdout).toContain(`valid (${backend}, ${size} organization${size === 1 ? "" : "s"})`);
    exported = YAML.parse(fs.readFileSync(p.configFile, "utf8"));
  }, STEP);

  it("adopts everything with pulumi up and writes nothing to the API, then previews no changes", async () => {
    await p.admin("DELETE", "/counters");
    const up = await p.ws.pulumiOk(["up", "--yes", "--skip-preview"]);
    printed.push(up);
    expect(up.stdout).toMatch(new RegExp(`${size + 1 + exported.organizations.filter((o: any) => o.profile).length + exported.organizations.filter((o: any) => o.members).length} created`));
    expect(await writes()).toEqual([]);
    printed.push(await p.ws.pulumiOk(["preview", "--expect-no-changes"]));
  }, STEP);

  it("plans field by field what the next up changes, in text and Markdown, then orgform up applies it", async () => {
    const doc = clone(exported);
    const [root] = doc.organizations;
    root.name = `${root.name} Renamed`;
    const withRoles = hasMemberRoles(backend);
    if (root.members) {
      // The organization's own roles where roles belong to each organization, else the schema's; members without roles are emails.
      const roles = withRoles ? await liveRoles(p.emulator, backend, root.adopt.id) : undefined;
      if (roles) root.members.items[1].role = root.members.items[1].role === roles.admin ? roles.other : roles.admin;
      root.members.items.push(roles ? { email: "newcomer@onboard.example", role: roles.other } : { email: "newcomer@onboard.example" });
    }
    // A vendor with one organization per credential has no leaf to release or delete.
    const [released, ...rest] = leaves(doc).reverse();
    releasedName = released?.name ?? "";
    doc.organizations = doc.organizations.filter((o: any) => o !== released);
    for (const o of rest.slice(0, 2)) o.adopt.deleteOnRemove = true;
    writeDoc(doc);
    exported = doc;

    const plan = await orgform("plan", "--stack", "e2e");
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain(`~ organization ${root.key}: update`);
    expect(plan.stdout).toContain(`~ name: ${JSON.stringify(root.name.replace(/ Renamed$/, ""))} => ${JSON.stringify(root.name)}`);
    if (released) expect(plan.stdout).toContain(`- organization ${released.key}: release`);
    if (root.members) {
      expect(plan.stdout).toContain(`~ members ${root.key}-members: update`);
      expect(plan.stdout).toContain("+ newcomer@onboard.example");
      if (withRoles) expect(plan.stdout).toContain(`~ ${root.members.items[1].email}:`);
    }
    const markdown = await orgform("plan", "--stack", "e2e", "--format", "markdown");
    expect(markdown.stdout).toContain(`| <code>${root.key}</code> | organization | update |`);
    expect(markdown.stdout).toContain("<details>");

    const up = await orgform("up", "--stack", "e2e");
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toContain("up for stack e2e: succeeded");
    const live = await liveState(p);
    expect(live.organizations.map((o) => o.name)).toContain(root.name);
    if (released) expect(live.organizations.map((o) => o.id)).toContain(released.adopt.id); // released, not deleted
  }, STEP);

  it("orgform up refuses to delete more than 25% of the managed organizations, before touching anything", async () => {
    const doc = clone(exported);
    const doomed = doc.organizations.filter((o: any) => o.adopt.deleteOnRemove);
    expect(doomed).toHaveLength(2);
    const managed = doc.organizations.length;
    doc.organizations = doc.organizations.filter((o: any) => !o.adopt.deleteOnRemove);
    writeDoc(doc);
    await p.admin("DELETE", "/counters");
    const up = await orgform("up", "--stack", "e2e");
    expect(up.code).toBe(1);
    const share = Math.round((2 / managed) * 1000) / 10;
    expect(up.stderr).toContain(`refusing to delete 2 of the ${managed} managed organizations (${share}%) of stack e2e: more than the 25% allowed. Nothing was changed.`);
    expect(up.stderr).toContain(`--max-delete-share ${Math.ceil((2 / managed) * 100) / 100}`);
    expect(await writes()).toEqual([]);
    writeDoc(exported);
  }, STEP);

  it("a plain pulumi up cannot empty an organization's members: the guard names the counts and the setting", async () => {
    const doc = clone(exported);
    const root = doc.organizations[0];
    const before = (await liveState(p)).members.length;
    root.members.items = [];
    writeDoc(doc);
    const up = await p.ws.pulumi(["up", "--yes", "--skip-preview"]);
    printed.push(up);
    expect(up.code).not.toBe(0);
    expect(up.stdout + up.stderr).toMatch(/refusing to remove \d+ of the \d+ members of organization \S+ \(100%\) in one update: more than the 25% allowed\. Nothing was changed\./);
    expect(up.stdout + up.stderr).toContain("orgform:maxMemberRemovalShare");
    expect((await liveState(p)).members.length).toBe(before);
    writeDoc(exported);
  }, STEP);

  it("runs the CI shell script against the emulator: validate, plan, drift; the scheduled run fails on drift", async () => {
    const reports = path.join(p.ws.dir, "..", "reports");
    const env = { ...p.ws.env, ORGFORM: `${process.execPath} ${path.join(repoRoot, "bin", "orgform.js")}`, PULUMI_STACK: "e2e", ORGFORM_CONFIG: p.configFile, ORGFORM_REPORTS: reports };
    const script = path.join(repoRoot, "examples", "ci", "orgform-ci.sh");
    const pr = await runCommand("sh", [script, "pr"], { cwd: p.ws.dir, env });
    printed.push(pr);
    expect(pr.code, pr.stdout + pr.stderr).toBe(0);
    // (its first line marks the file as orgform's: the next run may overwrite it; Markdown hides it)
    expect(fs.readFileSync(path.join(reports, "plan.md"), "utf8")).toMatch(/^<!-- Written by `orgform plan`[^\n]* -->\n### orgform plan \(e2e\)/);
    // The released organization is live and declared nowhere in an authoritative config: drift,
    // reported on a pull request without failing it.
    if (releasedName) expect(fs.readFileSync(path.join(reports, "drift.md"), "utf8")).toContain(`${releasedName} | `);
    // Someone adds an organization by hand: drift too, and the scheduled run fails.
    if (accountSize(backend, size + 1) <= size) return; // the credential can see no more organizations
    await seedAccount(p.emulator, backend, [{ name: "Made By Hand" }]);
    const scheduled = await runCommand("sh", [script, "scheduled"], { cwd: p.ws.dir, env });
    printed.push(scheduled);
    expect(scheduled.code, scheduled.stdout + scheduled.stderr).toBe(2);
    expect(fs.readFileSync(path.join(reports, "drift.md"), "utf8")).toContain("Made By Hand");
  }, STEP);

  it("never prints a credential", () => {
    const text = printed.map((r) => r.stdout + r.stderr).join("\n");
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  });
});

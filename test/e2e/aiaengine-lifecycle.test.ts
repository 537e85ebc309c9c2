// AIA Engine end to end with the real engine against the emulator: create with users (existing
// ones added, new ones created), an update of the name alone that keeps the live description
// (update replaces both), adoption by id and by name, a delete the vendor refuses (active
// subscription) and then allows, and a create that commits and then fails: no retry, one organization, a sentence that
// says to adopt, a plain rerun that refuses to create it again, and after adopting a rerun
// converges. Then a `pulumi up` killed mid-create (SIGKILL) and the README's recovery: the rerun
// refuses every name the killed run left unrecorded, naming its id, and adopting them converges
// with every organization exactly once (issue 23, item 1).
// An out-of-band change caught by a refreshing preview and converged: the drift agreement's, on
// every backend (docs/testing.md).
import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_TOKEN, liveState, orgformProject, readTree, type OrgformProject } from "./orgform-harness";
import type { RunResult } from "./harness";

const output = (r: RunResult) => r.stdout + r.stderr;
const ORG = "/aiaengine.api.org.OrgService";

describe("AIA Engine organizations and users through pulumi", { timeout: 300_000 }, () => {
  let p: OrgformProject;
  const printed: string[] = [];
  const ids: Record<string, string> = {};
  const up = async () => {
    const r = await p.ws.pulumiOk(["up", "--yes", "--skip-preview"]);
    printed.push(output(r));
    return r;
  };
  const upFailing = async () => {
    const r = await p.ws.pulumi(["up", "--yes", "--skip-preview"]);
    printed.push(output(r));
    expect(r.code, output(r)).not.toBe(0);
    return output(r);
  };
  const orgNamed = async (name: string) => (await liveState(p)).organizations.filter((o) => o.name === name);
  const usersOf = async (orgId: string) =>
    (((await p.api("POST", `${ORG}/ListOrgUsers`, { id: orgId })).users ?? []) as { user: { email: string }; role?: string; external?: boolean }[])
      .map((u) => `${u.user.email} ${u.role || "(external)"}`)
      .sort();
  const stateText = async () => (await p.ws.pulumiOk(["stack", "export"])).stdout;

  const config = (analytics: string, extra = "") => `backend: aiaengine
organizations:
  - key: analytics
${analytics}
    members:
      mode: authoritative
      items:
        - { email: lead@acme.example, role: OrgOwner }
        - { email: new.analyst@acme.example, role: OrgEditor }
        - email: viewer@acme.example
  - key: legacy
    name: Legacy Lab
    adopt: {id: LEGACY_ID}
  - key: shop
    description: Adopted by name
    adopt: {name: Shop Analytics}
${extra}`;
  const write = (text: string) => p.writeConfig(text.replace("LEGACY_ID", ids.legacy));

  beforeAll(async () => {
    p = await orgformProject("aiaengine-lifecycle", "backend: aiaengine\norganizations: []\n", {
      backend: "aiaengine",
      emulator: {
        seed: {
          aiaengine: {
            users: [{ email: "lead@acme.example", name: "Lead" }, { email: "viewer@acme.example" }],
            organizations: [
              { name: "Legacy", description: "an old lab" },
              { name: "Shop Analytics", members: [{ email: "guest@partner.example", external: true }] },
            ],
          },
        },
      },
    });
    ids.legacy = p.emulator.seeded!.organizations.find((o) => o.name === "Legacy")!.id;
    ids.shop = p.emulator.seeded!.organizations.find((o) => o.name === "Shop Analytics")!.id;
  }, 120_000);
  afterAll(async () => p?.close());

  it("creates an organization with its users and adopts two by id and by name, then a refreshing preview has no changes", async () => {
    write(config("    name: Acme Analytics\n    description: Forecasting models"));
    await up();
    const [analytics] = await orgNamed("Acme Analytics");
    ids.analytics = analytics.id;
    expect(analytics.document).toMatchObject({ description: "Forecasting models" });
    expect(await usersOf(ids.analytics)).toEqual(["lead@acme.example OrgOwner", "new.analyst@acme.example OrgEditor", "viewer@acme.example OrgViewer"]);
    // The new user was made with CreateOrgUser; the existing ones (already_exists) were found by
    // email and added by id with AddOrgUser; no password was sent or kept.
    const writes = (await p.admin("GET", "/requests?dialect=aiaengine")).requests as { url: string; status: number; body: Record<string, unknown> }[];
    expect(writes.filter((w) => w.url === `${ORG}/CreateOrgUser` && w.status === 200).map((w) => w.body.email)).toEqual(["new.analyst@acme.example"]);
    expect(writes.filter((w) => w.url === `${ORG}/AddOrgUser`).map((w) => w.body.user_id)).toHaveLength(2);
    expect(JSON.stringify(writes)).not.toMatch(/password/);
    expect((await orgNamed("Legacy Lab")).map((o) => o.id)).toEqual([ids.legacy]);
    expect((await orgNamed("Shop Analytics"))[0].document).toMatchObject({ description: "Adopted by name" });
    expect(await usersOf(ids.shop)).toEqual(["guest@partner.example (external)"]);
    await p.ws.pulumiOk(["preview", "--refresh", "--expect-no-changes"]);
  });

  it("renames with the name alone declared, sending the live description back (update replaces both)", async () => {
    await p.admin("DELETE", "/requests");
    write(config("    name: Acme Insights"));
    await up();
    const put = (await p.admin("GET", "/requests?dialect=aiaengine")).requests.find((r: { url: string }) => r.url === `${ORG}/UpdateOrg`);
    expect(put.body).toEqual({ id: ids.analytics, name: "Acme Insights", description: "Forecasting models", logo_url: "" });
    expect((await orgNamed("Acme Insights"))[0]).toMatchObject({ id: ids.analytics, document: { description: "Forecasting models" } });
  });

  it("keeps an organization with an active subscription when its removal is refused, in one sentence, and deletes it once allowed", async () => {
    await p.admin("POST", "/seed", { aiaengine: { organizations: [{ id: ids.analytics, name: "Acme Insights", has_active_subscription: true }] } });
    write(`backend: aiaengine
organizations:
  - key: legacy
    name: Legacy Lab
    adopt: {id: ${ids.legacy}}
  - key: shop
    description: Adopted by name
    adopt: {name: Shop Analytics}
`);
    const refused = await upFailing();
    expect(refused).toMatch(/cannot delete AIA Engine organization [0-9a-f-]{36}: organization [0-9a-f-]{36} has an active subscription: only an organization without active subscriptions can be deleted/);
    expect(refused).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/); // no stack trace
    expect(await orgNamed("Acme Insights")).toHaveLength(1);
    expect(await stateText()).toContain(ids.analytics);

    await p.admin("POST", "/seed", { aiaengine: { organizations: [{ id: ids.analytics, name: "Acme Insights", has_active_subscription: false }] } });
    await up();
    expect(await orgNamed("Acme Insights")).toEqual([]);
    expect(await stateText()).not.toContain(ids.analytics);
  });

  it("does not retry a create that committed and then failed: one organization, a sentence saying to adopt it, a rerun that refuses to create it again, and adopting converges", async () => {
    const fresh = `  - key: fresh\n    name: Fresh Lab\n    description: made once\n`;
    const base = `backend: aiaengine
organizations:
  - key: legacy
    name: Legacy Lab
    adopt: {id: ${ids.legacy}}
`;
    await p.admin("PUT", "/faults", { spec: `commit-then-fail=1:502,dialect=aiaengine,path=${ORG}/CreateOrg,count=1` });
    p.writeConfig(base + fresh);
    const failed = await upFailing();
    await p.admin("DELETE", "/faults");
    expect(failed).toMatch(/cannot tell whether organization fresh \("Fresh Lab"\) was created/);
    expect(failed).toMatch(/add adopt: \{name: "Fresh Lab"\}/);
    const [made] = await orgNamed("Fresh Lab");
    expect(await orgNamed("Fresh Lab")).toHaveLength(1);

    // A plain rerun, as if nobody read the message: the name is found, nothing is created twice.
    const rerun = await upFailing();
    expect(rerun).toContain(`adopt: {id: "${made.id}"}`);
    expect(rerun).toMatch(/to create another organization of the same name, add allowDuplicateName: true/);
    expect(await orgNamed("Fresh Lab")).toHaveLength(1);

    p.writeConfig(base + fresh + "    adopt: {name: Fresh Lab}\n");
    await up();
    expect(await orgNamed("Fresh Lab")).toHaveLength(1);
    await p.ws.pulumiOk(["preview", "--refresh", "--expect-no-changes"]);
  });

  it("never writes the API token to state or output", async () => {
    const state = readTree(p.stateDir);
    expect(state.length).toBeGreaterThan(1000);
    expect(state).not.toContain(API_TOKEN);
    expect(printed.join("\n")).not.toContain(API_TOKEN);
  });
});

describe("an AIA Engine pulumi up killed mid-create, then the README's recovery", { timeout: 300_000 }, () => {
  const ORGS = 8;
  let p: OrgformProject;
  const config = (adopted: Record<string, string> = {}) =>
    "backend: aiaengine\norganizations:\n" +
    Array.from({ length: ORGS }, (_, i) => `  - key: lab-${i}\n    name: Lab ${i}\n${adopted[`lab-${i}`] ? `    adopt: {id: "${adopted[`lab-${i}`]}"}\n` : ""}`).join("");

  beforeAll(async () => {
    p = await orgformProject("aiaengine-interrupted", config(), { backend: "aiaengine" });
  }, 120_000);
  afterAll(async () => p?.close());

  it("refuses every name the killed run left unrecorded, naming its id; adopting them converges with each organization once", async () => {
    // Slow creates, so that the kill lands while some are in flight.
    await p.admin("PUT", "/faults", { spec: `latency=400ms,dialect=aiaengine,path=${ORG}/CreateOrg` });
    // Two creates at a time (not Pulumi's default of all at once): when the first ones are recorded,
    // the next ones are still in flight, so the kill always leaves some committed and unrecorded.
    const child = spawn("pulumi", ["up", "--yes", "--skip-preview", "--non-interactive", "--parallel", "2"], { cwd: p.ws.dir, env: p.ws.env, detached: true, stdio: "ignore" });
    const exited = new Promise<void>((resolve) => child.on("close", () => resolve()));
    for (let i = 0; i < 1200 && child.exitCode === null && (await liveState(p)).organizations.length < 2; i++) await sleep(100);
    expect(child.exitCode, "pulumi up ended before it could be killed").toBeNull();
    process.kill(-child.pid!, "SIGKILL");
    await exited;
    await sleep(1000); // in-flight creates land after the kill: what a rerun must not repeat
    await p.admin("DELETE", "/faults");
    const live = (await liveState(p)).organizations;
    expect(live.length).toBeLessThanOrEqual(ORGS);

    // README "Recovering an interrupted deployment": cancel, drop the pending creates, up again.
    await p.ws.pulumiOk(["cancel", "--yes"]);
    await p.ws.pulumiOk(["refresh", "--yes", "--skip-preview", "--clear-pending-creates"]);
    // What the killed run committed without recording it: in the API, not in state. Where the kill
    // landed decides how many (in-flight creates may also die with the connection): the rerun must
    // refuse exactly those, by name with their ids, and create nothing twice either way.
    const recorded = new Set(
      ((JSON.parse((await p.ws.pulumiOk(["stack", "export"])).stdout) as { deployment: { resources?: { type: string; id?: string }[] } }).deployment.resources ?? [])
        .filter((r) => r.type.endsWith(":Organization") && r.id)
        .map((r) => r.id!),
    );
    const unrecorded = (await liveState(p)).organizations.filter((o) => !recorded.has(o.id));
    const rerun = await p.ws.pulumi(["up", "--yes", "--skip-preview"]);
    const text = output(rerun);
    // Each organization the killed run created but never recorded is refused by name, with its id.
    const refused = Object.fromEntries([...text.matchAll(/cannot create organization (lab-\d+): an organization named "Lab \d+" already exists \(id ([0-9a-f-]{36})\)/g)].map((m) => [m[1], m[2]]));
    if (unrecorded.length === 0) expect(rerun.code, text).toBe(0);
    else {
      expect(rerun.code, text).not.toBe(0);
      expect(Object.keys(refused).length, text).toBeGreaterThan(0);
      // Only what is unrecorded is refused (the engine may stop launching creates after the first failure).
      for (const id of Object.values(refused)) expect(unrecorded.map((o) => o.id)).toContain(id);
    }
    const after = (await liveState(p)).organizations;
    expect(new Set(after.map((o) => o.name)).size).toBe(after.length); // nothing twice
    for (const [key, id] of Object.entries(refused)) expect(after.find((o) => o.id === id)?.name).toBe(`Lab ${key.slice(4)}`);

    // Adopt what was refused (the engine may stop launching creates after the first failure:
    // a later run may name more), until a run succeeds.
    for (let round = 0; round < 3; round++) {
      p.writeConfig(config(refused));
      const next = await p.ws.pulumi(["up", "--yes", "--skip-preview"]);
      if (next.code === 0) break;
      const more = [...output(next).matchAll(/cannot create organization (lab-\d+): an organization named "Lab \d+" already exists \(id ([0-9a-f-]{36})\)/g)];
      expect(more.length, output(next)).toBeGreaterThan(0);
      for (const m of more) refused[m[1]] = m[2];
    }
    const converged = (await liveState(p)).organizations;
    expect(converged.map((o) => o.name).sort()).toEqual(Array.from({ length: ORGS }, (_, i) => `Lab ${i}`).sort());
    await p.ws.pulumiOk(["preview", "--refresh", "--expect-no-changes"]);
  });
});

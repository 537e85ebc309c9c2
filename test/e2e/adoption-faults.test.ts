// Adoption of live organizations, and `pulumi up` through injected faults without duplicates.
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { liveState, orgformProject, type OrgformProject } from "./orgform-harness";
import { repoRoot } from "./harness";

describe("adopting organizations that already exist", () => {
  let p: OrgformProject;
  let legacyById: string;
  let legacyByName: string;

  beforeAll(async () => {
    p = await orgformProject("adoption", "backend: cloudflare\norganizations: []\n");
    legacyById = (await p.api("POST", "/organizations", { name: "Legacy Holding" })).result.id;
    legacyByName = (await p.api("POST", "/organizations", { name: "Legacy Shop", parent: { id: legacyById } })).result.id;
    await p.api("POST", "/organizations", { name: "Taken Name" });
  });
  afterAll(async () => p?.close());

  it("refuses a taken name without adopt, showing how to adopt it", async () => {
    p.writeConfig("backend: cloudflare\norganizations:\n  - key: taken\n    name: Taken Name\n");
    const r = await p.ws.pulumi(["up", "--yes", "--skip-preview"]);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/already exists[\s\S]*adopt: \{id: "[0-9a-f]+"\}/);
    expect((await liveState(p)).organizations.filter((o) => o.name === "Taken Name")).toHaveLength(1);
  });

  it("takes organizations over by id and by name and converges them, creating nothing", async () => {
    p.writeConfig(`backend: cloudflare
organizations:
  - key: holding
    name: Legacy Holding Group
    adopt: {id: ${legacyById}}
  - key: shop
    name: Legacy Shop
    parent: holding
    adopt: {name: Legacy Shop}
    profile:
      business_name: Legacy Shop Ltd
`);
    await p.ws.pulumiOk(["up", "--yes", "--skip-preview"]);
    const orgs = (await liveState(p)).organizations;
    expect(orgs.map((o) => o.name).sort()).toEqual(["Legacy Holding Group", "Legacy Shop", "Taken Name"]);
    expect(orgs.find((o) => o.id === legacyById)?.name).toBe("Legacy Holding Group");
    expect(orgs.find((o) => o.id === legacyByName)).toMatchObject({ parent_id: legacyById });
    expect(orgs.find((o) => o.id === legacyByName)?.document.profile).toMatchObject({ business_name: "Legacy Shop Ltd" });
    await p.ws.pulumiOk(["preview", "--refresh", "--expect-no-changes"]);
  });

  it("releases adopted organizations that leave the config: they stay in the API, with a warning", async () => {
    // The shop leaves the config (and so its profile); the holding stays.
    p.writeConfig(`backend: cloudflare
organizations:
  - key: holding
    name: Legacy Holding Group
    adopt: {id: ${legacyById}}
`);
    const r = await p.ws.pulumiOk(["up", "--yes", "--skip-preview"]);
    expect(r.stdout + r.stderr).toMatch(/was adopted, not created, by orgform: released from management/);
    const orgs = (await liveState(p)).organizations;
    expect(orgs.find((o) => o.id === legacyByName)).toMatchObject({ name: "Legacy Shop", parent_id: legacyById });
  });

  it("deletes an adopted organization that leaves the config only when adopt.deleteOnRemove says so", async () => {
    const withShop = (extra: string) => `backend: cloudflare
organizations:
  - key: holding
    name: Legacy Holding Group
    adopt: {id: ${legacyById}}
  - key: shop
    name: Legacy Shop
    parent: holding
    adopt: {name: Legacy Shop${extra}}
`;
    p.writeConfig(withShop(""));
    await p.ws.pulumiOk(["up", "--yes", "--skip-preview"]);
    // Switched on for an organization already managed: recorded in state, nothing sent to the API.
    p.writeConfig(withShop(", deleteOnRemove: true"));
    await p.admin("DELETE", "/requests");
    await p.ws.pulumiOk(["up", "--yes", "--skip-preview"]);
    const writes = (await p.admin("GET", "/requests?dialect=cloudflare")).requests.filter((r: { method: string }) => r.method !== "GET");
    expect(writes).toEqual([]);
    p.writeConfig(`backend: cloudflare
organizations:
  - key: holding
    name: Legacy Holding Group
    adopt: {id: ${legacyById}}
`);
    await p.ws.pulumiOk(["up", "--yes", "--skip-preview"]);
    expect((await liveState(p)).organizations.find((o) => o.id === legacyByName)).toBeUndefined();
  });

  it("releases every adopted organization when the stack is destroyed", async () => {
    await p.ws.pulumiOk(["destroy", "--yes", "--skip-preview"]);
    expect((await liveState(p)).organizations.find((o) => o.id === legacyById)).toMatchObject({ name: "Legacy Holding Group" });
  });
});

describe("pulumi up of the quickstart through injected faults", () => {
  let p: OrgformProject;

  beforeAll(async () => {
    const dir = path.join(repoRoot, "examples", "quickstart");
    const files = Object.fromEntries(
      fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(".yaml"))
        .map((f) => [f, fs.readFileSync(path.join(dir, f), "utf8")]),
    );
    p = await orgformProject("faults", files);
  });
  afterAll(async () => p?.close());

  it("creates every organization and member exactly once although writes commit and then fail", async () => {
    // The first three writes commit, then answer 502; the next two creates commit, then drop the
    // connection; the first three reads fail. Counted, not drawn: which requests they hit depends on
    // the order they arrive in (the engine runs them side by side), but no request can meet more
    // faults than the client's six attempts, and every kind is met on every run.
    await p.admin("PUT", "/faults", {
      spec: "commit-then-fail=1:502,method=POST|PUT,count=3;commit-then-fail=1:reset,method=POST,count=2;error=1,method=GET,count=3",
    });
    await p.ws.pulumiOk(["up", "--yes", "--skip-preview"]);
    const counters = await p.admin("GET", "/counters");
    expect(counters.faults).toMatchObject({ commit_then_fail: 5, error: 3 });
    await p.admin("DELETE", "/faults");

    const state = await liveState(p);
    const names = state.organizations.map((o) => o.name).sort();
    expect(names).toEqual(["Acme Americas", "Acme Europe", "Acme Group"]);
    const memberKeys = state.members.map((m) => `${m.org_id}/${m.email}`);
    expect(new Set(memberKeys).size).toBe(memberKeys.length);
    expect(state.members).toHaveLength(8);
    await p.ws.pulumiOk(["preview", "--refresh", "--expect-no-changes"]);
  });
});

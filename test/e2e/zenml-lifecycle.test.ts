// ZenML Pro on the real engine, one stack through its life against the emulator: create, adopt by
// id and by name, update, trial_expiry changing by itself without a diff, creates that commit and
// then fail (no duplicate: the client-chosen id), a service account refused the create in one
// sentence (and allowed to update), release and delete. An out-of-band change caught by a
// refreshing preview and converged is the drift agreement's, on every backend (docs/testing.md).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { identityFor } from "../../provider/resources/handlers/organization";
import { Clock } from "../integration/helpers";
import type { RunResult } from "./harness";
import { CLIENT_SECRET, liveState, orgformProject, readTree, SECRETS, type OrgformProject } from "./orgform-harness";

const RESEARCH_OWNER = "1c9f4e2a-8b3d-4f6e-9a1c-2d3e4f5a6b7c";
const DATA_ID = "7b1e2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e";
const SECOND_OWNER = "2d8e5f3b-9c4a-4a7f-8b2d-3e4f5a6b7c8d";
const THIRD_OWNER = "3e9f6a4c-0d5b-4b8a-9c3e-4f5a6b7c8d9e";

/** The desired state as a user edits it: `extra` lines appended to the organizations. */
function desired({ description = "Pipelines of the data science team", extra = "" } = {}): string {
  return `backend: zenml
organizations:
  - key: ml-platform
    name: ML Platform
    description: ${description}
    links:
      - { name: Runbook, url: "https://wiki.acme.example/runbook" }
  - key: research
    adopt: { name: Research Lab }
    description: Experiments
  - key: data
    adopt: { id: ${DATA_ID} }
    logo_url: https://assets.acme.example/data.png
${extra}`;
}

const second = `  - key: second
    name: Second Org
    owner_id: ${SECOND_OWNER}
`;
const third = `  - key: third
    name: Third Org
    owner_id: ${THIRD_OWNER}
`;

// Each step is one or two runs of the engine: on a loaded machine that takes more than a minute.
describe("a ZenML Pro stack from creation to destroy", { timeout: 240_000 }, () => {
  let p: OrgformProject;
  const clock = new Clock(Date.now());
  const outputs: RunResult[] = [];
  const ids: Record<string, string> = {};

  const up = async (...extra: string[]) => {
    const r = await p.ws.pulumiOk(["up", "--yes", "--skip-preview", ...extra]);
    outputs.push(r);
    return r;
  };
  const byName = async (name: string) => (await liveState(p)).organizations.filter((o) => o.name === name);
  const writes = async () => (await p.admin("GET", "/requests?dialect=zenml")).requests.filter((r: { method: string }) => r.method !== "GET");
  /** The same stack run with a service account's client credentials instead of the user's token. */
  const asServiceAccount = () => ({
    env: { ZENML_API_KEY: "", ZENML_API_TOKEN: "", ZENML_CLIENT_ID: "e2e-client", ZENML_CLIENT_SECRET: CLIENT_SECRET, ZENML_TOKEN_URL: p.emulator.tokenUrls.zenml },
  });

  beforeAll(async () => {
    p = await orgformProject("zenml-lifecycle", desired(), { backend: "zenml", emulator: { now: clock.now } });
    await p.admin("POST", "/seed", {
      zenml: {
        organizations: [
          { name: "Research Lab", owner_id: RESEARCH_OWNER },
          { name: "Data Engineering", id: DATA_ID },
          { name: "Unmanaged Org" },
        ],
      },
    });
  });
  afterAll(async () => p?.close());

  it("creates one organization with the id derived from project, stack and key, and adopts one by name and one by id", async () => {
    const r = await up();
    expect(r.stdout).toMatch(/4 created/); // the stack and 3 organizations
    const [ml] = await byName("ML Platform");
    expect(ml!.id).toBe(identityFor({ owner: "zenml-lifecycle/e2e", key: "ml-platform" }).clientId);
    const sent: { method: string; url: string; body: any }[] = await writes();
    const post = sent.find((w) => w.method === "POST")!;
    expect(post.body).toMatchObject({ id: ml!.id, name: "ML Platform", links: [{ name: "Runbook", url: "https://wiki.acme.example/runbook" }] });
    // One write creates it, import-only links included; the adopted ones are converged by a PATCH each.
    expect(sent.filter((w) => w.method === "POST" || w.url.includes(ml!.id)).map((w) => `${w.method} ${w.url}`)).toEqual(["POST /organizations"]);
    expect(sent.filter((w) => w.method === "PATCH")).toHaveLength(2);
    const [research] = await byName("Research Lab");
    expect(research!.document).toMatchObject({ description: "Experiments", owner_id: RESEARCH_OWNER });
    expect((await byName("Data Engineering"))[0]!.document.logo_url).toBe("https://assets.acme.example/data.png");
    Object.assign(ids, { ml: ml!.id, research: research!.id });
  });

  it("previews no changes with a refresh right after, and never shows trial_expiry, which counts down by itself, as a change nor as an output", async () => {
    const before = await p.api("GET", `/organizations/${ids.ml}?include_subscription_status=true`);
    clock.advance(3 * 3600);
    const after = await p.api("GET", `/organizations/${ids.ml}?include_subscription_status=true`);
    expect(after.trial_expiry).toBe(before.trial_expiry - 3 * 3600);
    outputs.push(await p.ws.pulumiOk(["preview", "--refresh", "--expect-no-changes"]));
    const out = JSON.parse((await p.ws.pulumiOk(["stack", "output", "organizations", "--json"])).stdout);
    expect(out["ml-platform"]).toMatchObject({ id: ids.ml });
    expect(out["ml-platform"]).not.toHaveProperty("trial_expiry");
  });

  it("updates an edited field in place with a PATCH", async () => {
    await p.admin("DELETE", "/requests");
    p.writeConfig(desired({ description: "Pipelines and models" }));
    const r = await up();
    expect(r.stdout).toMatch(/1 updated/);
    expect((await byName("ML Platform"))[0]).toMatchObject({ id: ids.ml, document: { description: "Pipelines and models" } });
    expect((await writes()).map((w: { method: string; url: string }) => `${w.method} ${w.url}`)).toEqual([`PATCH /organizations/${ids.ml}`]);
  });

  it("creates exactly one organization each when one create commits and then answers 502, another commits and then answers nothing (connection reset)", async () => {
    // One fault each: the first POST the emulator takes commits and answers 502, the next commits and resets.
    await p.admin("PUT", "/faults", { spec: "dialect=zenml,method=POST,commit-then-fail=1:502,count=1;dialect=zenml,method=POST,commit-then-fail=1:reset,count=1" });
    p.writeConfig(desired({ description: "Pipelines and models", extra: second + third }));
    await up();
    expect((await p.admin("GET", "/faults")).injected.commit_then_fail).toBe(2);
    expect((await p.admin("GET", "/counters")).dialects.zenml.routes["POST /organizations"].statuses).toMatchObject({ 502: 1, reset: 1 });
    await p.admin("DELETE", "/faults");
    for (const [key, name] of [["second", "Second Org"], ["third", "Third Org"]]) {
      const created = await byName(name!);
      expect(created, name).toHaveLength(1);
      expect(created[0]!.id).toBe(identityFor({ owner: "zenml-lifecycle/e2e", key: key! }).clientId);
    }
    outputs.push(await p.ws.pulumiOk(["preview", "--refresh", "--expect-no-changes"]));
    // Removed again: they were created, so they are deleted.
    p.writeConfig(desired({ description: "Pipelines and models" }));
    await up();
    expect([...(await byName("Second Org")), ...(await byName("Third Org"))]).toEqual([]);
  });

  it("tells a service account, in one sentence, to create with a user's credential or adopt; nothing is sent", async () => {
    p.writeConfig(desired({ description: "Pipelines and models", extra: second }));
    const r = await p.ws.pulumi(["up", "--yes", "--skip-preview"], asServiceAccount());
    outputs.push(r);
    expect(r.code).not.toBe(0);
    const text = r.stdout + r.stderr;
    expect(text).toContain(
      `ZenML Pro cannot create organization "Second Org" with these credentials: client credentials (ZENML_CLIENT_ID + ZENML_CLIENT_SECRET) belong to a service account, which cannot create organizations; ` +
        `create it with a user's credential (ZENML_API_KEY or orgform:apiKey holding a user's key, or ZENML_API_TOKEN or orgform:token) or create it in ZenML Pro and adopt it with adopt: {name: "Second Org"}; nothing was sent`,
    );
    expect(text).not.toMatch(/\n\s+at .+\.js:\d+/); // no stack trace
    expect(await byName("Second Org")).toEqual([]);
  });

  it("lets a service account update and release what the stack manages", async () => {
    p.writeConfig(desired({ description: "Updated by a robot" }));
    const r = await p.ws.pulumi(["up", "--yes", "--skip-preview"], asServiceAccount());
    outputs.push(r);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect((await byName("ML Platform"))[0]!.document.description).toBe("Updated by a robot");
  });

  it("deletes what it created and releases what it adopted on destroy", async () => {
    outputs.push(await p.ws.pulumiOk(["destroy", "--yes", "--skip-preview"]));
    const names = (await liveState(p)).organizations.map((o) => o.name).sort();
    expect(names).toEqual(["Data Engineering", "Research Lab", "Unmanaged Org"]);
  });

  it("never writes a credential to state or CLI output", async () => {
    const state = readTree(p.stateDir);
    expect(state.length).toBeGreaterThan(1000);
    const printed = outputs.map((o) => o.stdout + o.stderr).join("\n");
    for (const secret of SECRETS) {
      expect(state).not.toContain(secret);
      expect(printed).not.toContain(secret);
    }
  });
});

// The provider on the real engine: one stack through its whole life against the emulator.
// Scenarios 1-5 and 8-10 of the provider issue; adoption, faults and the GitOps layout have
// files of their own so that vitest runs them side by side. Out-of-band changes (a field, a member
// added to an authoritative set) caught by a refreshing preview and converged by `up --refresh`
// are the drift agreement's, on this backend among the others (docs/testing.md).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_TOKEN, liveState, orgformProject, readTree, type OrgformProject } from "./orgform-harness";
import { repoRoot, type RunResult } from "./harness";
import { providerSource } from "../../provider/resources/provider";

interface Shape {
  euName?: string;
  usKey?: string;
  usParent?: string;
  membersMode?: "authoritative" | "additive";
  withEurope?: boolean;
}

/** The desired state, as a user edits it step by step. */
function desired({ euName = "Acme EU", usKey = "acme-us", usParent = "acme", membersMode = "authoritative", withEurope = true }: Shape = {}): string {
  return `backend: cloudflare
organizations:
  - key: acme
    name: Acme Corp
    profile:
      business_name: Acme Corporation
      business_email: billing@acme.example
    members:
      mode: ${membersMode}
      items:
        - email: alice@acme.example
        - email: bob@acme.example
${
  withEurope
    ? `  - key: acme-eu
    name: ${euName}
    parent: acme
    members:
      mode: authoritative
      items:
        - email: eve@acme.example
`
    : ""
}  - key: ${usKey}
${usKey !== "acme-us" ? "    previousKeys: [acme-us]\n" : ""}    name: Acme US
    parent: ${withEurope ? usParent : "acme"}
`;
}

describe("an orgform stack from creation to destroy", () => {
  let p: OrgformProject;
  const outputs: RunResult[] = [];
  let before: { id: string; name: string; parent_id: string | null }[];
  const ids: Record<string, string> = {};

  const up = async (...extra: string[]) => {
    const r = await p.ws.pulumiOk(["up", "--yes", "--skip-preview", ...extra]);
    outputs.push(r);
    return r;
  };
  /** Members as the API lists them: "email status", sorted (Cloudflare members have no roles). */
  const membersOf = async (orgId: string): Promise<string[]> =>
    (await p.api("GET", `/organizations/${orgId}/members?page_size=50`)).result
      .map((m: { user: { email: string }; status: string }) => `${m.user.email} ${m.status}`)
      .sort();
  const byName = async (name: string) => (await liveState(p)).organizations.find((o) => o.name === name);

  beforeAll(async () => {
    p = await orgformProject("lifecycle", desired());
    // Someone else's organization, there before orgform: it must survive everything below.
    await p.api("POST", "/organizations", { name: "Unmanaged Org" });
    before = (await liveState(p)).organizations.map(({ id, name, parent_id }) => ({ id, name, parent_id }));
  });
  afterAll(async () => p?.close());

  it("creates everything declared with pulumi up from nothing", async () => {
    const r = await up();
    expect(r.stdout).toMatch(/7 created/); // the stack, 3 organizations, 1 profile, 2 member sets
    const state = await liveState(p);
    const acme = state.organizations.find((o) => o.name === "Acme Corp")!;
    const eu = state.organizations.find((o) => o.name === "Acme EU")!;
    const us = state.organizations.find((o) => o.name === "Acme US")!;
    expect(state.organizations).toHaveLength(4);
    expect([acme.parent_id, eu.parent_id, us.parent_id]).toEqual([null, acme.id, acme.id]);
    expect(acme.document.profile).toMatchObject({ business_name: "Acme Corporation", business_email: "billing@acme.example" });
    Object.assign(ids, { acme: acme.id, eu: eu.id, us: us.id });
    expect(await membersOf(acme.id)).toEqual(["alice@acme.example active", "bob@acme.example active"]);
    expect(await membersOf(eu.id)).toEqual(["eve@acme.example active"]);
    expect(await membersOf(us.id)).toEqual([]);
  });

  it("previews no changes right after, with and without refresh", async () => {
    outputs.push(await p.ws.pulumiOk(["preview", "--expect-no-changes"]));
    outputs.push(await p.ws.pulumiOk(["preview", "--refresh", "--expect-no-changes"]));
  });

  it("exports ids and read-only fields as stack outputs", async () => {
    const r = await p.ws.pulumiOk(["stack", "output", "organizations", "--json"]);
    const out = JSON.parse(r.stdout);
    expect(out["acme-eu"]).toMatchObject({ id: ids.eu, parentId: ids.acme, parent_name: "Acme Corp" });
    expect(out.acme.create_time).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it("updates an edited field in place", async () => {
    p.writeConfig(desired({ euName: "Acme Europe" }));
    const r = await up();
    expect(r.stdout).toMatch(/1 updated/);
    expect((await byName("Acme Europe"))?.id).toBe(ids.eu);
  });

  it("moves an organization to another parent with an update, not a replacement", async () => {
    p.writeConfig(desired({ euName: "Acme Europe", usParent: "acme-eu" }));
    const r = await up();
    expect(r.stdout).toMatch(/1 updated/);
    expect(r.stdout).not.toMatch(/replaced/);
    const us = await byName("Acme US");
    expect(us).toMatchObject({ id: ids.us, parent_id: ids.eu });
  });

  it("renames a key listed in previousKeys without touching anything live", async () => {
    p.writeConfig(desired({ euName: "Acme Europe", usParent: "acme-eu", usKey: "acme-americas" }));
    outputs.push(await p.ws.pulumiOk(["preview", "--expect-no-changes"]));
    const r = await up();
    expect(r.stdout).not.toMatch(/created|deleted|replaced/);
    expect((await byName("Acme US"))?.id).toBe(ids.us);
  });

  it("leaves an out-of-band member alone in additive mode", async () => {
    p.writeConfig(desired({ euName: "Acme Europe", usParent: "acme-eu", usKey: "acme-americas", membersMode: "additive" }));
    await up();
    await p.api("POST", `/organizations/${ids.acme}/members`, { member: { user: { email: "carol@partner.example" } } });
    outputs.push(await p.ws.pulumiOk(["preview", "--refresh", "--expect-no-changes"]));
    await up("--refresh");
    expect((await membersOf(ids.acme)).map((m) => m.split(" ")[0])).toEqual(["alice@acme.example", "bob@acme.example", "carol@partner.example"]);
  });

  it("fails a bad config before any API call", async () => {
    p.writeConfig(desired({ euName: "Acme Europe" }).replace("business_email: billing@acme.example", "business_email: not-an-email"));
    await p.admin("DELETE", "/counters");
    const r = await p.ws.pulumi(["preview"]);
    outputs.push(r);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/orgs\.yaml:\d+:\d+: error\[[\w-]+\] organizations\[0\]\.profile\.business_email/);
    const counters = await p.admin("GET", "/counters");
    expect(counters.total).toBe(0);
  });

  it("deletes organizations removed from the YAML, children first", async () => {
    // acme-americas sits under acme-eu: the engine must delete it before its parent.
    p.writeConfig(desired({ withEurope: false, usKey: "acme-americas", membersMode: "additive" }).replace(/  - key: acme-americas[\s\S]*$/, ""));
    const r = await up();
    expect(r.stdout).toMatch(/deleted/);
    const names = (await liveState(p)).organizations.map((o) => o.name).sort();
    expect(names).toEqual(["Acme Corp", "Unmanaged Org"]);
  });

  it("surfaces the vendor's refusal to delete an organization that is not empty", async () => {
    // A sub-organization added by hand: orgform does not manage it, so it cannot empty acme (and
    // leaves acme's members, carol included, as they are).
    await p.api("POST", "/organizations", { name: "Partner Unit", parent: { id: ids.acme } });
    const r = await p.ws.pulumi(["destroy", "--yes", "--skip-preview"]);
    outputs.push(r);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/cannot delete organization acme \([0-9a-f]+\): .*HTTP 409/);
    // The profile has no DELETE in the API: it is released with a warning, not deleted.
    expect(r.stdout + r.stderr).toMatch(/cannot delete an organization profile/);
    expect((await p.api("GET", `/organizations/${ids.acme}`)).result.name).toBe("Acme Corp");
    expect((await liveState(p)).members.map((m) => m.email)).toContain("carol@partner.example");
  });

  it("restores the emulator's prior state with pulumi destroy", async () => {
    const partner = (await liveState(p)).organizations.find((o) => o.name === "Partner Unit")!;
    await p.api("DELETE", `/organizations/${partner.id}`);
    // acme goes with its remaining members (carol, added by hand): the vendor deletes only empty organizations.
    outputs.push(await p.ws.pulumiOk(["destroy", "--yes", "--skip-preview"]));
    const after = (await liveState(p)).organizations.map(({ id, name, parent_id }) => ({ id, name, parent_id }));
    expect(after).toEqual(before);
    expect((await liveState(p)).members).toEqual([]);
  });

  it("never writes the credential to state, serialized providers or CLI output", async () => {
    const state = readTree(p.stateDir);
    expect(state.length).toBeGreaterThan(1000);
    expect(state).not.toContain(API_TOKEN);
    const printed = outputs.map((o) => o.stdout + o.stderr).join("\n");
    expect(printed).not.toContain(API_TOKEN);
    // The provider in state is one line that loads the installed package by name (providerSource):
    // written twice per resource and rewritten at every checkpoint; no path of this machine.
    const providers = [...state.matchAll(/"__provider":\s*"((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[1]}"`) as string);
    expect(providers.length).toBeGreaterThan(0);
    for (const code of providers) expect(code).not.toContain(repoRoot);
    const types = ["organization", "profile", "members"] as const;
    expect(new Set(providers)).toEqual(new Set(types.map((t) => providerSource(`provider/resources/handlers/${t}`))));
  });
});

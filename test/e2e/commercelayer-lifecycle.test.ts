// The Commerce Layer backend end to end with the real Pulumi engine against the emulator: create,
// update, a region that cannot change, a role the organization does not have, adoption by id and
// by name, release on removal (the API cannot delete organizations), and a create that fails after it
// committed, without a duplicate (the ownership marker in metadata's reserved key).
// An out-of-band change caught by a refreshing preview and converged: the drift agreement's, on
// every backend (docs/testing.md).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLIENT_SECRET, liveState, orgformProject, readTree, type OrgformProject } from "./orgform-harness";

/** A step runs the engine several times; the machine is shared. */
const STEP_TIMEOUT = 300_000;
const JSONAPI = { "content-type": "application/vnd.api+json", accept: "application/vnd.api+json" };

/** Builder: the desired state of the lifecycle, one organization, with what a step overrides. */
function desiredState(o: { color?: string; region?: string; role?: string; extra?: string } = {}): string {
  return `backend: commercelayer
organizations:
  - key: green
    name: The Green Brand
    region: ${o.region ?? "eu-west-1"}
    primary_color: "${o.color ?? "#2E7D32"}"
    metadata: { cost_center: "4711" }
    members:
      mode: authoritative
      items:
        - { email: ada@green.example, role: ${o.role ?? "Admin"} }
        - { email: bob@green.example, role: Read only }
${o.extra ?? ""}`;
}

describe("the commercelayer backend with the real engine", () => {
  let p: OrgformProject;
  let greenId: string;

  const organizations = async () => (await liveState(p)).organizations;
  const attributesOf = async (id: string) => (await organizations()).find((o) => o.id === id)!.document.attributes;
  const membersOf = async (id: string) => (await liveState(p)).members.filter((m) => m.org_id === id).map((m) => m.email).sort();

  beforeAll(async () => {
    p = await orgformProject("commercelayer-lifecycle", desiredState(), { backend: "commercelayer" });
  }, STEP_TIMEOUT);
  afterAll(async () => p?.close());

  it("creates the organization with its memberships, then a second run changes nothing", async () => {
    await p.ws.pulumiOk(["up", "--yes", "--skip-preview"]);
    const [green] = await organizations();
    greenId = green.id;
    expect(green.name).toBe("The Green Brand");
    expect(green.document.attributes).toMatchObject({ region: "eu-west-1", primary_color: "#2E7D32", metadata: { cost_center: "4711", orgform_marker: expect.stringMatching(/^orgform:/) } });
    expect(await membersOf(greenId)).toEqual(["ada@green.example", "bob@green.example"]);
    await p.ws.pulumiOk(["preview", "--refresh", "--expect-no-changes"]);
    // The OAuth2 client secret never reaches state.
    expect(readTree(p.stateDir)).not.toContain(CLIENT_SECRET);
  }, STEP_TIMEOUT);

  it("updates a declared field in place, keeping the ownership marker in metadata", async () => {
    const marker = (await attributesOf(greenId)).metadata.orgform_marker;
    p.writeConfig(desiredState({ color: "#1B5E20" }));
    await p.ws.pulumiOk(["up", "--yes", "--skip-preview"]);
    expect(await attributesOf(greenId)).toMatchObject({ primary_color: "#1B5E20", metadata: { cost_center: "4711", orgform_marker: marker } });
    expect(await organizations()).toHaveLength(1);
  }, STEP_TIMEOUT);

  it("fails the preview when another region is declared, changing nothing", async () => {
    p.writeConfig(desiredState({ color: "#1B5E20", region: "us-east-1" }));
    const r = await p.ws.pulumi(["preview"]);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/region is "eu-west-1", declared "us-east-1"[\s\S]*sets region when an organization is created and can never change it/);
    expect((await attributesOf(greenId)).region).toBe("eu-west-1");
  }, STEP_TIMEOUT);

  it("refuses a role the organization does not have, naming its roles, before any member changes", async () => {
    p.writeConfig(desiredState({ color: "#1B5E20", role: "Overlord" }));
    const r = await p.ws.pulumi(["up", "--yes", "--skip-preview"]);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/has no role "Overlord": its roles are Admin, Read only/);
    expect(await membersOf(greenId)).toEqual(["ada@green.example", "bob@green.example"]);
  }, STEP_TIMEOUT);

  it("adopts organizations by id and by name, and releases them (and its own) when they leave the config", async () => {
    const created = async (name: string) =>
      (await p.api<any>("POST", "/organizations", { data: { type: "organizations", attributes: { name } } }, JSONAPI)).data.id as string;
    const byId = await created("Legacy Market");
    const byName = await created("Outlet Brand");
    p.writeConfig(
      desiredState({
        color: "#1B5E20",
        extra: `  - key: legacy
    adopt: { id: ${byId} }
    name: Legacy Market
    support_email: help@legacy.example
  - key: outlet
    adopt: { name: Outlet Brand }
    name: Outlet Brand
`,
      }),
    );
    await p.ws.pulumiOk(["up", "--yes", "--skip-preview"]);
    expect((await attributesOf(byId)).support_email).toBe("help@legacy.example");
    expect(await organizations()).toHaveLength(3);
    await p.ws.pulumiOk(["preview", "--refresh", "--expect-no-changes"]);

    // Everything leaves the config: nothing can be deleted, so all three are released and stay.
    p.writeConfig("backend: commercelayer\norganizations: []\n");
    const r = await p.ws.pulumiOk(["up", "--yes", "--skip-preview"]);
    expect(r.stdout + r.stderr).toMatch(/cannot be deleted through the API: released from management/);
    expect((await organizations()).map((o) => o.name).sort()).toEqual(["Legacy Market", "Outlet Brand", "The Green Brand"]);
  }, STEP_TIMEOUT);

  it("creates exactly one organization when the create fails after it committed", async () => {
    await p.admin("PUT", "/faults", { spec: "dialect=commercelayer,method=POST,path=/organizations,commit-then-fail=1,count=1" });
    p.writeConfig("backend: commercelayer\norganizations:\n  - key: blue\n    name: The Blue Brand\n");
    await p.ws.pulumiOk(["up", "--yes", "--skip-preview"]);
    const faults = await p.admin<any>("GET", "/faults");
    expect(faults.injected.commit_then_fail).toBe(1);
    expect((await organizations()).filter((o) => o.name === "The Blue Brand")).toHaveLength(1);
    await p.ws.pulumiOk(["preview", "--refresh", "--expect-no-changes"]);
  }, STEP_TIMEOUT);
});

// At scale, on the real engine: what a deployment costs in API calls, counted by the emulator
// (`/_admin/counters`). Small sizes, exact counts: a return to per-resource reads, or a read that
// an earlier answer already gave, fails here. Timings are benchmarks (bench/), never tests. That
// out-of-band changes are still seen through the bulk list (a renamed organization, a changed
// profile, a removed member) and converged is the drift agreement's, on Cloudflare among others.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stackYaml } from "../../bench/stack-config";
import { emulatorCredentialEnv } from "../../scripts/emulator-credentials";
import { runOrgform } from "../support/cli";
import { orgformProject, type OrgformProject } from "./orgform-harness";

const ORGS = 6;
const MEMBERS = 3;
/** The machine may be shared: the engine's own pace sets these, not orgform's. */
const ENGINE_MINUTES = 10 * 60_000;

/** What a full read costs: the organizations in one page (profiles embedded), and each organization's members. */
const ONE_LIST_AND_A_MEMBER_LIST_EACH = {
  "GET /organizations": 1,
  "GET /organizations/:organization_id/members": ORGS,
};

/** Calls per route (`GET /organizations/:organization_id/members`...), as the emulator counted them. */
async function callsByRoute(p: OrgformProject): Promise<Record<string, number>> {
  const counters = await p.admin("GET", "/counters");
  const routes = counters.dialects[p.backend]?.routes ?? {};
  return Object.fromEntries(Object.entries(routes as Record<string, { count: number }>).map(([route, r]) => [route, r.count]));
}

describe("API calls of a deployment, counted by the emulator", () => {
  let p: OrgformProject;

  beforeAll(async () => {
    p = await orgformProject("scale-calls", stackYaml({ backend: "cloudflare", orgs: ORGS, membersPerOrg: MEMBERS }));
  }, ENGINE_MINUTES);
  afterAll(async () => p?.close());

  it("onboards with one call per object created, plus one list of the organizations (members have no roles to list)", async () => {
    await p.admin("DELETE", "/counters");
    await p.ws.pulumiOk(["up", "--yes", "--skip-preview"]);
    // No read that an answer already gave: the create's answer holds the profile, and a new
    // organization has no members to list (capabilities.json: members.createdEmpty).
    expect(await callsByRoute(p)).toEqual({
      "GET /organizations": 1,
      "POST /organizations": ORGS,
      "PUT /organizations/:organization_id/profile": ORGS,
      "POST /organizations/:organization_id/members": ORGS * MEMBERS,
    });
  }, ENGINE_MINUTES);

  it("refreshes every organization, profile and member with one list of the organizations and one member list per organization", async () => {
    await p.admin("DELETE", "/counters");
    await p.ws.pulumiOk(["refresh", "--yes", "--skip-preview"]);
    expect(await callsByRoute(p)).toEqual(ONE_LIST_AND_A_MEMBER_LIST_EACH);
  }, ENGINE_MINUTES);

  it("answers a refreshing preview with the same calls, and finds no drift", async () => {
    await p.admin("DELETE", "/counters");
    await p.ws.pulumiOk(["preview", "--refresh", "--expect-no-changes"]);
    expect(await callsByRoute(p)).toEqual(ONE_LIST_AND_A_MEMBER_LIST_EACH);
  }, ENGINE_MINUTES);

  it("costs orgform drift the same calls as the refresh: profiles come with the bulk list", async () => {
    await p.admin("DELETE", "/counters");
    const env = { ...process.env, ...emulatorCredentialEnv(p.backend, p.emulator), ORGFORM_ENDPOINT: p.emulator.baseUrls[p.backend] };
    const run = await runOrgform(["drift", "--config", p.configFile, "--quiet"], { env });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(await callsByRoute(p)).toEqual(ONE_LIST_AND_A_MEMBER_LIST_EACH);
  }, ENGINE_MINUTES);
});

import { describe, expect, it } from "vitest";
import { aProfile, codeOf, useTestEmulator } from "./helpers";

/**
 * The emulator's audit log (every successful write, naming the credential's actor) through
 * Cloudflare's `GET /organizations/{id}/logs/audit` and `…/{audit_id}/history`, in the SDKs' shape.
 */

const emu = useTestEmulator();

const WINDOW = "since=2000-01-01&before=2100-01-01";
const log = (orgId: string, extra = "", auth?: { bearer: string }) => emu.api("GET", `/organizations/${orgId}/logs/audit?${WINDOW}${extra}`, auth ? { auth } : {});

describe("Cloudflare audit log", () => {
  it("records every write of an organization, its profile and members, newest first, naming the API token", async () => {
    const org = await emu.org({ name: "Acme" });
    await emu.api("PUT", `/organizations/${org.id}`, { body: { name: "Acme 2" } });
    await emu.api("PUT", `/organizations/${org.id}/profile`, { body: aProfile() });
    const m = (await emu.addMember(org.id, "ada@acme.test")).body.result;
    await emu.api("DELETE", `/organizations/${org.id}/members/${m.id}`);
    await emu.api("GET", `/organizations/${org.id}`);
    const res = await log(org.id);
    expect(res.status).toBe(200);
    const entries = res.body.result;
    expect(entries.map((e: any) => [e.action.type, e.resource.type, e.raw.method])).toEqual([
      ["delete", "organization_member", "DELETE"],
      ["create", "organization_member", "POST"],
      ["update", "organization_profile", "PUT"],
      ["update", "organization", "PUT"],
      ["create", "organization", "POST"],
    ]);
    for (const e of entries) {
      expect(e.actor).toMatchObject({ context: "api_token", token_name: "orgform emulator API token", email: "emulator@orgform.local", type: "user" });
      expect(e.organization).toEqual({ id: org.id });
      expect(e.action.result).toBe("success");
      expect(Date.parse(e.action.time)).not.toBeNaN();
    }
    expect(entries[3].resource.request).toEqual({ name: "Acme 2" });
    expect(entries[3].raw.uri).toBe(`/organizations/${org.id}`);
    expect(res.body.result_info.cursors.after).toBe("");
  });

  it("names a named scoped token, an API key's email and an OAuth2 client", async () => {
    const org = await emu.org({ name: "Acme" });
    const minted = (await emu.admin("POST", "/tokens", { org_id: org.id, name: "CI deploy bot", token: "ci-scoped-token-1" })).body;
    expect(minted.name).toBe("CI deploy bot");
    await emu.api("PUT", `/organizations/${org.id}`, { body: { name: "By CI" }, auth: { bearer: "ci-scoped-token-1" } });
    await emu.api("PUT", `/organizations/${org.id}`, { body: { name: "By key" }, auth: { email: "emulator@orgform.local", key: "orgform-emulator-key" } });
    const entries = (await log(org.id)).body.result;
    expect(entries[1].actor).toMatchObject({ context: "api_token", token_name: "CI deploy bot" });
    expect(entries[1].actor).not.toHaveProperty("email");
    expect(JSON.stringify(entries)).not.toContain("ci-scoped-token-1");
    expect(entries[0].actor).toMatchObject({ context: "api_key", email: "emulator@orgform.local" });
    expect(entries[0].actor).not.toHaveProperty("token_name");
  });

  it("keeps the entry of a refused write out (no entry without a write)", async () => {
    const org = await emu.org({ name: "Acme" });
    await emu.api("PUT", `/organizations/${org.id}`, { body: { name: "" } });
    await emu.api("POST", `/organizations/${org.id}/members`, { body: { member: { user: { email: "a@acme.test" }, roles: ["x"] } } });
    expect((await log(org.id)).body.result).toHaveLength(1);
  });

  it("pages with cursor and limit in either direction, and filters with <field>.not (repeated)", async () => {
    const org = await emu.org({ name: "Acme" });
    for (let i = 0; i < 4; i++) await emu.api("PUT", `/organizations/${org.id}`, { body: { name: `Acme ${i}` } });
    const names: string[] = [];
    let cursor = "";
    do {
      const res = await log(org.id, `&direction=asc&limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      names.push(...res.body.result.map((e: any) => e.resource.response.name));
      cursor = res.body.result_info.cursors.after;
    } while (cursor);
    expect(names).toEqual(["Acme", "Acme 0", "Acme 1", "Acme 2", "Acme 3"]);
    const noUpdates = await log(org.id, "&action_type.not=update&action_type.not=delete");
    expect(noUpdates.body.result.map((e: any) => e.action.type)).toEqual(["create"]);
  });

  it("answers the history of the resource an entry names, within since/before", async () => {
    const org = await emu.org({ name: "Acme" });
    await emu.api("PUT", `/organizations/${org.id}`, { body: { name: "Acme 2" } });
    await emu.addMember(org.id, "ada@acme.test");
    const entries = (await log(org.id)).body.result;
    const rename = entries.find((e: any) => e.action.type === "update");
    const res = await emu.api("GET", `/organizations/${org.id}/logs/audit/${rename.id}/history?${WINDOW}&action_time=${encodeURIComponent(rename.action.time)}`);
    expect(res.status).toBe(200);
    expect(res.body.result.map((e: any) => e.action.type)).toEqual(["update", "create"]);
    expect(res.body.result_info).toEqual({ count: 2, history_status: "exact", cursor: "" });
  });

  const refusals: Record<string, (orgId: string) => string> = {
    "without since": (id) => `/organizations/${id}/logs/audit?before=2100-01-01`,
    "without before": (id) => `/organizations/${id}/logs/audit?since=2000-01-01`,
    "with a since that is no date": (id) => `/organizations/${id}/logs/audit?since=yesterday&before=2100-01-01`,
    "with an unknown filter": (id) => `/organizations/${id}/logs/audit?${WINDOW}&action_type=create`,
    "with a cursor it did not issue": (id) => `/organizations/${id}/logs/audit?${WINDOW}&cursor=abc`,
    "of a history without action_time": (id) => `/organizations/${id}/logs/audit/${"0".repeat(32)}/history?${WINDOW}`,
  };
  for (const [name, path] of Object.entries(refusals)) {
    it(`refuses a list ${name} (400, code 1001)`, async () => {
      const org = await emu.org({ name: "Acme" });
      const res = await emu.api("GET", path(org.id));
      expect(res.status).toBe(400);
      expect(codeOf(res)).toBe(1001);
    });
  }

  it("answers 404 for the log of an organization outside a scoped token's reach", async () => {
    const a = await emu.org({ name: "A" });
    const b = await emu.org({ name: "B" });
    await emu.admin("POST", "/tokens", { org_id: a.id, token: "scoped-to-a-token" });
    expect((await log(b.id, "", { bearer: "scoped-to-a-token" })).status).toBe(404);
    expect((await log(a.id, "", { bearer: "scoped-to-a-token" })).status).toBe(200);
  });
});

describe("Cloudflare accounts and billable usage (from the seed)", () => {
  it("lists an organization's seeded accounts as tenants.TenantAccount and their usage as FOCUS records", async () => {
    const seeded = await emu.admin("POST", "/seed", {
      cloudflare: {
        organizations: [
          {
            name: "Acme",
            accounts: [
              "acc-plain",
              { id: "acc-prod", name: "Acme Production", type: "enterprise", usage: [{ day: "2026-12-01", metric: "workers_standard_requests", quantity: 1200, unit: "Requests" }, { day: "2026-10-01", metric: "r2_storage", quantity: 3, unit: "GB" }] },
            ],
          },
        ],
      },
    });
    const orgId = seeded.body.organizations[0].id;
    const accounts = await emu.api("GET", `/organizations/${orgId}/accounts`);
    expect(accounts.status).toBe(200);
    expect(accounts.body.result.map((a: any) => [a.id, a.name, a.type])).toEqual([["acc-plain", null, "standard"], ["acc-prod", "Acme Production", "enterprise"]]);
    expect(Object.keys(accounts.body.result[0].settings)).toHaveLength(6);
    const named = await emu.api("GET", `/organizations/${orgId}/accounts?name.contains=prod`);
    expect(named.body.result.map((a: any) => a.id)).toEqual(["acc-prod"]);
    const usage = await emu.api("GET", `/organizations/${orgId}/billable/usage?from=2026-11-15&to=2026-12-10`);
    expect(usage.body.result).toEqual([
      expect.objectContaining({ BillingAccountId: "acc-prod", BillingAccountName: "Acme Production", ChargeCategory: "Usage", ChargeFrequency: "Usage-Based", ConsumedQuantity: 1200, ConsumedUnit: "Requests", x_BillableMetricId: "workers_standard_requests", ChargePeriodStart: "2026-12-01T00:00:00Z", ChargePeriodEnd: "2026-12-02T00:00:00Z" }),
    ]);
    expect((await emu.api("GET", `/organizations/${orgId}/billable/usage?from=2026-01-01&to=2026-03-01`)).status).toBe(400);
    expect((await emu.api("GET", `/organizations/${orgId}/billable/usage?from=2026-01-01`)).status).toBe(400);
  });

  it("finds the organizations containing a user (containing.user: an email or the user id), with their ancestors", async () => {
    const root = await emu.org({ name: "Root" });
    const child = await emu.org({ name: "Child", parent: root.id });
    await emu.org({ name: "Other" });
    const m = (await emu.addMember(child.id, "ada@acme.test")).body.result;
    for (const user of ["ada@acme.test", m.user.id]) {
      const res = await emu.api("GET", `/organizations?containing.user=${encodeURIComponent(user)}`);
      expect(res.body.result.map((o: any) => o.name)).toEqual(["Root", "Child"]);
    }
  });
});

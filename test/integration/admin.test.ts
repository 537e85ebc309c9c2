import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { aProfile, call, startTestEmulator, TOKEN, type TestEmulator } from "./helpers";

let emu: TestEmulator;
beforeAll(async () => {
  // Configuring one credential turns every default off: the API token the helpers send is configured too.
  emu = await startTestEmulator({ credentials: { adminToken: "custom-admin-token", apiToken: TOKEN } });
  // The helpers send the default admin token; this emulator uses another one.
  emu.admin = (method, path, body) => call(emu.url + "/_admin", method, path, { auth: { bearer: "custom-admin-token" }, body });
});
afterAll(async () => {
  await emu.close();
});
beforeEach(async () => {
  await emu.admin("POST", "/reset");
});

const SEED_YAML = `
version: 1
cloudflare:
  organizations:
    - name: Acme
      meta: { managed_by: terraform }
      profile: { business_address: "", business_email: "", business_name: Acme Inc., business_phone: "", external_metadata: seeded }
      accounts: [acc-1]
      members:
        - { email: ada@acme.test, name: Ada Lovelace }
        - { email: bob@acme.test, status: canceled }
      children:
        - name: Acme EU
tokens:
  - { token: ci-acme-eu-token, backend: cloudflare, org_path: [Acme, Acme EU], ttl_seconds: 3600 }
`;

async function seedYaml(text: string) {
  const res = await fetch(emu.url + "/_admin/seed", {
    method: "POST",
    headers: { authorization: "Bearer custom-admin-token", "content-type": "application/yaml" },
    body: text,
  });
  return { status: res.status, body: (await res.json()) as any };
}

describe("admin API", () => {
  const refused: Record<string, Record<string, string>> = {
    "refuses a request without a token": {},
    "refuses the default admin token when another was configured": { authorization: "Bearer orgform-admin-token" },
    "refuses the API token": { authorization: "Bearer orgform-emulator-token" },
  };
  for (const [name, headers] of Object.entries(refused)) {
    it(name, async () => {
      const res = await fetch(emu.url + "/_admin/state", { headers });
      expect(res.status).toBe(401);
      expect(((await res.json()) as any).error.code).toBe("UNAUTHENTICATED");
    });
  }

  it("seeds from YAML: organizations, profile, meta, members, nested children and tokens", async () => {
    const res = await seedYaml(SEED_YAML);
    expect(res.status).toBe(201);
    expect(res.body.organizations.map((o: any) => o.path)).toEqual([["Acme"], ["Acme", "Acme EU"]]);
    expect(res.body.members).toBe(2);
    expect(res.body.tokens).toEqual([expect.objectContaining({ token: "ci-acme-eu-token", backend: "cloudflare", org_id: res.body.organizations[1].id })]);
    const acme = (await emu.api("GET", `/organizations/${res.body.organizations[0].id}`)).body.result;
    expect(acme.meta).toMatchObject({ managed_by: "terraform", hierarchy_tags: [acme.id], tenant_flags: { sub_org_creation: "enabled" } });
    expect(acme.profile).toEqual({ business_address: "", business_email: "", business_name: "Acme Inc.", business_phone: "", external_metadata: "seeded" });
    const members = (await emu.api("GET", `/organizations/${acme.id}/members`)).body.result;
    expect(members.map((m: any) => [m.user.email, m.user.name, m.status])).toEqual([
      ["ada@acme.test", "Ada Lovelace", "active"],
      ["bob@acme.test", "", "canceled"],
    ]);
    const scoped = await emu.api("GET", "/organizations", { auth: { bearer: "ci-acme-eu-token" } });
    expect(scoped.body.result.map((o: any) => o.name)).toEqual(["Acme EU"]);
  });

  it("seeding twice is idempotent (matched by name under the parent, members by email)", async () => {
    await seedYaml(SEED_YAML);
    const before = (await emu.admin("GET", "/state")).body;
    const again = await seedYaml(SEED_YAML);
    expect(again.status).toBe(201);
    const after = (await emu.admin("GET", "/state")).body;
    expect(after.organizations.map((o: any) => o.id)).toEqual(before.organizations.map((o: any) => o.id));
    expect(after.members.map((m: any) => m.id)).toEqual(before.members.map((m: any) => m.id));
  });

  it("seeds from JSON with a chosen id", async () => {
    const id = "a".repeat(32);
    const res = await emu.admin("POST", "/seed", { cloudflare: { organizations: [{ id, name: "Fixed" }] } });
    expect(res.status).toBe(201);
    expect((await emu.api("GET", `/organizations/${id}`)).body.result.name).toBe("Fixed");
  });

  const badSeeds: Record<string, unknown> = {
    "an unknown section": { nope: {} },
    "an unknown organization field": { cloudflare: { organizations: [{ name: "A", colour: "red" }] } },
    "a name the schema rejects": { cloudflare: { organizations: [{ name: "" }] } },
    "a partial profile": { cloudflare: { organizations: [{ name: "A", profile: { business_email: "nope" } }] } },
    "a member role (memberships have no roles)": { cloudflare: { organizations: [{ name: "A", members: [{ email: "a@b.test", role: "Administrator" }] }] } },
    "document 003's meta.flags (the SDKs read meta.tenant_flags)": { cloudflare: { organizations: [{ name: "A", meta: { flags: { account_creation: "enabled" } } }] } },
    "an unknown tenant flag": { cloudflare: { organizations: [{ name: "A", meta: { tenant_flags: { teleport: "enabled" } } }] } },
    "an account usage record without a metric": { cloudflare: { organizations: [{ name: "A", accounts: [{ id: "acc-1", usage: [{ day: "2026-12-01", quantity: 1, unit: "Requests" }] }] }] } },
    "an unknown member status": { cloudflare: { organizations: [{ name: "A", members: [{ email: "a@b.test", status: "accepted" }] }] } },
    "duplicate sibling names (two ids)": { cloudflare: { organizations: [{ id: "b".repeat(32), name: "A" }, { id: "c".repeat(32), name: "a" }] } },
    "a token for an organization the seed does not name": { cloudflare: { organizations: [] }, tokens: [{ backend: "cloudflare", org_path: ["Nope"] }] },
    "an unsupported version": { version: 2 },
  };
  for (const [name, doc] of Object.entries(badSeeds)) {
    it(`rejects a seed with ${name} and applies nothing`, async () => {
      const res = await emu.admin("POST", "/seed", { cloudflare: { organizations: [{ name: "Before" }] }, ...(doc as object) });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("VALIDATION");
      expect((await emu.admin("GET", "/state")).body.organizations).toEqual([]);
    });
  }

  it("rejects malformed YAML", async () => {
    const res = await seedYaml("cloudflare: [unclosed");
    expect(res.status).toBe(400);
  });

  it("mints a token scoped to one organization, lists and revokes it", async () => {
    const org = await emu.org({ name: "Acme" });
    const minted = await emu.admin("POST", "/tokens", { org_id: org.id, ttl_seconds: 120 });
    expect(minted.status).toBe(201);
    expect(minted.body).toMatchObject({ backend: "cloudflare", dialect: "cloudflare", org_id: org.id });
    expect(minted.body.token).toMatch(/^ofs_/);
    expect(Date.parse(minted.body.expires_at) - Date.now()).toBeGreaterThan(100_000);
    const listed = (await emu.admin("GET", "/tokens")).body.tokens;
    expect(listed.map((t: any) => t.token)).toContain(minted.body.token);
    expect((await emu.admin("DELETE", `/tokens/${minted.body.token}`)).status).toBe(200);
    expect((await emu.admin("DELETE", `/tokens/${minted.body.token}`)).status).toBe(404);
  });

  const badTokens: Record<string, { body: Record<string, unknown>; status: number }> = {
    "without org_id": { body: {}, status: 400 },
    "for an unknown organization": { body: { org_id: "0".repeat(32) }, status: 404 },
    "with a TTL of zero": { body: { org_id: "{org}", ttl_seconds: 0 }, status: 400 },
    "for an unknown dialect": { body: { org_id: "{org}", dialect: "nope" }, status: 400 },
    "reusing a registered token": { body: { org_id: "{org}", token: "fixed-token-1" }, status: 409 },
  };
  for (const [name, c] of Object.entries(badTokens)) {
    it(`refuses to mint a token ${name}`, async () => {
      const org = await emu.org({ name: "Acme" });
      await emu.admin("POST", "/tokens", { org_id: org.id, token: "fixed-token-1" });
      const body = JSON.parse(JSON.stringify(c.body).replace("{org}", org.id));
      expect((await emu.admin("POST", "/tokens", body)).status).toBe(c.status);
    });
  }

  it("counts requests per dialect, method and route, with statuses, and zeroes them", async () => {
    await emu.admin("DELETE", "/counters");
    const org = await emu.org({ name: "Acme" });
    await emu.api("GET", `/organizations/${org.id}`);
    await emu.api("GET", `/organizations/${"0".repeat(32)}`);
    await emu.api("GET", "/organizations", { auth: null });
    const c = (await emu.admin("GET", "/counters")).body;
    expect(c.total).toBe(4);
    expect(c.unauthenticated).toBe(1);
    expect(c.dialects.cloudflare.total).toBe(4);
    expect(c.dialects.cloudflare.routes).toEqual({
      "POST /organizations": { count: 1, statuses: { 200: 1 } },
      "GET /organizations/:organization_id": { count: 2, statuses: { 200: 1, 404: 1 } },
      "GET /organizations": { count: 1, statuses: { 401: 1 } },
    });
    await emu.admin("DELETE", "/counters");
    expect((await emu.admin("GET", "/counters")).body.total).toBe(0);
  });

  it("shows the state as stored, for proving there are no duplicates", async () => {
    const org = await emu.org({ name: "Acme", profile: aProfile({ external_metadata: "orgform:x" }) });
    const state = (await emu.admin("GET", "/state?backend=cloudflare")).body;
    expect(state.organizations).toEqual([
      expect.objectContaining({ backend: "cloudflare", id: org.id, parent_id: null, name: "Acme", version: 1, document: expect.objectContaining({ profile: aProfile({ external_metadata: "orgform:x" }) }) }),
    ]);
    expect(state.members).toEqual([]);
  });

  it("resets data, tokens, counters and faults", async () => {
    const org = await emu.org({ name: "Acme" });
    await emu.admin("POST", "/tokens", { org_id: org.id });
    await emu.admin("PUT", "/faults", { spec: "latency=1ms" });
    expect((await emu.admin("POST", "/reset")).body).toEqual({ reset: true });
    expect((await emu.admin("GET", "/state")).body).toEqual({ organizations: [], members: [] });
    expect((await emu.admin("GET", "/tokens")).body.tokens).toEqual([]);
    expect((await emu.admin("GET", "/faults")).body.rules).toEqual([]);
    expect((await emu.admin("GET", "/counters")).body.total).toBe(0);
  });

  it("describes itself", async () => {
    const info = (await emu.admin("GET", "/info")).body;
    expect(info).toMatchObject({ dialects: { cloudflare: "/cloudflare/client/v4" }, db: ":memory:", schema_version: 3 });
  });

  it("answers an unknown admin route with a 404", async () => {
    expect((await emu.admin("GET", "/nope")).status).toBe(404);
  });
});

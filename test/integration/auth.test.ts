import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, call, Clock, codeOf, startTestEmulator, TOKEN, type Auth, type TestEmulator } from "./helpers";

/**
 * Authentication and cross-organization isolation. Tree:
 *   Acme ── Acme EU ── Acme FR          Globex ── Globex Labs (member eve)
 * A token scoped to Acme EU sees Acme EU and Acme FR, nothing else.
 */
let emu: TestEmulator;
const clock = new Clock();
const ids: Record<string, string> = {};
let scoped: string;

beforeAll(async () => {
  emu = await startTestEmulator({
    now: clock.now,
    seed: {
      cloudflare: {
        organizations: [
          { name: "Acme", children: [{ name: "Acme EU", children: [{ name: "Acme FR" }] }] },
          { name: "Globex", children: [{ name: "Globex Labs", members: [{ email: "eve@globex.test" }] }] },
        ],
      },
    },
  });
  for (const o of emu.seeded!.organizations) ids[o.name] = o.id;
  const minted = await emu.admin("POST", "/tokens", { org_id: ids["Acme EU"], ttl_seconds: 600 });
  expect(minted.status).toBe(201);
  scoped = minted.body.token;
});
afterAll(async () => {
  await emu.close();
});

describe("authentication", () => {
  const cases: Record<string, { auth: Auth; status: number; code?: number }> = {
    "no credentials are a 401 with code 9106": { auth: null, status: 401, code: 9106 },
    "an unknown bearer token is a 401 with code 10000": { auth: { bearer: "nope-nope-nope" }, status: 401, code: 10000 },
    "a non-bearer Authorization header is a 401 with code 6111": { auth: { headers: { authorization: "Basic dXNlcjpwYXNz" } }, status: 401, code: 6111 },
    "an X-Auth-Email without X-Auth-Key is a 401": { auth: { headers: { "x-auth-email": "emulator@orgform.local" } }, status: 401, code: 6111 },
    "a wrong X-Auth-Key is a 401": { auth: { email: "emulator@orgform.local", key: "wrong" }, status: 401, code: 10000 },
    "a wrong X-Auth-Email is a 401": { auth: { email: "mallory@orgform.local", key: "orgform-emulator-key" }, status: 401, code: 10000 },
    "the admin token is not an API credential": { auth: { bearer: ADMIN }, status: 401, code: 10000 },
    "the default API token is accepted": { auth: { bearer: TOKEN }, status: 200 },
    "the default X-Auth-Email + X-Auth-Key pair is accepted (email case-insensitively)": {
      auth: { email: "Emulator@orgform.local", key: "orgform-emulator-key" },
      status: 200,
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, async () => {
      const res = await emu.api("GET", "/organizations", { auth: c.auth });
      expect(res.status).toBe(c.status);
      if (c.code) {
        expect(codeOf(res)).toBe(c.code);
        expect(res.body.success).toBe(false);
      }
    });
  }

  it("the admin API refuses the API token", async () => {
    const res = await call(emu.url + "/_admin", "GET", "/state", { auth: { bearer: TOKEN } });
    expect(res.status).toBe(401);
  });
});

describe("a token scoped to one organization", () => {
  const as = (method: string, path: string, body?: unknown) => emu.api(method, path, { auth: { bearer: scoped }, body });
  const names = (res: any): string[] => res.body.result.map((o: any) => o.name).sort();

  it("lists its organization and the organizations below it, nothing else", async () => {
    const res = await as("GET", "/organizations");
    expect(names(res)).toEqual(["Acme EU", "Acme FR"]);
    expect(res.body.result_info.total_size).toBe(2);
  });

  const emptyFilters: Record<string, () => string> = {
    "an id filter naming another organization finds nothing": () => `id=${ids.Globex}`,
    "a name filter matching another organization finds nothing": () => "name.contains=globex",
    "parent.id of another organization finds nothing": () => `parent.id=${ids.Globex}`,
    'parent.id="null" finds nothing (roots are outside the scope)': () => "parent.id=null",
    "containing.organization of another organization finds nothing": () => `containing.organization=${ids["Globex Labs"]}`,
    "containing.user of another organization's member finds nothing": () => "containing.user=eve@globex.test",
  };
  for (const [name, query] of Object.entries(emptyFilters)) {
    it(name, async () => {
      const res = await as("GET", `/organizations?${query()}`);
      expect(res.status).toBe(200);
      expect(res.body.result).toEqual([]);
      expect(res.body.result_info.total_size).toBe(0);
    });
  }

  it("containing.organization shows only the ancestors inside the scope", async () => {
    const res = await as("GET", `/organizations?containing.organization=${ids["Acme FR"]}`);
    expect(names(res)).toEqual(["Acme EU"]);
  });

  it("reads its organization and a descendant", async () => {
    expect((await as("GET", `/organizations/${ids["Acme EU"]}`)).status).toBe(200);
    expect((await as("GET", `/organizations/${ids["Acme FR"]}`)).status).toBe(200);
  });

  const hidden: Record<string, { method: string; path: () => string; body?: unknown }> = {
    "reading another organization": { method: "GET", path: () => `/organizations/${ids.Globex}` },
    "reading its parent": { method: "GET", path: () => `/organizations/${ids.Acme}` },
    "replacing another organization": { method: "PUT", path: () => `/organizations/${ids.Globex}`, body: { name: "Pwned" } },
    "deleting another organization": { method: "DELETE", path: () => `/organizations/${ids["Globex Labs"]}` },
    "reading another organization's profile": { method: "GET", path: () => `/organizations/${ids.Globex}/profile` },
    "listing another organization's members": { method: "GET", path: () => `/organizations/${ids["Globex Labs"]}/members` },
    "adding a member to another organization": { method: "POST", path: () => `/organizations/${ids.Globex}/members`, body: { member: { user: { email: "x@y.test" } } } },
  };
  for (const [name, c] of Object.entries(hidden)) {
    it(`answers ${name} exactly as if it did not exist (404, nothing leaked)`, async () => {
      const res = await as(c.method, c.path(), c.body);
      const missing = await as(c.method, c.path().replace(/[0-9a-f]{32}/, "0".repeat(32)), c.body);
      expect(res.status).toBe(404);
      expect(codeOf(res)).toBe(7003);
      expect(JSON.stringify(res.body).replace(/[0-9a-f]{32}/g, "ID")).toBe(JSON.stringify(missing.body).replace(/[0-9a-f]{32}/g, "ID"));
      expect(JSON.stringify(res.body)).not.toMatch(/Globex|Acme"|eve@/);
    });
  }

  it("creating under another organization is refused like an unknown parent", async () => {
    const res = await as("POST", "/organizations", { name: "Sneaky", parent: { id: ids.Globex } });
    const unknown = await as("POST", "/organizations", { name: "Sneaky", parent: { id: "0".repeat(32) } });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].message.replace(ids.Globex, "ID")).toBe(unknown.body.errors[0].message.replace("0".repeat(32), "ID"));
  });

  it("creating a root organization is a 403 with code 9109", async () => {
    const res = await as("POST", "/organizations", { name: "Root" });
    expect(res.status).toBe(403);
    expect(codeOf(res)).toBe(9109);
  });

  it("moving a descendant out of the scope is refused", async () => {
    const toRoot = await as("PUT", `/organizations/${ids["Acme FR"]}`, { name: "Acme FR", parent: null });
    expect(toRoot.status).toBe(403);
    const toOther = await as("PUT", `/organizations/${ids["Acme FR"]}`, { name: "Acme FR", parent: { id: ids.Globex } });
    expect(toOther.status).toBe(400);
  });

  it("moving or deleting its own organization is a 403", async () => {
    expect((await as("PUT", `/organizations/${ids["Acme EU"]}`, { name: "Acme EU", parent: null })).status).toBe(403);
    // A name alone keeps the parent (the SDKs' update): allowed.
    expect((await as("PUT", `/organizations/${ids["Acme EU"]}`, { name: "Acme EU" })).status).toBe(200);
    expect((await as("DELETE", `/organizations/${ids["Acme EU"]}`)).status).toBe(403);
  });

  it("renames its own organization (keeping its parent) and manages what is below", async () => {
    const rename = await as("PUT", `/organizations/${ids["Acme EU"]}`, { name: "Acme Europe", parent: { id: ids.Acme } });
    expect(rename.status).toBe(200);
    // Its parent is outside the scope: its id (a PUT must send it back), never its name.
    expect(rename.body.result.parent).toEqual({ id: ids.Acme });
    const child = await as("POST", "/organizations", { name: "Acme DE", parent: { id: ids["Acme EU"] } });
    expect(child.status).toBe(200);
    expect((await as("DELETE", `/organizations/${child.body.result.id}`)).status).toBe(200);
  });

  it("expires after its TTL (401)", async () => {
    const short = await emu.admin("POST", "/tokens", { org_id: ids.Acme, ttl_seconds: 60 });
    const auth = { bearer: short.body.token as string };
    expect((await emu.api("GET", "/organizations", { auth })).status).toBe(200);
    clock.advance(61);
    const res = await emu.api("GET", "/organizations", { auth });
    expect(res.status).toBe(401);
    expect(codeOf(res)).toBe(10000);
    expect(res.body.errors[0].message).toContain("expired");
  });

  it("stops working once revoked through the admin API", async () => {
    const t = await emu.admin("POST", "/tokens", { org_id: ids.Acme, ttl_seconds: 600 });
    expect((await emu.admin("DELETE", `/tokens/${t.body.token}`)).status).toBe(200);
    expect((await emu.api("GET", "/organizations", { auth: { bearer: t.body.token } })).status).toBe(401);
  });

  it("stops working once its organization is deleted", async () => {
    const leaf = await emu.org({ name: "Leaf" });
    const t = await emu.admin("POST", "/tokens", { org_id: leaf.id });
    await emu.api("DELETE", `/organizations/${leaf.id}`);
    expect((await emu.api("GET", "/organizations", { auth: { bearer: t.body.token } })).status).toBe(401);
  });
});

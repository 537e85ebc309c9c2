import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, startTestEmulator, type Answer, type Auth, type TestEmulator } from "./helpers";

/**
 * Conformance of the AIA Engine dialect with document 004: every SDK call the document shows,
 * with its parameters and defaults, replayed as the REST request our design maps it to (fixture),
 * answered with the keys and types the document gives (OrgUser{user, role, external}), and the
 * document's rules: the OrgViewer default, update replacing name and description, delete refused
 * while a subscription is active, add_user for existing users only, generated passwords never shown.
 */
const fixture = JSON.parse(readFileSync(join(__dirname, "fixtures", "aiaengine-004-calls.json"), "utf8")) as {
  calls: Record<string, { method: string; path: string; body?: Record<string, unknown>; returns: unknown }>;
  error: unknown;
};

const kind = (v: unknown): string => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);

/** Differences between the fixture's shape and the answer's (same keys, same types), as readable lines. */
function shapeDiff(expected: unknown, actual: unknown, path = ""): string[] {
  const where = path || "(root)";
  if (kind(expected) !== kind(actual)) return [`${where}: ${kind(actual)} where the document has ${kind(expected)}`];
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (expected.length === 0) return [];
    if (actual.length === 0) return [`${where}: an empty list proves nothing`];
    return actual.flatMap((item, i) => shapeDiff(expected[0], item, `${path}[${i}]`));
  }
  if (kind(expected) !== "object") return [];
  const e = expected as Record<string, unknown>;
  const a = actual as Record<string, unknown>;
  return [
    ...Object.keys(e).flatMap((k) => (k in a ? shapeDiff(e[k], a[k], `${path}.${k}`) : [`${path}.${k}: missing`])),
    ...Object.keys(a).filter((k) => !(k in e)).map((k) => `${path}.${k}: not in the document`),
  ];
}

let emu: TestEmulator;
let base: string;
const api = (method: string, path: string, opts: { body?: unknown; auth?: Auth } = {}): Promise<Answer> => call(base, method, path, opts);

async function anOrg(name: string, extra: Record<string, unknown> = {}): Promise<any> {
  const res = await api("POST", "/v1/orgs", { body: { name, ...extra } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

beforeAll(async () => {
  emu = await startTestEmulator({
    seed: {
      aiaengine: {
        users: [{ email: "existing@example.com", name: "Existing" }, { email: "second@example.com" }],
        organizations: [
          { name: "Subscribed", has_active_subscription: true, members: [{ email: "owner@example.com", role: "OrgOwner" }, { email: "guest@partner.example", external: true }] },
          { name: "Scoped" },
        ],
      },
      tokens: [{ token: "aiaengine-scoped-token", backend: "aiaengine", org_path: ["Scoped"] }],
    },
  });
  base = emu.baseUrls.aiaengine;
});
afterAll(async () => {
  await emu.close();
});

describe("AIA Engine conformance with document 004", () => {
  /** Fills the fixture's path placeholders and makes the call (each replay on an organization of its own). */
  async function replay(name: string): Promise<Answer> {
    const c = fixture.calls[name];
    const org = await anOrg(`Replay ${name}`);
    await api("POST", `/v1/orgs/${org.id}/users`, { body: { email: "second@example.com", role: "OrgEditor" } });
    const path = c.path.replace("{id}", org.id).replace("{user_email}", "second@example.com");
    return api(c.method, path, c.body ? { body: c.body } : {});
  }

  for (const name of Object.keys(fixture.calls)) {
    it(`answers ${name} (${fixture.calls[name].method} ${fixture.calls[name].path}) with the document's keys and types`, async () => {
      const answer = await replay(name);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(shapeDiff(fixture.calls[name].returns, answer.body)).toEqual([]);
    });
  }

  it("adds a user with the role OrgViewer when add_user names none", async () => {
    const org = await anOrg("Default role");
    const res = await api("POST", `/v1/orgs/${org.id}/users`, { body: { email: "EXISTING@example.com" } });
    expect(res.body).toMatchObject({ role: "OrgViewer", external: false, user: { email: "existing@example.com", name: "Existing" } });
  });

  it("refuses add_user for an email no user has, and says create_user creates one", async () => {
    const org = await anOrg("Unknown user");
    const res = await api("POST", `/v1/orgs/${org.id}/users`, { body: { email: "nobody@example.com", role: "OrgEditor" } });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ code: 5, message: "no user with email nobody@example.com: add_user adds an existing user; create_user creates one", details: [] });
  });

  it("creates a user with a generated password that no answer ever shows, and a given one it keeps", async () => {
    const org = await anOrg("New users");
    const generated = await api("POST", `/v1/orgs/${org.id}/users:create`, { body: { name: "Gen", email: "gen@example.com", role: "OrgEditor" } });
    expect(generated.body).toMatchObject({ role: "OrgEditor", user: { name: "Gen", email: "gen@example.com" } });
    const given = await api("POST", `/v1/orgs/${org.id}/users:create`, { body: { name: "Set", email: "set@example.com", password: "correct horse battery" } });
    expect(given.status).toBe(200);
    const listed = await api("GET", `/v1/orgs/${org.id}/users`);
    expect(JSON.stringify([generated.body, given.body, listed.body])).not.toMatch(/password|correct horse/);
    const again = await api("POST", `/v1/orgs/${org.id}/users:create`, { body: { name: "Gen", email: "GEN@example.com" } });
    expect(again.status).toBe(409);
  });

  it("replaces name and description on update: a description left out is emptied, as update(name) with description=None does", async () => {
    const org = await anOrg("Replace", { description: "kept?", logo_url: "https://logo.example/a.png" });
    const res = await api("PUT", `/v1/orgs/${org.id}`, { body: { name: "Renamed" } });
    expect(res.body).toMatchObject({ name: "Renamed", description: "", logo_url: "" });
  });

  it("refuses to delete an organization with an active subscription, and keeps it", async () => {
    const subscribed = emu.seeded!.organizations.find((o) => o.name === "Subscribed")!;
    const res = await api("DELETE", `/v1/orgs/${subscribed.id}`);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(9);
    expect(res.body.message).toMatch(/active subscription/);
    expect((await api("GET", `/v1/orgs/${subscribed.id}`)).status).toBe(200);
  });

  it("deletes an organization with its memberships, and answers 404 after", async () => {
    const org = await anOrg("Doomed");
    await api("POST", `/v1/orgs/${org.id}/users`, { body: { email: "existing@example.com" } });
    expect((await api("DELETE", `/v1/orgs/${org.id}`)).status).toBe(200);
    expect((await api("GET", `/v1/orgs/${org.id}`)).status).toBe(404);
  });

  it("lists an external user with external: true and no organization role; add_user makes them a member", async () => {
    const subscribed = emu.seeded!.organizations.find((o) => o.name === "Subscribed")!;
    const users = (await api("GET", `/v1/orgs/${subscribed.id}/users`)).body.users;
    expect(users.find((u: any) => u.user.email === "guest@partner.example")).toMatchObject({ external: true, role: "" });
    const added = await api("POST", `/v1/orgs/${subscribed.id}/users`, { body: { email: "guest@partner.example", role: "OrgEditor" } });
    expect(added.body).toMatchObject({ external: false, role: "OrgEditor" });
  });

  it("changes a user's role, and removes a user by email or id", async () => {
    const org = await anOrg("Roles");
    const added = await api("POST", `/v1/orgs/${org.id}/users`, { body: { email: "existing@example.com", role: "OrgViewer" } });
    const changed = await api("PUT", `/v1/orgs/${org.id}/users/${added.body.user.id}`, { body: { role: "OrgOwner" } });
    expect(changed.body.role).toBe("OrgOwner");
    expect((await api("DELETE", `/v1/orgs/${org.id}/users/${added.body.user.id}`)).status).toBe(200);
    expect((await api("DELETE", `/v1/orgs/${org.id}/users/existing@example.com`)).status).toBe(404);
  });

  it("shows a token scoped to one organization that organization only, and lets it create none", async () => {
    const scoped = { bearer: "aiaengine-scoped-token" };
    const scopedOrg = emu.seeded!.organizations.find((o) => o.name === "Scoped")!;
    const subscribed = emu.seeded!.organizations.find((o) => o.name === "Subscribed")!;
    expect((await api("GET", "/v1/orgs", { auth: scoped })).body.orgs.map((o: any) => o.id)).toEqual([scopedOrg.id]);
    expect((await api("GET", `/v1/orgs/${subscribed.id}`, { auth: scoped })).status).toBe(404);
    expect((await api("POST", "/v1/orgs", { auth: scoped, body: { name: "Elsewhere" } })).body.code).toBe(7);
    expect((await api("DELETE", `/v1/orgs/${scopedOrg.id}`, { auth: scoped })).status).toBe(403);
  });

  it("keeps no name unique: two organizations may share one", async () => {
    const a = await anOrg("Twin");
    const b = await anOrg("Twin");
    expect(a.id).not.toBe(b.id);
  });

  const refusals: Record<string, () => Promise<Answer>> = {
    "a create without a name (INVALID_ARGUMENT, 400)": () => api("POST", "/v1/orgs", { body: { description: "no name" } }),
    "an unknown field (INVALID_ARGUMENT, 400)": () => api("POST", "/v1/orgs", { body: { name: "x", parent: null } }),
    "a role the vendor has not (INVALID_ARGUMENT, 400)": () => api("POST", `/v1/orgs/${"0".repeat(32)}/users`, { body: { email: "a@b.example", role: "Admin" } }),
    "a missing organization (NOT_FOUND, 404)": () => api("GET", `/v1/orgs/${"0".repeat(32)}`),
    "no credential (UNAUTHENTICATED, 401)": () => api("GET", "/v1/orgs", { auth: null }),
    "a wrong token (UNAUTHENTICATED, 401)": () => api("GET", "/v1/orgs", { auth: { bearer: "not-the-token" } }),
    "a path the service has not (NOT_FOUND, 404)": () => api("GET", "/v1/projects"),
  };
  for (const [name, replayRefusal] of Object.entries(refusals)) {
    it(`renders ${name} as a google.rpc.Status`, async () => {
      const answer = await replayRefusal();
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(shapeDiff(fixture.error, answer.body)).toEqual([]);
    });
  }

  it("the shape check itself catches a missing key, an added key and a wrong type", () => {
    const expected = { user: { id: "", email: "" }, role: "", external: false };
    expect(shapeDiff(expected, { user: { id: "x", email: "e" }, role: "r" })).toEqual([".external: missing"]);
    expect(shapeDiff(expected, { user: { id: "x", email: "e" }, role: "r", external: false, extra: 1 })).toEqual([".extra: not in the document"]);
    expect(shapeDiff(expected, { user: { id: "x", email: "e" }, role: "r", external: "no" })).toEqual([".external: string where the document has boolean"]);
  });
});

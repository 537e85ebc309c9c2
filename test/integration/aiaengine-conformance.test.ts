import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, startTestEmulator, type Answer, type Auth, type TestEmulator } from "./helpers";

/**
 * Conformance of the AIA Engine dialect with the vendor's guides (docs.aiaengine.com
 * "Organization": CreateOrg, GetOrg, UpdateOrg, DeleteOrg, ListOrgs, ListOrgUsers, users added by id
 * and role) and document 004 (the SDK's Org: add_user's default role, create_user, remove_user):
 * every call, with the fields the sources give, replayed as the Connect unary request the dialect
 * takes (fixture), answered with its response message in proto3 JSON; and the sources' rules:
 * UUID ids, UpdateOrg replacing, delete refused while a subscription is active, users added by id
 * only, generated passwords never shown, refusals as Connect errors.
 */
interface MessageSpec {
  fields: Record<string, string>;
  required: string[];
}
const fixture = JSON.parse(readFileSync(join(__dirname, "fixtures", "aiaengine-004-calls.json"), "utf8")) as {
  messages: Record<string, MessageSpec>;
  calls: Record<string, { procedure: string; body: Record<string, unknown>; returns: string }>;
};

const kind = (v: unknown): string => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);

/** Where an answer is not the message (a key it has not, a wrong kind, a required field missing), as readable lines. */
function messageDiff(message: string, actual: unknown, path = ""): string[] {
  const spec = fixture.messages[message];
  const where = path || "(root)";
  if (kind(actual) !== "object") return [`${where}: ${kind(actual)} where ${message} is an object`];
  const a = actual as Record<string, unknown>;
  const out: string[] = [];
  for (const f of spec.required) if (!(f in a)) out.push(`${path}.${f}: missing`);
  for (const [k, v] of Object.entries(a)) {
    const type = spec.fields[k];
    if (type === undefined) {
      out.push(`${path}.${k}: not in ${message}`);
      continue;
    }
    if (type.endsWith("[]")) {
      if (!Array.isArray(v)) out.push(`${path}.${k}: ${kind(v)} where ${message} has a list`);
      else if (v.length === 0) out.push(`${path}.${k}: an empty list proves nothing (proto3 leaves it out)`);
      else v.forEach((item, i) => out.push(...itemDiff(type.slice(0, -2), item, `${path}.${k}[${i}]`)));
    } else out.push(...itemDiff(type, v, `${path}.${k}`));
  }
  return out;
}

function itemDiff(type: string, v: unknown, path: string): string[] {
  if (fixture.messages[type]) return messageDiff(type, v, path);
  if (kind(v) !== type) return [`${path}: ${kind(v)} where the message has ${type}`];
  // proto3 JSON leaves defaults out: a default value present is not what protobuf prints.
  if (v === "" || v === false) return [`${path}: the default value is printed (proto3 JSON leaves it out)`];
  return [];
}

let emu: TestEmulator;
let base: string;
const ORG = "/aiaengine.api.org.OrgService";
const rpc = (procedure: string, body: unknown, auth?: Auth): Promise<Answer> => call(base, "POST", procedure, { body, ...(auth !== undefined ? { auth } : {}) });
const A_UUID = "00000000-0000-4000-8000-000000000000";

async function anOrg(name: string, description = ""): Promise<any> {
  const res = await rpc(`${ORG}/CreateOrg`, { name, ...(description ? { description } : {}) });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}
async function userId(email: string): Promise<string> {
  const res = await rpc("/aiaengine.api.user.UserService/ListUsers", { email });
  expect(res.body.users, email).toHaveLength(1);
  return res.body.users[0].id;
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

describe("AIA Engine conformance with the guides' calls and document 004", () => {
  let n = 0;
  /** Fills the fixture's placeholders and makes the call, each on an organization of its own that holds second@. */
  async function replay(name: string): Promise<Answer> {
    const c = fixture.calls[name];
    const org = await anOrg(`Replay ${name}`);
    const second = await userId("second@example.com");
    expect((await rpc(`${ORG}/AddOrgUser`, { id: org.id, user_id: second, role: "OrgEditor" })).status).toBe(200);
    const other = await userId("existing@example.com");
    const fill = JSON.stringify(c.body).replaceAll("{org}", org.id).replaceAll("{user}", second).replaceAll("{other}", other).replaceAll("{n}", String(++n));
    return rpc(c.procedure, JSON.parse(fill));
  }

  for (const name of Object.keys(fixture.calls)) {
    it(`answers ${name} (POST ${fixture.calls[name].procedure}) with ${fixture.calls[name].returns}`, async () => {
      const answer = await replay(name);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(answer.headers.get("content-type")).toMatch(/^application\/json/);
      expect(messageDiff(fixture.calls[name].returns, answer.body)).toEqual([]);
    });
  }

  it("gives organizations and users UUIDs", async () => {
    const org = await anOrg("Ids");
    expect(org.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(await userId("existing@example.com")).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it("adds a user by id with the role OrgViewer when AddOrgUser names none", async () => {
    const org = await anOrg("Default role");
    const res = await rpc(`${ORG}/AddOrgUser`, { id: org.id, user_id: await userId("EXISTING@example.com") });
    expect(res.body).toMatchObject({ role: "OrgViewer", user: { email: "existing@example.com", name: "Existing" } });
    expect(res.body).not.toHaveProperty("external"); // false: left out, as proto3 JSON prints it
  });

  it("refuses AddOrgUser for a user id the platform has not, and says CreateOrgUser creates one", async () => {
    const org = await anOrg("Unknown user");
    const res = await rpc(`${ORG}/AddOrgUser`, { id: org.id, user_id: A_UUID, role: "OrgEditor" });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ code: "not_found", message: `user ${A_UUID} not found: AddOrgUser adds an existing user; CreateOrgUser creates one` });
  });

  it("refuses AddOrgUser by email: users are added by id", async () => {
    const org = await anOrg("By email");
    const res = await rpc(`${ORG}/AddOrgUser`, { id: org.id, email: "existing@example.com" });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ code: "invalid_argument", message: 'AddOrgUserRequest: unknown field "email"' });
  });

  it("finds a user by email, case-insensitively, and nobody for an unknown email; the email filter is required", async () => {
    const lookup = (body: unknown) => rpc("/aiaengine.api.user.UserService/ListUsers", body);
    expect((await lookup({ email: "Second@Example.com" })).body.users.map((u: any) => u.email)).toEqual(["second@example.com"]);
    expect((await lookup({ email: "nobody@example.com" })).body).toEqual({});
    expect(await lookup({})).toMatchObject({ status: 400, body: { code: "invalid_argument", message: "ListUsersRequest.email: is required" } });
  });

  it("creates a user with a generated password that no answer ever shows, and a given one it keeps", async () => {
    const org = await anOrg("New users");
    const generated = await rpc(`${ORG}/CreateOrgUser`, { id: org.id, name: "Gen", email: "gen@example.com", role: "OrgEditor" });
    expect(generated.body).toMatchObject({ role: "OrgEditor", user: { name: "Gen", email: "gen@example.com" } });
    const given = await rpc(`${ORG}/CreateOrgUser`, { id: org.id, name: "Set", email: "set@example.com", password: "correct horse battery" });
    expect(given.status).toBe(200);
    const listed = await rpc(`${ORG}/ListOrgUsers`, { id: org.id });
    expect(JSON.stringify([generated.body, given.body, listed.body])).not.toMatch(/password|correct horse/);
    const again = await rpc(`${ORG}/CreateOrgUser`, { id: org.id, name: "Gen", email: "GEN@example.com" });
    expect(again).toMatchObject({ status: 409, body: { code: "already_exists" } });
  });

  it("takes no logo in CreateOrg (the guide's CreateOrgRequest is {name, description}); UpdateOrg sets one", async () => {
    const refused = await rpc(`${ORG}/CreateOrg`, { name: "Logo", logo_url: "https://logo.example/a.png" });
    expect(refused).toMatchObject({ status: 400, body: { code: "invalid_argument", message: 'CreateOrgRequest: unknown field "logo_url"' } });
    const org = await anOrg("Logo");
    const updated = await rpc(`${ORG}/UpdateOrg`, { id: org.id, name: "Logo", logoUrl: "https://logo.example/a.png" });
    expect(updated.body).toMatchObject({ name: "Logo", logo_url: "https://logo.example/a.png" }); // the JSON name logoUrl read as logo_url
  });

  it("replaces name, description and logo_url on UpdateOrg: a field left out is emptied (and left out of the answer)", async () => {
    const org = await anOrg("Replace", "kept?");
    await rpc(`${ORG}/UpdateOrg`, { id: org.id, name: "Replace", description: "kept?", logo_url: "https://logo.example/a.png" });
    const res = await rpc(`${ORG}/UpdateOrg`, { id: org.id, name: "Renamed" });
    expect(res.body).toMatchObject({ id: org.id, name: "Renamed" });
    expect(Object.keys(res.body).sort()).toEqual(["created_at", "id", "name", "updated_at"]);
    expect(await rpc(`${ORG}/UpdateOrg`, { id: org.id, description: "no name" })).toMatchObject({ status: 400, body: { message: "UpdateOrgRequest.name: is required" } });
  });

  it("refuses to delete an organization with an active subscription, and keeps it", async () => {
    const subscribed = emu.seeded!.organizations.find((o) => o.name === "Subscribed")!;
    const res = await rpc(`${ORG}/DeleteOrg`, { id: subscribed.id });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("failed_precondition");
    expect(res.body.message).toMatch(/active subscription/);
    expect((await rpc(`${ORG}/GetOrg`, { id: subscribed.id })).status).toBe(200);
  });

  it("deletes an organization with its memberships, and answers not_found after", async () => {
    const org = await anOrg("Doomed");
    await rpc(`${ORG}/AddOrgUser`, { id: org.id, user_id: await userId("existing@example.com") });
    expect(await rpc(`${ORG}/DeleteOrg`, { id: org.id })).toMatchObject({ status: 200, body: {} });
    expect(await rpc(`${ORG}/GetOrg`, { id: org.id })).toMatchObject({ status: 404, body: { code: "not_found" } });
  });

  it("lists an external user with external: true and no organization role; AddOrgUser makes them a member", async () => {
    const subscribed = emu.seeded!.organizations.find((o) => o.name === "Subscribed")!;
    const users = (await rpc(`${ORG}/ListOrgUsers`, { id: subscribed.id })).body.users;
    const guest = users.find((u: any) => u.user.email === "guest@partner.example");
    expect(guest).toEqual({ user: { id: expect.any(String), email: "guest@partner.example", name: "guest" }, external: true });
    const added = await rpc(`${ORG}/AddOrgUser`, { id: subscribed.id, user_id: guest.user.id, role: "OrgEditor" });
    expect(added.body).toMatchObject({ role: "OrgEditor" });
    expect(added.body).not.toHaveProperty("external");
  });

  it("lists the organizations a user is in with ListOrgs{user_id}, and refuses an unknown user", async () => {
    const org = await anOrg("Of a user");
    const other = await userId("existing@example.com");
    await rpc(`${ORG}/AddOrgUser`, { id: org.id, user_id: other });
    expect((await rpc(`${ORG}/ListOrgs`, { user_id: other })).body.orgs.map((o: any) => o.id)).toContain(org.id);
    expect(await rpc(`${ORG}/ListOrgs`, { user_id: A_UUID })).toMatchObject({ status: 404, body: { code: "not_found" } });
  });

  it("changes a user's role and removes a user, by user id only", async () => {
    const org = await anOrg("Roles");
    const id = await userId("existing@example.com");
    await rpc(`${ORG}/AddOrgUser`, { id: org.id, user_id: id, role: "OrgViewer" });
    expect((await rpc(`${ORG}/UpdateOrgUser`, { id: org.id, user_id: id, role: "OrgOwner" })).body.role).toBe("OrgOwner");
    expect((await rpc(`${ORG}/RemoveOrgUser`, { id: org.id, user_id: "existing@example.com" })).status).toBe(400);
    expect((await rpc(`${ORG}/RemoveOrgUser`, { id: org.id, user_id: id })).status).toBe(200);
    expect(await rpc(`${ORG}/RemoveOrgUser`, { id: org.id, user_id: id })).toMatchObject({ status: 404, body: { code: "not_found" } });
  });

  it("shows a token scoped to one organization that organization only, and lets it create none", async () => {
    const scoped = { bearer: "aiaengine-scoped-token" };
    const scopedOrg = emu.seeded!.organizations.find((o) => o.name === "Scoped")!;
    const subscribed = emu.seeded!.organizations.find((o) => o.name === "Subscribed")!;
    expect((await rpc(`${ORG}/ListOrgs`, {}, scoped)).body.orgs.map((o: any) => o.id)).toEqual([scopedOrg.id]);
    expect((await rpc(`${ORG}/GetOrg`, { id: subscribed.id }, scoped)).status).toBe(404);
    expect((await rpc(`${ORG}/CreateOrg`, { name: "Elsewhere" }, scoped)).body.code).toBe("permission_denied");
    expect((await rpc(`${ORG}/DeleteOrg`, { id: scopedOrg.id }, scoped)).status).toBe(403);
  });

  it("serves the side-effect-free calls by Connect's GET form too, the message in the query string", async () => {
    const org = await anOrg("By GET", "read");
    const get = (procedure: string, message: unknown, extra = "") => call(base, "GET", `${procedure}?connect=v1&encoding=json&message=${encodeURIComponent(JSON.stringify(message))}${extra}`);
    expect((await get(`${ORG}/GetOrg`, { id: org.id })).body).toEqual(org);
    expect((await get(`${ORG}/ListOrgs`, {})).body.orgs.map((o: any) => o.id)).toContain(org.id);
    const b64 = Buffer.from(JSON.stringify({ id: org.id })).toString("base64url");
    expect((await call(base, "GET", `${ORG}/GetOrg?encoding=json&base64=1&message=${b64}`)).body).toEqual(org);
    expect((await get(`${ORG}/GetOrg`, { id: org.id, extra: 1 })).body).toEqual({ code: "invalid_argument", message: 'GetOrgRequest: unknown field "extra"' });
  });

  it("keeps no name unique: two organizations may share one", async () => {
    const a = await anOrg("Twin");
    const b = await anOrg("Twin");
    expect(a.id).not.toBe(b.id);
  });

  const refusals: Record<string, [() => Promise<Answer>, number, string]> = {
    "a create without a name": [() => rpc(`${ORG}/CreateOrg`, { description: "no name" }), 400, "invalid_argument"],
    "an unknown field": [() => rpc(`${ORG}/CreateOrg`, { name: "x", parent: null }), 400, "invalid_argument"],
    "a field of the wrong type": [() => rpc(`${ORG}/CreateOrg`, { name: 7 }), 400, "invalid_argument"],
    "an id that is not a UUID": [() => rpc(`${ORG}/GetOrg`, { id: "0".repeat(32) }), 400, "invalid_argument"],
    "a role the vendor has not": [() => rpc(`${ORG}/AddOrgUser`, { id: A_UUID, user_id: A_UUID, role: "Admin" }), 400, "invalid_argument"],
    "a missing organization": [() => rpc(`${ORG}/GetOrg`, { id: A_UUID }), 404, "not_found"],
    "no credential": [() => rpc(`${ORG}/ListOrgs`, {}, null), 401, "unauthenticated"],
    "a wrong token": [() => rpc(`${ORG}/ListOrgs`, {}, { bearer: "not-the-token" }), 401, "unauthenticated"],
    "a procedure the service has not (never not_found)": [() => rpc(`${ORG}/ListProjects`, {}), 404, "unimplemented"],
    "a REST path (the dialect has no REST routes)": [() => call(base, "GET", "/v1/orgs"), 404, "unimplemented"],
    "a GET of a call with side effects (POST only)": [() => call(base, "GET", `${ORG}/CreateOrg?encoding=json&message=%7B%7D`), 405, "unimplemented"],
    "a Connect GET without encoding=json": [() => call(base, "GET", `${ORG}/ListOrgs?message=%7B%7D`), 400, "invalid_argument"],
    "a body that is not JSON": [() => call(base, "POST", `${ORG}/ListOrgs`, { rawBody: "id=1", contentType: "application/x-www-form-urlencoded" }), 415, "invalid_argument"],
  };
  for (const [name, [replayRefusal, status, code]] of Object.entries(refusals)) {
    it(`refuses ${name}: ${status} ${code}, as a Connect error`, async () => {
      const answer = await replayRefusal();
      expect(answer.status).toBe(status);
      expect(answer.body.code).toBe(code);
      expect(messageDiff("Error", answer.body)).toEqual([]);
    });
  }

  it("the message check itself catches a missing required field, an added key, a wrong kind and a printed default", () => {
    const user = { user: { id: "x", email: "e" }, role: "r" };
    expect(messageDiff("OrgUser", { role: "r" })).toEqual([".user: missing"]);
    expect(messageDiff("OrgUser", { ...user, extra: 1 })).toEqual([".extra: not in OrgUser"]);
    expect(messageDiff("OrgUser", { ...user, external: "no" })).toEqual([".external: string where the message has boolean"]);
    expect(messageDiff("OrgUser", { ...user, external: false })).toEqual([".external: the default value is printed (proto3 JSON leaves it out)"]);
  });
});

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type StartedEmulator } from "../../emulator";
import { openBackend } from "../../provider/backends";
import { ADMIN, call, type Answer, type Auth } from "./helpers";

/**
 * Conformance of the Cloudomation dialect with document 000 (the Organization resource, Version 7)
 * and Engine 7's authentication page: the fixture lists every property with the type and the
 * Import/Export class the document prints. A record read back has exactly those properties; `both`
 * ones can be patched (only what is sent changes), `export only` and `neither` ones cannot; lengths
 * and the payment type enum hold; "not allowed for ORGANIZATION" properties take no value;
 * organizations cannot be created or deleted. Where Cloudomation's own client of this API
 * (devstack-cli 12.0.1, cli.py) says more, the dialect answers as it reads: `GET /alive` before
 * login, a login answered 200 with the user as JSON and a cookie, `filter={"and": [...]}`, `plain`,
 * `fields`, `by=name`. The commit log gets one entry per PATCH, however often it is resent.
 */
const fixture = JSON.parse(readFileSync(join(__dirname, "fixtures", "cloudomation-000-organization.json"), "utf8")) as {
  properties: Record<string, { type: string; io: "both" | "export only" | "neither" }>;
  notAllowedForOrganization: string[];
  login: { request: { user_name: string; password: string } };
};
const PROPS = Object.entries(fixture.properties);
const byIo = (io: string) => PROPS.filter(([, p]) => p.io === io).map(([n]) => n);

let emu: StartedEmulator;
let base: string;
let orgId: string;
const api = <T = any>(method: string, path: string, opts: { auth?: Auth; body?: unknown; rawBody?: string } = {}): Promise<Answer<T>> => call<T>(base, method, path, opts);
const admin = (path: string, body: unknown) => call(emu.url + "/_admin", "POST", path, { auth: { bearer: ADMIN }, body });

/** A value of the property's documented type (variant 0 or 1). */
function valueOf(name: string, type: string, variant = 0): unknown {
  if (name === "payment_type") return "INVOICE";
  if (type.startsWith("String") || type.startsWith("Text")) return `${name} value ${variant}`;
  if (type.startsWith("Boolean")) return variant === 1;
  if (type.startsWith("UUID")) return `00000000-0000-4000-8000-00000000000${variant}`;
  if (type.startsWith("DateTime")) return "2026-01-01T00:00:00+00:00";
  return variant + 1;
}

beforeAll(async () => {
  emu = await startEmulator({ port: 0, db: ":memory:" });
  base = emu.baseUrls.cloudomation;
  const seeded = await admin("/seed", {
    cloudomation: { organizations: [{ name: "Conformance", users: [{ user_name: fixture.login.request.user_name, password: "kevins-password" }] }, { name: "Other workspace" }] },
  });
  expect(seeded.status).toBe(201);
  orgId = seeded.body.organizations[0].id;
});
afterAll(async () => {
  await emu?.close();
});

describe("the Organization record", () => {
  it("has exactly the document's properties, the import-only commit message never among them", async () => {
    const got = await api("GET", `/organization/${orgId}?plain=true`);
    expect(got.status).toBe(200);
    expect(Object.keys(got.body).sort()).toEqual(Object.keys(fixture.properties).sort());
    expect(got.body).toMatchObject({ id: orgId, name: "Conformance", record_type: "ORGANIZATION", bundle_id: null, project_id: null });
  });

  it("is listed with limit and offset, and filtered by name", async () => {
    const all = await api<any[]>("GET", "/organization?plain=true");
    expect(all.body.map((o) => o.name)).toEqual(["Conformance", "Other workspace"]);
    expect(all.headers.get("x-total-count")).toBe("2");
    expect((await api<any[]>("GET", "/organization?limit=1&offset=1&plain=true")).body.map((o) => o.name)).toEqual(["Other workspace"]);
    const filter = encodeURIComponent(JSON.stringify({ field: "name", op: "eq", value: "Conformance" }));
    expect((await api<any[]>("GET", `/organization?filter=${filter}&plain=true`)).body.map((o) => o.id)).toEqual([orgId]);
    const like = encodeURIComponent(JSON.stringify({ field: "name", op: "like", value: "Other%" }));
    expect((await api<any[]>("GET", `/organization?filter=${like}&plain=true`)).body).toHaveLength(1);
    expect((await api("GET", "/organization?page=2")).status).toBe(400);
  });

  for (const name of byIo("both").filter((n) => !fixture.notAllowedForOrganization.includes(n))) {
    const type = fixture.properties[name].type;
    it(`patches ${name} (${type}, both) and changes nothing else`, async () => {
      const before = (await api("GET", `/organization/${orgId}?plain=true`)).body;
      const value = valueOf(name, type, before[name] === valueOf(name, type, 0) ? 1 : 0);
      const patched = await api("PATCH", `/organization/${orgId}`, { body: { [name]: value } });
      expect(patched.status, JSON.stringify(patched.body)).toBe(200);
      const after = (await api("GET", `/organization/${orgId}?plain=true`)).body;
      expect(after[name]).toEqual(value);
      const { [name]: _a, modified_at: _b, ...rest } = after;
      const { [name]: _c, modified_at: _d, ...restBefore } = before;
      expect(rest).toEqual(restBefore);
    });
  }

  for (const name of [...byIo("export only"), ...byIo("neither").filter((n) => n !== "id")]) {
    it(`refuses to write ${name} (${fixture.properties[name].io}), naming it`, async () => {
      const res = await api("PATCH", `/organization/${orgId}`, { body: { [name]: valueOf(name, fixture.properties[name].type) } });
      expect(res.status).toBe(400);
      expect(res.body.details).toEqual([{ field: name, message: expect.stringMatching(/cannot be written/) }]);
    });
  }

  for (const name of fixture.notAllowedForOrganization) {
    it(`refuses a value for ${name}, which is not allowed for ORGANIZATION, and takes null`, async () => {
      const res = await api("PATCH", `/organization/${orgId}`, { body: { [name]: valueOf(name, fixture.properties[name].type, 1) } });
      expect(res.status).toBe(400);
      expect(res.body.message).toBe(`${name} is not allowed for ORGANIZATION records`);
      expect((await api("PATCH", `/organization/${orgId}`, { body: { [name]: null } })).status).toBe(200);
    });
  }

  const limits = PROPS.flatMap(([name, p]) => {
    const m = /^String\(length=(\d+)\)$/.exec(p.type);
    return m && p.io === "both" ? [{ name, length: Number(m[1]) }] : [];
  });
  for (const { name, length } of limits) {
    it(`takes ${name} of ${length} characters and refuses ${length + 1}`, async () => {
      expect((await api("PATCH", `/organization/${orgId}`, { body: { [name]: "x".repeat(length) } })).status).toBe(200);
      const res = await api("PATCH", `/organization/${orgId}`, { body: { [name]: "y".repeat(length + 1) } });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ status: 400, error: "Bad Request", message: `${name} must be at most ${length} characters long (String(length=${length}))`, details: [{ field: name, message: expect.any(String) }] });
    });
  }

  it("takes INVOICE or null as payment_type and nothing else", async () => {
    expect((await api("PATCH", `/organization/${orgId}`, { body: { payment_type: null } })).status).toBe(200);
    const res = await api("PATCH", `/organization/${orgId}`, { body: { payment_type: "CREDIT_CARD" } });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe("payment_type must be one of INVOICE");
  });

  it("reports every problem of a write at once, and applies none of them", async () => {
    const before = (await api("GET", `/organization/${orgId}?plain=true`)).body;
    const res = await api("PATCH", `/organization/${orgId}`, { body: { city: "Graz", zip: "z".repeat(129), active: false, nickname: "x" } });
    expect(res.status).toBe(400);
    expect(res.body.details.map((d: { field: string }) => d.field)).toEqual(["zip", "active", "nickname"]);
    expect((await api("GET", `/organization/${orgId}?plain=true`)).body.city).toBe(before.city);
  });

  it("takes a commit message with a change and never shows it again", async () => {
    const res = await api("PATCH", `/organization/${orgId}`, { body: { city: "Linz", commit_message: "moved" } });
    expect(res.status).toBe(200);
    expect(res.body).not.toHaveProperty("commit_message");
    expect((await api("GET", `/organization/${orgId}?plain=true`)).body).not.toHaveProperty("commit_message");
  });
});

describe("what the document forbids", () => {
  it("refuses to create an organization", async () => {
    const res = await api("POST", "/organization", { body: { name: "New" } });
    expect(res).toMatchObject({ status: 405, body: { status: 405, error: "Method Not Allowed", message: "Organization resources cannot be created" } });
  });

  it("refuses to delete an organization, which stays", async () => {
    const res = await api("DELETE", `/organization/${orgId}`);
    expect(res).toMatchObject({ status: 405, body: { message: "Organization resources cannot be deleted" } });
    expect((await api("GET", `/organization/${orgId}?plain=true`)).status).toBe(200);
  });

  it("answers 404 for an organization that does not exist", async () => {
    const res = await api("GET", "/organization/00000000-0000-4000-8000-0000000000ff");
    expect(res).toMatchObject({ status: 404, body: { status: 404, error: "Not Found" } });
    expect((await api("PATCH", "/organization/00000000-0000-4000-8000-0000000000ff", { body: { city: "x" } })).status).toBe(404);
  });
});

describe("the query parameters Cloudomation's own client sends (devstack-cli 12.0.1)", () => {
  const q = (params: Record<string, unknown>) => new URLSearchParams(Object.fromEntries(Object.entries(params).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]))).toString();
  const eq = (field: string, value: unknown) => ({ field, op: "eq", value });
  // The tests above patch the name: give it back.
  beforeAll(async () => {
    await api("PATCH", `/organization/${orgId}`, { body: { name: "Conformance" } });
  });

  it("wraps answers under the record type without plain, and answers them bare with plain=true or plain=True", async () => {
    const wrapped = await api("GET", `/organization/${orgId}`);
    expect(Object.keys(wrapped.body)).toEqual(["organization"]);
    expect(wrapped.body.organization).toMatchObject({ id: orgId, name: "Conformance" });
    expect((await api("GET", "/organization")).body.organization.map((o: { name: string }) => o.name)).toEqual(["Conformance", "Other workspace"]);
    expect((await api("GET", `/organization/${orgId}?plain=True`)).body.id).toBe(orgId);
    expect((await api("GET", `/organization/${orgId}?plain=false`)).body.organization.id).toBe(orgId);
    const patched = await api("PATCH", `/organization/${orgId}`, { body: { region: "wrapped" } });
    expect(patched.body.organization.region).toBe("wrapped");
    expect((await api("PATCH", `/organization/${orgId}?plain=true`, { body: { region: "bare" } })).body.region).toBe("bare");
  });

  it('takes filter={"and": [...]} (and "or"), each condition on a property', async () => {
    const and = await api<any[]>("GET", `/organization?${q({ filter: { and: [eq("name", "Conformance"), eq("record_type", "ORGANIZATION")] }, plain: "true" })}`);
    expect(and.body.map((o) => o.id)).toEqual([orgId]);
    const none = await api<any[]>("GET", `/organization?${q({ filter: { and: [eq("name", "Conformance"), eq("name", "Other workspace")] }, plain: "true" })}`);
    expect(none.body).toEqual([]);
    const or = await api<any[]>("GET", `/organization?${q({ filter: { or: [eq("name", "Conformance"), { field: "name", op: "like", value: "Other%" }] }, plain: "true" })}`);
    expect(or.body).toHaveLength(2);
    const created = await api<any[]>("GET", `/organization?${q({ filter: { and: [eq("created_by", null)] }, plain: "true" })}`);
    expect(created.body).toHaveLength(2);
  });

  it.each([
    ["not JSON", "{and: ["],
    ["an empty and", { and: [] }],
    ["and beside a condition", { and: [eq("name", "x")], field: "name" }],
    ["an unknown operator", { field: "name", op: "gt", value: "x" }],
    ["a condition without a value", { field: "name", op: "eq" }],
    ["a field that is no property", { and: [eq("object_template_id", "x")] }],
    ["a nested unknown key", { and: [{ ...eq("name", "x"), extra: 1 }] }],
  ])("refuses a filter that is %s, in its error shape", async (_what, filter) => {
    const res = await api("GET", `/organization?${q({ filter, plain: "true" })}`);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 400, error: "Bad Request", message: expect.stringMatching(/filter/) });
  });

  it("takes fields=a,b (only those properties) and refuses an unknown one", async () => {
    const got = await api<any[]>("GET", `/organization?${q({ filter: eq("id", orgId), fields: "name,id", plain: "True" })}`);
    expect(got.body).toEqual([{ name: "Conformance", id: orgId }]);
    expect((await api("GET", `/organization/${orgId}?fields=city&plain=true`)).body).toEqual({ city: expect.anything() });
    expect((await api("GET", `/organization/${orgId}?fields=city,nickname`)).status).toBe(400);
  });

  it("reads a record by name with by=name, 404 when no organization has it", async () => {
    expect((await api("GET", "/organization/Conformance?by=name")).body.organization.id).toBe(orgId);
    expect((await api("GET", "/organization/Nobody?by=name")).body).toEqual({ status: 404, error: "Not Found", message: "organization named Nobody not found" });
    expect((await api("GET", `/organization/${orgId}?by=email`)).status).toBe(400);
  });

  it("refuses a plain that is no boolean, and parameters a route does not take", async () => {
    expect((await api("GET", "/organization?plain=yes")).body).toEqual({ status: 400, error: "Bad Request", message: "plain must be true or false" });
    expect((await api("GET", `/organization/${orgId}?limit=1`)).status).toBe(400);
    expect((await api("PATCH", `/organization/${orgId}?fields=city`, { body: { city: "x" } })).status).toBe(400);
    expect((await api("GET", "/organization?plain=true&plain=false")).status).toBe(400);
  });
});

describe("the commit log (issue 23, item 7)", () => {
  const commits = () => (emu.store.sqlite.prepare("SELECT message FROM cloudomation_commits WHERE org_id = ? ORDER BY seq").all(orgId) as { message: string }[]).map((r) => r.message);

  it("writes one entry for the same PATCH sent twice: the second finds the record unchanged and its message the latest", async () => {
    const before = commits();
    const body = { city: "Innsbruck", zip: "6020", commit_message: "moved to Innsbruck" };
    const first = await api("PATCH", `/organization/${orgId}?plain=true`, { body });
    const second = await api("PATCH", `/organization/${orgId}?plain=true`, { body });
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.body).toEqual(first.body);
    expect(commits()).toEqual([...before, "moved to Innsbruck"]);
  });

  it("writes a new entry for a change with the same message, and for a new message alone (modified_at stays)", async () => {
    const before = commits();
    await api("PATCH", `/organization/${orgId}`, { body: { city: "Hall", commit_message: "moved to Innsbruck" } });
    const modified = (await api("GET", `/organization/${orgId}?plain=true`)).body.modified_at;
    await api("PATCH", `/organization/${orgId}`, { body: { city: "Hall", commit_message: "typo fixed" } });
    expect(commits()).toEqual([...before, "moved to Innsbruck", "typo fixed"]);
    expect((await api("GET", `/organization/${orgId}?plain=true`)).body.modified_at).toBe(modified);
  });

  it("writes one entry when the adapter resends an update that failed after it committed", async () => {
    const before = commits();
    await call(emu.url + "/_admin", "PUT", "/faults", { auth: { bearer: ADMIN }, body: { spec: "dialect=cloudomation,method=PATCH,commit-then-fail=1:502,count=1" } });
    const backend = openBackend({ backend: "cloudomation", endpoint: base, credentials: { method: "session-login", userName: emu.credentials.userName, password: emu.credentials.password }, sources: {} }, "commit-log");
    const updated = await backend.updateOrganization(orgId, { city: "Kufstein", commit_message: "moved to Kufstein" }, undefined);
    expect(updated.fields.city).toBe("Kufstein");
    const faults = (await call(emu.url + "/_admin", "GET", "/faults", { auth: { bearer: ADMIN } })).body;
    expect(faults.injected.commit_then_fail).toBe(1);
    await call(emu.url + "/_admin", "DELETE", "/faults", { auth: { bearer: ADMIN } });
    expect(commits()).toEqual([...before, "moved to Kufstein"]);
  });
});

describe("before login: GET /alive and POST /auth/login, as devstack-cli 12.0.1 calls them", () => {
  const login = (body: unknown) => fetch(`${base}/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), redirect: "manual" });
  const cookieOf = (res: Response) => /token=([^;]+)/.exec(res.headers.get("set-cookie") ?? "")![1];
  const asClient = { ...fixture.login.request, password: "kevins-password", twofa_code: "", authentication_method: "cloudomation" };

  it("answers GET /alive with 200 and a JSON object without a session", async () => {
    const res = await fetch(`${base}/alive`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ alive: true });
  });

  it("answers the client's login with 200, the user as JSON (identity_id, name) and a session cookie for the workspace's one organization", async () => {
    const res = await login(asClient);
    expect(res.status).toBe(200);
    const user = (await res.json()) as { identity_id: string };
    expect(user).toEqual({ identity_id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/), name: fixture.login.request.user_name });
    expect(((await (await login(asClient)).json()) as { identity_id: string }).identity_id).toBe(user.identity_id);
    expect(res.headers.get("set-cookie")).toMatch(/^token=[^;]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+$/);
    const auth = { headers: { cookie: `token=${cookieOf(res)}` } };
    expect((await api<any[]>("GET", "/organization?plain=true", { auth })).body.map((o) => o.id)).toEqual([orgId]);
    const other = (await api<any[]>("GET", "/organization?plain=true")).body.find((o) => o.name === "Other workspace");
    expect((await api("GET", `/organization/${other.id}`, { auth })).status).toBe(404);
  });

  it("takes Engine 7's documented body {user_name, password} too, and logs the emulator's full-access user in to every organization", async () => {
    expect((await login({ ...fixture.login.request, password: "kevins-password" })).status).toBe(200);
    const res = await login({ user_name: emu.credentials.userName, password: emu.credentials.password, authentication_method: "cloudomation" });
    expect(res.status).toBe(200);
    expect((await api<any[]>("GET", "/organization?plain=true", { auth: { headers: { cookie: `token=${cookieOf(res)}` } } })).body).toHaveLength(2);
  });

  it.each([
    ["a wrong password", { ...asClient, password: "wrong-password" }, 401, "wrong user name or password"],
    ["an unknown user", { ...asClient, user_name: "nobody" }, 401, "wrong user name or password"],
    ["another authentication method", { ...asClient, authentication_method: "ldap" }, 401, "unknown authentication method"],
    ["no password", { user_name: "kevin" }, 400, "the body must be {user_name, password}"],
    ["a twofa_code that is no string", { ...asClient, twofa_code: 123456 }, 400, "twofa_code must be a string"],
  ])("refuses %s in its error shape, and never journals the login", async (_what, body, status, message) => {
    const res = await login(body);
    expect(res.status).toBe(status);
    expect(await res.json()).toEqual({ status, error: status === 401 ? "Unauthorized" : "Bad Request", message });
    const journal = await call(emu.url + "/_admin", "GET", "/requests?dialect=cloudomation", { auth: { bearer: ADMIN } });
    expect(JSON.stringify(journal.body)).not.toContain("password");
  });

  it("answers 401 without a session, with an expired one once revoked, and to a malformed header", async () => {
    expect((await api("GET", "/organization", { auth: null })).status).toBe(401);
    const res = await login(asClient);
    const auth = { headers: { cookie: `token=${cookieOf(res)}` } };
    await call(emu.url + "/_admin", "DELETE", "/access-tokens", { auth: { bearer: ADMIN } });
    expect((await api("GET", "/organization", { auth })).body).toEqual({ status: 401, error: "Unauthorized", message: "invalid or unknown session" });
    expect((await api("GET", "/organization", { auth: { headers: { authorization: "Basic abc" } } })).status).toBe(401);
  });
});

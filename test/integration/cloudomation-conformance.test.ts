import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type StartedEmulator } from "../../emulator";
import { ADMIN, call, type Answer, type Auth } from "./helpers";

/**
 * Conformance of the Cloudomation dialect with document 000 (the Organization resource, Version 7)
 * and Engine 7's authentication page: the fixture lists every property with the type and the
 * Import/Export class the document prints. A record read back has exactly those properties; `both`
 * ones can be patched (only what is sent changes), `export only` and `neither` ones cannot; lengths
 * and the payment type enum hold; "not allowed for ORGANIZATION" properties take no value;
 * organizations cannot be created or deleted; a session login answers 302 with a cookie.
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
    const got = await api("GET", `/organization/${orgId}`);
    expect(got.status).toBe(200);
    expect(Object.keys(got.body).sort()).toEqual(Object.keys(fixture.properties).sort());
    expect(got.body).toMatchObject({ id: orgId, name: "Conformance", record_type: "ORGANIZATION", bundle_id: null, project_id: null });
  });

  it("is listed with limit and offset, and filtered by name", async () => {
    const all = await api<any[]>("GET", "/organization");
    expect(all.body.map((o) => o.name)).toEqual(["Conformance", "Other workspace"]);
    expect(all.headers.get("x-total-count")).toBe("2");
    expect((await api<any[]>("GET", "/organization?limit=1&offset=1")).body.map((o) => o.name)).toEqual(["Other workspace"]);
    const filter = encodeURIComponent(JSON.stringify({ field: "name", op: "eq", value: "Conformance" }));
    expect((await api<any[]>("GET", `/organization?filter=${filter}`)).body.map((o) => o.id)).toEqual([orgId]);
    const like = encodeURIComponent(JSON.stringify({ field: "name", op: "like", value: "Other%" }));
    expect((await api<any[]>("GET", `/organization?filter=${like}`)).body).toHaveLength(1);
    expect((await api("GET", "/organization?page=2")).status).toBe(400);
  });

  for (const name of byIo("both").filter((n) => !fixture.notAllowedForOrganization.includes(n))) {
    const type = fixture.properties[name].type;
    it(`patches ${name} (${type}, both) and changes nothing else`, async () => {
      const before = (await api("GET", `/organization/${orgId}`)).body;
      const value = valueOf(name, type, before[name] === valueOf(name, type, 0) ? 1 : 0);
      const patched = await api("PATCH", `/organization/${orgId}`, { body: { [name]: value } });
      expect(patched.status, JSON.stringify(patched.body)).toBe(200);
      const after = (await api("GET", `/organization/${orgId}`)).body;
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
    const before = (await api("GET", `/organization/${orgId}`)).body;
    const res = await api("PATCH", `/organization/${orgId}`, { body: { city: "Graz", zip: "z".repeat(129), active: false, nickname: "x" } });
    expect(res.status).toBe(400);
    expect(res.body.details.map((d: { field: string }) => d.field)).toEqual(["zip", "active", "nickname"]);
    expect((await api("GET", `/organization/${orgId}`)).body.city).toBe(before.city);
  });

  it("takes a commit message with a change and never shows it again", async () => {
    const res = await api("PATCH", `/organization/${orgId}`, { body: { city: "Linz", commit_message: "moved" } });
    expect(res.status).toBe(200);
    expect(res.body).not.toHaveProperty("commit_message");
    expect((await api("GET", `/organization/${orgId}`)).body).not.toHaveProperty("commit_message");
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
    expect((await api("GET", `/organization/${orgId}`)).status).toBe(200);
  });

  it("answers 404 for an organization that does not exist", async () => {
    const res = await api("GET", "/organization/00000000-0000-4000-8000-0000000000ff");
    expect(res).toMatchObject({ status: 404, body: { status: 404, error: "Not Found" } });
    expect((await api("PATCH", "/organization/00000000-0000-4000-8000-0000000000ff", { body: { city: "x" } })).status).toBe(404);
  });
});

describe("authentication (Engine 7: POST /api/latest/auth/login)", () => {
  const login = (body: unknown) => fetch(`${base}/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), redirect: "manual" });
  const cookieOf = (res: Response) => /token=([^;]+)/.exec(res.headers.get("set-cookie") ?? "")![1];

  it("answers 302 with a session cookie, which opens the workspace's one organization only", async () => {
    const res = await login({ ...fixture.login.request, password: "kevins-password" });
    expect(res.status).toBe(302);
    expect(res.headers.get("set-cookie")).toMatch(/^token=[^;]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+$/);
    const auth = { headers: { cookie: `token=${cookieOf(res)}` } };
    expect((await api<any[]>("GET", "/organization", { auth })).body.map((o) => o.id)).toEqual([orgId]);
    const other = (await api<any[]>("GET", "/organization")).body.find((o) => o.name === "Other workspace");
    expect((await api("GET", `/organization/${other.id}`, { auth })).status).toBe(404);
  });

  it("logs the emulator's full-access user in to every organization", async () => {
    const res = await login({ user_name: emu.credentials.userName, password: emu.credentials.password, authentication_method: "cloudomation" });
    expect(res.status).toBe(302);
    expect((await api<any[]>("GET", "/organization", { auth: { headers: { cookie: `token=${cookieOf(res)}` } } })).body).toHaveLength(2);
  });

  it.each([
    ["a wrong password", { user_name: fixture.login.request.user_name, password: "wrong-password" }],
    ["an unknown user", { user_name: "nobody", password: "kevins-password" }],
  ])("answers 401 to %s, and never journals the login", async (_what, body) => {
    const res = await login(body);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ status: 401, error: "Unauthorized", message: "wrong user name or password" });
    const journal = await call(emu.url + "/_admin", "GET", "/requests?dialect=cloudomation", { auth: { bearer: ADMIN } });
    expect(JSON.stringify(journal.body)).not.toContain("password");
  });

  it("answers 401 without a session, with an expired one once revoked, and to a malformed header", async () => {
    expect((await api("GET", "/organization", { auth: null })).status).toBe(401);
    const res = await login({ ...fixture.login.request, password: "kevins-password" });
    const auth = { headers: { cookie: `token=${cookieOf(res)}` } };
    await call(emu.url + "/_admin", "DELETE", "/access-tokens", { auth: { bearer: ADMIN } });
    expect((await api("GET", "/organization", { auth })).body).toEqual({ status: 401, error: "Unauthorized", message: "invalid or unknown session" });
    expect((await api("GET", "/organization", { auth: { headers: { authorization: "Basic abc" } } })).status).toBe(401);
  });
});

// Conformance of the emulator's ZenML Pro dialect with document 002: every request body and
// parameter the document lists is accepted as shown, every answer carries exactly the document's
// view model with its types, and the rules it states (lengths, lookup by id or name, PATCH sends
// only what changes, links replaced whole, paging, one organization per owner, service accounts
// cannot create) hold, with ZenML's FastAPI error bodies. Fixtures: fixtures/zenml-002-shapes.json.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type StartedEmulator } from "../../emulator";
import { call, Clock, TOKEN, type Answer, type Auth } from "./helpers";

const shapes = JSON.parse(readFileSync(join(__dirname, "fixtures", "zenml-002-shapes.json"), "utf8")) as {
  viewModel: Record<string, string>;
  requests: Record<string, Record<string, unknown>>;
  limits: Record<"name" | "description", [number, number]>;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const typeOk: Record<string, (v: unknown) => boolean> = {
  string: (v) => typeof v === "string",
  uuid: (v) => typeof v === "string" && UUID.test(v),
  "date-time": (v) => typeof v === "string" && !Number.isNaN(Date.parse(v)),
  boolean: (v) => typeof v === "boolean",
  integer: (v) => Number.isInteger(v),
  null: (v) => v === null,
};

/** What differs between an answer and the document's view model (keys and types). */
function viewModelDiff(o: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const [key, type] of Object.entries(shapes.viewModel)) {
    if (!(key in o)) out.push(`${key}: missing`);
    else if (!type.split("|").some((t) => typeOk[t]!(o[key]))) out.push(`${key}: ${JSON.stringify(o[key])} is not ${type}`);
  }
  for (const key of Object.keys(o)) if (!(key in shapes.viewModel)) out.push(`${key}: not in the view model`);
  return out;
}

let emu: StartedEmulator;
const clock = new Clock();
let base: string;
let n = 0;
/** An owner no organization of this file has yet: one organization per owner. */
const freshOwner = () => `00000000-0000-4000-9000-${(++n).toString(16).padStart(12, "0")}`;

const api = <T = any>(method: string, path: string, body?: unknown, auth?: Auth): Promise<Answer<T>> => call<T>(base, method, path, { body, auth });
const create = async (name: string, extra: Record<string, unknown> = {}) => {
  const res = await api("POST", "/organizations", { name, owner_id: freshOwner(), ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as Record<string, any>;
};

/** A service account's access token, from the OAuth2 client-credentials endpoint. */
async function serviceAccountToken(): Promise<Auth> {
  const client = emu.credentials.oauthClients[0]!;
  const token = await fetch(emu.tokenUrls.zenml!, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "client_credentials", client_id: client.clientId, client_secret: client.clientSecret }),
  });
  return { bearer: ((await token.json()) as { access_token: string }).access_token };
}

beforeAll(async () => {
  emu = await startEmulator({ port: 0, db: ":memory:", now: clock.now });
  base = emu.baseUrls.zenml!;
});
afterAll(async () => {
  await emu?.close();
});

describe("ZenML Pro conformance with document 002", () => {
  it("accepts the create body with every field the document lists, and answers the view model", async () => {
    const body = shapes.requests["POST /organizations"]!;
    const res = await api("POST", "/organizations", body);
    expect(res.status).toBe(200);
    expect(viewModelDiff(res.body)).toEqual([]);
    expect(res.body).toMatchObject({ id: body.id, name: body.name, description: body.description, logo_url: body.logo_url });
  });

  it("accepts the update body with every field the document lists, and answers the view model", async () => {
    const org = await create("Patch all");
    const res = await api("PATCH", `/organizations/${org.id}`, shapes.requests["PATCH /organizations/{organization_id}"]);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(viewModelDiff(res.body)).toEqual([]);
    expect(res.body).toMatchObject({ name: "ML Platform Team", description: "Renamed", logo_url: null });
  });

  it("answers the view model from every read: list, by id, by name, with the subscription status", async () => {
    const org = await create("Read me");
    const list = await api<any[]>("GET", "/organizations?name=Read%20me");
    expect(list.status).toBe(200);
    expect(Array.isArray(list.body)).toBe(true);
    const answers = [list.body[0], (await api("GET", `/organizations/${org.id}`)).body, (await api("GET", "/organizations/Read%20me")).body];
    for (const a of answers) expect(viewModelDiff(a)).toEqual([]);
    expect(answers.map((a) => a.id)).toEqual([org.id, org.id, org.id]);
    // Without include_subscription_status the status is not looked up.
    expect(answers[1]).toMatchObject({ has_active_subscription: null, trial_expiry: null });
    const withStatus = (await api("GET", `/organizations/${org.id}?include_subscription_status=true`)).body;
    expect(viewModelDiff(withStatus)).toEqual([]);
    expect(withStatus.has_active_subscription).toBe(true);
    expect(withStatus.trial_expiry).toBeGreaterThan(0);
  });

  it("counts the trial down by itself: trial_expiry changes with time, then is null once the trial is over", async () => {
    const org = await create("Trial clock");
    const read = async () => (await api("GET", `/organizations/${org.id}?include_subscription_status=true`)).body;
    const first = (await read()).trial_expiry as number;
    clock.advance(3600);
    expect((await read()).trial_expiry).toBe(first - 3600);
    clock.advance(first);
    expect(await read()).toMatchObject({ trial_expiry: null, has_active_subscription: false });
  });

  const tooLong = (n: number) => "x".repeat(n);
  const lengthCases = [
    { field: "name", value: "", type: "string_too_short" },
    { field: "name", value: tooLong(shapes.limits.name[1] + 1), type: "string_too_long" },
    { field: "description", value: "", type: "string_too_short" },
    { field: "description", value: tooLong(shapes.limits.description[1] + 1), type: "string_too_long" },
  ];
  for (const c of lengthCases) {
    it(`refuses a ${c.field} of ${c.value.length} characters with FastAPI's 422 (${c.type})`, async () => {
      const res = await api("POST", "/organizations", { name: "Length check", ...{ [c.field]: c.value }, owner_id: freshOwner() });
      expect(res.status).toBe(422);
      expect(res.body.detail).toEqual([expect.objectContaining({ type: c.type, loc: ["body", c.field] })]);
    });
  }

  it("accepts a name of 50 and a description of 256 characters, the longest the document allows", async () => {
    const org = await create(tooLong(50), { description: tooLong(256) });
    expect([...org.name]).toHaveLength(50);
  });

  it("reports every invalid field at once: a missing name, a bad UUID and a field the model does not have", async () => {
    const res = await api("POST", "/organizations", { id: "not-a-uuid", created: "2026-01-01T00:00:00Z" });
    expect(res.status).toBe(422);
    expect(res.body.detail.map((d: { type: string; loc: string[] }) => `${d.loc.join(".")} ${d.type}`).sort()).toEqual([
      "body.created extra_forbidden",
      "body.id uuid_parsing",
      "body.name missing",
    ]);
  });

  it("changes only the fields a PATCH sends, and replaces the whole list of links", async () => {
    const org = await create("Partial", { description: "kept", links: [{ name: "A", url: "https://a.example" }, { name: "B", url: "https://b.example" }] });
    const res = await api("PATCH", `/organizations/${org.id}`, { links: [{ name: "C", url: "https://c.example" }] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: "Partial", description: "kept" });
    // links are never in the view model: the emulator's state shows the list was replaced.
    const state = await call(emu.url + "/_admin", "GET", "/state?backend=zenml", { auth: { bearer: emu.credentials.adminToken } });
    const stored = (state.body.organizations as { id: string; document: { links: unknown } }[]).find((o) => o.id === org.id)!;
    expect(stored.document.links).toEqual([{ name: "C", url: "https://c.example" }]);
    // Sending null clears a nullable field.
    expect((await api("PATCH", `/organizations/${org.id}`, { description: null })).body.description).toBeNull();
  });

  it("lets the client choose the id, and refuses an id or a name that is taken (EntityExistsError, 409)", async () => {
    const id = "5b2d8e4f-1a3c-4e7b-9d0f-6c8a2b4e1f37";
    expect((await create("Chosen id", { id })).id).toBe(id);
    const sameId = await api("POST", "/organizations", { id, name: "Another", owner_id: freshOwner() });
    expect(sameId.status).toBe(409);
    expect(sameId.body.detail[0]).toBe("EntityExistsError");
    const sameName = await api("POST", "/organizations", { name: "Chosen id", owner_id: freshOwner() });
    expect(sameName.status).toBe(409);
    expect(sameName.body).toEqual({ detail: ["EntityExistsError", "An organization with name 'Chosen id' already exists."] });
  });

  it("pages with offset and limit, 100 by default, to the end", async () => {
    const prefix = `Paged ${Date.now().toString(36)}`;
    const seeded = await call(emu.url + "/_admin", "POST", "/seed", {
      auth: { bearer: emu.credentials.adminToken },
      body: { zenml: { organizations: Array.from({ length: 105 }, (_, i) => ({ name: `${prefix} ${i}` })) } },
    });
    expect(seeded.status).toBe(201);
    const all = (await api<any[]>("GET", "/organizations?limit=100000")).body.map((o) => o.id);
    const first = (await api<any[]>("GET", "/organizations")).body;
    expect(first).toHaveLength(100);
    const rest = (await api<any[]>("GET", "/organizations?offset=100")).body;
    expect([...first, ...rest].map((o) => o.id)).toEqual(all);
    expect((await api<any[]>("GET", `/organizations?offset=${all.length}`)).body).toEqual([]);
    expect((await api<any[]>("GET", "/organizations?offset=3&limit=2")).body.map((o) => o.id)).toEqual(all.slice(3, 5));
    expect((await api("GET", "/organizations?limit=0")).status).toBe(422);
  });

  it("filters the list by name, owner_id and owner_username", async () => {
    const owner = freshOwner();
    const org = (await api("POST", "/organizations", { name: "Filtered", owner_id: owner })).body;
    expect((await api<any[]>("GET", "/organizations?name=Filtered")).body.map((o) => o.id)).toEqual([org.id]);
    expect((await api<any[]>("GET", "/organizations?name=filtered")).body).toEqual([]);
    expect((await api<any[]>("GET", `/organizations?owner_id=${owner}`)).body.map((o) => o.id)).toEqual([org.id]);
    const mine = (await api("POST", "/organizations", { name: "Mine" })).body;
    expect((await api<any[]>("GET", "/organizations?owner_username=orgform-emulator")).body.map((o) => o.id)).toEqual([mine.id]);
  });

  it("lets an owner create one organization: a second one is refused with OrganizationLimitExceeded", async () => {
    const owner = freshOwner();
    expect((await api("POST", "/organizations", { name: "First of owner", owner_id: owner })).status).toBe(200);
    const second = await api("POST", "/organizations", { name: "Second of owner", owner_id: owner });
    expect(second.status).toBe(403);
    expect(second.body.detail[0]).toBe("OrganizationLimitExceeded");
    expect((await api<any[]>("GET", "/organizations?name=Second%20of%20owner")).body).toEqual([]);
  });

  it("refuses a service account (client credentials) the create with IllegalOperationError, and lets it read, update and delete", async () => {
    const serviceAccount = await serviceAccountToken();
    const refused = await api("POST", "/organizations", { name: "By a robot" }, serviceAccount);
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ detail: ["IllegalOperationError", "Service accounts are not allowed to create organizations."] });
    const org = await create("Robot managed");
    expect((await api("GET", `/organizations/${org.id}`, undefined, serviceAccount)).status).toBe(200);
    expect((await api("PATCH", `/organizations/${org.id}`, { description: "by a robot" }, serviceAccount)).body.description).toBe("by a robot");
    expect((await api("DELETE", `/organizations/${org.id}`, undefined, serviceAccount)).status).toBe(200);
  });

  it("deletes with 200 and null; the organization is then a 404 KeyError, by id and by name", async () => {
    const org = await create("Doomed");
    const res = await api("DELETE", `/organizations/${org.id}`);
    expect([res.status, res.body]).toEqual([200, null]);
    for (const path of [`/organizations/${org.id}`, "/organizations/Doomed"]) {
      const gone = await api("GET", path);
      expect(gone.status).toBe(404);
      expect(gone.body.detail[0]).toBe("KeyError");
    }
    expect((await api("DELETE", `/organizations/${org.id}`)).status).toBe(404);
    expect((await api("PATCH", `/organizations/${org.id}`, { name: "x" })).status).toBe(404);
  });

  it("types PATCH and DELETE's path parameter as a UUID (422 otherwise)", async () => {
    for (const method of ["PATCH", "DELETE"]) {
      const res = await api(method, "/organizations/Doomed", method === "PATCH" ? {} : undefined);
      expect(res.status).toBe(422);
      expect(res.body.detail[0]).toMatchObject({ type: "uuid_parsing", loc: ["path", "organization_id"] });
    }
  });

  it("answers 401 as FastAPI and ZenML do: no credentials, a wrong token", async () => {
    const missing = await api("GET", "/organizations", undefined, null);
    expect([missing.status, missing.body]).toEqual([401, { detail: "Not authenticated" }]);
    const wrong = await api("GET", "/organizations", undefined, { bearer: "not-a-token" });
    expect(wrong.status).toBe(401);
    expect(wrong.body.detail[0]).toBe("AuthorizationException");
    expect((await api("GET", "/organizations", undefined, { bearer: TOKEN })).status).toBe(200);
  });

  it("answers FastAPI's 404 for a route ZenML does not have", async () => {
    expect(await api("GET", "/organizations/x/members")).toMatchObject({ status: 404, body: { detail: "Not Found" } });
  });

  const wrongMethods = [
    { method: "PUT", path: "/organizations/5b2d8e4f-1a3c-4e7b-9d0f-6c8a2b4e1f37", allow: "GET, PATCH, DELETE" },
    { method: "DELETE", path: "/organizations", allow: "GET, POST" },
    { method: "PATCH", path: "/organizations", allow: "GET, POST" },
    { method: "POST", path: "/workspaces", allow: "GET" },
    { method: "GET", path: "/auth/login", allow: "POST" },
  ];
  for (const c of wrongMethods) {
    it(`answers ${c.method} ${c.path} with FastAPI's 405 and Allow: ${c.allow}`, async () => {
      const res = await api(c.method, c.path, c.method === "GET" || c.method === "DELETE" ? undefined : {});
      expect([res.status, res.body, res.headers.get("allow")]).toEqual([405, { detail: "Method Not Allowed" }, c.allow]);
    });
  }

  it("refuses a token scoped to an organization the deletion of that organization (IllegalOperationError, 403)", async () => {
    const org = await create("Scoped self");
    const minted = await call(emu.url + "/_admin", "POST", "/tokens", { auth: { bearer: emu.credentials.adminToken }, body: { backend: "zenml", org_id: org.id } });
    expect(minted.status).toBe(201);
    const scoped = { bearer: minted.body.token as string };
    const refused = await api("DELETE", `/organizations/${org.id}`, undefined, scoped);
    expect(refused.status).toBe(403);
    expect(refused.body.detail[0]).toBe("IllegalOperationError");
    expect((await api("GET", `/organizations/${org.id}`)).status).toBe(200);
    // It may still read and update its organization.
    expect((await api("PATCH", `/organizations/${org.id}`, { description: "by its token" }, scoped)).status).toBe(200);
  });
});

describe("ZenML Pro's POST /auth/login (zenml 0.98.0 login/pro/client.py, zen_server/cloud_utils.py)", () => {
  const login = async (form: Record<string, string>, contentType = "application/x-www-form-urlencoded") => {
    const res = await fetch(`${base}/auth/login`, { method: "POST", headers: { "content-type": contentType }, body: contentType.includes("json") ? JSON.stringify(form) : new URLSearchParams(form) });
    return { status: res.status, headers: res.headers, body: (await res.json()) as any };
  };

  it("exchanges an API key (password=<key>) for a bearer access token that acts as the key's user", async () => {
    const res = await login({ password: emu.credentials.apiToken });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ access_token: expect.any(String), expires_in: 3600, token_type: "bearer", device_id: null, device_metadata: null });
    const token = { bearer: res.body.access_token as string };
    expect((await api("GET", "/organizations", undefined, token)).status).toBe(200);
    // The key's user may create: the access token acts as it.
    const made = await api("POST", "/organizations", { name: "By an API key", owner_id: freshOwner() }, token);
    expect(made.status, JSON.stringify(made.body)).toBe(200);
  });

  it("refuses an unknown key with CredentialsNotValid (401), and forms it cannot use with 400", async () => {
    const wrong = await login({ password: "ZENPROKEY_wrong" });
    expect([wrong.status, wrong.body.detail[0], wrong.headers.get("www-authenticate")]).toEqual([401, "CredentialsNotValid", "Bearer"]);
    expect(await login({})).toMatchObject({ status: 400, body: { detail: "Invalid request: grant type is required." } });
    expect(await login({ grant_type: "zenml-api-key" })).toMatchObject({ status: 400, body: { detail: "API key is required." } });
    expect(await login({ username: "ada", password: "x" })).toMatchObject({ status: 400, body: { detail: "Unsupported grant type: password." } });
    expect(await login({ grant_type: "implicit", password: "x" })).toMatchObject({ status: 400, body: { detail: "Unsupported grant type: implicit" } });
    // A JSON body is no form: FastAPI's Form() fields are then absent.
    expect((await login({ password: emu.credentials.apiToken }, "application/json")).status).toBe(400);
  });

  it("exchanges a seeded service account's API key for a token that acts as that service account (refused the create)", async () => {
    const seeded = await call(emu.url + "/_admin", "POST", "/seed", {
      auth: { bearer: emu.credentials.adminToken },
      body: { zenml: { organizations: [{ name: "Has a bot", service_accounts: [{ name: "ci-bot", api_key: "ZENPROKEY_seeded-bot-1" }] }] } },
    });
    expect(seeded.status, JSON.stringify(seeded.body)).toBe(201);
    const res = await login({ password: "ZENPROKEY_seeded-bot-1" });
    expect(res.status).toBe(200);
    const refused = await api("POST", "/organizations", { name: "By a bot's key" }, { bearer: res.body.access_token });
    expect([refused.status, refused.body]).toEqual([403, { detail: ["IllegalOperationError", "Service accounts are not allowed to create organizations."] }]);
    const state = await call(emu.url + "/_admin", "GET", "/state?backend=zenml", { auth: { bearer: emu.credentials.adminToken } });
    expect(JSON.stringify(state.body)).not.toContain("ZENPROKEY_seeded-bot-1");
    // A service account's key may not be the emulator user's (its API token): it would take its place.
    const clash = await call(emu.url + "/_admin", "POST", "/seed", {
      auth: { bearer: emu.credentials.adminToken },
      body: { zenml: { organizations: [{ name: "Has a bot", service_accounts: [{ name: "thief", api_key: emu.credentials.apiToken }] }] } },
    });
    expect(clash.status).toBe(400);
    expect(JSON.stringify(clash.body)).toContain("must not be the emulator's API token");
  });

  it("takes OAuth2 client credentials at the same route (a service account, with an int expires_in)", async () => {
    const client = emu.credentials.oauthClients[0]!;
    const res = await login({ grant_type: "client_credentials", client_id: client.clientId, client_secret: client.clientSecret, audience: "zenml-pro" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ access_token: expect.any(String), token_type: "bearer", expires_in: 3600 });
  });
});

describe("ZenML Pro workspaces (read-only, as zenml 0.98.0's WorkspaceClient reads them)", () => {
  const orgId = "2f3e4d5c-6b7a-4899-8a0b-1c2d3e4f5a6b";
  beforeAll(async () => {
    const seeded = await call(emu.url + "/_admin", "POST", "/seed", {
      auth: { bearer: emu.credentials.adminToken },
      body: { zenml: { organizations: [{ name: "With workspaces", id: orgId, workspaces: [{ name: "ws-prod", status: "available" }, { name: "ws-old", status: "deactivated", version: null, url: null }] }] } },
    });
    expect(seeded.status, JSON.stringify(seeded.body)).toBe(201);
  });

  it("lists WorkspaceRead objects, each with its organization's view model, filtered as the client filters", async () => {
    const all = (await api<any[]>("GET", `/workspaces?organization_id=${orgId}&member_only=False&offset=0&limit=20`)).body;
    expect(all.map((w) => [w.name, w.status, w.desired_state])).toEqual([["ws-prod", "available", "available"], ["ws-old", "deactivated", "deactivated"]]);
    expect(viewModelDiff(all[0].organization)).toEqual([]);
    expect(all[0].zenml_service).toEqual({ configuration: { version: "0.98.0" }, status: { server_url: expect.stringMatching(/^https:\/\//), version: "0.98.0" } });
    expect(all[1].zenml_service).toEqual({ configuration: null, status: null });
    expect((await api<any[]>("GET", "/workspaces?status=deactivated")).body.map((w) => w.name)).toEqual(["ws-old"]);
    expect((await api<any[]>("GET", "/workspaces?workspace_name=ws-prod")).body.map((w) => w.name)).toEqual(["ws-prod"]);
    expect((await api<any[]>("GET", `/workspaces?url=${encodeURIComponent(all[0].zenml_service.status.server_url)}`)).body.map((w) => w.name)).toEqual(["ws-prod"]);
    expect((await api<any>("GET", `/workspaces/${all[0].id}`)).body).toEqual(all[0]);
  });

  it("refuses a status that is no WorkspaceStatus (422) and answers an unknown id with KeyError (404)", async () => {
    const bad = await api("GET", "/workspaces?status=running");
    expect(bad.status).toBe(422);
    expect(bad.body.detail[0]).toMatchObject({ type: "enum", loc: ["query", "status"] });
    const gone = await api("GET", "/workspaces/00000000-0000-4000-8000-000000000000");
    expect([gone.status, gone.body.detail[0]]).toEqual([404, "KeyError"]);
  });
});

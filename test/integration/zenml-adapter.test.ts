// The ZenML Pro adapter against the emulator over HTTP, beyond the generic contract: paging to the
// end, the client-chosen id, refusals as one sentence (a service account creating, a second
// organization for one owner, a body ZenML will not validate), ids that are not UUIDs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type StartedEmulator } from "../../emulator";
import { openBackend } from "../../provider/backends";
import type { FullBackend } from "../../provider/backends/types";
import type { Credentials } from "../../provider/core/credential-kinds";
import { identityFor } from "../../provider/resources/handlers/organization";
import { call, rejection } from "./helpers";

let emu: StartedEmulator;
let user: FullBackend;
let robot: FullBackend;
const identity = (key: string) => identityFor({ owner: "zenml-adapter/test", key });

const admin = (method: string, path: string, body?: unknown) => call(emu.url + "/_admin", method, path, { auth: { bearer: emu.credentials.adminToken }, body });
const open = (credentials: Credentials, label: string) => openBackend({ backend: "zenml", endpoint: emu.baseUrls.zenml!, credentials, sources: {} }, label);

beforeAll(async () => {
  emu = await startEmulator({ port: 0, db: ":memory:" });
  user = open({ method: "bearer-token", token: emu.credentials.apiToken }, "zenml-user");
  const client = emu.credentials.oauthClients[0]!;
  robot = open({ method: "oauth2-client-credentials", clientId: client.clientId, clientSecret: client.clientSecret, tokenUrl: emu.tokenUrls.zenml! }, "zenml-robot");
});
afterAll(async () => {
  await emu?.close();
});

describe("the ZenML Pro adapter", () => {
  it("pages with offset and limit to the end, and finds an exact name among many", async () => {
    const prefix = "Many";
    const names = Array.from({ length: 230 }, (_, i) => `${prefix} ${String(i).padStart(3, "0")}`);
    expect((await admin("POST", "/seed", { zenml: { organizations: names.map((name) => ({ name })) } })).status).toBe(201);
    await admin("DELETE", "/requests");
    const all = await user.findOrganizations({});
    expect(all.map((o) => o.name)).toEqual(names);
    const pages = (await admin("GET", "/requests?dialect=zenml")).body.requests.map((r: { url: string }) => r.url);
    expect(pages).toEqual(["/organizations?offset=0&limit=100", "/organizations?offset=100&limit=100", "/organizations?offset=200&limit=100"]);
    expect((await user.findOrganizations({ name: "Many 229" })).map((o) => o.name)).toEqual(["Many 229"]);
    expect(await user.findOrganizations({ name: "many 229" })).toEqual([]);
    expect(await user.findOrganizations({ parentId: all[0]!.id })).toEqual([]);
  });

  it("creates with the id derived from the marker, and finds that create again by it", async () => {
    const created = await user.createOrganization({ name: "Derived", owner_id: "6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d" }, null, identity("derived"));
    expect(created.id).toBe(identity("derived").clientId);
    expect((await user.findCreated({ name: "Derived" }, null, identity("derived")))?.id).toBe(created.id);
    expect(await user.findCreated({ name: "Derived" }, null, identity("other"))).toBeUndefined();
  });

  it("takes a declared id as ours only when it carries the declared name", async () => {
    const id = "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e";
    await user.createOrganization({ id, name: "Declared", owner_id: "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d" }, null, identity("declared"));
    expect((await user.findCreated({ id, name: "Declared" }, null, identity("declared")))?.id).toBe(id);
    expect(await user.findCreated({ id, name: "Someone else's" }, null, identity("declared"))).toBeUndefined();
  });

  const refusals = [
    {
      what: "a service account creating, telling it to use a user's token or adopt",
      act: () => robot.createOrganization({ name: "By a robot" }, null, identity("robot")),
      code: "REFUSED",
      message: `ZenML Pro cannot create organization "By a robot" with these credentials: client credentials (ZENML_CLIENT_ID + ZENML_CLIENT_SECRET) belong to a service account, which cannot create organizations; create it with a user's credential (ZENML_API_KEY or orgform:apiKey holding a user's key, or ZENML_API_TOKEN or orgform:token) or create it in ZenML Pro and adopt it with adopt: {name: "By a robot"}; nothing was sent`,
    },
    {
      what: "a second organization for one owner, telling how to go on",
      act: async () => {
        await user.createOrganization({ name: "Owned once" }, null, identity("owned-once"));
        return user.createOrganization({ name: "Owned twice" }, null, identity("owned-twice"));
      },
      code: "REFUSED",
      message: /^ZenML Pro refused to create organization "Owned twice": User [0-9a-f-]{36} already has an organization \([0-9a-f-]{36}\): a user can own one organization \(OrganizationLimitExceeded\); a ZenML Pro owner has at most one organization: adopt the existing one \(adopt: \{id: \.\.\.\}\) or create this one for another owner_id$/,
    },
    {
      what: "a body ZenML does not validate, naming the field",
      act: async () => {
        const org = (await user.findOrganizations({ name: "Derived" }))[0]!;
        return user.updateOrganization(org.id, { name: "x".repeat(51) }, undefined);
      },
      code: "VALIDATION",
      message: /^ZenML Pro refused PATCH \/organizations\/[0-9a-f-]{36}: name: String should have at most 50 characters \(RequestValidationError\)$/,
    },
  ];
  for (const c of refusals) {
    it(`refuses ${c.what}, in one sentence`, async () => {
      const err = await rejection(c.act());
      expect(err.code).toBe(c.code);
      if (typeof c.message === "string") expect(err.message).toBe(c.message);
      else expect(err.message).toMatch(c.message);
    });
  }

  it("refuses a service account's create before sending anything", async () => {
    await admin("DELETE", "/requests");
    await rejection(robot.createOrganization({ name: "Never sent" }, null, identity("never-sent")));
    const sent = (await admin("GET", "/requests?dialect=zenml")).body.requests.filter((r: { method: string }) => r.method === "POST");
    expect(sent).toEqual([]);
  });

  it("exchanges an API key at /auth/login once, acts as the key's user (it may create), and never shows the key", async () => {
    await admin("DELETE", "/counters");
    const keyed = open({ method: "api-key-exchange", apiKey: emu.credentials.apiToken }, "zenml-keyed");
    const org = await keyed.createOrganization({ name: "By an API key", owner_id: "9a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d" }, null, identity("by-key"));
    expect((await keyed.getOrganization(org.id))?.name).toBe("By an API key");
    expect((await keyed.findOrganizations({ name: "By an API key" })).map((o) => o.id)).toEqual([org.id]);
    const counters = (await admin("GET", "/counters")).body.dialects.zenml.routes;
    expect(counters["POST /zenml/auth/login"]?.statuses).toEqual({ 200: 1 });
    const err = await rejection(open({ method: "api-key-exchange", apiKey: "ZENPROKEY_not-this-one-4f2" }, "zenml-bad-key").findOrganizations({}));
    expect(err.code).toBe("AUTH");
    expect(err.message).toBe(`cannot exchange the API key for an access token at ${emu.baseUrls.zenml}/auth/login: HTTP 401 (CredentialsNotValid: Authentication error: invalid API key); check the API key`);
    expect(JSON.stringify(err) + err.message).not.toContain("ZENPROKEY_not-this-one-4f2");
  });

  it("tells a service account's API key, in one sentence with ZenML's reason, that it cannot create; it may update", async () => {
    const seeded = await admin("POST", "/seed", { zenml: { organizations: [{ name: "Bot home", service_accounts: [{ name: "ci-bot", api_key: "ZENPROKEY_ci-bot-7e1" }] }] } });
    expect(seeded.status, JSON.stringify(seeded.body)).toBe(201);
    const bot = open({ method: "api-key-exchange", apiKey: "ZENPROKEY_ci-bot-7e1" }, "zenml-bot");
    const err = await rejection(bot.createOrganization({ name: "By a bot" }, null, identity("by-bot")));
    expect(err.code).toBe("REFUSED");
    expect(err.message).toBe(
      `ZenML Pro cannot create organization "By a bot" with these credentials: this API key (ZENML_API_KEY) is a service account's (Service accounts are not allowed to create organizations); ` +
        `create it with a user's credential (ZENML_API_KEY or orgform:apiKey holding a user's key, or ZENML_API_TOKEN or orgform:token) or create it in ZenML Pro and adopt it with adopt: {name: "By a bot"}`,
    );
    const home = (await bot.findOrganizations({ name: "Bot home" }))[0]!;
    expect((await bot.updateOrganization(home.id, { description: "kept by a bot" }, undefined)).fields.description).toBe("kept by a bot");
  });

  it("exchanges the API key again once on a 401 (its access token revoked) and sends the request again", async () => {
    const keyed = open({ method: "api-key-exchange", apiKey: emu.credentials.apiToken }, "zenml-keyed-renew");
    await keyed.findOrganizations({ name: "nothing" });
    await admin("DELETE", "/counters");
    await admin("DELETE", "/access-tokens?dialect=zenml");
    const org = await keyed.createOrganization({ name: "After renewal", owner_id: "9b1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d" }, null, identity("renewed"));
    expect(org.name).toBe("After renewal");
    const counters = (await admin("GET", "/counters")).body.dialects.zenml.routes;
    expect(counters["POST /zenml/auth/login"]?.statuses).toEqual({ 200: 1 });
    expect(counters["POST /organizations"]?.statuses).toEqual({ 200: 1, 401: 1 });
  });

  it("lets a service account read, update and delete", async () => {
    const org = await user.createOrganization({ name: "Robot run", owner_id: "8a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d" }, null, identity("robot-run"));
    expect((await robot.getOrganization(org.id))?.name).toBe("Robot run");
    expect((await robot.updateOrganization(org.id, { description: "by a robot" }, undefined)).fields.description).toBe("by a robot");
    await robot.deleteOrganization(org.id);
    expect(await robot.getOrganization(org.id)).toBeUndefined();
  });

  it("reads the subscription status, and never sends the id in a PATCH", async () => {
    const org = (await user.findOrganizations({ name: "Declared" }))[0]!;
    expect((await user.getOrganization(org.id))?.fields).toMatchObject({ has_active_subscription: true, trial_expiry: expect.any(Number) });
    await admin("DELETE", "/requests");
    await user.updateOrganization(org.id, { id: org.id, description: "patched" }, undefined);
    const [patch] = (await admin("GET", "/requests?dialect=zenml")).body.requests;
    expect(patch).toMatchObject({ method: "PATCH", body: { description: "patched" } });
    expect(patch.body).not.toHaveProperty("id");
  });

  it("answers an id that is not a UUID as no organization, without asking (the route would match a name)", async () => {
    await admin("DELETE", "/requests");
    expect(await user.getOrganization("Declared")).toBeUndefined();
    await expect(user.deleteOrganization("Declared")).resolves.toBeUndefined();
    expect((await rejection(user.updateOrganization("Declared", { description: "x" }, undefined))).code).toBe("NOT_FOUND");
    expect((await admin("GET", "/requests?dialect=zenml")).body.requests).toEqual([]);
  });
});

describe("the ZenML Pro API key exchange, with short-lived access tokens", () => {
  let short: StartedEmulator;
  beforeAll(async () => {
    short = await startEmulator({ port: 0, db: ":memory:", credentials: { tokenTtlSeconds: 1 } });
  });
  afterAll(async () => {
    await short?.close();
  });

  it("exchanges the key again before its access token expires, so no request meets a 401", async () => {
    const keyed = openBackend({ backend: "zenml", endpoint: short.baseUrls.zenml!, credentials: { method: "api-key-exchange", apiKey: short.credentials.apiToken }, sources: {} }, "zenml-short");
    await keyed.findOrganizations({});
    await keyed.findOrganizations({});
    await new Promise((r) => setTimeout(r, 1200));
    await keyed.findOrganizations({});
    const routes = (await call(short.url + "/_admin", "GET", "/counters", { auth: { bearer: short.credentials.adminToken } })).body.dialects.zenml.routes;
    expect(routes["POST /zenml/auth/login"]?.statuses).toEqual({ 200: 2 });
    expect(routes["GET /organizations"]?.statuses).toEqual({ 200: 3 });
  });
});

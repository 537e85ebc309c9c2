// OAuth2 client credentials end to end: the emulator core's token endpoint (for any dialect that
// declares it) and the HTTP client's credential kind (one token per credential, renewed before it
// expires and once on a 401, never in an error). Over real HTTP on 127.0.0.1.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DIALECTS } from "../../emulator/dialects";
import { startEmulator, type StartedEmulator } from "../../emulator";
import { HttpClient } from "../../provider/http/client";
import { clientAuth } from "../../provider/http/credentials";
import { isOrgformError } from "../../provider/core/errors";
import { echoDialect } from "../support/echo-dialect";
import { ADMIN, call, rejection } from "./helpers";

const CLIENT = { clientId: "ci-client", clientSecret: "ci-secret-5e2b9d" };
let emu: StartedEmulator;
let tokenUrl: string;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, db: ":memory:", dialects: [...Object.values(DIALECTS), echoDialect], credentials: { oauthClients: [CLIENT], adminToken: ADMIN } });
  tokenUrl = emu.tokenUrls.echo;
});
afterAll(async () => {
  await emu?.close();
});

const admin = (method: string, path: string, body?: unknown) => call(`${emu.url}/_admin`, method, path, { auth: { bearer: ADMIN }, body });
const form = (fields: Record<string, string | undefined>) => ({ rawBody: new URLSearchParams(Object.entries(fields).filter((e): e is [string, string] => e[1] !== undefined)).toString(), contentType: "application/x-www-form-urlencoded", auth: null });
const tokenRequests = async () => (await admin("GET", "/counters")).body.dialects.echo?.routes["POST /echo/oauth/token"]?.count ?? 0;
const unauthorized = async () => (await admin("GET", "/counters")).body.dialects.echo?.routes["GET /whoami"]?.statuses["401"] ?? 0;

describe("the emulator's token endpoint", () => {
  it("is announced for the dialects that declare it, and only those", () => {
    const declaring = [...Object.values(DIALECTS), echoDialect].filter((d) => d.oauth2);
    expect(emu.tokenUrls).toEqual(Object.fromEntries(declaring.map((d) => [d.name, `${emu.url}${d.oauth2!.tokenPath}`])));
    expect(emu.tokenUrls.echo).toBe(`${emu.url}/echo/oauth/token`);
    for (const d of Object.values(DIALECTS).filter((x) => !x.oauth2)) expect(emu.tokenUrls).not.toHaveProperty(d.name);
  });

  it("issues a bearer token for a form-encoded client credentials grant, which the dialect then accepts", async () => {
    const res = await call(emu.url, "POST", "/echo/oauth/token", form({ grant_type: "client_credentials", client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ token_type: "bearer", expires_in: 3600 });
    expect(res.headers.get("cache-control")).toBe("no-store");
    const who = await call(`${emu.url}/echo`, "GET", "/whoami", { auth: { bearer: res.body.access_token } });
    expect(who.body).toMatchObject({ kind: "access-token", issued: { via: "oauth2-client-credentials", subject: CLIENT.clientId } });
  });

  it("takes the client in an HTTP Basic header and a JSON body, as some vendors' clients send it", async () => {
    const basic = Buffer.from(`${CLIENT.clientId}:${CLIENT.clientSecret}`).toString("base64");
    const res = await call(emu.url, "POST", "/echo/oauth/token", { auth: { headers: { authorization: `Basic ${basic}` } }, body: { grant_type: "client_credentials", scope: "provisioning-api" } });
    expect(res.status).toBe(200);
    expect(res.body.scope).toBe("provisioning-api");
  });

  it.each([
    { what: "a wrong secret", fields: { grant_type: "client_credentials", client_id: CLIENT.clientId, client_secret: "wrong" }, status: 401, error: "invalid_client" },
    { what: "an unknown client", fields: { grant_type: "client_credentials", client_id: "nobody", client_secret: "x" }, status: 401, error: "invalid_client" },
    { what: "another grant type", fields: { grant_type: "password", client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret }, status: 400, error: "unsupported_grant_type" },
    { what: "no grant type", fields: { client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret }, status: 400, error: "invalid_request" },
  ])("refuses $what with an RFC 6749 error ($error)", async ({ fields, status, error }) => {
    const res = await call(emu.url, "POST", "/echo/oauth/token", form(fields));
    expect(res.status).toBe(status);
    expect(res.body.error).toBe(error);
    expect(JSON.stringify(res.body)).not.toContain(CLIENT.clientSecret);
  });

  it("binds an issued token to its dialect: another dialect refuses it", async () => {
    const res = await call(emu.url, "POST", "/echo/oauth/token", form({ grant_type: "client_credentials", client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret }));
    const other = await call(emu.baseUrls.cloudflare, "GET", "/organizations", { auth: { bearer: res.body.access_token } });
    expect(other.status).toBe(401);
  });

  it("accepts clients added through the admin API, with their own token lifetime, until they are removed", async () => {
    expect((await admin("POST", "/oauth-clients", { client_id: "added", client_secret: "added-secret-1", token_ttl_seconds: 60 })).status).toBe(201);
    const res = await call(emu.url, "POST", "/echo/oauth/token", form({ grant_type: "client_credentials", client_id: "added", client_secret: "added-secret-1" }));
    expect(res.body.expires_in).toBe(60);
    expect((await admin("GET", "/oauth-clients")).body.clients).toContainEqual({ client_id: "added" });
    expect((await admin("DELETE", "/oauth-clients/added")).status).toBe(200);
    expect((await call(emu.url, "POST", "/echo/oauth/token", form({ grant_type: "client_credentials", client_id: "added", client_secret: "added-secret-1" }))).status).toBe(401);
  });

  it("keeps token requests out of the request journal (their bodies hold client secrets)", async () => {
    const journal = await admin("GET", "/requests?dialect=echo");
    expect(JSON.stringify(journal.body)).not.toContain(CLIENT.clientSecret);
  });
});

describe("the HTTP client's OAuth2 client credentials", () => {
  beforeEach(async () => {
    await admin("DELETE", "/counters");
  });

  const client = (c: { clientId: string; clientSecret: string } = CLIENT) => {
    const auth = clientAuth({ method: "oauth2-client-credentials", clientId: c.clientId, clientSecret: c.clientSecret, tokenUrl });
    return new HttpClient({ baseUrl: `${emu.url}/echo`, headers: () => auth.headers(), onUnauthorized: () => auth.onUnauthorized!(), retry: { baseDelayMs: 5 } });
  };

  it("exchanges its credential once and shares the token among concurrent requests and clients", async () => {
    const fresh = { clientId: "shared", clientSecret: "shared-secret-7" };
    await admin("POST", "/oauth-clients", { client_id: fresh.clientId, client_secret: fresh.clientSecret });
    const [a, b] = [client(fresh), client(fresh)];
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).send({ method: "GET", path: "/whoami" })));
    expect(answers.every((r) => r.status === 200 && r.body && (r.body as { kind: string }).kind === "access-token")).toBe(true);
    expect(await tokenRequests()).toBe(1);
  });

  it("renews the token before it expires, so no request meets a 401", async () => {
    const shortLived = { clientId: "short-lived", clientSecret: "short-secret-2" };
    await admin("POST", "/oauth-clients", { client_id: shortLived.clientId, client_secret: shortLived.clientSecret, token_ttl_seconds: 1 });
    const http = client(shortLived);
    expect((await http.send({ method: "GET", path: "/whoami" })).status).toBe(200);
    expect((await http.send({ method: "GET", path: "/whoami" })).status).toBe(200);
    expect(await tokenRequests()).toBe(1);
    await new Promise((r) => setTimeout(r, 1200));
    expect((await http.send({ method: "GET", path: "/whoami" })).status).toBe(200);
    expect(await tokenRequests()).toBe(2);
    expect(await unauthorized()).toBe(0);
  });

  it("renews once on a 401 (a token revoked by the server) and sends the request again, a POST included", async () => {
    const http = client();
    expect((await http.send({ method: "GET", path: "/whoami" })).status).toBe(200);
    await admin("DELETE", "/access-tokens?dialect=echo");
    const res = await http.send({ method: "POST", path: "/things", body: { n: 1 } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ got: { n: 1 } });
    expect((await admin("GET", "/counters")).body.dialects.echo.routes["POST /things"].statuses).toEqual({ 200: 1, 401: 1 });
  });

  it("fails with AUTH naming the token URL, never the secret, when the client is refused", async () => {
    const err = await rejection(client({ clientId: CLIENT.clientId, clientSecret: "not-the-secret-9f1" }).send({ method: "GET", path: "/whoami" }));
    expect(isOrgformError(err, "AUTH")).toBe(true);
    expect(err.message).toContain(tokenUrl);
    expect(err.message).toContain("invalid_client");
    expect(err.message + JSON.stringify(err)).not.toContain("not-the-secret-9f1");
  });
});

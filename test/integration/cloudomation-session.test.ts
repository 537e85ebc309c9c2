import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type StartedEmulator } from "../../emulator";
import { openBackend } from "../../provider/backends";
import type { Connection } from "../../provider/config/connection";
import { isOrgformError } from "../../provider/core/errors";
import { loginAnswerProblem, parseSetCookie } from "../../provider/http/credentials";
import { ADMIN, call, rejection } from "./helpers";

/**
 * The session-login credential kind through the real adapter and HTTP client: the login sent as
 * Cloudomation's own client sends it (devstack-cli 12.0.1: `POST /api/latest/auth/login` with
 * `{user_name, password, twofa_code, authentication_method}`), both answers that open a session
 * taken (the client's 200 with the user as JSON, the emulator's; Engine 7's documented 302, from a
 * proxy in front of the emulator that turns the 200 into a 302 with the same cookie), one login per
 * credential for the process, the cookie sent back, renewed before it expires and once on a 401,
 * and the password in no journal, error or message.
 */
const USER = { user_name: "kevin", password: "kevins-password-1" };
let emu: StartedEmulator;
let orgId: string;

const sessionsOpened = (): number => (emu.store.sqlite.prepare("SELECT count(*) AS n FROM access_tokens WHERE via = 'session'").get() as { n: number }).n;
const admin = (method: string, path: string, body?: unknown) => call(emu.url + "/_admin", method, path, { auth: { bearer: ADMIN }, body });

function backendAs(userName: string, password: string, endpoint = emu.baseUrls.cloudomation) {
  const connection: Connection = { backend: "cloudomation", endpoint, credentials: { method: "session-login", userName, password }, sources: {} };
  return openBackend(connection, `session-${userName}`);
}

/**
 * A proxy in front of the emulator that answers the login as `mode` says (everything else passes
 * through) and keeps the login bodies it saw.
 */
type LoginMode = "as-is" | "engine7-302" | "html-200" | "302-without-cookie";
let proxy: Server;
let proxyBase: string;
let mode: LoginMode = "as-is";
const loginBodies: Record<string, unknown>[] = [];

function startProxy(target: URL): Promise<void> {
  proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const login = req.method === "POST" && req.url?.endsWith("/auth/login");
      if (login) loginBodies.push(JSON.parse(body.toString("utf8")));
      const up = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        const got: Buffer[] = [];
        answer.on("data", (c: Buffer) => got.push(c));
        answer.on("end", () => {
          const cookie = answer.headers["set-cookie"];
          if (!login || mode === "as-is" || answer.statusCode !== 200) {
            res.writeHead(answer.statusCode!, answer.headers);
            return res.end(Buffer.concat(got));
          }
          if (mode === "engine7-302") res.writeHead(302, { location: "/", "set-cookie": cookie! }).end();
          else if (mode === "html-200") res.writeHead(200, { "content-type": "text/html", "set-cookie": cookie! }).end("<html>Sign in</html>");
          else res.writeHead(302, { location: "/" }).end();
        });
      });
      up.end(body);
    });
  });
  return new Promise((resolve) => proxy.listen(0, "127.0.0.1", () => resolve()));
}

beforeAll(async () => {
  emu = await startEmulator({ port: 0, db: ":memory:", credentials: { tokenTtlSeconds: 2 } });
  const seeded = await admin("POST", "/seed", { cloudomation: { organizations: [{ name: "Session Co", users: [USER] }, { name: "Not Visible" }] } });
  orgId = seeded.body.organizations[0].id;
  const target = new URL(emu.baseUrls.cloudomation);
  await startProxy(target);
  proxyBase = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}${target.pathname}`;
});
afterAll(async () => {
  await new Promise((r) => proxy?.close(r));
  await emu?.close();
});
beforeEach(() => {
  emu.store.sqlite.prepare("DELETE FROM access_tokens").run();
});

describe("a session login", () => {
  it("logs in once for every client of the same credential, and sees its workspace's one organization", async () => {
    const [a, b] = [backendAs(USER.user_name, USER.password), backendAs(USER.user_name, USER.password)];
    const found = await Promise.all([a.findOrganizations({}), b.findOrganizations({}), a.getOrganization(orgId), b.findOrganizations({ name: "Not Visible" })]);
    expect(found[0].map((o) => o.id)).toEqual([orgId]);
    expect(found[1].map((o) => o.id)).toEqual([orgId]);
    expect(found[2]?.name).toBe("Session Co");
    expect(found[3]).toEqual([]);
    expect(sessionsOpened()).toBe(1);
  });

  it("logs in again, once, when the server ends the session (401), and the request goes through", async () => {
    const backend = backendAs(USER.user_name, USER.password);
    await backend.getOrganization(orgId);
    await admin("DELETE", "/access-tokens?dialect=cloudomation");
    const updated = await backend.updateOrganization(orgId, { city: "Graz" }, undefined);
    expect(updated.fields.city).toBe("Graz");
    expect(sessionsOpened()).toBe(1);
    const statuses = (await admin("GET", "/counters")).body.dialects.cloudomation.routes["PATCH /organization/:id"].statuses;
    expect(statuses).toMatchObject({ 401: 1, 200: 1 });
  });

  it("renews the session before its cookie expires", async () => {
    const backend = backendAs(USER.user_name, USER.password);
    await backend.getOrganization(orgId);
    await admin("DELETE", "/counters");
    await new Promise((r) => setTimeout(r, 2100));
    expect((await backend.getOrganization(orgId))?.id).toBe(orgId);
    // The first session has expired on the server: had it been sent, the answer would be a 401.
    expect((await admin("GET", "/counters")).body.dialects.cloudomation.routes["GET /organization/:id"].statuses).toEqual({ 200: 1 });
  });

  it("fails with AUTH naming the login URL and the user, never the password, when the password is wrong", async () => {
    const err = await rejection(backendAs(USER.user_name, "not-the-password-42").findOrganizations({}));
    expect(isOrgformError(err, "AUTH")).toBe(true);
    expect(err.message).toBe(`cannot log in at ${emu.baseUrls.cloudomation}/auth/login as kevin: HTTP 401 (wrong user name or password); check the user name and password`);
    expect(err.message + JSON.stringify(err) + String(err.stack)).not.toContain("not-the-password-42");
    const journal = await admin("GET", "/requests?dialect=cloudomation");
    expect(JSON.stringify(journal.body)).not.toContain("password");
  });
});

describe("the two answers that open a session", () => {
  beforeEach(() => {
    loginBodies.length = 0;
    mode = "as-is";
  });

  it("logs in as devstack-cli does, and takes its 200 with the user as JSON and the cookie", async () => {
    // A password only this test uses: the session cache is per credential for the process.
    await admin("POST", "/seed", { cloudomation: { organizations: [{ id: orgId, name: "Session Co", users: [{ user_name: "client-way", password: "client-way-password" }] }] } });
    const found = await backendAs("client-way", "client-way-password", proxyBase).findOrganizations({});
    expect(found.map((o) => o.id)).toEqual([orgId]);
    expect(loginBodies).toEqual([{ authentication_method: "cloudomation", twofa_code: "", user_name: "client-way", password: "client-way-password" }]);
  });

  it("takes Engine 7's documented 302 with Set-Cookie as well", async () => {
    await admin("POST", "/seed", { cloudomation: { organizations: [{ id: orgId, name: "Session Co", users: [{ user_name: "engine-seven", password: "engine-seven-password" }] }] } });
    mode = "engine7-302";
    const found = await backendAs("engine-seven", "engine-seven-password", proxyBase).getOrganization(orgId);
    expect(found?.name).toBe("Session Co");
    expect(loginBodies).toHaveLength(1);
  });

  it.each([
    ["html-200", "AUTH", /HTTP 200 without a JSON object \(text\/html\), not a login answer: check the endpoint$/],
    // A redirect without a session is a login page elsewhere (a wrong endpoint), reported as a redirect.
    ["302-without-cookie", "PROTOCOL", /answered a redirect \(HTTP 302[^)]*\) without a session cookie, which orgform does not follow: check the endpoint$/],
  ] as const)("refuses a login answered %s, with %s and nothing else sent", async (m, code, message) => {
    await admin("POST", "/seed", { cloudomation: { organizations: [{ id: orgId, name: "Session Co", users: [{ user_name: `refused-${m}`, password: "refused-password" }] }] } });
    mode = m;
    await admin("DELETE", "/requests");
    const err = await rejection(backendAs(`refused-${m}`, "refused-password", proxyBase).findOrganizations({}));
    expect(isOrgformError(err, code)).toBe(true);
    expect(err.message).toMatch(message);
    expect((await admin("GET", "/requests?dialect=cloudomation")).body.requests).toEqual([]);
  });

  it.each([
    [{ status: 200, headers: { "set-cookie": "token=a" }, body: { identity_id: "x" } }, undefined],
    [{ status: 302, headers: { "set-cookie": "token=a" }, body: undefined }, undefined],
    [{ status: 303, headers: { "set-cookie": "token=a" }, body: "" }, undefined],
    [{ status: 200, headers: {}, body: { identity_id: "x" } }, "HTTP 200 without a session cookie"],
    [{ status: 200, headers: { "set-cookie": "token=a" }, body: [] }, "HTTP 200 without a JSON object (no content type), not a login answer: check the endpoint"],
    [{ status: 204, headers: { "set-cookie": "token=a" }, body: undefined }, "HTTP 204: expected 200 (or Engine 7's 302) with a session cookie"],
    [{ status: 401, headers: {}, body: { message: "wrong user name or password" } }, "HTTP 401 (wrong user name or password); check the user name and password"],
  ])("loginAnswerProblem(%j) is %j", (res, problem) => {
    expect(loginAnswerProblem(res as { status: number; headers: Record<string, string>; body: unknown })).toBe(problem);
  });
});

describe("parseSetCookie", () => {
  it.each([
    { header: "token=abc; Path=/; HttpOnly; Max-Age=60", cookie: "token=abc", expiresIn: 60_000 },
    { header: "token=abc; Expires=Wed, 21 Oct 2026 07:28:00 GMT, other=x; Path=/", cookie: "token=abc; other=x", expiresAt: Date.parse("Wed, 21 Oct 2026 07:28:00 GMT") },
    { header: "token=a=b; Path=/", cookie: "token=a=b" },
  ])("reads $header", ({ header, cookie, expiresIn, expiresAt }) => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    const parsed = parseSetCookie(header, now);
    expect(parsed.cookie).toBe(cookie);
    expect(parsed.expiresAt).toBe(expiresIn !== undefined ? now + expiresIn : expiresAt);
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type StartedEmulator } from "../../emulator";
import { openBackend } from "../../provider/backends";
import type { Connection } from "../../provider/config/connection";
import { isOrgformError } from "../../provider/core/errors";
import { parseSetCookie } from "../../provider/http/credentials";
import { ADMIN, call, rejection } from "./helpers";

/**
 * The session-login credential kind (Cloudomation Engine 7: `POST /api/latest/auth/login` with
 * `{user_name, password}`, answered 302 with a session cookie) through the real adapter and HTTP
 * client: one login per credential for the process, the cookie sent back, renewed before it
 * expires and once on a 401, and the password in no journal, error or message.
 */
const USER = { user_name: "kevin", password: "kevins-password-1" };
let emu: StartedEmulator;
let orgId: string;

const sessionsOpened = (): number => (emu.store.sqlite.prepare("SELECT count(*) AS n FROM access_tokens WHERE via = 'session'").get() as { n: number }).n;
const admin = (method: string, path: string, body?: unknown) => call(emu.url + "/_admin", method, path, { auth: { bearer: ADMIN }, body });

function backendAs(userName: string, password: string) {
  const connection: Connection = { backend: "cloudomation", endpoint: emu.baseUrls.cloudomation, credentials: { method: "session-login", userName, password }, sources: {} };
  return openBackend(connection, `session-${userName}`);
}

beforeAll(async () => {
  emu = await startEmulator({ port: 0, db: ":memory:", credentials: { tokenTtlSeconds: 2 } });
  const seeded = await admin("POST", "/seed", { cloudomation: { organizations: [{ name: "Session Co", users: [USER] }, { name: "Not Visible" }] } });
  orgId = seeded.body.organizations[0].id;
});
afterAll(async () => {
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

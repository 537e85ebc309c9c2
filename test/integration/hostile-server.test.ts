// Every backend's reads (adapter get and list, profiles and members where it has them) against answers that are
// not the vendor's (test/support/hostile-server.ts): an HTML page, 404 to every route in no vendor's
// shape, JSON of another shape, a server that never answers, and the emulator itself under a wrong
// base path (404 in the vendor's shape, but "no such route"). Each is one error naming the endpoint
// (code PROTOCOL, or the timeout naming its setting), never "gone" (undefined), never an empty list,
// never a TypeError. Over real HTTP on 127.0.0.1; credentials are the emulator's (a token URL stays
// on the emulator, so the API's own answers are what is tested).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type StartedEmulator } from "../../emulator";
import { implementedVendors, openBackend } from "../../provider/backends";
import { hasMembers, hasProfiles, type FullBackend } from "../../provider/backends/types";
import type { Connection } from "../../provider/config/connection";
import type { BackendName } from "../../provider/core/backends";
import { OrgformError } from "../../provider/core/errors";
import { emulatorCredentials } from "../../scripts/emulator-credentials";
import { startHostileServer, type HostileServer } from "../support/hostile-server";

const ID = "00000000-0000-4000-8000-000000000001";

let emu: StartedEmulator;
let hostile: HostileServer;
beforeAll(async () => {
  [emu, hostile] = await Promise.all([startEmulator({ port: 0, host: "127.0.0.1", db: ":memory:" }), startHostileServer()]);
});
afterAll(async () => {
  await Promise.all([emu?.close(), hostile?.close()]);
});

let seq = 0;
function open(backend: BackendName, endpoint: string, requestTimeout?: number): FullBackend {
  const connection: Connection = { backend, endpoint, credentials: emulatorCredentials(backend, emu).credentials, sources: {}, ...(requestTimeout ? { requestTimeout } : {}) };
  return openBackend(connection, `hostile-${backend}-${++seq}`);
}

/** The reads a refresh, an export and a drift make, each settled. */
async function reads(api: FullBackend): Promise<Record<string, PromiseSettledResult<unknown>>> {
  const calls: Record<string, () => Promise<unknown>> = {
    getOrganization: () => api.getOrganization(ID),
    findOrganizations: () => api.findOrganizations({}),
    ...(api.listAllOrganizations ? { listAllOrganizations: () => api.listAllOrganizations!() } : {}),
    ...(hasProfiles(api) ? { getProfile: () => api.getProfile(ID) } : {}),
    ...(hasMembers(api) ? { listMembers: () => api.listMembers(ID) } : {}),
  };
  const settled = await Promise.allSettled(Object.values(calls).map((c) => c()));
  return Object.fromEntries(Object.keys(calls).map((k, i) => [k, settled[i]]));
}

function expectAllRefused(results: Record<string, PromiseSettledResult<unknown>>, code: string, endpoint: string, message?: RegExp): void {
  for (const [call, r] of Object.entries(results)) {
    expect(r.status, `${call} answered ${JSON.stringify((r as PromiseFulfilledResult<unknown>).value)}`).toBe("rejected");
    const err = (r as PromiseRejectedResult).reason as Error;
    expect(err, `${call}: ${err}`).toBeInstanceOf(OrgformError);
    expect((err as OrgformError).code, `${call}: ${err.message}`).toBe(code);
    expect(err.message, call).toContain(endpoint);
    expect(err.message, call).not.toMatch(/TypeError|is not iterable|undefined/);
    expect(err.message.split("\n"), call).toHaveLength(1);
    if (message) expect(err.message, call).toMatch(message);
  }
}

describe.each(implementedVendors())("the %s adapter", (backend) => {
  it("refuses an HTML page answered 200: PROTOCOL naming the endpoint, the status, the content type and the first bytes", async () => {
    const endpoint = hostile.endpoint("html");
    expectAllRefused(await reads(open(backend, endpoint)), "PROTOCOL", endpoint, /HTTP 200 \(text\/html; charset=utf-8\).*"<!DOCTYPE html>/);
  });

  it("never reads a 404 in no vendor's shape as gone, nor as an empty list", async () => {
    const endpoint = hostile.endpoint("404");
    expectAllRefused(await reads(open(backend, endpoint)), "PROTOCOL", endpoint, /HTTP 404/);
  });

  it("refuses JSON of another shape, saying which field is wrong", async () => {
    const endpoint = hostile.endpoint("wrong-json");
    expectAllRefused(await reads(open(backend, endpoint)), "PROTOCOL", endpoint, /expected|session cookie/);
  });

  it("never reads the emulator's own no-such-route 404 (a wrong base path) as gone", async () => {
    const endpoint = `${emu.baseUrls[backend]}/wrong-base-path`;
    // A credential exchanged at the endpoint (a session login, ZenML's API key at <endpoint>/auth/login)
    // is refused first, since the emulator authenticates before it routes: an error too, never "gone".
    const code = ["session-login", "api-key-exchange"].includes(emulatorCredentials(backend, emu).credentials.method) ? "AUTH" : "PROTOCOL";
    expectAllRefused(await reads(open(backend, endpoint)), code, endpoint);
  });

  it("fails within the request timeout against a server that never answers, naming the endpoint and the setting", async () => {
    const endpoint = hostile.endpoint("hang");
    const started = Date.now();
    const results = await reads(open(backend, endpoint, 0.5));
    // undici checks its headers timeout on a coarse (about 1 s) timer.
    expect(Date.now() - started).toBeLessThan(5_000);
    expectAllRefused(results, "TRANSIENT", endpoint, /no answer within 0\.5 s .*ORGFORM_REQUEST_TIMEOUT \/ orgform:requestTimeout/);
  });

  it("still answers a missing object as gone when the vendor says so in its own shape", async () => {
    expect(await open(backend, emu.baseUrls[backend]).getOrganization(ID)).toBeUndefined();
  });
});

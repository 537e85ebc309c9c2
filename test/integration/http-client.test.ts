// The one HTTP client (provider/http/client.ts) against the emulator over real HTTP, with faults and
// rate limits switched on through the admin API: what it retries, what it refuses to retry, how long
// it waits, and that no credential ever reaches a thrown error.
import { createServer } from "node:net";
import { inspect } from "node:util";
import { rejection } from "./helpers";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type StartedEmulator } from "../../emulator";
import { AmbiguousWriteError, HttpClient, HttpStatusError, type HttpClientOptions, type HttpRequest } from "../../provider/http/client";
import { OrgformError } from "../../provider/core/errors";

/** A distinctive credential, so that any leak of it is found by a plain substring search. */
const SECRET = "sk-orgform-7f3a9c2e-SECRET-d41d8cd98f00";
const ADMIN = "admin-9b1c";

/** Table-driven cases named in full (it.each would truncate and quote interpolated values). */
function each<T>(table: T[], name: (c: T) => string, fn: (c: T) => Promise<void>): void {
  for (const c of table) it(name(c), () => fn(c));
}

let emu: StartedEmulator;
let base: string;
beforeAll(async () => {
  emu = await startEmulator({ port: 0, host: "127.0.0.1", db: ":memory:", credentials: { apiToken: SECRET, adminToken: ADMIN } });
  base = emu.baseUrls.cloudflare;
});
afterAll(async () => {
  await emu?.close();
});
beforeEach(async () => {
  await admin("POST", "/reset");
});

async function admin<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${emu.url}/_admin${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`admin ${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

const setFaults = (spec: string, seed = 1) => admin("PUT", "/faults", { spec, seed });

/** Requests and answers the emulator counted for one Cloudflare route (`GET /organizations/:organization_id`). */
async function route(key: string): Promise<{ count: number; statuses: Record<string, number> }> {
  const counters = await admin("GET", "/counters");
  return counters.dialects.cloudflare?.routes[key] ?? { count: 0, statuses: {} };
}

async function orgsNamed(name: string): Promise<unknown[]> {
  const state = await admin("GET", "/state?backend=cloudflare");
  return state.organizations.filter((o: { name: string }) => o.name === name);
}

let pacingSeq = 0;
function client(overrides: Partial<HttpClientOptions> = {}): HttpClient {
  return new HttpClient({
    baseUrl: base,
    headers: () => ({ authorization: `Bearer ${SECRET}` }),
    retry: { baseDelayMs: 5, maxDelayMs: 200 },
    pacingKey: `http-client-test-${++pacingSeq}`,
    ...overrides,
  });
}

let nameSeq = 0;
const aName = (label: string) => `Http ${label} ${++nameSeq}`;

/** Creates an organization without faults; returns its id. */
async function anOrganization(name = aName("org")): Promise<string> {
  const res = await client().send({ method: "POST", path: "/organizations", body: { name } });
  expect(res.status).toBe(200);
  return (res.body as { result: { id: string } }).result.id;
}

/** The credential appears nowhere in the error: message, cause, stack, or anything inspect reaches. */
function expectNoSecret(err: unknown): void {
  const e = err as Error & { cause?: unknown };
  expect(e.message).not.toContain(SECRET);
  expect(String(e.cause)).not.toContain(SECRET);
  expect(String(e.stack)).not.toContain(SECRET);
  expect(inspect(err, { depth: 10, showHidden: true })).not.toContain(SECRET);
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

const GET_ORG = "GET /organizations/:organization_id";
const POST_ORGS = "POST /organizations";
const PUT_ORG = "PUT /organizations/:organization_id";
const DELETE_ORG = "DELETE /organizations/:organization_id";

/** Latency well beyond undici's timeout resolution (its headers timeout runs on a ~1 s timer). */
const SLOW_MS = 2_500;

describe("retries of safe requests", () => {
  each([
    { faults: "500", spec: "error=1:500,count=2", statuses: { 500: 2, 200: 1 } },
    { faults: "502", spec: "error=1:502,count=2", statuses: { 502: 2, 200: 1 } },
    { faults: "503 (with Retry-After)", spec: "error=1:503,count=2", statuses: { 503: 2, 200: 1 } },
    { faults: "504", spec: "error=1:504,count=2", statuses: { 504: 2, 200: 1 } },
    { faults: "connection resets", spec: "reset=1,count=2", statuses: { reset: 2, 200: 1 } },
    {
      faults: "500, 502, 503 and a reset in a row",
      spec: "error=1:500,count=1;error=1:502,count=1;error=1:503,count=1;reset=1,count=1",
      statuses: { 500: 1, 502: 1, 503: 1, reset: 1, 200: 1 },
    },
  ], (c) => `retries a GET through ${c.faults} until it succeeds`, async ({ spec, statuses }) => {
    const id = await anOrganization();
    await setFaults(`${spec},method=GET`);
    const res = await client().send({ method: "GET", path: `/organizations/${id}` });
    expect(res.status).toBe(200);
    expect((res.body as { result: { id: string } }).result.id).toBe(id);
    const seen = await route(GET_ORG);
    expect(seen.statuses).toEqual(Object.fromEntries(Object.entries(statuses).map(([k, v]) => [k, v])));
    expect(seen.count).toBe(Object.values(statuses).reduce((a, b) => a + b, 0));
  });

  each([
    { faults: "503s", spec: "error=1:503,count=2", requests: 3 },
    { faults: "connection resets", spec: "reset=1,count=2", requests: 3 },
    { faults: "a 500 after the write committed", spec: "commit-then-fail=1:500,count=1", requests: 2 },
    { faults: "a reset after the write committed", spec: "commit-then-fail=1:reset,count=1", requests: 2 },
  ], (c) => `retries an idempotent PUT through ${c.faults}, and the write lands once`, async ({ spec, requests }) => {
    const id = await anOrganization();
    const name = aName("renamed");
    await setFaults(`${spec},method=PUT`);
    const res = await client().send({ method: "PUT", path: `/organizations/${id}`, body: { name } });
    expect(res.status).toBe(200);
    expect((await route(PUT_ORG)).count).toBe(requests);
    expect(await orgsNamed(name)).toHaveLength(1);
  });

  it("retries a DELETE that committed then failed; the retry finds it gone (404, answered, not thrown)", async () => {
    const id = await anOrganization();
    await setFaults("commit-then-fail=1:502,count=1,method=DELETE");
    const res = await client().send({ method: "DELETE", path: `/organizations/${id}` });
    expect(res.status).toBe(404);
    expect((await route(DELETE_ORG)).statuses).toEqual({ 502: 1, 404: 1 });
  });

  it("retries a POST whose connection was refused: it never reached a server", async () => {
    const port = await closedPort();
    const http = client({ baseUrl: `http://127.0.0.1:${port}/cloudflare/client/v4`, retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 } });
    const err = await rejection(http.send({ method: "POST", path: "/organizations", body: { name: "never sent" } }));
    expect(err).not.toBeInstanceOf(AmbiguousWriteError);
    expect(err.code).toBe("TRANSIENT");
    expect(err.message).toMatch(/gave up after 3 attempts \(ECONNREFUSED\)/);
    expectNoSecret(err);
  });
});

describe("writes whose outcome is unknown", () => {
  each([
    { after: "a 500", status: "500" },
    { after: "a 502", status: "502" },
    { after: "a 503", status: "503" },
    { after: "a connection reset", status: "reset" },
  ], (c) => `throws AmbiguousWriteError, without retrying, when a POST commits and then fails with ${c.after}`, async ({ status }) => {
    const name = aName("ambiguous");
    await setFaults(`commit-then-fail=1:${status},count=1,method=POST`);
    const err = await rejection(client().send({ method: "POST", path: "/organizations", body: { name } }));
    expect(err).toBeInstanceOf(AmbiguousWriteError);
    expect(err.code).toBe("AMBIGUOUS");
    expect(err.message).toContain("POST /organizations");
    expectNoSecret(err);
    // Why it must not be retried blindly: the organization was created.
    expect(await orgsNamed(name)).toHaveLength(1);
    expect((await route(POST_ORGS)).count).toBe(1);
  });

  it("throws AmbiguousWriteError when a POST times out, and does not send it again", async () => {
    // undici checks its headers timeout on a coarse (about 1 s) timer: the latency must exceed that.
    await setFaults(`latency=${SLOW_MS}ms,method=POST`);
    const http = client({ timeoutMs: 50 });
    const err = await rejection(http.send({ method: "POST", path: "/organizations", body: { name: aName("slow") } }));
    expect(err).toBeInstanceOf(AmbiguousWriteError);
    expectNoSecret(err);
    expect((await route(POST_ORGS)).count).toBe(1);
  });

  it("answers a POST's 4xx to the caller as it is (the caller decides)", async () => {
    const name = aName("taken");
    await anOrganization(name);
    const res = await client().send({ method: "POST", path: "/organizations", body: { name } });
    expect(res.status).toBe(409);
    expect((await route(POST_ORGS)).count).toBe(2);
  });
});

describe("rate limits", () => {
  it("retries a POST answered 429 once the Retry-After it was given has passed", async () => {
    await admin("PUT", "/rate-limit", { rate_per_second: 1, burst: 1 });
    // Spend the only token, and read the Retry-After the next request will be given.
    expect((await fetch(`${base}/organizations`, { headers: { authorization: `Bearer ${SECRET}` } })).status).toBe(200);
    const probe = await fetch(`${base}/organizations`, { headers: { authorization: `Bearer ${SECRET}` } });
    expect(probe.status).toBe(429);
    const retryAfterMs = Number(probe.headers.get("retry-after")) * 1000;
    expect(retryAfterMs).toBeGreaterThan(0);

    const name = aName("after 429");
    const t0 = performance.now();
    const res = await client({ retry: { baseDelayMs: 5, maxDelayMs: 5_000 } }).send({ method: "POST", path: "/organizations", body: { name } });
    const waited = performance.now() - t0;
    expect(res.status).toBe(200);
    expect(waited).toBeGreaterThanOrEqual(retryAfterMs);
    expect((await route(POST_ORGS)).statuses).toEqual({ 429: 1, 200: 1 });
    expect(await orgsNamed(name)).toHaveLength(1);
  });

  it("gives up on 429 after its attempts with RATE_LIMITED, waiting no longer than maxDelayMs each time", async () => {
    await admin("PUT", "/rate-limit", { rate_per_second: 0.1, burst: 1 });
    await fetch(`${base}/organizations`, { headers: { authorization: `Bearer ${SECRET}` } });
    const probe = await fetch(`${base}/organizations`, { headers: { authorization: `Bearer ${SECRET}` } });
    expect(probe.status).toBe(429);
    const retryAfterMs = Number(probe.headers.get("retry-after")) * 1000;
    expect(retryAfterMs).toBeGreaterThan(2 * 20);
    const t0 = performance.now();
    const err = await rejection(client({ retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 } }).send({ method: "GET", path: "/organizations" }));
    // Two waits of at most 20 ms: had it waited out the Retry-After (about 10 s) even once, it would
    // show. The bound is the Retry-After, not a guess of how fast a loaded machine answers.
    expect(performance.now() - t0).toBeLessThan(retryAfterMs);
    expect(err).toBeInstanceOf(HttpStatusError);
    expect(err.code).toBe("RATE_LIMITED");
    expect(err.message).toMatch(/rate limited 3 times/);
    expectNoSecret(err);
  });

  it("paces requests per endpoint and credential, one bucket shared by every client of them", async () => {
    const pacingKey = `shared-${Date.now()}`;
    const [a, b] = [client({ pacingKey, ratePerSecond: 20 }), client({ pacingKey, ratePerSecond: 20 })];
    const t0 = performance.now();
    // 20 tokens up front, then one per 50 ms: 30 requests need at least 10 more tokens, 500 ms.
    await Promise.all([a, b].map(async (c) => {
      for (let i = 0; i < 15; i++) expect((await c.send({ method: "GET", path: "/organizations" })).status).toBe(200);
    }));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(450);
  });
});

describe("giving up", () => {
  each([
    { what: "every answer is a 500", spec: "error=1:500", attempts: 3, sent: 3, timeoutMs: undefined, message: /^GET \/organizations\/\S+ \(after 3 attempts\): HTTP 500/ },
    { what: "every connection is reset", spec: "reset=1", attempts: 3, sent: 3, timeoutMs: undefined, message: /gave up after 3 attempts \((ECONNRESET|UND_ERR_SOCKET)\)/ },
    // A server that took the request and never answered will not answer the next attempt either: not retried.
    {
      what: "the answer does not come within the per-attempt timeout (sent once)",
      spec: `latency=${SLOW_MS}ms`,
      attempts: 3,
      sent: 1,
      timeoutMs: 50,
      message: /^GET http:\/\/\S+\/organizations\/\S+: no answer within 0\.05 s \(UND_ERR_HEADERS_TIMEOUT\); not retried: .*ORGFORM_REQUEST_TIMEOUT \/ orgform:requestTimeout/,
    },
  ], (c) => `gives up with a TRANSIENT error naming the endpoint, free of credentials, when ${c.what}`, async ({ spec, attempts, sent, timeoutMs, message }) => {
    const id = await anOrganization();
    await setFaults(`${spec},method=GET`);
    const req: HttpRequest = { method: "GET", path: `/organizations/${id}`, headers: { "x-request-token": SECRET } };
    const lines: string[] = [];
    const err = await rejection(client({ timeoutMs, retry: { attempts, baseDelayMs: 5, maxDelayMs: 50 }, onRetry: (l) => lines.push(l) }).send(req));
    expect(err.code).toBe("TRANSIENT");
    expect(err.message).toMatch(message);
    expectNoSecret(err);
    expect((await route(GET_ORG)).count).toBe(sent);
    // One line per retry, naming the endpoint and the attempt.
    expect(lines).toHaveLength(sent - 1);
    lines.forEach((l, i) => expect(l).toMatch(new RegExp(`^GET http://\\S+/organizations/\\S+: .*; attempt ${i + 1} of ${attempts} failed, retrying in \\d+\\.\\d s$`)));
  });

  it("keeps a credential sent in a per-request header out of an ambiguous write's error", async () => {
    await setFaults("commit-then-fail=1:reset,count=1,method=POST");
    const err = await rejection(
      client({ headers: () => ({}) }).send({ method: "POST", path: "/organizations", body: { name: aName("header") }, headers: { authorization: `Bearer ${SECRET}` } }),
    );
    expect(err).toBeInstanceOf(AmbiguousWriteError);
    expectNoSecret(err);
  });

  it("fails at once, without retrying and without calling it ambiguous, when a request cannot even be sent", async () => {
    // A credential with a line break (say, read from a file) is an invalid header value: nothing was sent.
    const http = client({ headers: () => ({ authorization: `Bearer ${SECRET}\nX-Injected: 1` }) });
    for (const method of ["GET", "POST"] as const) {
      const err = await rejection(http.send({ method, path: "/organizations", body: method === "POST" ? { name: aName("bad header") } : undefined }));
      expect(err).not.toBeInstanceOf(AmbiguousWriteError);
      expect(err.code).toBe("VALIDATION");
      expectNoSecret(err);
    }
    expect((await admin("GET", "/counters")).total).toBe(0);
  });
});

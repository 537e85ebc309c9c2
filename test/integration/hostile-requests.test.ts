/**
 * Hostile requests, over every dialect in DIALECTS (issue 16): what the core refuses before any
 * handler sees it answers in the dialect's own error shape (`dialect.errors`), never Fastify's or
 * Node's. Written against the `Dialect` interface and the common seed shape only, never a vendor's
 * route, so a dialect is covered the moment it is registered. Vendor routes (renaming an
 * organization, names) are in each dialect's own test file (cloudflare-hostile.test.ts).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type StartedEmulator } from "../../emulator";
import { DIALECTS } from "../../emulator/dialects";
import { MAX_LATENCY_MS } from "../../emulator/faults";
import { MAX_JSON_DEPTH, RequestRefusal, type RefusalReason } from "../../emulator/refusals";
import { DEFAULT_CREDENTIALS, type Dialect } from "../../emulator/types";
import { ADMIN, TOKEN } from "./helpers";

const dialects = Object.entries(DIALECTS) as [string, Dialect][];
const PROBE = "/orgform-hostile-probe"; // a path no dialect routes: the core must answer before any handler

interface Raw {
  status: number;
  contentType: string;
  text: string;
  body: any;
}

async function send(url: string, init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Raw> {
  const res = await fetch(url, { method: init.method ?? "GET", headers: init.headers, body: init.body });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, contentType: res.headers.get("content-type") ?? "", text, body };
}

/** A request written on a socket as is (what fetch refuses to send), and the answer's status line and body. */
function sendRaw(port: number, request: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let data = "";
    socket.on("data", (d) => (data += d.toString("latin1")));
    socket.on("error", reject);
    socket.on("close", () => {
      const [head = "", text = ""] = data.split("\r\n\r\n", 2);
      const status = Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1] ?? 0);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      resolve({ status, contentType: /content-type: ([^\r\n]+)/i.exec(head)?.[1] ?? "", text, body });
    });
    socket.end(request);
  });
}

const keysOf = (v: unknown): string[] => (typeof v === "object" && v !== null ? Object.keys(v).sort() : []);

/** The answer is the dialect's own: the status and envelope `dialect.errors` gives, JSON, no framework's words. */
function expectDialectShape(res: Raw, expected: { status: number; body: unknown }): void {
  expect(res.status).toBe(expected.status);
  expect(res.contentType).toMatch(/^application\/([\w.-]+\+)?json/); // JSON, or a vendor JSON type (JSON:API)
  expect(keysOf(res.body)).toEqual(keysOf(expected.body));
  // Fastify's and Node's own words (a dialect's envelope may name a status, as Cloudomation's does).
  expect(res.text).not.toMatch(/FST_ERR|"statusCode"|Client Error/);
}

const refusal = (dialect: Dialect, reason: RefusalReason) => dialect.errors.fromError(new RequestRefusal(reason, "probe"));

let emu: StartedEmulator;
let port: number;
const admin = (method: string, path: string, body?: unknown) =>
  send(`${emu.url}/_admin${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const stateSize = async () => {
  const s = (await admin("GET", "/state")).body;
  return s.organizations.length + s.members.length;
};

beforeAll(async () => {
  emu = await startEmulator({ port: 0, db: ":memory:" });
  port = Number(new URL(emu.url).port);
});
afterAll(async () => {
  await emu.close();
});
beforeEach(async () => {
  await admin("POST", "/reset");
});

describe.each(dialects)("the %s dialect, against hostile requests", (name, dialect) => {
  const base = () => emu.url + dialect.prefix;
  // The vendor's JSON media type (JSON:API's for Commerce Layer), with any parameters given.
  const mediaType = dialect.jsonMediaTypes?.[0] ?? "application/json";
  const json = (body: string | Buffer, contentType = mediaType) =>
    send(base() + PROBE, { method: "POST", headers: { authorization: `Bearer ${TOKEN}`, "content-type": contentType }, body });

  describe("JSON bodies", () => {
    it.each([
      ["a lone high surrogate in a value", '{"name":"Team \\ud800"}'],
      ["a lone low surrogate in a value", '{"name":"\\udc00Team"}'],
      ["a high surrogate followed by another high one", '{"name":"\\ud800\\ud800"}'],
      ["a lone surrogate in a key", '{"\\udbff":"x"}'],
      ["a lone surrogate deep in a list", `{"a":${"[".repeat(50)}"\\ud83d"${"]".repeat(50)}}`],
    ])("refuses %s (400) before any handler sees it, and stores nothing", async (_what, body) => {
      const before = await stateSize();
      expectDialectShape(await json(body), refusal(dialect, "malformed-json"));
      expect(await stateSize()).toBe(before);
    });

    it("takes a surrogate pair (an emoji, escaped) as the text it is: the handler answers, not the parser", async () => {
      const res = await json('{"name":"Team \\ud83d\\ude00"}');
      expect(res.status).not.toBe(400);
      expectDialectShape(res, dialect.errors.noRoute("POST", PROBE));
    });

    it.each([
      ["bytes that are not UTF-8 (Latin-1)", Buffer.from('{"name":"Caf\xe9"}', "latin1")],
      ["a surrogate encoded in UTF-8 bytes (CESU)", Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')])],
      ["JSON that does not parse", Buffer.from('{"name":')],
      ["JSON nested 100,000 deep (JSON.parse takes it; storing or answering it would not)", Buffer.from(`${"[".repeat(100_000)}${"]".repeat(100_000)}`)],
      ["JSON nested one level deeper than the limit", Buffer.from(`{"a":${"[".repeat(MAX_JSON_DEPTH)}${"]".repeat(MAX_JSON_DEPTH)}}`)],
      ["a prototype-poisoning key", Buffer.from('{"__proto__":{"admin":true}}')],
    ])("refuses %s (400)", async (_what, body) => {
      expectDialectShape(await json(body), refusal(dialect, "malformed-json"));
    });

    it.each([
      ["text/plain", "text/plain"],
      ["a form", "application/x-www-form-urlencoded"],
      ["JSON in another charset", "; charset=latin1"],
      ["JSON in UTF-16", "; charset=utf-16"],
    ])("refuses a body sent as %s (415, as documented)", async (_what, contentType) => {
      const type = contentType.startsWith(";") ? `${mediaType}${contentType}` : contentType;
      expectDialectShape(await json('{"name":"A"}', type), refusal(dialect, "unsupported-media-type"));
    });

    it("refuses a body without a media type (415)", async () => {
      const res = await send(base() + PROBE, { method: "POST", headers: { authorization: `Bearer ${TOKEN}` }, body: Buffer.from('{"name":"A"}') });
      expectDialectShape(res, refusal(dialect, "unsupported-media-type"));
    });

    it("refuses a body over the limit (413)", async () => {
      expectDialectShape(await json(JSON.stringify({ name: "x".repeat(1024 * 1024) })), refusal(dialect, "body-too-large"));
    });

    it("takes JSON nested as deep as the limit", async () => {
      expectDialectShape(await json(`${"[".repeat(MAX_JSON_DEPTH)}${"]".repeat(MAX_JSON_DEPTH)}`), dialect.errors.noRoute("POST", PROBE));
    });

    it("takes UTF-8 named as such, in any spelling", async () => {
      expectDialectShape(await json('{"name":"A"}', `${mediaType}; charset=UTF-8`), dialect.errors.noRoute("POST", PROBE));
    });
  });

  describe("URLs and headers", () => {
    it.each([
      ["a truncated escape", "/%E0%A4%A"],
      ["an escape that is no UTF-8", "/%C0%AF"],
      ["a bare percent", "/100%"],
    ])("answers a path with %s in its own shape (400), credentials first", async (_what, path) => {
      const withToken = await send(base() + path, { headers: { authorization: `Bearer ${TOKEN}` } });
      expectDialectShape(withToken, refusal(dialect, "malformed-url"));
      expectDialectShape(await send(base() + path), dialect.errors.unauthenticated("missing"));
    });

    it("answers a request line of 20 KB in its own shape (414), not Node's 431", async () => {
      const res = await sendRaw(port, `GET ${dialect.prefix}/${"a".repeat(20_000)} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`);
      expectDialectShape(res, refusal(dialect, "url-too-long"));
    });

    it("answers 20 KB of headers in its own shape (431)", async () => {
      const res = await sendRaw(port, `GET ${dialect.prefix}${PROBE} HTTP/1.1\r\nHost: x\r\nX-Padding: ${"p".repeat(20_000)}\r\n\r\n`);
      expectDialectShape(res, refusal(dialect, "headers-too-large"));
    });

    it("answers a request Node cannot parse in its own shape (400)", async () => {
      const res = await sendRaw(port, `POST ${dialect.prefix}${PROBE} HTTP/1.1\r\nHost: x\r\nContent-Length: lots\r\n\r\n{}`);
      expectDialectShape(res, refusal(dialect, "bad-request"));
    });

    it("writes no credential of a query string into the request journal", async () => {
      await send(`${base()}${PROBE}?access_token=journal-secret-1&client_secret=journal-secret-2&page=2`, { headers: { authorization: `Bearer ${TOKEN}` } });
      const journal = (await admin("GET", `/requests?dialect=${name}`)).body;
      const urls = journal.requests.map((r: { url: string }) => r.url);
      expect(urls).toContain(`${PROBE}?access_token=<redacted>&client_secret=<redacted>&page=2`);
      expect(JSON.stringify(journal)).not.toContain("journal-secret");
    });
  });

  describe("credentials", () => {
    const seedOne = async (): Promise<string> => {
      const res = await admin("POST", "/seed", { [name]: { organizations: [{ name: "Hostile Root" }] } });
      expect(res.status).toBe(201);
      return res.body.organizations[0].id as string;
    };

    it.each([
      ["the API token", () => emu.credentials.apiToken],
      ["the admin token", () => emu.credentials.adminToken],
      ["the key of the key pair", () => emu.credentials.authKey],
      ["an OAuth2 client's secret", () => emu.credentials.oauthClients[0]!.clientSecret],
    ])("refuses to mint a scoped token equal to %s, through the admin API and a seed", async (_what, secret) => {
      const orgId = await seedOne();
      const minted = await admin("POST", "/tokens", { org_id: orgId, dialect: name, token: secret() });
      expect(minted.status).toBe(400);
      expect(minted.body.error.code).toBe("VALIDATION");
      const seeded = await admin("POST", "/seed", { [name]: { organizations: [{ name: "Hostile Root" }] }, tokens: [{ token: secret(), backend: name, org_id: orgId }] });
      expect(seeded.status).toBe(400);
      expect((await admin("GET", "/tokens")).body.tokens).toEqual([]);
    });

    it("refuses to mint a scoped token longer than the admin API could revoke (100 characters)", async () => {
      const orgId = await seedOne();
      expect((await admin("POST", "/tokens", { org_id: orgId, dialect: name, token: "t".repeat(101) })).status).toBe(400);
      const longest = "t".repeat(100);
      expect((await admin("POST", "/tokens", { org_id: orgId, dialect: name, token: longest })).status).toBe(201);
      expect((await admin("DELETE", `/tokens/${longest}`)).status).toBe(200);
    });

    it("refuses to mint a scoped token equal to an access token the emulator issued", async () => {
      const orgId = await seedOne();
      const issued = emu.runtime.ctx.issueAccessToken({ backend: name, via: "session", subject: "probe" });
      expect((await admin("POST", "/tokens", { org_id: orgId, dialect: name, token: issued.token })).status).toBe(400);
    });

    if (dialects.length >= 2) it("refuses its scoped tokens in every other dialect (401 in that dialect's shape)", async () => {
      const orgId = await seedOne();
      const { token } = (await admin("POST", "/tokens", { org_id: orgId, dialect: name })).body;
      for (const [, other] of dialects.filter(([n]) => n !== name)) {
        const res = await send(emu.url + other.prefix + PROBE, { headers: { authorization: `Bearer ${token}` } });
        expectDialectShape(res, other.errors.unauthenticated("invalid"));
      }
    });
  });
});

describe("configured credentials replace every default", () => {
  let custom: StartedEmulator;
  beforeAll(async () => {
    custom = await startEmulator({ port: 0, db: ":memory:", credentials: { apiToken: "configured-api-token" } });
  });
  afterAll(async () => {
    await custom.close();
  });

  it.each(dialects)("the %s dialect refuses the default API token and takes the configured one", async (_name, dialect) => {
    const refused = await send(custom.url + dialect.prefix + PROBE, { headers: { authorization: `Bearer ${DEFAULT_CREDENTIALS.apiToken}` } });
    expectDialectShape(refused, dialect.errors.unauthenticated("invalid"));
    const taken = await send(custom.url + dialect.prefix + PROBE, { headers: { authorization: "Bearer configured-api-token" } });
    expectDialectShape(taken, dialect.errors.noRoute("GET", PROBE));
  });

  it.each(dialects)("the %s dialect refuses the well-known key pair", (name) => {
    const presented = { kind: "key" as const, email: DEFAULT_CREDENTIALS.authEmail, key: DEFAULT_CREDENTIALS.authKey };
    expect(custom.runtime.auth.authenticate(name, presented)).toEqual({ ok: false, reason: "invalid" });
  });

  it("refuses the default admin token and the default OAuth2 client's secret", async () => {
    const res = await fetch(`${custom.url}/_admin/info`, { headers: { authorization: `Bearer ${DEFAULT_CREDENTIALS.adminToken}` } });
    expect(res.status).toBe(401);
    const client = DEFAULT_CREDENTIALS.oauthClients[0]!;
    expect(custom.runtime.auth.checkClient(client.clientId, client.clientSecret).ok).toBe(false);
  });

  it("replaces each default it was not given by a random secret of this start, which it reports", async () => {
    const c = custom.credentials;
    for (const secret of [c.adminToken, c.authKey, c.oauthClients[0]!.clientSecret]) {
      expect(Object.values(DEFAULT_CREDENTIALS).flat()).not.toContainEqual(secret);
      expect(secret).toMatch(/^ofr_[A-Za-z0-9_-]{32}$/);
    }
    expect((await fetch(`${custom.url}/_admin/info`, { headers: { authorization: `Bearer ${c.adminToken}` } })).status).toBe(200);
  });

  it.each([
    ["the API token equal to the admin token", { apiToken: "same-secret-1", adminToken: "same-secret-1" }, /API token and the admin token must differ/],
    ["the admin token equal to the key", { adminToken: "same-secret-2", authKey: "same-secret-2" }, /admin token and the key of the key pair must differ/],
  ])("refuses to start with %s", async (_what, credentials, message) => {
    await expect(startEmulator({ port: 0, db: ":memory:", credentials })).rejects.toThrow(message);
  });

  it("refuses to start with an API token that the database holds as a scoped token", async () => {
    const dir = mkdtempSync(join(tmpdir(), "orgform-hostile-"));
    try {
      const db = join(dir, "emulator.db");
      const [name] = dialects[0]!;
      const first = await startEmulator({ port: 0, db, seed: { [name]: { organizations: [{ name: "Scoped" }] }, tokens: [{ token: "persisted-scoped-token", backend: name, org_path: ["Scoped"] }] } });
      await first.close();
      await expect(startEmulator({ port: 0, db, credentials: { apiToken: "persisted-scoped-token" } })).rejects.toThrow(/registered as a scoped token/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("keeps the defaults when nothing is configured", () => {
    expect(emu.credentials).toEqual(DEFAULT_CREDENTIALS);
  });
});

describe("fault latencies", () => {
  it.each([
    ["one latency over what a timer holds", { spec: `latency=${MAX_LATENCY_MS + 1}ms` }],
    ["a latency of 30 days in seconds", { spec: "latency=2592000s" }],
    ["a range whose upper bound is over it", { spec: `latency=1-${MAX_LATENCY_MS + 1}ms` }],
    ["two rules whose latencies add up over it", { spec: `latency=${MAX_LATENCY_MS}ms;latency=1ms` }],
    ["a JSON rule over it", { rules: [{ latency_ms: 2 ** 40 }] }],
  ])("refuses %s (400), keeping the faults it had", async (_what, body) => {
    await admin("PUT", "/faults", { spec: "error=0.5" });
    const res = await admin("PUT", "/faults", body);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/2147483647 ms/);
    expect((await admin("GET", "/faults")).body.rules).toEqual([{ error: 0.5, error_statuses: [500, 502, 503] }]);
  });

  it("takes the longest latency a timer holds", async () => {
    expect((await admin("PUT", "/faults", { spec: `latency=${MAX_LATENCY_MS}ms,method=PATCH` })).status).toBe(200);
    await admin("DELETE", "/faults");
  });
});

describe("the request log (--log)", () => {
  it("writes no token of a URL: the admin API's DELETE /_admin/tokens/{token}, a credential in a query string", async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logged = await startEmulator({ port: 0, db: ":memory:", logger: { stream } });
    try {
      const [name, dialect] = dialects[0]!;
      const auth = { authorization: `Bearer ${ADMIN}` };
      const seeded = await send(`${logged.url}/_admin/seed`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify({ [name]: { organizations: [{ name: "Logged" }] }, tokens: [{ token: "log-secret-scoped-token", backend: name, org_path: ["Logged"] }] }),
      });
      expect(seeded.status).toBe(201);
      expect((await send(`${logged.url}/_admin/tokens/log-secret-scoped-token`, { method: "DELETE", headers: auth })).status).toBe(200);
      await send(`${logged.url}${dialect.prefix}${PROBE}?api_key=log-secret-key`, { headers: { authorization: `Bearer ${TOKEN}` } });
    } finally {
      await logged.close();
    }
    const text = lines.join("");
    expect(text).toContain('"url":"/_admin/tokens/<redacted>"');
    expect(text).toContain("api_key=<redacted>");
    expect(text).not.toContain("log-secret");
    expect(text).not.toContain(TOKEN);
  });
});

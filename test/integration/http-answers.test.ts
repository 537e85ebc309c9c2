// What the one HTTP client (provider/http/client.ts) makes of answers that are not answers, over
// real HTTP(S) on 127.0.0.1: a redirect is reported as a redirect (also on an OAuth2 token URL, where
// it used to read "check the client id and secret"), except a session login's documented 302 with
// its cookie; a self-signed certificate fails at once, not retried, and says so.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpClient } from "../../provider/http/client";
import { clientAuth } from "../../provider/http/credentials";
import { OrgformError } from "../../provider/core/errors";
import { rejection } from "./helpers";

const SECRET = "client-secret-5e1f0a93-SECRET";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let handler: Handler = (_req, res) => res.end();
const seen: string[] = [];
let http: ReturnType<typeof createHttpServer>;
let httpUrl: string;

let https: ReturnType<typeof createHttpsServer>;
let httpsUrl: string;
let handshakes = 0;

beforeAll(async () => {
  http = createHttpServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    req.resume();
    req.on("end", () => handler(req, res));
  });
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  httpUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

  // A self-signed certificate, made for this run.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "orgform-tls-"));
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem"), "-days", "1", "-subj", "/CN=127.0.0.1"], { stdio: "ignore" });
  https = createHttpsServer({ key: fs.readFileSync(path.join(dir, "key.pem")), cert: fs.readFileSync(path.join(dir, "cert.pem")) }, (_req, res) => {
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
  });
  https.on("connection", () => handshakes++);
  await new Promise<void>((r) => https.listen(0, "127.0.0.1", r));
  httpsUrl = `https://127.0.0.1:${(https.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await Promise.all([new Promise((r) => http?.close(r)), new Promise((r) => https?.close(r))]);
});

const client = (baseUrl: string, retried: string[] = []) =>
  new HttpClient({ baseUrl, headers: () => ({}), retry: { attempts: 4, baseDelayMs: 5, maxDelayMs: 20 }, onRetry: (l) => retried.push(l) });

describe("redirects", () => {
  it("reports a 301 as a redirect, naming where it points without its query string, and does not follow it", async () => {
    handler = (_req, res) => res.writeHead(301, { location: "https://login.example/api/v4?session=abc" }).end();
    seen.length = 0;
    const err = await rejection(client(`${httpUrl}/api`).send({ method: "GET", path: "/organizations" }));
    expect(err.code).toBe("PROTOCOL");
    expect(err.message).toBe(`GET ${httpUrl}/api/organizations answered a redirect (HTTP 301 to https://login.example/api/v4), which orgform does not follow: set the endpoint to the API's own URL`);
    expect(seen).toEqual(["GET /api/organizations"]);
  });

  it("reports a 301 on an OAuth2 token URL as a redirect, not as wrong client credentials", async () => {
    handler = (_req, res) => res.writeHead(301, { location: "https://auth.example/oauth/token" }).end();
    const auth = clientAuth({ method: "oauth2-client-credentials", clientId: "ci", clientSecret: SECRET, tokenUrl: `${httpUrl}/token-301` });
    const err = await rejection(auth.headers());
    expect(err.code).toBe("PROTOCOL");
    expect(err.message).toMatch(/answered a redirect \(HTTP 301 to https:\/\/auth\.example\/oauth\/token\)/);
    expect(err.message).not.toMatch(/client id and secret/);
    expect(err.message).not.toContain(SECRET);
  });

  it("reports an HTML page on a token URL as not JSON, naming the URL and its first bytes", async () => {
    handler = (_req, res) => res.writeHead(200, { "content-type": "text/html" }).end("<html><body>Proxy sign-in</body></html>");
    const auth = clientAuth({ method: "oauth2-client-credentials", clientId: "ci", clientSecret: SECRET, tokenUrl: `${httpUrl}/token-html` });
    const err = await rejection(auth.headers());
    expect(err.code).toBe("PROTOCOL");
    expect(err.message).toBe(`cannot obtain an access token: ${httpUrl}/token-html answered HTTP 200 (text/html) that is not JSON: "<html><body>Proxy sign-in</body></html>"; check the URL`);
  });

  it("takes a session login's 302 with Set-Cookie as the login it is (Cloudomation Engine 7), and a 302 without one as a redirect", async () => {
    const login = { path: "/auth/login", userField: "user_name", passwordField: "password" };
    handler = (_req, res) => res.writeHead(302, { location: "/", "set-cookie": "session=s1; Max-Age=600" }).end();
    const ok = clientAuth({ method: "session-login", userName: "u", password: SECRET }, { endpoint: `${httpUrl}/ws-ok`, login });
    expect(await ok.headers()).toEqual({ cookie: "session=s1" });
    handler = (_req, res) => res.writeHead(302, { location: "https://sso.example/login?next=x" }).end();
    const sso = clientAuth({ method: "session-login", userName: "u", password: SECRET }, { endpoint: `${httpUrl}/ws-sso`, login });
    const err = await rejection(sso.headers());
    expect(err.code).toBe("PROTOCOL");
    expect(err.message).toBe(`cannot log in at ${httpUrl}/ws-sso/auth/login: it answered a redirect (HTTP 302 to https://sso.example/login) without a session cookie, which orgform does not follow: check the endpoint`);
  });
});

describe("TLS", () => {
  it("fails at once on a self-signed certificate, without retrying, and says so", async () => {
    handshakes = 0;
    const retried: string[] = [];
    const err = await rejection(client(httpsUrl, retried).send({ method: "GET", path: "/organizations" }));
    expect(err).toBeInstanceOf(OrgformError);
    expect(err.code).toBe("TLS");
    expect(err.message).toMatch(new RegExp(`^GET ${httpsUrl}/organizations: the TLS connection failed \\((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN): .*\\); not retried`));
    expect(err.message).toContain("NODE_EXTRA_CA_CERTS");
    expect(retried).toEqual([]);
    expect(handshakes).toBe(1);
  });
});

// How each credential kind (provider/core/credential-kinds.ts) reaches the API: the headers the
// HTTP client sends, and how they are renewed on a 401 (an expired OAuth2 token, a session).
import { createHash } from "node:crypto";
import type { KeyExchange, SessionLogin } from "../core/capabilities";
import type { Credentials } from "../core/credential-kinds";
import { OrgformError } from "../core/errors";
import { HttpClient, HttpStatusError, type HttpResponse } from "./client";
import { firstBytes, mediaTypeOf } from "./protocol";

/** What the HTTP client sends, and how it renews it. */
export interface ClientAuth {
  headers(): Promise<Record<string, string>>;
  /** After a 401: renew; true when a retry can help. */
  onUnauthorized?(): Promise<boolean>;
}

/** Where a credential is used: a session logs in at the endpoint's login route. */
export interface AuthContext {
  endpoint?: string;
  login?: SessionLogin;
  /** The per-attempt timeout of the token / login requests (the connection's requestTimeout). */
  timeoutMs?: number;
  /** `api-key-exchange`: the vendor's token route. */
  exchange?: KeyExchange;
}

/**
 * Why an answer of a token or login endpoint is no answer of it (HTML from a proxy, a body that is
 * not JSON), as a sentence naming the URL, status, content type and first bytes; undefined when it is JSON.
 */
function notJson(url: string, res: HttpResponse): OrgformError | undefined {
  if (res.text.trim() === "" || (typeof res.body !== "string" && mediaTypeOf(res.headers["content-type"]).endsWith("json"))) return undefined;
  return new OrgformError(
    "PROTOCOL",
    `${url} answered HTTP ${res.status} (${res.headers["content-type"] || "no content type"}) that is not JSON: ${firstBytes(res.text)}; check the URL`,
    { details: { status: res.status } },
  );
}

/** What the HTTP client of a connection sends. Built per connection; reads nothing else. */
export function clientAuth(credentials: Credentials, context: AuthContext = {}): ClientAuth {
  switch (credentials.method) {
    case "bearer-token": {
      const headers = { authorization: `Bearer ${credentials.token}` };
      return { headers: async () => headers };
    }
    case "api-key": {
      const headers = { "x-auth-email": credentials.email, "x-auth-key": credentials.apiKey };
      return { headers: async () => headers };
    }
    case "oauth2-client-credentials":
      return oauth2ClientCredentials(credentials, context.timeoutMs);
    case "api-key-exchange":
      if (!context.endpoint || !context.exchange) throw new OrgformError("AUTH", "an API key exchange needs the endpoint and the vendor's token route");
      return apiKeyExchange(credentials, context.endpoint, context.exchange, context.timeoutMs);
    case "session-login":
      if (!context.endpoint || !context.login) throw new OrgformError("AUTH", "a session login needs the endpoint and the vendor's login route");
      return sessionLogin(credentials, context.endpoint, context.login, context.timeoutMs);
  }
}

/** A failure to reach the token or login endpoint keeps its code where it says what went wrong (a redirect, TLS, a timeout). */
function keptCode(err: unknown): OrgformError["code"] {
  return err instanceof OrgformError && (err.code === "PROTOCOL" || err.code === "TLS" || err.code === "TRANSIENT") ? err.code : "AUTH";
}

// ---- Session login (a user name and password exchanged for session cookies) ----

/** One session per endpoint and credential for the whole process (like the OAuth2 tokens). */
const sessions = new Map<string, Cached>();

/** The `name=value` pairs of the Set-Cookie header(s) (undici joins several with ", ") and when the first expires. */
export function parseSetCookie(header: string, now = Date.now()): { cookie: string; expiresAt?: number } {
  const pairs: string[] = [];
  let expiresAt: number | undefined;
  // A comma starts a new cookie unless it is inside an Expires date ("Wed, 21 Oct 2026 ...").
  for (const one of header.split(/,(?=\s*[^;=\s]+=)/)) {
    const [pair, ...attrs] = one.split(";").map((p) => p.trim());
    if (pair && pair.includes("=")) pairs.push(pair);
    for (const attr of attrs) {
      const [k, v] = attr.split("=");
      if (/^max-age$/i.test(k) && Number.isFinite(Number(v))) expiresAt = Math.min(expiresAt ?? Infinity, now + Number(v) * 1000);
      else if (/^expires$/i.test(k) && !Number.isNaN(Date.parse(v))) expiresAt = Math.min(expiresAt ?? Infinity, Date.parse(v));
    }
  }
  return { cookie: pairs.join("; "), ...(expiresAt !== undefined ? { expiresAt } : {}) };
}

/**
 * What is wrong with a login's answer, or undefined when it opened a session. Two answers open
 * one, both with the session in `Set-Cookie`: 200 with the user as a JSON object (what
 * Cloudomation's own client, devstack-cli 12.0.1, requires) and a 302 / 303 (what Engine 7's docs
 * describe). Anything else names the status and, for a refusal, the vendor's reason (its error
 * body's message), never anything of the request.
 */
export function loginAnswerProblem(res: { status: number; headers: Record<string, string>; body: unknown }): string | undefined {
  if (res.status >= 400) {
    const said = (res.body as { message?: unknown } | undefined)?.message;
    return `HTTP ${res.status}${typeof said === "string" ? ` (${said.slice(0, 200)})` : ""}; check the user name and password`;
  }
  const json = typeof res.body === "object" && res.body !== null && !Array.isArray(res.body);
  if (res.status === 200 && !json) return `HTTP 200 without a JSON object (${res.headers["content-type"] ?? "no content type"}), not a login answer: check the endpoint`;
  if (res.status !== 200 && res.status !== 302 && res.status !== 303) return `HTTP ${res.status}: expected 200 (or Engine 7's 302) with a session cookie`;
  if (!res.headers["set-cookie"]) return `HTTP ${res.status} without a session cookie`;
  return undefined;
}

function sessionLogin(c: Extract<Credentials, { method: "session-login" }>, endpoint: string, login: SessionLogin, timeoutMs?: number): ClientAuth {
  const key = createHash("sha256").update(`${endpoint}\0${c.userName}\0${c.password}`).digest("hex");
  const url = endpoint.replace(/\/$/, "") + login.path;
  const http = new HttpClient({ baseUrl: url, headers: () => ({}), retry: { attempts: 4 }, ...(timeoutMs !== undefined ? { timeoutMs } : {}) });

  const open = async (): Promise<{ value: string; lifetimeMs: number }> => {
    let res;
    try {
      // A login opens one more session and changes nothing else: safe to send again after a failure.
      // Engine 7's documented answer to a login is a 302 with the cookie: not a redirect to report.
      res = await http.send({ method: "POST", path: "", idempotent: true, acceptRedirect: true, body: { ...login.fields, [login.userField]: c.userName, [login.passwordField]: c.password } });
    } catch (err) {
      throw new OrgformError(keptCode(err), `cannot log in at ${url}: ${(err as Error).message}`, { cause: err });
    }
    // First what shows the endpoint is wrong (not the vendor's login), then the vendor's answer itself.
    const setCookie = res.headers["set-cookie"];
    if (res.status >= 300 && res.status < 400 && !setCookie) {
      // A redirect without a session: a login page elsewhere (a wrong endpoint), not the vendor's answer.
      const to = res.headers.location ? ` to ${res.headers.location.split("?")[0]}` : "";
      throw new OrgformError("PROTOCOL", `cannot log in at ${url}: it answered a redirect (HTTP ${res.status}${to}) without a session cookie, which orgform does not follow: check the endpoint`);
    }
    const foreign = setCookie ? undefined : notJson(url, res);
    if (foreign) throw new OrgformError("PROTOCOL", `cannot log in: ${foreign.message}`, { cause: foreign });
    if (res.status === 404 || res.status === 405) {
      throw new OrgformError("PROTOCOL", `cannot log in at ${url}: there is no login route there (HTTP ${res.status}); check the endpoint (base URL)`, { details: { status: res.status } });
    }
    if (res.status < 400 && !setCookie) {
      throw new OrgformError("PROTOCOL", `cannot log in at ${url}: it answered HTTP ${res.status} without a session cookie, which is not a login's answer; check the endpoint (base URL)`, {
        details: { status: res.status },
      });
    }
    const problem = loginAnswerProblem(res);
    if (problem) {
      throw new OrgformError("AUTH", `cannot log in at ${url} as ${c.userName}: ${problem}`, {
        cause: new HttpStatusError(res.status, undefined, `POST ${url}`),
      });
    }
    // Renewed before the cookie's Max-Age / Expires; a cookie without one is kept an hour (and renewed on a 401).
    const { cookie, expiresAt } = parseSetCookie(res.headers["set-cookie"]);
    return { value: cookie, lifetimeMs: expiresAt !== undefined ? expiresAt - Date.now() : 3600_000 };
  };
  const cookie = renewable(sessions, key, open);

  return {
    headers: async () => ({ cookie: await cookie(false) }),
    onUnauthorized: async () => {
      await cookie(true);
      return true;
    },
  };
}

// ---- Credentials obtained from the vendor (an OAuth2 token, a session): one per key per process ----

interface Cached {
  value?: string;
  /** Epoch ms after which the value is renewed before use. */
  renewAt: number;
  pending?: Promise<string>;
}

/**
 * A value obtained once per key for the whole process (every client of the credential shares it,
 * concurrent callers share one request), renewed before it expires (a minute before the end, or at
 * 90% of a life shorter than ten minutes) and when forced (after a 401).
 */
function renewable(cache: Map<string, Cached>, key: string, obtain: () => Promise<{ value: string; lifetimeMs: number }>): (force: boolean) => Promise<string> {
  return async (force) => {
    const cached = cache.get(key);
    if (cached?.pending) return cached.pending;
    if (!force && cached?.value && Date.now() < cached.renewAt) return cached.value;
    const pending = obtain()
      .then(({ value, lifetimeMs }) => {
        cache.set(key, { value, renewAt: Date.now() + lifetimeMs - Math.min(60_000, lifetimeMs * 0.1) });
        return value;
      })
      .finally(() => {
        const now = cache.get(key);
        if (now?.pending === pending) delete now.pending;
      });
    cache.set(key, { ...(cached ?? { renewAt: 0 }), pending });
    return pending;
  };
}

// ---- OAuth2 client credentials (RFC 6749 4.4) ----

/** A token's lifetime from `expires_in` (seconds); without one, an hour (renewed early on a 401 anyway). */
const lifetimeOf = (expiresIn: unknown): number => (typeof expiresIn === "number" && expiresIn > 0 ? expiresIn * 1000 : 3600_000);

/** Sends the token as a bearer, and renews it once when the API answers 401. */
function bearer(token: (renew: boolean) => Promise<string>): ClientAuth {
  return {
    headers: async () => ({ authorization: `Bearer ${await token(false)}` }),
    onUnauthorized: async () => {
      await token(true);
      return true;
    },
  };
}

/** One token per credential for the whole process (every client of it shares it). */
const tokens = new Map<string, Cached>();

function oauth2ClientCredentials(c: Extract<Credentials, { method: "oauth2-client-credentials" }>, timeoutMs?: number): ClientAuth {
  // The cache key is a digest: no credential is kept in a map key.
  const key = createHash("sha256").update(`${c.tokenUrl}\0${c.clientId}\0${c.clientSecret}`).digest("hex");
  const http = new HttpClient({ baseUrl: c.tokenUrl, headers: () => ({}), retry: { attempts: 4 }, ...(timeoutMs !== undefined ? { timeoutMs } : {}) });

  const exchange = async (): Promise<{ value: string; lifetimeMs: number }> => {
    let res;
    try {
      // A token request changes nothing that matters: safe to send again after a failure.
      res = await http.send({
        method: "POST",
        path: "",
        idempotent: true,
        form: { grant_type: "client_credentials", client_id: c.clientId, client_secret: c.clientSecret },
      });
    } catch (err) {
      throw new OrgformError(keptCode(err), `cannot obtain an access token from ${c.tokenUrl}: ${(err as Error).message}`, { cause: err });
    }
    const foreign = notJson(c.tokenUrl, res);
    if (foreign) throw new OrgformError("PROTOCOL", `cannot obtain an access token: ${foreign.message}`, { cause: foreign });
    const body = (res.body ?? {}) as { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown; errors?: unknown };
    if (res.status < 200 || res.status >= 300 || typeof body.access_token !== "string") {
      // RFC 6749 5.2 errors name what is wrong (invalid_client...) without echoing the secret;
      // Commerce Layer's auth API says it as `{errors: [{title, detail}]}`.
      const first = Array.isArray(body.errors) ? (body.errors[0] as { title?: unknown; detail?: unknown } | undefined) : undefined;
      const [error, description] = typeof body.error === "string" ? [body.error, body.error_description] : [first?.title, first?.detail];
      const reason = typeof error === "string" ? `: ${error}${typeof description === "string" ? ` (${description})` : ""}` : "";
      throw new OrgformError("AUTH", `cannot obtain an access token from ${c.tokenUrl}: HTTP ${res.status}${reason}; check the client id and secret`, {
        cause: new HttpStatusError(res.status, undefined, `POST ${c.tokenUrl}`),
      });
    }
    return { value: body.access_token, lifetimeMs: lifetimeOf(body.expires_in) };
  };
  return bearer(renewable(tokens, key, exchange));
}

// ---- An API key exchanged for an access token (ZenML Pro: POST <endpoint>/auth/login, password=<key>) ----

/** The vendor's reason in an error answer: FastAPI's `detail` (a string, or ZenML's [exception, message]) or RFC 6749's `error`. */
export function tokenRouteReason(body: unknown): string {
  if (typeof body !== "object" || body === null) return "";
  const b = body as { detail?: unknown; error?: unknown; error_description?: unknown };
  if (typeof b.detail === "string") return ` (${b.detail.slice(0, 200)})`;
  if (Array.isArray(b.detail) && b.detail.length > 0 && b.detail.every((d) => typeof d === "string")) return ` (${(b.detail as string[]).join(": ").slice(0, 200)})`;
  if (typeof b.error === "string") return ` (${b.error}${typeof b.error_description === "string" ? `: ${b.error_description.slice(0, 200)}` : ""})`;
  return "";
}

/** One access token per endpoint and key for the whole process (like the OAuth2 tokens). */
const exchanged = new Map<string, Cached>();

function apiKeyExchange(c: Extract<Credentials, { method: "api-key-exchange" }>, endpoint: string, route: KeyExchange, timeoutMs?: number): ClientAuth {
  const key = createHash("sha256").update(`${endpoint}\0${route.path}\0${c.apiKey}`).digest("hex");
  const url = endpoint.replace(/\/$/, "") + route.path;
  const http = new HttpClient({ baseUrl: url, headers: () => ({}), retry: { attempts: 4 }, ...(timeoutMs !== undefined ? { timeoutMs } : {}) });

  const exchange = async (): Promise<{ value: string; lifetimeMs: number }> => {
    let res;
    try {
      // An exchange issues one more token and changes nothing else: safe to send again after a failure.
      res = await http.send({ method: "POST", path: "", idempotent: true, form: { [route.keyField]: c.apiKey } });
    } catch (err) {
      throw new OrgformError(keptCode(err), `cannot exchange the API key for an access token at ${url}: ${(err as Error).message}`, { cause: err });
    }
    const foreign = notJson(url, res);
    if (foreign) throw new OrgformError("PROTOCOL", `cannot exchange the API key for an access token: ${foreign.message}`, { cause: foreign });
    // A wrong endpoint (no token route there, or something else answering) is not a wrong key.
    if (res.status === 404 || res.status === 405) {
      throw new OrgformError("PROTOCOL", `cannot exchange the API key at ${url}: there is no token route there (HTTP ${res.status}); check the endpoint (base URL)`, { details: { status: res.status } });
    }
    const body = (res.body ?? {}) as { access_token?: unknown; token_type?: unknown; expires_in?: unknown };
    const ok = res.status >= 200 && res.status < 300;
    if (ok && typeof body.access_token !== "string") {
      throw new OrgformError("PROTOCOL", `cannot exchange the API key at ${url}: HTTP ${res.status} is not a token answer (no access_token): ${firstBytes(res.text)}; check the endpoint (base URL)`, { details: { status: res.status } });
    }
    if (!ok || typeof body.access_token !== "string" || body.access_token === "" || (typeof body.token_type === "string" && body.token_type.toLowerCase() !== "bearer")) {
      // The vendor's reason, never the key.
      const reason = ok ? " without a bearer access token in the answer" : tokenRouteReason(res.body);
      throw new OrgformError("AUTH", `cannot exchange the API key for an access token at ${url}: HTTP ${res.status}${reason}; check the API key`, {
        cause: new HttpStatusError(res.status, undefined, `POST ${url}`),
      });
    }
    // ZenML's keys give tokens of an hour; one without expires_in is kept an hour too (and renewed on a 401).
    return { value: body.access_token, lifetimeMs: lifetimeOf(body.expires_in) };
  };
  return bearer(renewable(exchanged, key, exchange));
}

// How each credential kind (provider/core/credential-kinds.ts) reaches the API: the headers the
// HTTP client sends, and how they are renewed on a 401 (an expired OAuth2 token, a session).
import { createHash } from "node:crypto";
import type { SessionLogin } from "../core/capabilities";
import type { Credentials } from "../core/credential-kinds";
import { OrgformError } from "../core/errors";
import { HttpClient, HttpStatusError } from "./client";

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
      return oauth2ClientCredentials(credentials);
    case "session-login":
      if (!context.endpoint || !context.login) throw new OrgformError("AUTH", "a session login needs the endpoint and the vendor's login route");
      return sessionLogin(credentials, context.endpoint, context.login);
  }
}

// ---- Session login (a user name and password exchanged for session cookies) ----

interface CachedSession {
  cookie?: string;
  /** Epoch ms after which the session is renewed before use (its cookie's Max-Age / Expires). */
  renewAt: number;
  pending?: Promise<string>;
}

/** One session per endpoint and credential for the whole process (like the OAuth2 tokens). */
const sessions = new Map<string, CachedSession>();

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

function sessionLogin(c: Extract<Credentials, { method: "session-login" }>, endpoint: string, login: SessionLogin): ClientAuth {
  const key = createHash("sha256").update(`${endpoint}\0${c.userName}\0${c.password}`).digest("hex");
  const url = endpoint.replace(/\/$/, "") + login.path;
  const http = new HttpClient({ baseUrl: url, headers: () => ({}), retry: { attempts: 4 } });

  const open = async (): Promise<string> => {
    let res;
    try {
      // A login opens one more session and changes nothing else: safe to send again after a failure.
      res = await http.send({ method: "POST", path: "", idempotent: true, body: { [login.userField]: c.userName, [login.passwordField]: c.password } });
    } catch (err) {
      throw new OrgformError("AUTH", `cannot log in at ${url}: ${(err as Error).message}`, { cause: err });
    }
    const setCookie = res.headers["set-cookie"];
    // Engine 7 answers a login with 302 and the cookie; a 2xx with a cookie is as good.
    if (res.status >= 400 || !setCookie) {
      // The vendor's reason (its error body's message), never anything of the request.
      const said = (res.body as { message?: unknown } | undefined)?.message;
      const reason = res.status >= 400 ? (typeof said === "string" ? ` (${said.slice(0, 200)})` : "") : " without a session cookie";
      throw new OrgformError("AUTH", `cannot log in at ${url} as ${c.userName}: HTTP ${res.status}${reason}; check the user name and password`, {
        cause: new HttpStatusError(res.status, undefined, `POST ${url}`),
      });
    }
    const { cookie, expiresAt } = parseSetCookie(setCookie);
    const lifetime = expiresAt !== undefined ? expiresAt - Date.now() : 3600_000;
    // Renewed before it expires: a minute before the end, or at 90% of a life shorter than ten minutes.
    sessions.set(key, { cookie, renewAt: Date.now() + lifetime - Math.min(60_000, lifetime * 0.1) });
    return cookie;
  };

  const cookie = async (force: boolean): Promise<string> => {
    const cached = sessions.get(key);
    if (cached?.pending) return cached.pending;
    if (!force && cached?.cookie && Date.now() < cached.renewAt) return cached.cookie;
    const pending = open().finally(() => {
      const now = sessions.get(key);
      if (now?.pending === pending) delete now.pending;
    });
    sessions.set(key, { ...(cached ?? { renewAt: 0 }), pending });
    return pending;
  };

  return {
    headers: async () => ({ cookie: await cookie(false) }),
    onUnauthorized: async () => {
      await cookie(true);
      return true;
    },
  };
}

// ---- OAuth2 client credentials (RFC 6749 4.4) ----

interface CachedToken {
  accessToken?: string;
  /** Epoch ms after which the token is renewed before use. */
  renewAt: number;
  pending?: Promise<string>;
}

/** One token per credential for the whole process (every client of it shares it). */
const tokens = new Map<string, CachedToken>();

function oauth2ClientCredentials(c: Extract<Credentials, { method: "oauth2-client-credentials" }>): ClientAuth {
  // The cache key is a digest: no credential is kept in a map key.
  const key = createHash("sha256").update(`${c.tokenUrl}\0${c.clientId}\0${c.clientSecret}`).digest("hex");
  const http = new HttpClient({ baseUrl: c.tokenUrl, headers: () => ({}), retry: { attempts: 4 } });

  const exchange = async (): Promise<string> => {
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
      throw new OrgformError("AUTH", `cannot obtain an access token from ${c.tokenUrl}: ${(err as Error).message}`, { cause: err });
    }
    const body = (res.body ?? {}) as { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown };
    if (res.status < 200 || res.status >= 300 || typeof body.access_token !== "string") {
      // RFC 6749 5.2 errors name what is wrong (invalid_client...) without echoing the secret.
      const reason = typeof body.error === "string" ? `: ${body.error}${typeof body.error_description === "string" ? ` (${body.error_description})` : ""}` : "";
      throw new OrgformError("AUTH", `cannot obtain an access token from ${c.tokenUrl}: HTTP ${res.status}${reason}; check the client id and secret`, {
        cause: new HttpStatusError(res.status, undefined, `POST ${c.tokenUrl}`),
      });
    }
    const lifetime = typeof body.expires_in === "number" && body.expires_in > 0 ? body.expires_in * 1000 : 3600_000;
    // Renewed before it expires: a minute before the end, or at 90% of a life shorter than ten minutes.
    const renewAt = Date.now() + lifetime - Math.min(60_000, lifetime * 0.1);
    tokens.set(key, { accessToken: body.access_token, renewAt });
    return body.access_token;
  };

  const token = async (force: boolean): Promise<string> => {
    const cached = tokens.get(key);
    if (cached?.pending) return cached.pending;
    if (!force && cached?.accessToken && Date.now() < cached.renewAt) return cached.accessToken;
    const pending = exchange().finally(() => {
      const now = tokens.get(key);
      if (now?.pending === pending) delete now.pending;
    });
    tokens.set(key, { ...(cached ?? { renewAt: 0 }), pending });
    return pending;
  };

  return {
    headers: async () => ({ authorization: `Bearer ${await token(false)}` }),
    onUnauthorized: async () => {
      await token(true);
      return true;
    },
  };
}

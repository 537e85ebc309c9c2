// How each credential kind (provider/core/credential-kinds.ts) reaches the API: the headers the
// HTTP client sends, and how they are renewed on a 401 (an expired OAuth2 token, a session).
import { createHash } from "node:crypto";
import type { Credentials } from "../core/credential-kinds";
import { OrgformError } from "../core/errors";
import { HttpClient, HttpStatusError } from "./client";

/** What the HTTP client sends, and how it renews it. */
export interface ClientAuth {
  headers(): Promise<Record<string, string>>;
  /** After a 401: renew; true when a retry can help. */
  onUnauthorized?(): Promise<boolean>;
}

/** What the HTTP client of a connection sends. Built per connection; reads nothing else. */
export function clientAuth(credentials: Credentials): ClientAuth {
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
  }
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

import { bearerCredential } from "../../auth";
import type { Dialect, PresentedCredential } from "../../types";
import { ClError, fault, fromError, MEDIA_TYPE, unauthenticated } from "./jsonapi";
import { registerRoutes } from "./routes";
import { seedCommercelayer } from "./seed";
import { BACKEND, PREFIX } from "./wire";

/**
 * Commerce Layer provisioning API (document 001) at `/commercelayer/api`, the vendor's
 * `https://provisioning.commercelayer.io/api`: JSON:API organizations, memberships and roles.
 * Auth: `Authorization: Bearer <access token>`, the token from the OAuth2 client-credentials
 * endpoint at `/commercelayer/oauth/token` (the vendor's `https://auth.commercelayer.io/oauth/token`),
 * or the emulator's API token. Rate-limit headers as the SDK reads them: `x-ratelimit-limit`,
 * `x-ratelimit-interval`, `x-ratelimit-remaining`.
 */
const INVALID_CLIENT = "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.";

export const commercelayer: Dialect = {
  name: BACKEND,
  prefix: PREFIX,
  oauth2: {
    tokenPath: "/commercelayer/oauth/token",
    // The auth API's own errors, as @commercelayer/js-auth 7.4.2 reads them (`errors`, else it
    // takes the answer for a token): `{errors: [{title, detail, code, status, meta}]}`, `status` a
    // number (its TError type), the title the RFC 6749 code; the detail of invalid_client is the vendor's.
    error: (status, error, description) => ({
      errors: [{ title: error, detail: error === "invalid_client" ? INVALID_CLIENT : description, code: status === 401 ? "UNAUTHORIZED" : "BAD_REQUEST", status, meta: {} }],
    }),
    // A provisioning token's scope (js-auth's own tests: the scope contains "provisioning-api").
    defaultScope: "provisioning-api",
  },

  readCredential(req): PresentedCredential | null | "malformed" {
    return bearerCredential(req.headers.authorization);
  },

  // The core's strict JSON parser reads JSON:API bodies (no lone surrogates, UTF-8 only).
  jsonMediaTypes: [MEDIA_TYPE],

  errors: {
    unauthenticated,
    rateLimited: () => ClError.of(429, "TOO_MANY_REQUESTS", "Too many requests", "You hit the rate limit: wait and retry").answer(),
    fault,
    noRoute: (method, path) => ClError.of(404, "NOT_FOUND", "Not found", `No route matches ${method} ${path}`).answer(),
    fromError,
  },

  rateLimitHeaders(state) {
    const interval = Math.ceil(state.config.burst / state.config.ratePerSecond);
    return { "x-ratelimit-limit": String(state.config.burst), "x-ratelimit-interval": String(interval), "x-ratelimit-remaining": String(state.remaining) };
  },

  routes: registerRoutes,
  seed: seedCommercelayer,

  describeCredentials(creds, baseUrl) {
    const client = creds.oauthClients[0];
    return [
      `Authorization: Bearer ${creds.apiToken}`,
      ...(client ? [`OAuth2 client credentials ${client.clientId} / ${client.clientSecret} at ${baseUrl}/commercelayer/oauth/token`] : []),
    ];
  },
};

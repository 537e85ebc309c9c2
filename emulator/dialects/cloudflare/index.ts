import { bearerCredential } from "../../auth";
import type { Dialect, PresentedCredential } from "../../types";
import { failure, fault, fromError, unauthenticated, CF } from "./envelope";
import { registerAccounts } from "./accounts";
import { registerLogs } from "./logs";
import { registerMembers } from "./members";
import { MIGRATIONS } from "./migrations";
import { registerOrganizations } from "./organizations";
import { seedCloudflare } from "./seed";
import { BACKEND } from "./wire";

/**
 * Cloudflare's public Organizations API at `/cloudflare/client/v4`, as its official SDKs call it
 * (cloudflare 7.3.0, cloudflare-go/v7 v7.9.0; document 003 where they are silent), members included. Auth: `Authorization: Bearer`
 * or `X-Auth-Email` + `X-Auth-Key`. Rate-limit headers: `Ratelimit` / `Ratelimit-Policy` (IETF
 * draft, as Cloudflare's API sends them) and `Retry-After` on 429.
 */
export const cloudflare: Dialect = {
  name: BACKEND,
  prefix: "/cloudflare/client/v4",
  migrations: MIGRATIONS,

  readCredential(req): PresentedCredential | null | "malformed" {
    const bearer = bearerCredential(req.headers.authorization);
    if (bearer) return bearer;
    const email = req.headers["x-auth-email"];
    const key = req.headers["x-auth-key"];
    if (email === undefined && key === undefined) return null;
    if (typeof email !== "string" || typeof key !== "string" || email === "" || key === "") return "malformed";
    return { kind: "key", email, key };
  },

  errors: {
    unauthenticated,
    rateLimited: () => failure(429, [{ code: CF.rateLimited, message: "Please wait and consider throttling your request speed" }]),
    fault,
    noRoute: () => failure(404, [{ code: CF.noRoute, message: "No route for that URI" }]),
    fromError,
  },

  rateLimitHeaders(state) {
    const window = Math.ceil(state.config.burst / state.config.ratePerSecond);
    return {
      ratelimit: `"default";r=${state.remaining};t=${state.allowed ? state.resetSeconds : state.retryAfterSeconds}`,
      "ratelimit-policy": `"burst";q=${state.config.burst};w=${window}`,
    };
  },

  routes(app, ctx) {
    registerOrganizations(app, ctx);
    registerMembers(app, ctx);
    registerAccounts(app, ctx);
    registerLogs(app, ctx);
  },

  seed: seedCloudflare,

  describeCredentials(creds) {
    return [
      `Authorization: Bearer ${creds.apiToken}`,
      `X-Auth-Email: ${creds.authEmail}  X-Auth-Key: ${creds.authKey}`,
    ];
  },
};

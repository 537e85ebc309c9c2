import { bearerCredential } from "../../auth";
import { xRateLimitHeaders } from "../../ratelimit";
import type { Dialect, PresentedCredential } from "../../types";
import { PROCEDURES, registerRoutes } from "./routes";
import { seedAiaengine } from "./seed";
import { CODE, fault, fromError, status, unauthenticated } from "./status";
import { BACKEND, MIGRATIONS, resetUsers } from "./wire";

/**
 * AIA Engine (document 004, the Python SDK's `Org`; the guides' gRPC calls) at `/aiaengine`: each
 * call at its gRPC method path in the Connect protocol's unary JSON form (our design: procedures in
 * ./routes.ts, emulator/README.md). Auth: `Authorization: Bearer <API token>`. Errors: Connect's
 * `{code, message}`. Rate-limit headers: `X-RateLimit-Limit` / `X-RateLimit-Remaining` /
 * `X-RateLimit-Reset`, and `Retry-After` on 429.
 */
export const aiaengine: Dialect = {
  name: BACKEND,
  prefix: "/aiaengine",
  migrations: MIGRATIONS,
  reset: resetUsers,

  readCredential(req): PresentedCredential | null | "malformed" {
    return bearerCredential(req.headers.authorization);
  },

  errors: {
    unauthenticated,
    rateLimited: (retryAfter) => status(429, CODE.RESOURCE_EXHAUSTED, `too many requests: retry after ${retryAfter} seconds`),
    fault,
    // A procedure takes POST only (Connect: 405). An unknown path is no procedure: never
    // `not_found`, which answers for a missing organization or user and nothing else.
    noRoute: (method, path) =>
      PROCEDURES.has(path.split("?")[0])
        ? status(405, CODE.UNIMPLEMENTED, `${method} is not allowed: ${path.split("?")[0]} takes POST`, { allow: "POST" })
        : status(404, CODE.UNIMPLEMENTED, `unknown procedure ${path.split("?")[0]}`),
    fromError,
  },

  rateLimitHeaders: xRateLimitHeaders,

  routes: registerRoutes,
  seed: seedAiaengine,

  describeCredentials(creds) {
    return [`Authorization: Bearer ${creds.apiToken}   (AIAENGINE_API_TOKEN)`];
  },
};

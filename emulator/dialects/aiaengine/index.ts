import { bearerCredential } from "../../auth";
import { xRateLimitHeaders } from "../../ratelimit";
import type { Dialect, PresentedCredential } from "../../types";
import { registerRoutes } from "./routes";
import { seedAiaengine } from "./seed";
import { GRPC, fault, fromError, status, unauthenticated } from "./status";
import { BACKEND, MIGRATIONS, resetUsers } from "./wire";

/**
 * AIA Engine (document 004, the Python SDK's `Org`) at `/aiaengine`: the `aiaengine.api.org` gRPC
 * service in its REST form (our design: routes in ./routes.ts, emulator/README.md). Auth:
 * `Authorization: Bearer <API token>`. Errors: `google.rpc.Status` JSON. Rate-limit headers:
 * `X-RateLimit-Limit` / `X-RateLimit-Remaining` / `X-RateLimit-Reset`, and `Retry-After` on 429.
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
    rateLimited: (retryAfter) => status(429, GRPC.RESOURCE_EXHAUSTED, `too many requests: retry after ${retryAfter} seconds`),
    fault,
    noRoute: () => status(404, GRPC.NOT_FOUND, "Not Found"),
    fromError,
  },

  rateLimitHeaders: xRateLimitHeaders,

  routes: registerRoutes,
  seed: seedAiaengine,

  describeCredentials(creds) {
    return [`Authorization: Bearer ${creds.apiToken}   (AIAENGINE_API_TOKEN)`];
  },
};

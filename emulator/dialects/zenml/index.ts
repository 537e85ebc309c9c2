import { bearerCredential } from "../../auth";
import { xRateLimitHeaders } from "../../ratelimit";
import type { Dialect, PresentedCredential } from "../../types";
import { fault, fromError, rateLimited, unauthenticated } from "./errors";
import { registerOrganizations } from "./organizations";
import { seedZenml } from "./seed";
import { BACKEND, EMULATOR_USER } from "./wire";

/**
 * ZenML Pro organizations (document 002) at `/zenml`. Auth: `Authorization: Bearer` with the
 * emulator's API token (a user: it may create) or an access token from the OAuth2
 * client-credentials endpoint `/zenml/auth/token` (a service account: it may not create, as ZenML
 * refuses). Errors are FastAPI's `{"detail": ...}` (see errors.ts).
 */
export const zenml: Dialect = {
  name: BACKEND,
  prefix: "/zenml",
  oauth2: { tokenPath: "/zenml/auth/token" },

  readCredential(req): PresentedCredential | null | "malformed" {
    return bearerCredential(req.headers.authorization);
  },

  errors: {
    unauthenticated,
    rateLimited,
    fault,
    noRoute: () => ({ status: 404, body: { detail: "Not Found" } }),
    fromError,
  },

  rateLimitHeaders: xRateLimitHeaders,

  routes(app, ctx) {
    registerOrganizations(app, ctx);
  },

  seed: seedZenml,

  describeCredentials(creds, baseUrl) {
    const client = creds.oauthClients[0];
    return [
      `Authorization: Bearer ${creds.apiToken}  (a user, ${EMULATOR_USER.username}: may create organizations)`,
      ...(client ? [`OAuth2 client credentials ${client.clientId}:${client.clientSecret} at ${baseUrl}/zenml/auth/token  (a service account: may not create)`] : []),
    ];
  },
};

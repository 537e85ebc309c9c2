import { bearerCredential } from "../../auth";
import { xRateLimitHeaders } from "../../ratelimit";
import type { Dialect, PresentedCredential } from "../../types";
import { fault, fromError, noRoute, rateLimited, unauthenticated } from "./errors";
import { API_KEYS_TABLE, apiKeyLogin } from "./login";
import { registerOrganizations } from "./organizations";
import { registerWorkspaces } from "./workspaces";
import { seedZenml } from "./seed";
import { BACKEND, EMULATOR_USER } from "./wire";

/**
 * ZenML Pro organizations (document 002, read with zenml 0.98.0's own client) at `/zenml`. Auth:
 * `Authorization: Bearer` with the emulator's API token (a user's: it may create), an access token
 * that API key was exchanged for at `POST /zenml/auth/login` (`password=<key>`, the same user), or
 * one from OAuth2 client credentials at that same route (a service account: it may not create, as
 * ZenML refuses). Errors are FastAPI's `{"detail": ...}` (see errors.ts).
 */
export const zenml: Dialect = {
  name: BACKEND,
  prefix: "/zenml",

  migrations: [
    {
      version: 1,
      name: "zenml service accounts' API keys",
      sql: `
        CREATE TABLE ${API_KEYS_TABLE} (
          key_digest      TEXT PRIMARY KEY,
          service_account TEXT NOT NULL,
          org_id          TEXT NOT NULL
        );
      `,
    },
  ],

  reset(store) {
    store.statement(`DELETE FROM ${API_KEYS_TABLE}`).run();
  },
  // ZenML Pro's one token route: client credentials (the core) and API keys (login.ts).
  oauth2: { tokenPath: "/zenml/auth/login", otherGrant: apiKeyLogin },

  readCredential(req): PresentedCredential | null | "malformed" {
    return bearerCredential(req.headers.authorization);
  },

  errors: {
    unauthenticated,
    rateLimited,
    fault,
    noRoute,
    fromError,
  },

  rateLimitHeaders: xRateLimitHeaders,

  routes(app, ctx) {
    registerOrganizations(app, ctx);
    registerWorkspaces(app, ctx);
  },

  seed: seedZenml,

  describeCredentials(creds, baseUrl) {
    const client = creds.oauthClients[0];
    return [
      `Authorization: Bearer ${creds.apiToken}  (a user, ${EMULATOR_USER.username}: may create organizations); the same value is its API key: POST ${baseUrl}/zenml/auth/login password=<key>`,
      ...(client ? [`OAuth2 client credentials ${client.clientId}:${client.clientSecret} at ${baseUrl}/zenml/auth/login  (a service account: may not create)`] : []),
    ];
  },
};

import { createHash } from "node:crypto";
import type { Store } from "../../store";
import type { DialectAnswer, DialectContext } from "../../types";
import { EMULATOR_USER, BACKEND } from "./wire";

/**
 * `POST /auth/login`, ZenML Pro's token route, as ZenML's own code uses it (zenml 0.98.0):
 * - an API key exchanged for an access token: form-encoded `password=<key>` and nothing else
 *   (`login/pro/client.py` `ZenMLProClient.fetch_api_token`; the grant ZenML's servers detect when
 *   a form has a password and no user name, `zen_server/routers/auth_endpoints.py`
 *   `OAuthLoginRequestForm`, grant type `zenml-api-key`);
 * - OAuth2 client credentials (`grant_type=client_credentials`, `client_id`, `client_secret`,
 *   `zen_server/cloud_utils.py` `_fetch_auth_token`): served by the emulator core's token endpoint
 *   at the same path (this file answers every other form).
 * The answer is `OAuthTokenResponse` (`models/v2/misc/auth_models.py`): `{access_token, token_type:
 * "bearer", expires_in, device_id, device_metadata}`, as ZenML's service-account docs show it.
 * Refusals are the server's: a 400 with a string `detail` for a form it cannot use, a 401
 * `["CredentialsNotValid", …]` with `WWW-Authenticate: Bearer` for a key it does not know.
 *
 * The emulator's API key is its full-access API token (a personal access token of the emulator's
 * user, `orgform-emulator`: ZenML Pro also takes an API key directly as a bearer token); the access
 * token it is exchanged for acts as that user, who may create organizations. Seeded service
 * accounts (`organizations[].service_accounts: [{name, api_key}]`) have API keys too: theirs act as
 * a service account, which ZenML refuses the create (only a digest of a key is stored).
 */

export const API_KEYS_TABLE = "zenml_api_keys";

export const keyDigest = (key: string): string => createHash("sha256").update(key).digest("hex");

/** Registers a seeded service account's API key (replacing the key's previous holder). */
export function putServiceAccountKey(store: Store, key: string, serviceAccount: string, orgId: string): void {
  store.statement(`INSERT OR REPLACE INTO ${API_KEYS_TABLE} (key_digest, service_account, org_id) VALUES (?, ?, ?)`).run(keyDigest(key), serviceAccount, orgId);
}

/** The subject of an access token a service account's API key was exchanged for. */
export const SERVICE_ACCOUNT_SUBJECT = "service-account:";

const badRequest = (detail: string): DialectAnswer => ({ status: 400, body: { detail } });

export function apiKeyLogin(form: Record<string, string>, ctx: DialectContext): DialectAnswer {
  const grant = form.grant_type;
  if (grant !== undefined && grant !== "" && grant !== "zenml-api-key") {
    // ZenML Pro users log in through the dashboard (a device or browser flow): no password grant here.
    return badRequest(`Unsupported grant type: ${grant}`);
  }
  if (form.username !== undefined && (grant === undefined || grant === "")) return badRequest("Unsupported grant type: password.");
  const key = form.password;
  if (!key) return badRequest(grant === "zenml-api-key" ? "API key is required." : "Invalid request: grant type is required.");
  const holder = ctx.isFullAccessToken(key)
    ? EMULATOR_USER.username
    : (ctx.store.statement(`SELECT service_account FROM ${API_KEYS_TABLE} WHERE key_digest = ?`).get(keyDigest(key)) as { service_account: string } | undefined)?.service_account;
  if (holder === undefined) {
    return {
      status: 401,
      headers: { "www-authenticate": "Bearer" },
      body: { detail: ["CredentialsNotValid", "Authentication error: invalid API key"] },
    };
  }
  const subject = holder === EMULATOR_USER.username ? holder : `${SERVICE_ACCOUNT_SUBJECT}${holder}`;
  const { token, expiresIn } = ctx.issueAccessToken({ backend: BACKEND, via: "api-key", subject });
  return { status: 200, body: { access_token: token, expires_in: expiresIn, token_type: "bearer", device_id: null, device_metadata: null } };
}

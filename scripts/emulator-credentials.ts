// The emulator's own credentials as each backend takes them, read from the backend's capability
// matrix (its credential kinds), never from its name: for `npm start -- <config>`, the contract
// suites and the end-to-end tests, which point a backend at the emulator with nothing else.
import { capabilitiesOf } from "../provider/core/capabilities";
import type { BackendName } from "../provider/core/backends";
import type { AuthMethod } from "../provider/core/capabilities";
import type { Credentials } from "../provider/core/credential-kinds";

/** What the emulator accepts (a started emulator's `credentials` and `tokenUrls`). */
export interface EmulatorAccess {
  credentials: { apiToken: string; authEmail: string; authKey: string; oauthClients: { clientId: string; clientSecret: string }[]; userName: string; password: string };
  tokenUrls: Record<string, string>;
}

/** The first of the backend's credential methods the emulator can satisfy, with its values. */
export function emulatorCredentials(backend: BackendName, emu: EmulatorAccess): { method: AuthMethod; credentials: Credentials } {
  const c = emu.credentials;
  for (const method of capabilitiesOf(backend).connection.auth) {
    switch (method.method) {
      case "bearer-token":
        return { method, credentials: { method: "bearer-token", token: c.apiToken } };
      case "api-key":
        return { method, credentials: { method: "api-key", email: c.authEmail, apiKey: c.authKey } };
      case "api-key-exchange":
        // The emulator exchanges its API token, presented as an API key, for an access token of its user.
        return { method, credentials: { method: "api-key-exchange", apiKey: c.apiToken } };
      case "session-login":
        return { method, credentials: { method: "session-login", userName: c.userName, password: c.password } };
      case "oauth2-client-credentials": {
        const client = c.oauthClients[0];
        const tokenUrl = emu.tokenUrls[backend];
        if (!client || !tokenUrl) continue;
        return { method, credentials: { method: "oauth2-client-credentials", clientId: client.clientId, clientSecret: client.clientSecret, tokenUrl } };
      }
    }
  }
  throw new Error(`the emulator has no credential that ${backend} accepts (methods: ${capabilitiesOf(backend).connection.auth.map((a) => a.method).join(", ")})`);
}

/** The same credential as the environment variables the backend reads (capabilities.json `connection.auth[].env`). */
export function emulatorCredentialEnv(backend: BackendName, emu: EmulatorAccess): Record<string, string> {
  const { method, credentials } = emulatorCredentials(backend, emu);
  const env: Record<string, string> = {};
  for (const [part, variable] of Object.entries(method.env)) {
    const value = (credentials as unknown as Record<string, string>)[part];
    if (value !== undefined && variable) env[variable] = value;
  }
  // A part without a vendor variable (a token URL) goes through orgform's generic one.
  if (credentials.method === "oauth2-client-credentials" && !method.env.tokenUrl) env.ORGFORM_TOKEN_URL = credentials.tokenUrl;
  return env;
}

// The one place that maps a backend name to its adapter; resources never name a vendor.
import type { Connection } from "../config/connection";
import { OrgformError } from "../core/errors";
import { HttpClient } from "../http/client";
import { cloudflareBackend } from "./cloudflare";
import type { FullBackend } from "./types";

export type { FullBackend } from "./types";

/** Request headers carrying the credential; built per request so nothing else holds them. */
export function authHeaders(connection: Connection): Record<string, string> {
  const c = connection.credentials;
  switch (c.method) {
    case "bearer-token":
      return { authorization: `Bearer ${c.token}` };
    case "api-key":
      return { "x-auth-email": c.email, "x-auth-key": c.apiKey };
    default:
      throw new OrgformError("UNSUPPORTED", `credentials of kind ${c.method} need a token exchange first`);
  }
}

export function openBackend(connection: Connection, pacingKey: string): FullBackend {
  const http = new HttpClient({
    baseUrl: connection.endpoint,
    headers: () => authHeaders(connection),
    pacingKey,
    ratePerSecond: connection.ratePerSecond,
  });
  switch (connection.backend) {
    case "cloudflare":
      return cloudflareBackend(http);
    default:
      throw new OrgformError("UNSUPPORTED", `the ${connection.backend} backend has no adapter yet: only cloudflare is implemented`);
  }
}

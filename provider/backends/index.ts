// The registry of vendor adapters: one entry per backend (a name of BACKENDS), the only place that
// maps a backend name to its code (adapter and protocol). Resources, handlers, CLI and tests ask
// `VENDORS` / `openBackend`, never a name.
import type { Connection } from "../config/connection";
import { BACKENDS, isBackendName, type BackendName } from "../core/backends";
import { capabilitiesOf } from "../core/capabilities";
import { OrgformError } from "../core/errors";
import { HttpClient } from "../http/client";
import { clientAuth } from "../http/credentials";
import type { VendorProtocol } from "../http/protocol";
import { aiaengineVendor } from "./aiaengine";
import { cloudflareVendor } from "./cloudflare";
import { commercelayerVendor } from "./commercelayer";
import { zenmlVendor } from "./zenml";
import { cloudomationVendor } from "./cloudomation";
import type { FullBackend } from "./types";

export type { FullBackend } from "./types";

/** A vendor whose adapter is built: how to open it over an HTTP client carrying its credentials. */
export interface ImplementedVendor {
  name: BackendName;
  status: "implemented";
  /** What its answers look like (its folder's protocol.ts): the HTTP client checks every answer against it. */
  protocol: VendorProtocol;
  open(http: HttpClient, connection: Connection): FullBackend;
}

/** A vendor with schemas (so `orgform validate` reads its configs) and no adapter yet. */
export interface PlannedVendor {
  name: BackendName;
  status: "planned";
}

export type VendorEntry = ImplementedVendor | PlannedVendor;

/** The entry of a vendor whose schemas land before its adapter: `planned("<vendor>")`. */
export const planned = (name: BackendName): PlannedVendor => ({ name, status: "planned" });

export const VENDORS = {
  cloudflare: cloudflareVendor,
  zenml: zenmlVendor,
  commercelayer: commercelayerVendor,
  cloudomation: cloudomationVendor,
  aiaengine: aiaengineVendor,
} satisfies Record<BackendName, VendorEntry>;

/** The vendors whose adapter is built, in BACKENDS order. */
export function implementedVendors(): BackendName[] {
  return BACKENDS.filter((b) => VENDORS[b].status === "implemented");
}

/**
 * Why a backend cannot be used by the provider, in one sentence; undefined when it can. Unknown
 * names and vendors not implemented yet are told apart.
 */
export function unusableBackend(backend: unknown): string | undefined {
  if (!isBackendName(backend)) return `unknown backend ${JSON.stringify(backend)}: expected one of ${BACKENDS.join(", ")}`;
  const vendor = VENDORS[backend] as VendorEntry;
  if (vendor.status === "planned") {
    return (
      `the ${capabilitiesOf(backend).displayName} backend (${backend}) is not implemented yet in this version of orgform: ` +
      `\`orgform validate\` checks its configs, but nothing can be applied to it`
    );
  }
  return undefined;
}

/** The adapter of a connection's backend, over one HTTP client with its credentials, pacing and protocol. */
export function openBackend(connection: Connection, pacingKey: string): FullBackend {
  const vendor: VendorEntry = VENDORS[connection.backend];
  if (vendor.status !== "implemented") throw new OrgformError("UNSUPPORTED", unusableBackend(connection.backend)!);
  const method = capabilitiesOf(connection.backend).connection.auth.find((m) => m.method === connection.credentials.method);
  const timeoutMs = connection.requestTimeout !== undefined ? connection.requestTimeout * 1000 : undefined;
  const auth = clientAuth(connection.credentials, {
    endpoint: connection.endpoint,
    timeoutMs,
    ...(method?.login ? { login: method.login } : {}),
    ...(method?.exchange ? { exchange: method.exchange } : {}),
  });
  const http = new HttpClient({
    baseUrl: connection.endpoint,
    headers: () => auth.headers(),
    ...(auth.onUnauthorized ? { onUnauthorized: () => auth.onUnauthorized!() } : {}),
    pacingKey,
    ratePerSecond: connection.ratePerSecond,
    concurrency: connection.concurrency,
    protocol: vendor.protocol,
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  });
  return vendor.open(http, connection);
}

// The connection contract: one resolver for every command (Pulumi resources, export, drift).
// One backend and one account per config / stack. Precedence, per setting:
//   command-line flag > environment > Pulumi stack config > the YAML `connection` block > vendor default.
// Credentials never come from YAML. Errors name what is missing and never print a value.
import { capabilitiesOf, type AuthMethod, type CredentialPart } from "../core/capabilities";
import { isBackendName, BACKENDS, type BackendName } from "../core/backends";
import { OrgformError } from "../core/errors";

export type Credentials =
  | { method: "bearer-token"; token: string }
  | { method: "api-key"; email: string; apiKey: string }
  | { method: "oauth2-client-credentials"; clientId: string; clientSecret: string; tokenUrl: string };

export interface Connection {
  backend: BackendName;
  /** Full base URL (the emulator's dialect prefix is part of it). */
  endpoint: string;
  credentials: Credentials;
  /** Client-side pacing, requests per second (ORGFORM_RATE_LIMIT / orgform:rateLimit). */
  ratePerSecond?: number;
}

/** Settings given on the command line (or as resource inputs by a program). */
export interface ConnectionFlags {
  backend?: string;
  endpoint?: string;
  tokenUrl?: string;
}

export interface ResolveConnectionInput {
  /** The backend the desired state names (YAML `backend`). */
  backend?: string;
  flags?: ConnectionFlags;
  env: NodeJS.ProcessEnv | Record<string, string | undefined>;
  /** Pulumi stack config, keys with their namespace (`orgform:endpoint`, secret `orgform:token`, ...). */
  stackConfig?: Record<string, string | undefined>;
  /** The YAML `connection` block (never credentials). */
  declared?: { endpoint?: string; tokenUrl?: string };
}

/** Environment variables that are not per vendor. */
export const ENV = {
  backend: "ORGFORM_BACKEND",
  endpoint: "ORGFORM_ENDPOINT",
  tokenUrl: "ORGFORM_TOKEN_URL",
  rateLimit: "ORGFORM_RATE_LIMIT",
} as const;

/** Stack config key for each credential part (namespace `orgform`). */
export const STACK_CONFIG: Record<CredentialPart | "backend" | "endpoint" | "rateLimit", string> = {
  backend: "orgform:backend",
  endpoint: "orgform:endpoint",
  rateLimit: "orgform:rateLimit",
  token: "orgform:token",
  email: "orgform:email",
  apiKey: "orgform:apiKey",
  clientId: "orgform:clientId",
  clientSecret: "orgform:clientSecret",
  tokenUrl: "orgform:tokenUrl",
};

const SECRET_PARTS: CredentialPart[] = ["token", "apiKey", "clientSecret"];

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}

type Level = "environment" | "stack config";

/** Where one credential part is read at one level, and its value there. */
function lookup(part: CredentialPart, method: AuthMethod, level: Level, input: ResolveConnectionInput): { from: string; value?: string } {
  if (level === "environment") {
    const name = method.env[part];
    return { from: `environment variable ${name ?? "(none)"}`, value: name ? nonEmpty(input.env[name]) : undefined };
  }
  return { from: `stack config ${STACK_CONFIG[part]}`, value: nonEmpty(input.stackConfig?.[STACK_CONFIG[part]]) };
}

function partsOf(method: AuthMethod): CredentialPart[] {
  switch (method.method) {
    case "bearer-token":
      return ["token"];
    case "api-key":
      return ["email", "apiKey"];
    case "oauth2-client-credentials":
      return ["clientId", "clientSecret"];
  }
}

function describeMethod(method: AuthMethod): string {
  return partsOf(method)
    .map((p) => `${method.env[p] ?? "?"} (or stack config ${STACK_CONFIG[p]}${SECRET_PARTS.includes(p) ? ", as a secret" : ""})`)
    .join(" and ");
}

export function resolveBackend(input: ResolveConnectionInput): BackendName {
  const candidates: [string, string | undefined][] = [
    ["--backend", nonEmpty(input.flags?.backend)],
    [`environment variable ${ENV.backend}`, nonEmpty(input.env[ENV.backend])],
    [`stack config ${STACK_CONFIG.backend}`, nonEmpty(input.stackConfig?.[STACK_CONFIG.backend])],
    ["the config's backend", nonEmpty(input.backend)],
  ];
  const found = candidates.find(([, v]) => v !== undefined);
  if (!found) throw new OrgformError("VALIDATION", `no backend given: set backend in the config, --backend, ${ENV.backend} or ${STACK_CONFIG.backend}`);
  const [from, value] = found;
  if (!isBackendName(value)) throw new OrgformError("VALIDATION", `${from} names an unknown backend "${value}" (known: ${BACKENDS.join(", ")})`);
  return value;
}

export function resolveConnection(input: ResolveConnectionInput): Connection {
  const backend = resolveBackend(input);
  const caps = capabilitiesOf(backend);
  const endpoint =
    nonEmpty(input.flags?.endpoint) ??
    nonEmpty(input.env[ENV.endpoint]) ??
    nonEmpty(input.stackConfig?.[STACK_CONFIG.endpoint]) ??
    nonEmpty(input.declared?.endpoint) ??
    caps.connection.defaultEndpoint ??
    undefined;
  if (!endpoint) {
    throw new OrgformError(
      "VALIDATION",
      `no endpoint for ${backend}: it has no public default; set connection.endpoint in the config, --endpoint, ${ENV.endpoint} or ${STACK_CONFIG.endpoint}`,
    );
  }
  if (!/^https?:\/\//.test(endpoint)) throw new OrgformError("VALIDATION", `the ${backend} endpoint must be an http(s) URL`);

  const credentials = resolveCredentials(backend, input);
  const rate = nonEmpty(input.env[ENV.rateLimit]) ?? nonEmpty(input.stackConfig?.[STACK_CONFIG.rateLimit]);
  const ratePerSecond = rate === undefined ? undefined : Number(rate);
  if (ratePerSecond !== undefined && !(ratePerSecond > 0)) throw new OrgformError("VALIDATION", `${ENV.rateLimit} must be a positive number of requests per second`);
  return { backend, endpoint: endpoint.replace(/\/+$/, ""), credentials, ...(ratePerSecond ? { ratePerSecond } : {}) };
}

function resolveCredentials(backend: BackendName, input: ResolveConnectionInput): Credentials {
  const caps = capabilitiesOf(backend);
  const partial: string[] = [];
  // The environment first, then the stack config; within a level, the vendor's methods in order.
  for (const level of ["environment", "stack config"] as const) {
    for (const method of caps.connection.auth) {
      const values: Partial<Record<CredentialPart, string>> = {};
      const missing: string[] = [];
      for (const part of partsOf(method)) {
        const found = lookup(part, method, level, input);
        if (found.value !== undefined) values[part] = found.value;
        else missing.push(found.from);
      }
      if (missing.length === 0) return build(method, values, input, caps.connection.defaultTokenUrl ?? undefined, backend);
      if (missing.length < partsOf(method).length) partial.push(missing.join(" and "));
    }
  }
  const how = caps.connection.auth.map(describeMethod).join("; or ");
  throw new OrgformError(
    "AUTH",
    partial.length > 0 ? `incomplete credentials for ${backend}: missing ${partial[0]}` : `no credentials for ${backend}: set ${how}`,
  );
}

function build(
  method: AuthMethod,
  values: Partial<Record<CredentialPart, string>>,
  input: ResolveConnectionInput,
  defaultTokenUrl: string | undefined,
  backend: BackendName,
): Credentials {
  switch (method.method) {
    case "bearer-token":
      return { method: "bearer-token", token: values.token! };
    case "api-key":
      return { method: "api-key", email: values.email!, apiKey: values.apiKey! };
    case "oauth2-client-credentials": {
      const envName = method.env.tokenUrl;
      const tokenUrl =
        nonEmpty(input.flags?.tokenUrl) ??
        (envName ? nonEmpty(input.env[envName]) : undefined) ??
        nonEmpty(input.env[ENV.tokenUrl]) ??
        nonEmpty(input.stackConfig?.[STACK_CONFIG.tokenUrl]) ??
        nonEmpty(input.declared?.tokenUrl) ??
        defaultTokenUrl;
      if (!tokenUrl) {
        throw new OrgformError("VALIDATION", `no token URL for ${backend}: set connection.tokenUrl in the config, --token-url, ${envName ?? ENV.tokenUrl} or ${STACK_CONFIG.tokenUrl}`);
      }
      return { method: "oauth2-client-credentials", clientId: values.clientId!, clientSecret: values.clientSecret!, tokenUrl };
    }
  }
}

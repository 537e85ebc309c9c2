/**
 * The one connection resolver every command uses.
 *
 * One backend and one account per config / stack. Each setting is taken from the first source that
 * has it: command-line flag > environment > Pulumi stack config > the YAML file's `connection`
 * block (never credentials) > the backend's documented default (capabilities.json).
 *
 * | setting      | flag            | environment                                 | stack config           |
 * |--------------|-----------------|---------------------------------------------|------------------------|
 * | backend      | --backend       | ORGFORM_BACKEND                             | orgform:backend        |
 * | endpoint     | --endpoint      | ORGFORM_ENDPOINT                            | orgform:endpoint       |
 * | tokenUrl     | --token-url     | <VENDOR>_TOKEN_URL, ORGFORM_TOKEN_URL       | orgform:tokenUrl       |
 * | token        | --token         | CLOUDFLARE_API_TOKEN, CLOUDOMATION_API_TOKEN, AIAENGINE_API_TOKEN | orgform:token (secret) |
 * | email+apiKey | --email, --api-key | CLOUDFLARE_EMAIL + CLOUDFLARE_API_KEY    | orgform:email, orgform:apiKey (secret) |
 * | clientId+clientSecret | --client-id, --client-secret | ZENML_CLIENT_ID/SECRET, COMMERCELAYER_CLIENT_ID/SECRET | orgform:clientId, orgform:clientSecret (secret) |
 *
 * The credential environment variables come from `connection.auth` in each backend's
 * capabilities.json. Errors name what is missing and where it may be set, never a value.
 */
import { BACKENDS, BackendName, isBackendName } from "../core/backends";
import { AuthMethod, AuthMethodKind, CredentialPart, capabilitiesOf } from "../core/capabilities";
import { OrgformError } from "../core/errors";
import type { ConnectionSettings } from "./model";

export type SettingSource = "flag" | "env" | "stack" | "file" | "default";

export type Credentials =
  | { method: "bearer-token"; token: string }
  | { method: "api-key"; email: string; apiKey: string }
  | { method: "oauth2-client-credentials"; clientId: string; clientSecret: string; tokenUrl: string };

export interface Connection {
  backend: BackendName;
  /** Full base URL, no trailing slash (the emulator's dialect prefix is part of it). */
  endpoint: string;
  credentials: Credentials;
  /** Where each setting came from (for `--verbose` style output; never values). */
  sources: Record<string, SettingSource>;
}

export interface ConnectionFlags {
  backend?: string;
  endpoint?: string;
  tokenUrl?: string;
  token?: string;
  email?: string;
  apiKey?: string;
  clientId?: string;
  clientSecret?: string;
}

export interface ResolveConnectionInput {
  /** Command-line flags (highest precedence). */
  flags?: ConnectionFlags;
  /** Usually process.env. */
  env?: Record<string, string | undefined>;
  /** Pulumi stack config, keys with or without the `orgform:` prefix. */
  stackConfig?: Record<string, string | undefined>;
  /** The YAML file's backend and connection block (lowest precedence before defaults). */
  file?: ConnectionSettings & { backend?: string };
  /** Backend chosen by the caller (e.g. a loaded config); same precedence as `file`. */
  backend?: string;
}

export interface ResolveConnectionResult {
  connection?: Connection;
  /** One sentence per problem; names settings and variables, never values. */
  problems: string[];
}

/** Generic (not vendor) environment variables. */
export const ORGFORM_ENV = { backend: "ORGFORM_BACKEND", endpoint: "ORGFORM_ENDPOINT", tokenUrl: "ORGFORM_TOKEN_URL" } as const;

const FLAG_NAMES: Record<keyof ConnectionFlags, string> = {
  backend: "--backend",
  endpoint: "--endpoint",
  tokenUrl: "--token-url",
  token: "--token",
  email: "--email",
  apiKey: "--api-key",
  clientId: "--client-id",
  clientSecret: "--client-secret",
};

const METHOD_PARTS: Record<AuthMethodKind, CredentialPart[]> = {
  "bearer-token": ["token"],
  "api-key": ["email", "apiKey"],
  "oauth2-client-credentials": ["clientId", "clientSecret", "tokenUrl"],
};

function present(v: string | undefined): v is string {
  return typeof v === "string" && v.trim() !== "";
}

function stackValue(stack: Record<string, string | undefined> | undefined, key: string): string | undefined {
  if (!stack) return undefined;
  return stack[`orgform:${key}`] ?? stack[key];
}

/** Resolves and reports every problem at once; never throws. */
export function tryResolveConnection(input: ResolveConnectionInput): ResolveConnectionResult {
  const flags = input.flags ?? {};
  const env = input.env ?? {};
  const stack = input.stackConfig;
  const sources: Record<string, SettingSource> = {};
  const problems: string[] = [];

  const pick = (name: string, candidates: Array<[SettingSource, string | undefined]>): string | undefined => {
    for (const [source, value] of candidates) {
      if (present(value)) {
        sources[name] = source;
        return value.trim();
      }
    }
    return undefined;
  };

  // Backend.
  const fileBackend = input.file?.backend ?? input.backend;
  const backendValue = pick("backend", [
    ["flag", flags.backend],
    ["env", env[ORGFORM_ENV.backend]],
    ["stack", stackValue(stack, "backend")],
    ["file", fileBackend],
  ]);
  if (backendValue === undefined) {
    problems.push(`missing backend: set ${FLAG_NAMES.backend}, ${ORGFORM_ENV.backend}, orgform:backend or "backend:" in the YAML file (one of ${BACKENDS.join(", ")})`);
    return { problems };
  }
  if (!isBackendName(backendValue)) {
    problems.push(`unknown backend "${backendValue}" (from ${describeSource(sources.backend!)}); expected one of ${BACKENDS.join(", ")}`);
    return { problems };
  }
  const backend: BackendName = backendValue;
  if (present(fileBackend) && fileBackend !== backend) {
    problems.push(`backend ${backend} (from ${describeSource(sources.backend!)}) conflicts with backend ${fileBackend} named by the YAML file`);
  }
  const caps = capabilitiesOf(backend);

  // Endpoint.
  const endpoint = pick("endpoint", [
    ["flag", flags.endpoint],
    ["env", env[ORGFORM_ENV.endpoint]],
    ["stack", stackValue(stack, "endpoint")],
    ["file", input.file?.endpoint],
    ["default", caps.connection.defaultEndpoint ?? undefined],
  ]);
  if (endpoint === undefined) {
    problems.push(`missing endpoint for ${backend}: set ${FLAG_NAMES.endpoint}, ${ORGFORM_ENV.endpoint}, orgform:endpoint or connection.endpoint in the YAML file (the full base URL)`);
  } else if (!/^https?:\/\/[^\s/]+/i.test(endpoint)) {
    problems.push(`endpoint (from ${describeSource(sources.endpoint!)}) must be a full http(s) URL`);
  }

  // Credentials: the first auth method whose parts are all present.
  const resolvePart = (method: AuthMethod, part: CredentialPart): string | undefined => {
    const candidates: Array<[SettingSource, string | undefined]> = [["flag", flags[part as keyof ConnectionFlags]]];
    const envName = method.env[part];
    if (envName) candidates.push(["env", env[envName]]);
    if (part === "tokenUrl") candidates.push(["env", env[ORGFORM_ENV.tokenUrl]]);
    candidates.push(["stack", stackValue(stack, part)]);
    if (part === "tokenUrl") {
      candidates.push(["file", input.file?.tokenUrl]);
      candidates.push(["default", caps.connection.defaultTokenUrl ?? undefined]);
    }
    return pick(part, candidates);
  };
  let credentials: Credentials | undefined;
  const partial: string[] = [];
  for (const method of caps.connection.auth) {
    const parts = METHOD_PARTS[method.method];
    const values = Object.fromEntries(parts.map((part) => [part, resolvePart(method, part)])) as Partial<Record<CredentialPart, string>>;
    const missing = parts.filter((part) => values[part] === undefined);
    if (missing.length === 0) {
      credentials = toCredentials(method.method, values);
      break;
    }
    const secretParts = parts.filter((p) => p !== "tokenUrl");
    if (missing.length < parts.length && secretParts.some((p) => values[p] !== undefined)) {
      partial.push(`${method.method} credentials for ${backend} are incomplete: missing ${missing.map((p) => describePart(method, p)).join(", ")}`);
    }
  }
  if (!credentials) {
    if (partial.length) problems.push(...partial);
    else {
      const options = caps.connection.auth.map((m) => METHOD_PARTS[m.method].filter((p) => p !== "tokenUrl" || !caps.connection.defaultTokenUrl).map((p) => describePart(m, p)).join(" + "));
      problems.push(`missing credentials for ${backend}: set ${options.join(", or ")}`);
    }
  }
  if (problems.length || endpoint === undefined || !credentials) return { problems };
  return { connection: { backend, endpoint: endpoint.replace(/\/+$/, ""), credentials, sources }, problems };
}

/** Like tryResolveConnection, but throws OrgformError("VALIDATION") naming every problem. */
export function resolveConnection(input: ResolveConnectionInput): Connection {
  const { connection, problems } = tryResolveConnection(input);
  if (!connection) throw new OrgformError("VALIDATION", `cannot connect: ${problems.join("; ")}`, { details: { problems } });
  return connection;
}

function toCredentials(method: AuthMethodKind, v: Partial<Record<CredentialPart, string>>): Credentials {
  switch (method) {
    case "bearer-token":
      return { method, token: v.token! };
    case "api-key":
      return { method, email: v.email!, apiKey: v.apiKey! };
    case "oauth2-client-credentials":
      return { method, clientId: v.clientId!, clientSecret: v.clientSecret!, tokenUrl: v.tokenUrl! };
  }
}

function describePart(method: AuthMethod, part: CredentialPart): string {
  const where = [method.env[part], part === "tokenUrl" ? ORGFORM_ENV.tokenUrl : undefined, `orgform:${part}`].filter(Boolean);
  return `${method.env[part] ?? part} (${[FLAG_NAMES[part as keyof ConnectionFlags], ...where.slice(1)].join(", ")})`;
}

function describeSource(source: SettingSource): string {
  return { flag: "the command line", env: "the environment", stack: "stack config", file: "the YAML file", default: "the backend default" }[source];
}

/** Every environment variable the resolver reads, per backend (for docs and `--help`). */
export function connectionEnvVars(backend: BackendName): string[] {
  const caps = capabilitiesOf(backend);
  const vars = new Set<string>([ORGFORM_ENV.backend, ORGFORM_ENV.endpoint]);
  for (const m of caps.connection.auth) {
    for (const v of Object.values(m.env)) vars.add(v);
    if (m.method === "oauth2-client-credentials") vars.add(ORGFORM_ENV.tokenUrl);
  }
  return [...vars];
}

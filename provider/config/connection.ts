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
 * | token        | --token         | the backend's (capabilities.json)           | orgform:token (secret) |
 * | apiKey (exchanged) | --api-key | the backend's                               | orgform:apiKey (secret) |
 * | userName+password | --user-name, --password | the backend's               | orgform:userName, orgform:password (secret) |
 * | email+apiKey | --email, --api-key | the backend's                            | orgform:email, orgform:apiKey (secret) |
 * | clientId+clientSecret | --client-id, --client-secret | the backend's       | orgform:clientId, orgform:clientSecret (secret) |
 * | rateLimit    |                 | ORGFORM_RATE_LIMIT                          | orgform:rateLimit      |
 * | concurrency  |                 | ORGFORM_CONCURRENCY                         | orgform:concurrency    |
 * | bulkReads    |                 | ORGFORM_BULK_READS                          | orgform:bulkReads      |
 * | requestTimeout |               | ORGFORM_REQUEST_TIMEOUT (seconds)           | orgform:requestTimeout |
 *
 * The credential environment variables come from `connection.auth` in each backend's
 * capabilities.json. Errors name what is missing and where it may be set, never a value.
 */
import { BACKENDS, BackendName, isBackendName } from "../core/backends";
import { AuthMethod, capabilitiesOf } from "../core/capabilities";
import { allCredentialParts, partsOf, type AuthMethodKind, type CredentialPart, type Credentials } from "../core/credential-kinds";
import { OrgformError } from "../core/errors";
import type { ConnectionSettings } from "./model";
import { isSecretKey, secretValueKind } from "./secrets";

export type SettingSource = "flag" | "env" | "stack" | "file" | "default";

export type { Credentials } from "../core/credential-kinds";

export interface Connection {
  backend: BackendName;
  /** Full base URL, no trailing slash (the emulator's dialect prefix is part of it). */
  endpoint: string;
  credentials: Credentials;
  /** Client-side pacing, requests per second (ORGFORM_RATE_LIMIT / orgform:rateLimit). */
  ratePerSecond?: number;
  /** Requests in flight at most, per credential (ORGFORM_CONCURRENCY / orgform:concurrency). */
  concurrency?: number;
  /** false turns bulk reads off (ORGFORM_BULK_READS / orgform:bulkReads): a small stack in a very large account. */
  bulkReads?: boolean;
  /** Seconds one attempt of a request may take (ORGFORM_REQUEST_TIMEOUT / orgform:requestTimeout; default 30). */
  requestTimeout?: number;
  /** Where each setting came from (for `--verbose` style output; never values). */
  sources: Record<string, SettingSource>;
}

/** Command-line values: backend, endpoint and every credential part (`--token`, `--client-id`...). */
export type ConnectionFlags = { backend?: string; endpoint?: string } & { [P in CredentialPart]?: string };

export interface ResolveConnectionInput {
  /** Command-line flags (highest precedence). */
  flags?: ConnectionFlags;
  /** Usually process.env. */
  env?: NodeJS.ProcessEnv | Record<string, string | undefined>;
  /** Pulumi stack config, keys with or without the `orgform:` prefix. */
  stackConfig?: Record<string, string | undefined>;
  /** The YAML file's backend and connection block (lowest precedence before defaults). */
  file?: ConnectionSettings & { backend?: string };
  /** Same as `file` (the YAML `connection` block, or a resource's declared endpoint). */
  declared?: ConnectionSettings;
  /** Backend chosen by the caller (e.g. a loaded config); same precedence as `file`. */
  backend?: string;
}

export interface ResolveConnectionResult {
  connection?: Connection;
  /** One sentence per problem; names settings and variables, never values. */
  problems: string[];
  /** Whether a credential (rather than a setting) is what is missing: OrgformError code AUTH. */
  credentialsMissing?: boolean;
}

/** Generic (not vendor) environment variables. */
export const ORGFORM_ENV = {
  backend: "ORGFORM_BACKEND",
  endpoint: "ORGFORM_ENDPOINT",
  tokenUrl: "ORGFORM_TOKEN_URL",
  rateLimit: "ORGFORM_RATE_LIMIT",
  concurrency: "ORGFORM_CONCURRENCY",
  bulkReads: "ORGFORM_BULK_READS",
  requestTimeout: "ORGFORM_REQUEST_TIMEOUT",
} as const;
/** Alias kept for callers of the first version of this module. */
export const ENV = ORGFORM_ENV;

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * The one list of stack config keys orgform reads (namespace `orgform`): backend, endpoint,
 * pacing (rateLimit, concurrency), bulkReads, and every part of every credential kind (secret
 * parts are set with --secret).
 */
export const STACK_CONFIG: Record<CredentialPart | "backend" | "endpoint" | "rateLimit" | "concurrency" | "bulkReads" | "requestTimeout" | "maxMemberRemovalShare" | "allowRemovingLastAdmin", string> = {
  backend: "orgform:backend",
  endpoint: "orgform:endpoint",
  rateLimit: "orgform:rateLimit",
  concurrency: "orgform:concurrency",
  bulkReads: "orgform:bulkReads",
  requestTimeout: "orgform:requestTimeout",
  // Guard rails of the members handler (provider/gitops/guards.ts).
  maxMemberRemovalShare: "orgform:maxMemberRemovalShare",
  allowRemovingLastAdmin: "orgform:allowRemovingLastAdmin",
  ...(Object.fromEntries(allCredentialParts().map((p) => [p.name, `orgform:${p.name}`])) as Record<CredentialPart, string>),
};

/** Command-line flag of each setting: `--backend`, `--endpoint`, `--client-secret`... */
export const FLAG_NAMES = Object.fromEntries(
  ["backend", "endpoint", ...allCredentialParts().map((p) => p.name)].map((k) => [k, `--${kebab(k)}`]),
) as Record<keyof ConnectionFlags, string>;

/** The parts a user supplies for a method (settings such as the token URL are resolved apart). */
const userParts = (method: AuthMethodKind): CredentialPart[] => partsOf(method).filter((p) => !("setting" in p && p.setting)).map((p) => p.name as CredentialPart);
const settingParts = (method: AuthMethodKind): CredentialPart[] => partsOf(method).filter((p) => "setting" in p && p.setting).map((p) => p.name as CredentialPart);

function present(v: string | undefined): v is string {
  return typeof v === "string" && v.trim() !== "";
}

function stackValue(stack: Record<string, string | undefined> | undefined, key: string): string | undefined {
  if (!stack) return undefined;
  return stack[`orgform:${key}`] ?? stack[key];
}

/** Query parameters that carry credentials besides those `isSecretKey` names (`*token`, `*secret`, …). */
const CREDENTIAL_PARAMS = new Set(["key", "sig", "signature", "auth", "jwt", "session", "sessionid", "sid", "pass", "pwd", "code"]);

export interface UrlProblem {
  /** `credential`: the URL carries a credential (reported as inline-secret); `invalid`: unusable. */
  kind: "invalid" | "credential";
  /** Completes "<setting> ...", never echoes a credential. */
  message: string;
}

/**
 * What is wrong with an endpoint or token URL, if anything: not a full http(s) URL, unparsable, an
 * impossible port, credentials in it (user-info, a credential-like query parameter) and, for the
 * endpoint (a base URL that API paths are appended to), any query string or fragment.
 */
export function urlProblem(url: string, setting: "endpoint" | "tokenUrl"): UrlProblem | undefined {
  if (!/^https?:\/\/[^\s/]+/i.test(url)) return { kind: "invalid", message: "must be a full http(s) URL" };
  const authority = /^https?:\/\/([^/?#]*)/i.exec(url)![1]!;
  const hostPort = authority.slice(authority.lastIndexOf("@") + 1);
  const port = /^(?:\[[^\]]*\]|[^:]*):(\d+)$/.exec(hostPort)?.[1];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return { kind: "invalid", message: `has port ${port}, which cannot exist (ports are 1-65535)` };
  let parsed: URL;
  try {
    if (/\s/.test(url)) throw new TypeError("whitespace");
    parsed = new URL(url);
  } catch {
    return { kind: "invalid", message: "is not a valid URL (check the host name, the port and any % escapes)" };
  }
  if (parsed.username || parsed.password) return { kind: "credential", message: "carries credentials before the host (user:password@)" };
  for (const [name, value] of parsed.searchParams) {
    if (isSecretKey(name) || CREDENTIAL_PARAMS.has(name.toLowerCase()) || secretValueKind(value)) {
      return { kind: "credential", message: `carries a credential in its query string (${JSON.stringify(name)})` };
    }
  }
  if (setting === "endpoint" && (parsed.search || parsed.hash)) {
    return { kind: "invalid", message: "is a base URL that orgform appends API paths to: it cannot have a query string (?…) or a fragment (#…)" };
  }
  return undefined;
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

  const file: ConnectionSettings & { backend?: string } = { ...input.declared, ...input.file };
  // Backend.
  const fileBackend = file.backend ?? input.backend;
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
    ["file", file.endpoint],
    ["default", caps.connection.defaultEndpoint ?? undefined],
  ]);
  if (endpoint === undefined) {
    problems.push(`missing endpoint for ${backend}: set ${FLAG_NAMES.endpoint}, ${ORGFORM_ENV.endpoint}, orgform:endpoint or connection.endpoint in the YAML file (the full base URL)`);
  } else {
    const problem = urlProblem(endpoint, "endpoint");
    if (problem) problems.push(`endpoint (from ${describeSource(sources.endpoint!)}) ${problem.message}${problem.kind === "credential" ? ": credentials are never part of a URL" : ""}`);
  }

  // Credentials. A complete method from one level wins (flag > environment > stack config, the
  // vendor's methods in order within a level); parts mixed across levels are the last resort.
  const partSource = (method: AuthMethod, part: CredentialPart, level: SettingSource): string | undefined => {
    const setting = settingParts(method.method).includes(part);
    switch (level) {
      case "flag":
        return flags[part];
      case "env": {
        const name = method.env[part];
        const generic = ORGFORM_ENV[part as keyof typeof ORGFORM_ENV];
        return (name ? env[name] : undefined) ?? (setting && generic ? env[generic] : undefined);
      }
      case "stack":
        return stackValue(stack, part);
      case "file":
        return setting ? (file as Record<string, string | undefined>)[part] : undefined;
      case "default": {
        const defaults = caps.connection as unknown as Record<string, string | null | undefined>;
        const value = setting ? (defaults[`default${part[0].toUpperCase()}${part.slice(1)}`] ?? undefined) : undefined;
        // A default that is a path is the vendor's route on the endpoint (ZenML's /auth/login).
        return value?.startsWith("/") ? (endpoint === undefined ? undefined : endpoint.replace(/\/+$/, "") + value) : value;
      }
    }
  };
  const LEVELS: SettingSource[] = ["flag", "env", "stack", "file", "default"];
  let credentials: Credentials | undefined;
  let settingMissing: { method: AuthMethod; part: CredentialPart } | undefined;
  const complete = (method: AuthMethod, values: Partial<Record<CredentialPart, string>>): boolean => {
    for (const part of settingParts(method.method)) {
      const v = pick(part, LEVELS.map((level) => [level, partSource(method, part, level)] as [SettingSource, string | undefined]));
      if (v === undefined) {
        settingMissing = { method, part };
        return false;
      }
      if (/Url$/.test(part)) {
        const problem = urlProblem(v, "tokenUrl");
        if (problem) problems.push(`${part === "tokenUrl" ? "token URL" : part} (from ${describeSource(sources[part]!)}) ${problem.message}${problem.kind === "credential" ? ": credentials are never part of a URL" : ""}`);
      }
      values[part] = v;
    }
    credentials = { method: method.method, ...values } as Credentials;
    return true;
  };
  search: for (const level of ["flag", "env", "stack"] as const) {
    for (const method of caps.connection.auth) {
      const parts = userParts(method.method);
      const values: Partial<Record<CredentialPart, string>> = {};
      for (const part of parts) {
        const v = partSource(method, part, level);
        if (present(v)) values[part] = v.trim();
      }
      if (parts.every((p) => values[p] !== undefined)) {
        for (const p of parts) sources[p] = level;
        if (complete(method, values)) break search;
      }
    }
  }
  const partial: string[] = [];
  if (!credentials && !settingMissing) {
    for (const method of caps.connection.auth) {
      const parts = userParts(method.method);
      const values: Partial<Record<CredentialPart, string>> = {};
      for (const part of parts) {
        const v = pick(part, (["flag", "env", "stack"] as const).map((level) => [level, partSource(method, part, level)] as [SettingSource, string | undefined]));
        if (v !== undefined) values[part] = v;
      }
      const missing = parts.filter((p) => values[p] === undefined);
      if (missing.length === 0) {
        if (complete(method, values)) break;
      } else if (missing.length < parts.length) {
        partial.push(`${method.method} credentials for ${backend} are incomplete: missing ${missing.map((p) => describePart(method, p)).join(" and ")}`);
      }
    }
  }
  let credentialsMissing = false;
  if (!credentials) {
    credentialsMissing = true;
    if (settingMissing) {
      const { method, part } = settingMissing as { method: AuthMethod; part: CredentialPart };
      problems.push(`missing ${part === "tokenUrl" ? "token URL" : part} for ${backend}: set ${describePart(method, part)} or connection.${part} in the YAML file`);
    } else if (partial.length) problems.push(...partial);
    else {
      const options = caps.connection.auth.map((m) => userParts(m.method).map((p) => describePart(m, p)).join(" + "));
      problems.push(`missing credentials for ${backend}: set ${options.join(", or ")}`);
    }
  }
  // Client-side pacing.
  const rate = pick("rateLimit", [
    ["env", env[ORGFORM_ENV.rateLimit]],
    ["stack", stackValue(stack, "rateLimit")],
  ]);
  const ratePerSecond = rate === undefined ? undefined : Number(rate);
  if (ratePerSecond !== undefined && !(ratePerSecond > 0)) problems.push(`${ORGFORM_ENV.rateLimit} / orgform:rateLimit must be a positive number of requests per second`);
  const inFlight = pick("concurrency", [
    ["env", env[ORGFORM_ENV.concurrency]],
    ["stack", stackValue(stack, "concurrency")],
  ]);
  const concurrency = inFlight === undefined ? undefined : Number(inFlight);
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency > 0)) {
    problems.push(`${ORGFORM_ENV.concurrency} / orgform:concurrency must be a positive whole number of requests in flight`);
  }
  const bulk = pick("bulkReads", [
    ["env", env[ORGFORM_ENV.bulkReads]],
    ["stack", stackValue(stack, "bulkReads")],
  ]);
  if (bulk !== undefined && bulk !== "true" && bulk !== "false") problems.push(`${ORGFORM_ENV.bulkReads} / orgform:bulkReads must be true or false`);
  const timeout = pick("requestTimeout", [
    ["env", env[ORGFORM_ENV.requestTimeout]],
    ["stack", stackValue(stack, "requestTimeout")],
  ]);
  const requestTimeout = timeout === undefined ? undefined : Number(timeout);
  if (requestTimeout !== undefined && !(requestTimeout > 0 && Number.isFinite(requestTimeout))) {
    problems.push(`${ORGFORM_ENV.requestTimeout} / orgform:requestTimeout must be a positive number of seconds`);
  }
  if (problems.length || endpoint === undefined || !credentials) return { problems: [...new Set(problems)], credentialsMissing };
  const connection: Connection = { backend, endpoint: endpoint.replace(/\/+$/, ""), credentials, sources };
  if (ratePerSecond !== undefined) connection.ratePerSecond = ratePerSecond;
  if (concurrency !== undefined) connection.concurrency = concurrency;
  if (bulk !== undefined) connection.bulkReads = bulk === "true";
  if (requestTimeout !== undefined) connection.requestTimeout = requestTimeout;
  return { connection, problems };
}

/** Like tryResolveConnection, but throws OrgformError("VALIDATION") naming every problem. */
/**
 * Like tryResolveConnection, but throws OrgformError naming every problem: code AUTH when only
 * credentials are missing, VALIDATION otherwise.
 */
export function resolveConnection(input: ResolveConnectionInput): Connection {
  const { connection, problems, credentialsMissing } = tryResolveConnection(input);
  if (!connection) {
    const code = credentialsMissing && problems.length === 1 ? "AUTH" : "VALIDATION";
    throw new OrgformError(code, `cannot connect: ${problems.join("; ")}`, { details: { problems } });
  }
  return connection;
}

/** The backend alone (flag > environment > stack config > the config's backend). */
export function resolveBackend(input: Pick<ResolveConnectionInput, "flags" | "env" | "stackConfig" | "backend" | "file">): BackendName {
  const flags = input.flags ?? {};
  const env = input.env ?? {};
  const value = [flags.backend, env[ORGFORM_ENV.backend], stackValue(input.stackConfig, "backend"), input.file?.backend, input.backend].find(present);
  if (value === undefined) throw new OrgformError("VALIDATION", `missing backend: set ${FLAG_NAMES.backend}, ${ORGFORM_ENV.backend}, orgform:backend or "backend:" in the YAML file`);
  if (!isBackendName(value)) throw new OrgformError("VALIDATION", `unknown backend "${value}"; expected one of ${BACKENDS.join(", ")}`);
  return value;
}

function describePart(method: AuthMethod, part: CredentialPart): string {
  const spec = partsOf(method.method).find((p) => p.name === part);
  const secret = spec?.secret === true;
  const generic = spec && "setting" in spec && spec.setting ? ORGFORM_ENV[part as keyof typeof ORGFORM_ENV] : undefined;
  const others = [FLAG_NAMES[part], generic, `${STACK_CONFIG[part]}${secret ? " as a secret" : ""}`].filter(Boolean);
  return `${method.env[part] ?? part} (or ${others.join(", ")})`;
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
    for (const p of settingParts(m.method)) {
      const generic = ORGFORM_ENV[p as keyof typeof ORGFORM_ENV];
      if (generic) vars.add(generic);
    }
  }
  return [...vars];
}

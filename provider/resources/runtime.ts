// Per-process state of the dynamic provider: the stack config handed to `configure`, and one
// backend client per connection. Credentials are read here, at call time, never captured.
import { createHash } from "node:crypto";
import { resolveConnection, STACK_CONFIG, type Connection } from "../config/connection";
import { OrgformError } from "../core/errors";
import { openBackend } from "../backends";
import { withDeploymentCache, type DeploymentCache } from "../backends/deployment-cache";
import type { FullBackend } from "../backends/types";

/** What every resource carries to find its API: no secret, ever. */
export interface ConnectionInputs {
  backend: string;
  /** Full base URL; absent means the environment, the stack config or the vendor's default. */
  endpoint?: string;
}

let stackConfig: Record<string, string> = {};

/** Called from the dynamic providers' `configure` with the stack's decrypted config. */
export function configure(config: { get(key: string): string | undefined }, keys: readonly string[] = STACK_KEYS): void {
  const next: Record<string, string> = {};
  for (const key of keys) {
    const value = config.get(key);
    if (value !== undefined) next[key] = value;
  }
  stackConfig = next;
}

/** The stack config keys orgform reads: the connection resolver's one list. */
export const STACK_KEYS: readonly string[] = Object.values(STACK_CONFIG);

/** A setting that is not a connection setting (guard rails): the environment first, then stack config. */
export function setting(names: { env: string; stack: string }): string | undefined {
  const fromEnv = process.env[names.env];
  if (fromEnv !== undefined && fromEnv.trim() !== "") return fromEnv;
  return stackConfig[names.stack] ?? stackConfig[names.stack.replace(/^orgform:/, "")];
}

const clients = new Map<string, FullBackend>();
const caches = new Map<string, DeploymentCache & FullBackend>();

async function connectionFor(inputs: ConnectionInputs): Promise<Connection> {
  return resolveConnection({
    // The resource's backend is definitive: ORGFORM_BACKEND or orgform:backend cannot redirect it.
    flags: { backend: inputs.backend },
    // A declared endpoint (YAML or program) yields to the environment and the stack config.
    declared: inputs.endpoint ? { endpoint: inputs.endpoint } : undefined,
    env: process.env,
    stackConfig,
  });
}

/** The adapter of a resolved connection: one per endpoint and credential for the life of the process. */
function clientFor(connection: Connection, backend: string): { key: string; client: FullBackend } {
  // Keyed by a hash, so no credential is kept in a map key.
  const key = createHash("sha256").update(JSON.stringify(connection)).digest("hex");
  let client = clients.get(key);
  if (!client) {
    client = openBackend(connection, key);
    clients.set(key, client);
  }
  if (client.name !== backend) throw new OrgformError("VALIDATION", `backend mismatch: ${client.name} vs ${backend}`);
  return { key, client };
}

/** The adapter of a connection: every call reaches the API. */
export async function backendFor(inputs: ConnectionInputs): Promise<FullBackend> {
  return clientFor(await connectionFor(inputs), inputs.backend).client;
}

/**
 * The connection of a resource, resolved now, and the adapter behind this deployment's bulk-read
 * cache for it (one per connection and process): what the handlers read through (their call's
 * context holds it), so that a refresh lists instead of reading each resource.
 */
export async function connect(inputs: ConnectionInputs): Promise<{ connection: Connection; api: DeploymentCache & FullBackend }> {
  const connection = await connectionFor(inputs);
  const { key, client } = clientFor(connection, inputs.backend);
  let api = caches.get(key);
  if (!api) {
    api = withDeploymentCache(client, { bulkReads: connection.bulkReads });
    caches.set(key, api);
  }
  return { connection, api };
}

/** Starts a new deployment's caches (the engine starts one process per deployment; tests call this). */
export function resetDeploymentCaches(): void {
  caches.clear();
}

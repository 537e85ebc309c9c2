// One context per call: what a provider method needs of its backend, resolved once where the
// method starts (each handler's exported check, diff, create, read, update, delete) and handed
// down to the handler's steps, the planners and the guards, which never look it up again. It is
// built inside the method, in the dynamic provider's process: nothing Pulumi serializes captures
// it and it never reaches state (it holds the connection, whose credentials are read at call time).
import type { Connection } from "../config/connection";
import { isBackendName, type BackendName } from "../core/backends";
import { capabilitiesOf, type Capabilities } from "../core/capabilities";
import { OrgformError } from "../core/errors";
import { schemasOf, type BackendSchemas } from "../core/schema";
import { unusableBackend } from "../backends";
import type { DeploymentCache } from "../backends/deployment-cache";
import type { FullBackend } from "../backends/types";
import { connect, type ConnectionInputs } from "./runtime";

/** What a call knows of its backend without calling it: all that `check` and `diff` need. */
export interface BackendContext {
  name: BackendName;
  capabilities: Capabilities;
  schemas: BackendSchemas;
}

/** A call that reaches the API (create, read, update, delete): its backend, connection and adapter. */
export interface CallContext extends BackendContext {
  /** Carries credentials: never in outputs, errors or logs. */
  connection: Connection;
  /** This deployment's bulk-read cache over the adapter: what the handlers read and write through. */
  api: DeploymentCache & FullBackend;
}

/**
 * The backend a resource names, looked up once. An unknown name is refused in one sentence; a
 * vendor without an adapter yet is refused by `check` first, and by `openBackend` in any case.
 */
export function backendContext(backend: string): BackendContext {
  if (!isBackendName(backend)) throw new OrgformError("UNSUPPORTED", unusableBackend(backend)!);
  return { name: backend, capabilities: capabilitiesOf(backend), schemas: schemasOf(backend) };
}

/**
 * The context of a call that reaches the API: the connection resolved now (environment, stack
 * config, the resource's endpoint) and this deployment's adapter for it. `known`: the backend
 * context the call already built (a delete decides first whether it calls the API at all).
 */
export async function openCall(inputs: ConnectionInputs, known?: BackendContext): Promise<CallContext> {
  const backend = known ?? backendContext(inputs.backend);
  return { ...backend, ...(await connect(inputs)) };
}

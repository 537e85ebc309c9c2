/**
 * The capability matrix per backend (`schemas/<backend>/capabilities.json`, validated by
 * `schemas/capabilities.schema.json`). Code and tests ask `capabilitiesOf(backend)` instead of
 * naming vendors.
 */
import * as path from "node:path";
import Ajv2020 from "ajv/dist/2020";
import { BACKENDS, BackendName } from "./backends";
import { schemasDir } from "./paths";
import { problemsFromAjv, readJson } from "./schema";

export type DeletePrecondition = "no-sub-organizations" | "no-accounts" | "no-members" | "no-users" | "no-active-subscription";
export type UpdateVerb = "PUT" | "PATCH" | "POST";
export type AuthMethodKind = "bearer-token" | "api-key" | "oauth2-client-credentials";
export type CredentialPart = "token" | "email" | "apiKey" | "clientId" | "clientSecret" | "tokenUrl";

export interface UpdateCapability {
  verb: UpdateVerb;
  /** `replace`: fields not sent are reset, so the adapter sends the full object; `merge`: only sent fields change. */
  semantics: "replace" | "merge";
}

export interface AuthMethod {
  method: AuthMethodKind;
  /** Environment variable per credential part. */
  env: Partial<Record<CredentialPart, string>>;
}

export interface Capabilities {
  backend: BackendName;
  displayName: string;
  /** The vendor document this matrix is taken from. */
  document: string;
  notes?: string[];
  organization: {
    create: boolean;
    delete: { supported: boolean; preconditions: DeletePrecondition[] };
    adopt: { byId: boolean; byName: boolean };
    update: UpdateCapability;
    clientChosenId: boolean;
    /** Organizations one credential (owner/account) may hold; null = no limit. */
    orgsPerCredential: number | null;
    serviceAccountsCanCreate: boolean;
    nameUniqueness: { scope: "siblings" | "global" | "none"; caseInsensitive: boolean };
  };
  hierarchy: { supported: boolean; maxDepth: number | null; reparent: boolean };
  profile: { supported: boolean; update: UpdateCapability | null };
  members: { supported: boolean; roles: string[]; defaultRole: string | null; authoritativeListing: boolean };
  pagination: { style: "page-token" | "offset-limit" | "page-number" | "none"; defaultPageSize: number | null; maxPageSize: number | null };
  connection: { defaultEndpoint: string | null; defaultTokenUrl?: string | null; auth: AuthMethod[] };
}

const cache = new Map<BackendName, Capabilities>();
let validator: ReturnType<Ajv2020["compile"]> | undefined;

export function capabilitiesFile(backend: BackendName): string {
  return path.join(schemasDir(), backend, "capabilities.json");
}

/** The capability matrix of a backend (validated on first load, then cached). */
export function capabilitiesOf(backend: BackendName): Capabilities {
  const cached = cache.get(backend);
  if (cached) return cached;
  if (!(BACKENDS as readonly string[]).includes(backend)) throw new Error(`unknown backend ${String(backend)}`);
  if (!validator) {
    const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
    validator = ajv.compile(readJson(path.join(schemasDir(), "capabilities.schema.json")));
  }
  const json = readJson(capabilitiesFile(backend));
  if (!validator(json)) {
    const detail = problemsFromAjv(validator.errors ?? [], json)
      .map((p) => `${p.path.join(".") || "(root)"}: ${p.message}`)
      .join("; ");
    throw new Error(`schemas/${backend}/capabilities.json is invalid: ${detail}`);
  }
  if (json.backend !== backend) throw new Error(`schemas/${backend}/capabilities.json names backend ${String(json.backend)}`);
  const caps = json as unknown as Capabilities;
  cache.set(backend, caps);
  return caps;
}

/** Every backend's matrix, in BACKENDS order. */
export function allCapabilities(): Capabilities[] {
  return BACKENDS.map((b) => capabilitiesOf(b));
}

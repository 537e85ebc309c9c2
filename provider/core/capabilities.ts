/**
 * The capability matrix per backend (`schemas/<backend>/capabilities.json`, validated by
 * `schemas/capabilities.schema.json`). Code and tests ask `capabilitiesOf(backend)` instead of
 * naming vendors.
 */
import * as path from "node:path";
import type Ajv2020 from "ajv/dist/2020";
import { BACKENDS, BackendName } from "./backends";
import { schemasDir } from "./paths";
import { problemsFromAjv, readJson } from "./schema";

export type DeletePrecondition = "no-sub-organizations" | "no-accounts" | "no-members" | "no-users" | "no-active-subscription";
export type UpdateVerb = "PUT" | "PATCH" | "POST";
import { AUTH_METHOD_KINDS, partsOf, type AuthMethodKind, type CredentialPart } from "./credential-kinds";
export type { AuthMethodKind, CredentialPart } from "./credential-kinds";

export interface UpdateCapability {
  verb: UpdateVerb;
  /** `replace`: fields not sent are reset, so the adapter sends the full object; `merge`: only sent fields change. */
  semantics: "replace" | "merge";
}

export interface AuthMethod {
  method: AuthMethodKind;
  /** Environment variable per credential part. */
  env: Partial<Record<CredentialPart, string>>;
  /** `session-login`: where and how the user name and password are posted (JSON), relative to the endpoint. */
  login?: SessionLogin;
  /** `api-key-exchange`: where the key is posted (form-encoded, under `keyField`), relative to the endpoint. */
  exchange?: KeyExchange;
  /**
   * Whether this kind of credential can create organizations: `yes`, `no` (orgform refuses the
   * create before sending it, in one sentence), or `if-user` (depends on whose credential it is: a
   * user's may, a service account's may not; the vendor's refusal becomes one sentence). Absent: yes.
   */
  creates?: "yes" | "no" | "if-user";
}

export interface KeyExchange {
  path: string;
  keyField: string;
}

export interface SessionLogin {
  path: string;
  userField: string;
  passwordField: string;
  /** Fixed keys sent with every login, as the vendor's own client sends them. */
  fields?: Record<string, string>;
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
    /** Organizations one owner may create (adopted ones do not count); null = no limit. */
    createsPerOwner: number | null;
    /** The declared field naming an organization's owner (createsPerOwner counts by it); undeclared = the caller. */
    ownerField?: string | null;
    /** Organizations one credential can see and manage at all (a config may declare no more); null = no limit. */
    visiblePerCredential: number | null;
    serviceAccountsCanCreate: boolean;
    nameUniqueness: { scope: "siblings" | "global" | "none"; caseInsensitive: boolean };
    /**
     * Where orgform keeps its ownership marker `orgform:<project>/<stack>/<key>` on the live object
     * (a free field, read back on every read); absent or null: the vendor has no such field, so
     * which stack manages an organization cannot be read off it.
     */
    ownershipMarker?: string | null;
  };
  hierarchy: { supported: boolean; maxDepth: number | null; reparent: boolean };
  profile: { supported: boolean; update: UpdateCapability | null };
  /**
   * Roles live in the member schema (`memberRoles` in provider/core/roles.ts); `roles: false` says
   * members have none (absent: true), which the member schema says by having no `role`.
   * `createdEmpty`: a just-created organization has no members, so none are listed before adding (absent: false).
   */
  members: { supported: boolean; authoritativeListing: boolean; createdEmpty?: boolean; roles?: boolean };
  pagination: { style: "page-token" | "offset-limit" | "page-number" | "none"; defaultPageSize: number | null; maxPageSize: number | null };
  /** `defaultTokenUrl`: a full URL, or a path beginning with `/` relative to the endpoint. */
  connection: { defaultEndpoint: string | null; defaultTokenUrl?: string | null; auth: AuthMethod[] };
}

const cache = new Map<BackendName, Capabilities>();
let validator: ReturnType<Ajv2020["compile"]> | undefined;

export function capabilitiesSchemaFile(): string {
  return path.join(schemasDir(), "capabilities.schema.json");
}

export function capabilitiesFile(backend: BackendName): string {
  return path.join(schemasDir(), backend, "capabilities.json");
}

/**
 * Where a backend's capability matrix breaks capabilities.schema.json, in one line; undefined when
 * it does not. The matrices ship with the package and change only with a release, so this runs in
 * the unit tests, not in every process (compiling the schema cost ~0.1 s of each `validate`).
 */
export function capabilitiesSchemaProblems(backend: BackendName): string | undefined {
  if (!validator) {
    const { default: Ajv } = require("ajv/dist/2020") as typeof import("ajv/dist/2020"); // tests only: not loaded by every process
    const ajv = new Ajv({ strict: true, allErrors: true, allowUnionTypes: true });
    validator = ajv.compile(readJson(capabilitiesSchemaFile()));
  }
  const json = readJson(capabilitiesFile(backend));
  if (validator(json)) return undefined;
  return problemsFromAjv(validator.errors ?? [], json)
    .map((p) => `${p.path.join(".") || "(root)"}: ${p.message}`)
    .join("; ");
}

/** The capability matrix of a backend (its cross-file rules checked on first load, then cached). */
export function capabilitiesOf(backend: BackendName): Capabilities {
  const cached = cache.get(backend);
  if (cached) return cached;
  if (!(BACKENDS as readonly string[]).includes(backend)) throw new Error(`unknown backend ${String(backend)}`);
  const json = readJson(capabilitiesFile(backend));
  if (json.backend !== backend) throw new Error(`schemas/${backend}/capabilities.json names backend ${String(json.backend)}`);
  const caps = json as unknown as Capabilities;
  // Credential kinds and their parts have one home (credential-kinds.ts): the matrix names them.
  for (const auth of caps.connection.auth) {
    if (!(AUTH_METHOD_KINDS as string[]).includes(auth.method)) {
      throw new Error(`schemas/${backend}/capabilities.json: unknown credential method ${auth.method} (known: ${AUTH_METHOD_KINDS.join(", ")})`);
    }
    if (auth.method === "api-key-exchange" && !auth.exchange) throw new Error(`schemas/${backend}/capabilities.json: api-key-exchange needs its token route (exchange: {path, keyField})`);
    if (auth.method === "session-login" && !auth.login) throw new Error(`schemas/${backend}/capabilities.json: session-login needs its login route (login: {path, userField, passwordField})`);
    const parts = partsOf(auth.method).map((p) => p.name as string);
    for (const part of Object.keys(auth.env)) {
      if (!parts.includes(part)) throw new Error(`schemas/${backend}/capabilities.json: ${auth.method} has no part "${part}" (parts: ${parts.join(", ")})`);
    }
  }
  cache.set(backend, caps);
  return caps;
}

/** Every backend's matrix, in BACKENDS order. */
export function allCapabilities(): Capabilities[] {
  return BACKENDS.map((b) => capabilitiesOf(b));
}

export type UpdateSemantics = UpdateCapability["semantics"];

/**
 * How the vendor applies an update of an organization or a profile (capabilities.json
 * `update.semantics`): what the adapter's update body must carry (`updateBody` in wire.ts). The
 * one place an adapter learns it; throws for a kind the vendor cannot update.
 */
export function updateSemantics(backend: BackendName, kind: "organization" | "profile"): UpdateSemantics {
  const update = capabilitiesOf(backend)[kind].update;
  if (!update) throw new Error(`schemas/${backend}/capabilities.json: ${kind}.update is null: the ${kind} cannot be updated`);
  return update.semantics;
}

/** Whether a kind of credential can create organizations on a backend (capabilities `creates`; absent: yes). */
export function createsWith(backend: BackendName, method: AuthMethodKind): "yes" | "no" | "if-user" {
  return capabilitiesOf(backend).connection.auth.find((a) => a.method === method)?.creates ?? "yes";
}

const KIND_NAMES: Record<AuthMethodKind, string> = {
  "bearer-token": "API token",
  "api-key": "API key",
  "api-key-exchange": "API key",
  "oauth2-client-credentials": "client credentials",
  "session-login": "user name and password",
};

/**
 * The one sentence that says a credential cannot create organization `name` and what to do:
 * which credentials can (their variables and stack config keys), or adopting it. `reason` is the
 * vendor's refusal when it came from the API (a kind that creates `if-user`); none when orgform
 * refused before sending (a kind that never creates).
 */
export function cannotCreateMessage(backend: BackendName, method: AuthMethodKind, name: string, reason?: string): string {
  const caps = capabilitiesOf(backend);
  const used = caps.connection.auth.find((a) => a.method === method);
  const usedName = `${KIND_NAMES[method]}${used ? ` (${Object.values(used.env).filter((v) => !/TOKEN_URL$/.test(v)).join(" + ")})` : ""}`;
  const able = caps.connection.auth
    .filter((a) => (a.creates ?? "yes") !== "no")
    .map((a) => {
      const parts = Object.entries(a.env).filter(([part]) => part !== "tokenUrl");
      return `${parts.map(([part, v]) => `${v} or orgform:${part}`).join(" + ")}${a.creates === "if-user" ? " holding a user's key" : ""}`;
    });
  const whose = reason === undefined ? `${usedName} belong to a service account, which cannot create organizations` : `this ${usedName} is a service account's (${reason})`;
  return (
    `${caps.displayName} cannot create organization "${name}" with these credentials: ${whose}; ` +
    `create it with a user's credential (${able.join(", or ")}) or create it in ${caps.displayName} and adopt it with adopt: {name: "${name}"}` +
    (reason === undefined ? "; nothing was sent" : "")
  );
}

/** Whether a backend's members have roles (`members.roles`, absent: true; false without members). */
export function membersHaveRoles(backend: BackendName): boolean {
  const members = capabilitiesOf(backend).members;
  return members.supported && members.roles !== false;
}

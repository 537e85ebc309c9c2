/**
 * The capability matrix per backend (`schemas/<backend>/capabilities.json`, validated by the
 * schema in capabilities-schema.ts, which `schemas/capabilities.schema.json` is generated from
 * and the `Capabilities` type is read from). Code and tests ask `capabilitiesOf(backend)` instead
 * of naming vendors.
 */
import * as path from "node:path";
import type Ajv2020 from "ajv/dist/2020";
import { BACKENDS, BackendName } from "./backends";
import { CAPABILITIES_SCHEMA, type Capabilities } from "./capabilities-schema";
import { AUTH_METHOD_KINDS, partsOf, type AuthMethodKind } from "./credential-kinds";
import { schemasDir } from "./paths";
import { problemsFromAjv, readJson } from "./schema";

export type { Capabilities } from "./capabilities-schema";
export type { AuthMethodKind, CredentialPart } from "./credential-kinds";

// Parts of the matrix by name, read off the one type (never restated).
export type UpdateCapability = Capabilities["organization"]["update"];
export type UpdateVerb = UpdateCapability["verb"];
export type DeletePrecondition = Capabilities["organization"]["delete"]["preconditions"][number];
export type AuthMethod = Capabilities["connection"]["auth"][number];
export type KeyExchange = NonNullable<AuthMethod["exchange"]>;
export type SessionLogin = NonNullable<AuthMethod["login"]>;

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
    validator = ajv.compile(CAPABILITIES_SCHEMA);
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

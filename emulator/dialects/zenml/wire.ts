import { createHash, randomUUID } from "node:crypto";
import type { JsonObject, OrgRow } from "../../store";
import type { Principal } from "../../types";
import { unprocessable, type ValidationItem } from "./errors";

/**
 * The ZenML Pro organization wire format (document 002) <-> the store's generic rows, and the
 * write rules, written from the document and ZenML's own client (zenml `login/pro`), never from
 * orgform's schemas: this is the emulator's own reading of the vendor.
 *
 * - Create body `{id?: uuid|null, name: str 1-50, description?: str 1-256|null, logo_url?: str|null,
 *   links?: list|null, owner_id?: uuid|null}`; update body the same without `id`, every field
 *   optional, only the fields sent change, `links` replaces the whole list.
 * - The view model `{name, description, logo_url, id, created, updated, has_active_subscription,
 *   trial_expiry}`: `links` and `owner_id` are never returned. `has_active_subscription` and
 *   `trial_expiry` (seconds left in the trial, null when not in trial) are filled when
 *   `include_subscription_status=true` is asked for, null otherwise.
 * - Unknown body fields are refused (422 `extra_forbidden`): our choice, so that a client sending
 *   read-only fields back is caught.
 * - Names are unique (an organization is fetched by id or name); one organization per owner.
 */

export const BACKEND = "zenml";

/** "limit: Default: 100" (document 002); the document states no maximum, nor does this emulator. */
export const DEFAULT_LIMIT = 100;

/** A new organization's free trial (ZenML Pro offers 14 days). */
export const TRIAL_DAYS = 14;

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** A UUID in its canonical form (lower case, hyphenated), or undefined when `s` is none. */
export function canonicalUuid(s: unknown): string | undefined {
  if (typeof s !== "string" || !UUID.test(s)) return undefined;
  const h = s.replace(/-/g, "").toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export const newUuid = (): string => randomUUID();

/** What the dialect keeps in an organization row's JSON document. */
export interface OrgDocument {
  description: string | null;
  logo_url: string | null;
  links: JsonObject[] | null;
  owner_id: string;
  owner_username: string | null;
  /** End of the free trial (ISO time), null when the organization never was in trial. */
  trial_ends_at: string | null;
  /** Billed (a paid subscription), whatever the trial says. */
  billed: boolean;
  /** The organization's workspaces (seeded only: orgform manages none; see workspaces.ts). */
  workspaces?: WorkspaceDocument[];
}

/** One workspace as the dialect keeps it (`WorkspaceRead` of zenml `login/pro/workspace/models.py`). */
export interface WorkspaceDocument {
  id: string;
  name: string;
  description: string | null;
  desired_state: string;
  state_reason: string;
  status: string;
  version: string | null;
  server_url: string | null;
}

/** `WorkspaceStatus` (zenml 0.98.0 `login/pro/workspace/models.py`): the values the client knows. */
export const WORKSPACE_STATUSES = ["not_initialized", "pending", "available", "failed", "deactivated", "deleted"] as const;
/** The statuses a desired state may take (the enum without `pending` and `failed`, as its docstring says). */
export const DESIRED_STATES = ["not_initialized", "available", "deactivated", "deleted"] as const;

export const orgDocument = (row: OrgRow): OrgDocument => row.document as unknown as OrgDocument;

/**
 * Who is calling, as ZenML Pro sees it: the emulator's full-access API token is a user (a
 * super-user: it may create organizations for other owners); an OAuth2 client-credentials token
 * is a service account, which ZenML refuses to let create organizations; a scoped token acts for
 * the one organization it is bound to.
 */
export interface Caller {
  id: string;
  username: string;
  serviceAccount: boolean;
  superuser: boolean;
}

export const EMULATOR_USER = { id: "0f7e6d5c-4b3a-4291-8807-6f72676f726d", username: "orgform-emulator" } as const;

const uuidOf = (s: string): string => {
  const h = createHash("sha256").update(s).digest("hex");
  return canonicalUuid(`${h.slice(0, 12)}4${h.slice(13, 16)}8${h.slice(17, 32)}`)!;
};

export function callerOf(principal: Principal): Caller {
  // An API key exchanged at /auth/login acts as the key's user: the emulator's own (apiKeyLogin).
  if (principal.kind === "access-token" && principal.issued?.via === "api-key" && principal.issued.subject === EMULATOR_USER.username) {
    return { ...EMULATOR_USER, serviceAccount: false, superuser: true };
  }
  if (principal.kind === "access-token" && principal.issued) {
    // Client credentials, or a service account's API key (login.ts: subject `service-account:<name>`).
    const serviceAccount = principal.issued.via === "oauth2-client-credentials" || (principal.issued.via === "api-key" && principal.issued.subject.startsWith("service-account:"));
    return { id: uuidOf(`zenml-account:${principal.issued.subject}`), username: principal.issued.subject, serviceAccount, superuser: false };
  }
  if (principal.kind === "scoped-token") return { id: uuidOf(`zenml-scoped:${principal.id}`), username: principal.id, serviceAccount: false, superuser: false };
  return { ...EMULATOR_USER, serviceAccount: false, superuser: true };
}

/** The view model of an organization. */
export function orgToWire(row: OrgRow, now: Date, withSubscription: boolean): Record<string, unknown> {
  const doc = orgDocument(row);
  let active: boolean | null = null;
  let trialExpiry: number | null = null;
  if (withSubscription) {
    const left = doc.trial_ends_at ? Math.ceil((Date.parse(doc.trial_ends_at) - now.getTime()) / 1000) : 0;
    trialExpiry = left > 0 ? left : null;
    active = doc.billed || trialExpiry !== null;
  }
  return {
    name: row.name,
    description: doc.description,
    logo_url: doc.logo_url,
    id: row.id,
    created: row.createTime,
    updated: row.updateTime,
    has_active_subscription: active,
    trial_expiry: trialExpiry,
  };
}

type Checker = (value: unknown, loc: string) => ValidationItem | undefined;

const item = (type: string, loc: string, msg: string, input: unknown, ctx?: Record<string, unknown>): ValidationItem => ({
  type,
  loc: ["body", loc],
  msg,
  input,
  ...(ctx ? { ctx } : {}),
});

function str(min: number | undefined, max: number | undefined, nullable: boolean): Checker {
  return (v, loc) => {
    if (v === null) return nullable ? undefined : item("string_type", loc, "Input should be a valid string", v);
    if (typeof v !== "string") return item("string_type", loc, "Input should be a valid string", v);
    const n = [...v].length;
    if (min !== undefined && n < min) return item("string_too_short", loc, `String should have at least ${min} character${min === 1 ? "" : "s"}`, v, { min_length: min });
    if (max !== undefined && n > max) return item("string_too_long", loc, `String should have at most ${max} characters`, v, { max_length: max });
    return undefined;
  };
}

const uuid: Checker = (v, loc) =>
  v === null || canonicalUuid(v) ? undefined : item("uuid_parsing", loc, "Input should be a valid UUID, invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-]", v);

const links: Checker = (v, loc) => {
  if (v === null) return undefined;
  if (!Array.isArray(v)) return item("list_type", loc, "Input should be a valid list", v);
  const bad = v.findIndex((l) => typeof l !== "object" || l === null || Array.isArray(l));
  return bad < 0 ? undefined : { ...item("dict_type", loc, "Input should be a valid dictionary", v[bad]), loc: ["body", loc, bad] };
};

const CREATE: Record<string, Checker> = { id: uuid, name: str(1, 50, false), description: str(1, 256, true), logo_url: str(undefined, undefined, true), links, owner_id: uuid };
const UPDATE: Record<string, Checker> = { name: str(1, 50, false), description: str(1, 256, true), logo_url: str(undefined, undefined, true), links, owner_id: uuid };

/** The body as FastAPI would validate it against the create or update model: every problem at once. */
export function validateBody(body: unknown, kind: "create" | "update"): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw unprocessable([{ type: "model_attributes_type", loc: ["body"], msg: "Input should be a valid dictionary or object to extract fields from", input: body }]);
  }
  const model = kind === "create" ? CREATE : UPDATE;
  const b = body as Record<string, unknown>;
  const problems: ValidationItem[] = [];
  if (kind === "create" && b.name === undefined) problems.push(item("missing", "name", "Field required", b));
  for (const [k, v] of Object.entries(b)) {
    const check = model[k];
    if (!check) problems.push(item("extra_forbidden", k, "Extra inputs are not permitted", v));
    else {
      const p = check(v, k);
      if (p) problems.push(p);
    }
  }
  if (problems.length) throw unprocessable(problems);
  return b;
}

import { randomUUID } from "node:crypto";

/**
 * Cloudomation Engine's `Organization` record as document 000 (Version 7 - Gugelhupf) lists it,
 * read by the emulator on its own (never from `schemas/`): each property's type, length and
 * Import/Export class. The REST API (`/api/latest/organization/...`) takes and answers these
 * records as plain JSON objects; organizations cannot be created or deleted.
 */

export const BACKEND = "cloudomation";

type Kind = "string" | "text" | "boolean" | "integer" | "uuid" | "datetime" | "enum";

interface Property {
  kind: Kind;
  /** `String(length=n)`. */
  length?: number;
  values?: readonly string[];
  /** The document's Import/Export column. */
  io: "both" | "export only" | "neither";
  /** "Not allowed for ORGANIZATION": the property exists on every record but an organization never has a value. */
  notForOrganization?: boolean;
}

const RECORD_TYPES = [
  "BUNDLE", "BUNDLE_REPOSITORY", "CONNECTOR", "EXECUTION", "FILE", "FLOW", "GIT_CONFIG", "MESSAGE", "OAUTH", "ORGANIZATION", "PLUGIN",
  "PROCESS", "PROJECT", "ROLE", "SCHEDULE", "SCHEDULER", "SCHEMA", "SETTING", "SYNC_CONFIG", "TAG", "USER", "VAULT_CONFIG", "WEBHOOK",
  "WORKSPACE", "WRAPPER",
] as const;

export const PROPERTIES: Record<string, Property> = {
  active: { kind: "boolean", io: "export only" },
  address_line_1: { kind: "string", length: 1024, io: "both" },
  address_line_2: { kind: "string", length: 1024, io: "both" },
  allow_excess_usage: { kind: "boolean", io: "export only" },
  bundle_id: { kind: "uuid", io: "both", notForOrganization: true },
  city: { kind: "string", length: 1024, io: "both" },
  country: { kind: "string", length: 1024, io: "both" },
  created_at: { kind: "datetime", io: "export only" },
  created_by: { kind: "uuid", io: "export only" },
  deleted_at: { kind: "datetime", io: "export only" },
  deleted_by: { kind: "uuid", io: "export only" },
  description: { kind: "text", io: "both" },
  id: { kind: "uuid", io: "neither" },
  is_archived: { kind: "boolean", io: "both" },
  is_bundle_readonly: { kind: "boolean", io: "neither" },
  is_project_readonly: { kind: "boolean", io: "neither" },
  is_readonly: { kind: "boolean", io: "both", notForOrganization: true },
  is_trial_account: { kind: "boolean", io: "export only" },
  last_notification_state_connection_usage_percent: { kind: "text", io: "export only" },
  last_notification_state_diskspace_free_bytes: { kind: "text", io: "export only" },
  last_notification_state_diskspace_usage_percent: { kind: "text", io: "export only" },
  last_notification_state_storage_usage_percent: { kind: "text", io: "export only" },
  last_reset_at: { kind: "datetime", io: "export only" },
  modified_at: { kind: "datetime", io: "export only" },
  modified_by: { kind: "uuid", io: "export only" },
  name: { kind: "string", length: 128, io: "both" },
  organization_id: { kind: "uuid", io: "export only" },
  payment_type: { kind: "enum", values: ["INVOICE"], io: "both" },
  primary_contact: { kind: "string", length: 1024, io: "both" },
  project_id: { kind: "uuid", io: "both", notForOrganization: true },
  record_type: { kind: "enum", values: RECORD_TYPES, io: "neither" },
  region: { kind: "string", length: 1024, io: "both" },
  resource_type: { kind: "enum", values: RECORD_TYPES.filter((t) => !["EXECUTION", "MESSAGE", "PROCESS"].includes(t)), io: "neither" },
  schema_version: { kind: "string", length: 128, io: "neither" },
  usage_allowance_connection_productive: { kind: "integer", io: "export only" },
  usage_allowance_db_size_bytes: { kind: "integer", io: "export only" },
  usage_count_connection_dev: { kind: "integer", io: "export only" },
  usage_count_connection_productive: { kind: "integer", io: "export only" },
  usage_count_flow_dev: { kind: "integer", io: "export only" },
  usage_count_flow_productive: { kind: "integer", io: "export only" },
  usage_db_size_bytes: { kind: "integer", io: "export only" },
  vat_number: { kind: "string", length: 1024, io: "both" },
  workspace_id: { kind: "uuid", io: "export only" },
  zip: { kind: "string", length: 128, io: "both" },
};

/**
 * Later releases of the docs add the `import only` class: a commit message written with a change
 * and never read back. The emulator keeps it in its own history table, never in the record.
 */
export const COMMIT_MESSAGE = "commit_message";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type OrgRecord = Record<string, unknown>;

/** One problem of a write, with the property it is about. */
export interface FieldProblem {
  field: string;
  message: string;
}

function typeProblem(name: string, p: Property, v: unknown): string | undefined {
  if (v === null) return undefined;
  switch (p.kind) {
    case "string":
    case "text":
      if (typeof v !== "string") return "must be a string";
      if (p.length !== undefined && v.length > p.length) return `must be at most ${p.length} characters long (String(length=${p.length}))`;
      return undefined;
    case "boolean":
      return typeof v === "boolean" ? undefined : "must be true or false";
    case "integer":
      return Number.isInteger(v) ? undefined : "must be an integer";
    case "uuid":
      return typeof v === "string" && UUID.test(v) ? undefined : "must be a UUID";
    case "datetime":
      return typeof v === "string" && !Number.isNaN(Date.parse(v)) ? undefined : "must be a date-time";
    case "enum":
      return typeof v === "string" && p.values!.includes(v) ? undefined : `must be one of ${p.values!.join(", ")}`;
  }
  return `has an unknown type (${name})`;
}

/**
 * The problems of a PATCH body: only `both` properties (and the import-only commit message) may be
 * written; "not allowed for ORGANIZATION" properties only as null (false for `is_readonly`);
 * `id` may be sent back unchanged. Every problem at once.
 */
export function patchProblems(body: Record<string, unknown>, id: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const [field, value] of Object.entries(body)) {
    if (field === COMMIT_MESSAGE) {
      if (value !== null && typeof value !== "string") problems.push({ field, message: "must be a string" });
      continue;
    }
    const p = PROPERTIES[field];
    if (!p) {
      problems.push({ field, message: "is not a property of ORGANIZATION records" });
      continue;
    }
    if (field === "id") {
      if (value !== id) problems.push({ field, message: "cannot be changed" });
      continue;
    }
    if (p.io !== "both") {
      problems.push({ field, message: p.io === "export only" ? "is output only and cannot be written" : "cannot be written" });
      continue;
    }
    if (p.notForOrganization && value !== null && value !== false) {
      problems.push({ field, message: "is not allowed for ORGANIZATION records" });
      continue;
    }
    if (field === "name" && value === null) {
      problems.push({ field, message: "cannot be null" });
      continue;
    }
    const t = typeProblem(field, p, value);
    if (t) problems.push({ field, message: t });
  }
  return problems;
}

/** The problems of a seeded record: any property of the document with a value of its type. */
export function seedProblems(fields: Record<string, unknown>): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const [field, value] of Object.entries(fields)) {
    const p = PROPERTIES[field];
    if (!p || field === "id") {
      problems.push({ field, message: "is not a seedable property of ORGANIZATION records" });
      continue;
    }
    const t = typeProblem(field, p, value);
    if (t) problems.push({ field, message: t });
  }
  return problems;
}

/** A new organization record: every property present, counters at zero, audit fields set. */
export function newRecord(id: string, name: string, now: string): OrgRecord {
  const rec: OrgRecord = {};
  for (const [field, p] of Object.entries(PROPERTIES)) rec[field] = p.kind === "integer" && field.startsWith("usage_") ? 0 : p.kind === "boolean" ? false : null;
  return {
    ...rec,
    id,
    name,
    active: true,
    usage_allowance_connection_productive: 1000,
    usage_allowance_db_size_bytes: 10 * 1024 ** 3,
    created_at: now,
    modified_at: now,
    organization_id: id,
    workspace_id: randomUUID(),
    record_type: "ORGANIZATION",
    resource_type: "ORGANIZATION",
    schema_version: "7",
  };
}

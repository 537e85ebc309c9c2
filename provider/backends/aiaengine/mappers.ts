// What the schemas cannot say about AIA Engine's wire (the guides' gRPC calls in the Connect
// protocol's unary JSON form, schemas/README.md): messages are proto3 JSON, so an answer leaves out
// every field at its default and the decoder puts the defaults back, as protobuf's would; an
// organization user nests its user; external users (project collaborators) carry no organization
// role. Field placement comes from the schemas (provider/core/wire.ts).
import { OrgformError } from "../../core/errors";
import { schemaFor, type ResourceSchema } from "../../core/schema";
import { updateSemantics } from "../../core/capabilities";
import { fromWire, updateBody, type WireObject } from "../../core/wire";
import type { Fields, ObservedMember, ObservedOrganization } from "../types";

/** `Org`, defaults filled. */
export interface WireOrganization {
  id: string;
  name: string;
  description: string;
  logo_url: string;
  has_active_subscription: boolean;
  created_at?: string;
  updated_at?: string;
}

/** `User{id, email, name}`. */
export interface WireUser {
  id: string;
  email: string;
  name: string;
}

/** `OrgUser{user, role, external}` (document 004), defaults filled. */
export interface WireOrgUser {
  user: WireUser;
  role: string;
  external: boolean;
}

/** AIA Engine's schemas, looked up once by the adapter that maps with them. */
export interface AiaEngineSchemas {
  organization: ResourceSchema;
  member: ResourceSchema;
}

export function aiaengineSchemas(): AiaEngineSchemas {
  return { organization: schemaFor("aiaengine", "organization"), member: schemaFor("aiaengine", "member") };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** An answer that is not the message the call returns: never read as one. */
export function notTheMessage(procedure: string, message: string, why: string): OrgformError {
  return new OrgformError("PROTOCOL", `AIA Engine ${procedure} answered something that is not a ${message} (${why}): check the endpoint`);
}

/** A proto3 string field: absent or null is "", anything else but a string is not this message. */
function str(obj: Record<string, unknown>, key: string, fail: (why: string) => OrgformError, required = false): string {
  const v = obj[key];
  if (v === undefined || v === null) {
    if (required) throw fail(`no ${key}`);
    return "";
  }
  if (typeof v !== "string") throw fail(`${key} is ${typeof v}`);
  if (required && v === "") throw fail(`empty ${key}`);
  return v;
}

function bool(obj: Record<string, unknown>, key: string, fail: (why: string) => OrgformError): boolean {
  const v = obj[key];
  if (v === undefined || v === null) return false;
  if (typeof v !== "boolean") throw fail(`${key} is ${typeof v}`);
  return v;
}

/** `Org` as protobuf's JSON decoder reads it: `id` and `name` must be there (no organization lacks them). */
export function decodeOrg(value: unknown, procedure: string): WireOrganization {
  const fail = (why: string) => notTheMessage(procedure, "Org", why);
  if (!isRecord(value)) throw fail("not a JSON object");
  const org: WireOrganization = {
    id: str(value, "id", fail, true),
    name: str(value, "name", fail, true),
    description: str(value, "description", fail),
    logo_url: str(value, "logo_url", fail),
    has_active_subscription: bool(value, "has_active_subscription", fail),
  };
  for (const k of ["created_at", "updated_at"] as const) if (value[k] !== undefined) org[k] = str(value, k, fail);
  return org;
}

export function decodeUser(value: unknown, procedure: string): WireUser {
  const fail = (why: string) => notTheMessage(procedure, "User", why);
  if (!isRecord(value)) throw fail("not a JSON object");
  return { id: str(value, "id", fail, true), email: str(value, "email", fail, true), name: str(value, "name", fail) };
}

export function decodeOrgUser(value: unknown, procedure: string): WireOrgUser {
  const fail = (why: string) => notTheMessage(procedure, "OrgUser", why);
  if (!isRecord(value)) throw fail("not a JSON object");
  return { user: decodeUser(value.user, procedure), role: str(value, "role", fail), external: bool(value, "external", fail) };
}

/** A repeated field of a response message: absent is empty (proto3 leaves empty lists out). */
export function decodeList<T>(value: unknown, field: string, procedure: string, message: string, item: (v: unknown, procedure: string) => T): T[] {
  if (!isRecord(value)) throw notTheMessage(procedure, message, "not a JSON object");
  const list = value[field];
  // An empty list is `{}` in proto3 JSON; a body with other fields and not this one is another message.
  const others = Object.keys(value).filter((k) => k !== field);
  if ((list === undefined || list === null) && others.length > 0) throw notTheMessage(procedure, message, `no ${field}, but ${others.slice(0, 3).join(", ")}`);
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw notTheMessage(procedure, message, `${field} is not a list`);
  return list.map((v) => item(v, procedure));
}

export function fromOrganization(wire: WireOrganization, schema: ResourceSchema): ObservedOrganization {
  return { id: wire.id, name: wire.name, parentId: null, fields: fromWire(wire, schema) };
}

/** CreateOrgRequest{name, description}: the guide's fields; a logo is set by UpdateOrg afterwards. */
export function toCreateRequest(declared: Fields): WireObject {
  return { name: declared.name, ...(typeof declared.description === "string" ? { description: declared.description } : {}) };
}

/**
 * UpdateOrgRequest{id, name, description, logo_url}: it replaces all three (a proto3 string has no
 * presence, so "left out" and "" are one message), so the undeclared ones are sent as they are live.
 * Sending all three is right whichever way the real service reads an empty field.
 */
export function toUpdateRequest(live: WireOrganization, declared: Fields, schema: ResourceSchema): WireObject {
  return { id: live.id, ...updateBody(schema, declared, updateSemantics("aiaengine", "organization"), live) };
}

export function fromOrgUser(wire: WireOrgUser, schema: ResourceSchema): ObservedMember {
  return { id: wire.user.id, email: wire.user.email, role: wire.role, fields: fromWire(wire, schema) };
}

/** The name CreateOrgUser needs when orgform creates a user for an email no user has: its local part. */
export const nameForEmail = (email: string): string => email.split("@")[0] || email;

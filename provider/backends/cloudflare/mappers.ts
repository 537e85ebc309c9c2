// What the schemas cannot say about Cloudflare's wire format (document 003): the envelope, the
// parent as an object (or null), the profile sent whole, and a new member under `member`. Field
// placement comes from the schemas (provider/core/wire.ts).
import { schemaFor, type ResourceSchema } from "../../core/schema";
import { updateSemantics } from "../../core/capabilities";
import { fromWire, toWire, updateBody, type WireObject } from "../../core/wire";
import { OrgformError } from "../../core/errors";
import type { ChangeRecord, Fields, ObservedMember, ObservedOrganization } from "../types";

export interface WireProfile {
  business_address: string;
  business_email: string;
  business_name: string;
  business_phone: string;
  external_metadata: string;
}

export interface WireOrganization {
  id: string;
  name: string;
  create_time?: string;
  meta?: Record<string, unknown>;
  parent?: { id: string; name?: string } | null;
  profile?: WireProfile | null;
}

/** A membership as the public Members API answers it (cloudflare-go/v7 v7.9.0 organizations/member.go). */
export interface WireMember {
  id: string;
  create_time?: string;
  update_time?: string;
  meta?: Record<string, unknown>;
  status?: string;
  user: { id?: string; email: string; name?: string; two_factor_authentication_enabled?: boolean };
}

/** Cloudflare's schemas, looked up once by the adapter that maps with them. */
export interface CloudflareSchemas {
  organization: ResourceSchema;
  profile: ResourceSchema;
  member: ResourceSchema;
}

export function cloudflareSchemas(): CloudflareSchemas {
  return { organization: schemaFor("cloudflare", "organization"), profile: schemaFor("cloudflare", "profile"), member: schemaFor("cloudflare", "member") };
}

/** Where orgform writes its ownership marker: `external_metadata`, the only free-form field a Cloudflare client may set. */
export const MARKER_PREFIX = "orgform:";

export function fromOrganization(wire: WireOrganization, schemas: Pick<CloudflareSchemas, "organization" | "profile">): ObservedOrganization {
  const externalMetadata = wire.profile?.external_metadata;
  const fields = fromWire(wire, schemas.organization);
  // A root organization has no `parent` on the wire: its parent is null, not unknown.
  fields.parent_name ??= null;
  return {
    id: wire.id,
    name: wire.name,
    // The parent is structure (`parentId`), never one of the fields.
    parentId: wire.parent?.id ?? null,
    marker: externalMetadata?.startsWith(MARKER_PREFIX) ? externalMetadata : undefined,
    fields,
    // Every organization object carries its profile (absent: none yet), lists included.
    profile: fromProfile(wire.profile, schemas.profile),
  };
}

/**
 * The body of POST /organizations. A new organization carries the ownership marker in a whole
 * profile: the other four fields empty until the OrganizationProfile resource sets them.
 */
export function toCreateBody(declared: Fields, parentId: string | null, marker: string, schemas: Pick<CloudflareSchemas, "organization" | "profile">): WireObject {
  return {
    ...toWire(declared, schemas.organization),
    ...(parentId ? { parent: { id: parentId } } : {}),
    profile: { ...emptyProfile(schemas.profile), external_metadata: marker },
  };
}

/**
 * The body of PUT /organizations/{id}. The SDKs' update takes `name` and an optional `parent` and
 * `profile` (cloudflare 7.3.0 OrganizationUpdateParams): what is not sent is left as it is, so the
 * profile (owned by OrganizationProfile) is never sent, and the parent only when it is to change
 * (`null`: to the root).
 */
export function toUpdateBody(declared: Fields, parentId: string | null | undefined, schema: ResourceSchema): WireObject {
  const body = updateBody(schema, declared, updateSemantics("cloudflare", "organization"));
  if (parentId !== undefined) body.parent = parentId ? { id: parentId } : null;
  return body;
}

/** A profile of empty strings: the whole shape the document and the SDK require. */
export function emptyProfile(schema: ResourceSchema): WireProfile {
  return Object.fromEntries(schema.fields.map((f) => [f.name, ""])) as unknown as WireProfile;
}

export function fromProfile(wire: WireProfile | null | undefined, schema: ResourceSchema): Fields {
  return fromWire(wire ?? {}, schema);
}

/** PUT /profile replaces the whole profile: undeclared fields keep their live values (or "" when there are none). */
export function toProfileBody(live: Fields | undefined, declared: Fields, schema: ResourceSchema): WireObject {
  const whole = { ...emptyProfile(schema), ...toWire(live ?? {}, schema) };
  return updateBody(schema, declared, updateSemantics("cloudflare", "profile"), whole);
}

/** A membership: its fields where the member schema's `x-wire` pointers say (no roles). */
export function fromMember(wire: WireMember, schema: ResourceSchema): ObservedMember {
  return { id: wire.id, email: wire.user.email, fields: fromWire(wire, schema) };
}

/** The body of POST …/members: `{member: {user: {email}}}` (no status: the API makes it active). */
export function toMemberBody(email: string, schema: ResourceSchema): WireObject {
  return { member: toWire({ email }, schema) };
}

/** An entry of `GET /organizations/{id}/logs/audit`, as the SDKs type it (every field optional there). */
export interface WireAuditEntry {
  id?: string;
  action?: { description?: string; result?: string; time?: string; type?: string };
  actor?: { id?: string; context?: string; email?: string; token_id?: string; token_name?: string; type?: string };
  resource?: { id?: string; type?: string };
}

/**
 * Who, when, what: the actor is the token's name where the context is a token (api_token, oauth),
 * else the user's email, else the actor's id. An entry without a time or any actor is not one.
 */
export function fromAuditEntry(e: WireAuditEntry, where: string): ChangeRecord {
  const a = e?.actor ?? {};
  const actor = (a.context === "api_token" || a.context === "oauth" ? a.token_name : undefined) || a.email || a.token_name || a.id;
  const time = e?.action?.time;
  if (!actor || typeof actor !== "string" || typeof time !== "string" || Number.isNaN(Date.parse(time))) {
    throw new OrgformError("REFUSED", `${where}: an audit entry without an actor or a time`);
  }
  return {
    actor,
    ...(a.context ? { via: a.context } : {}),
    time,
    action: e.action?.type ?? "change",
    resource: e.resource?.type ?? "organization",
  };
}

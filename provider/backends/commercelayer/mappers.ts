// What the schemas cannot say about Commerce Layer's JSON:API wire (provisioning API, document 001):
// the `{data: {type, id, attributes, relationships}}` document, the ownership marker in the
// metadata key the schema reserves, and memberships whose role is a relationship by id. Field
// placement (attributes.*, links.self) comes from the schemas (provider/core/wire.ts).
import { schemaFor, type FieldSpec, type ResourceSchema } from "../../core/schema";
import { fromWire, readAt, toWire, updateBody, updateNeedsLive as needsLive, writeAt, type WireObject } from "../../core/wire";
import { updateSemantics } from "../../core/capabilities";
import type { Fields, ObservedMember, ObservedOrganization } from "../types";

/** A JSON:API resource object as the API answers it. */
export interface WireResource {
  id: string;
  type: string;
  links?: { self?: string };
  attributes: Record<string, unknown>;
  relationships?: Record<string, { data?: { type: string; id: string } | { type: string; id: string }[] | null }>;
}

export interface WireDocument {
  data: WireResource | WireResource[];
  included?: WireResource[];
  meta?: { record_count?: number; page_count?: number };
}

/** Commerce Layer's schemas, looked up once by the adapter that maps with them. */
export interface CommerceLayerSchemas {
  organization: ResourceSchema;
  member: ResourceSchema;
}

export function commercelayerSchemas(): CommerceLayerSchemas {
  return { organization: schemaFor("commercelayer", "organization"), member: schemaFor("commercelayer", "member") };
}

/** The object field whose reserved key holds orgform's ownership marker (`x-reserved-keys`). */
function markerField(schema: ResourceSchema): FieldSpec {
  const field = schema.fields.find((f) => f.reservedKeys.length > 0);
  if (!field) throw new Error("schemas/commercelayer/organization.schema.json reserves no key for the ownership marker");
  return field;
}

const markerPath = (schema: ResourceSchema): string[] => {
  const f = markerField(schema);
  return [...f.wire, f.reservedKeys[0]];
};

export function fromOrganization(wire: WireResource, schema: ResourceSchema): ObservedOrganization {
  const marker = readAt(wire, markerPath(schema));
  return {
    id: wire.id,
    name: String(wire.attributes.name),
    parentId: null,
    fields: fromWire(wire, schema),
    marker: typeof marker === "string" ? marker : undefined,
  };
}

/** PATCH /organizations/{id} of the marker alone: the live metadata, its reserved key set to `marker` (PATCH replaces metadata whole). */
export function toMarkerDocument(live: WireResource, marker: string, schema: ResourceSchema): { data: WireObject } {
  const path = markerPath(schema);
  const current = readAt(live, path.slice(0, -1));
  const attributes: WireObject = {};
  const resource: WireObject = { attributes };
  writeAt(resource, path.slice(0, -1), typeof current === "object" && current !== null ? { ...(current as WireObject) } : {});
  writeAt(resource, path, marker);
  return { data: { type: "organizations", id: live.id, attributes: resource.attributes as WireObject } };
}

/** POST /organizations: every declared field, and the marker in its reserved metadata key. */
export function toCreateDocument(declared: Fields, marker: string, schema: ResourceSchema): { data: WireObject } {
  const resource: WireObject = { type: "organizations", ...toWire(declared, schema) };
  writeAt(resource, markerPath(schema), marker);
  return { data: resource };
}

/**
 * Whether an update of these declared fields needs the live organization: PATCH merges attribute
 * by attribute, so only a sent field holding orgform's reserved keys (the marker in `metadata`)
 * must carry their live values; any other update is made without reading first.
 */
export function updateNeedsLive(declared: Fields, schema: ResourceSchema): boolean {
  return needsLive(schema, declared, updateSemantics("commercelayer", "organization"));
}

/**
 * PATCH /organizations/{id} merges attribute by attribute: the declared fields, without create-only
 * ones, the reserved marker kept at its live value (`live`, needed when `updateNeedsLive`);
 * undefined when there is nothing to send.
 */
export function toUpdateDocument(id: string, declared: Fields, schema: ResourceSchema, live?: WireResource): { data: WireObject } | undefined {
  const body = updateBody(schema, declared, updateSemantics("commercelayer", "organization"), live);
  const attributes = (body.attributes ?? {}) as Record<string, unknown>;
  if (Object.keys(attributes).length === 0) return undefined;
  return { data: { type: "organizations", id, attributes } };
}

/** A membership with its role's name, found among the `included` roles (or the organization's). */
export function fromMembership(wire: WireResource, roleNames: Map<string, string>): ObservedMember {
  const rel = wire.relationships?.role?.data;
  const roleId = rel && !Array.isArray(rel) ? rel.id : undefined;
  const role = (roleId && roleNames.get(roleId)) ?? "";
  const email = String(wire.attributes.user_email);
  return {
    id: wire.id,
    email,
    role,
    fields: { id: wire.id, email, role, status: wire.attributes.status, owner: wire.attributes.owner, created_at: wire.attributes.created_at, updated_at: wire.attributes.updated_at },
  };
}

export function membershipDocument(email: string, orgId: string, roleId: string): { data: WireObject } {
  return {
    data: {
      type: "memberships",
      attributes: { user_email: email },
      relationships: { organization: { data: { type: "organizations", id: orgId } }, role: { data: { type: "roles", id: roleId } } },
    },
  };
}

export function roleChangeDocument(membershipId: string, roleId: string): { data: WireObject } {
  return { data: { type: "memberships", id: membershipId, relationships: { role: { data: { type: "roles", id: roleId } } } } };
}

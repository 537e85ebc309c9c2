import { randomBytes } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { isObject } from "../../json";
import { badRequest, invalid, MEDIA_TYPE, requestData, retrieveRequest, type ApiErrorItem, type ListSpec, type Query } from "./jsonapi";
import { ORG_SETTINGS, type RoleRecord } from "./wire";

/**
 * What every route module of the Commerce Layer dialect shares: per resource type what its lists
 * take (filters, the SDK's sort fields, includes) and which relationships are to-many, the writable
 * attributes every resource has, and the checks of a request document's attributes and relationships.
 */
export const STAMPS = ["id", "reference", "reference_origin", "created_at", "updated_at"];
/** The SDK's `ResourceSort`: what every resource can be sorted by. */
export const RESOURCE_SORT = ["id", "reference", "reference_origin", "created_at", "updated_at"];

/** Per resource type: filterable attributes (Ransack, ransack.ts), the SDK's `<X>Sort` fields, includes. */
export const SPECS: Readonly<Record<string, ListSpec>> = {
  organizations: {
    scalars: [...STAMPS, "name", "slug", "domain", "support_phone", "support_email", "logo_url", "favicon_url", "primary_color", "contrast_color", "gtm_id", "gtm_id_test", "region", "can_switch_live", ...Object.keys(ORG_SETTINGS)],
    json: ["metadata", "config", "subscription_info"],
    associations: { memberships: "memberships", roles: "roles", permissions: "permissions", api_credentials: "api_credentials" },
    sortable: [...RESOURCE_SORT, "name", "slug", "domain"],
    includable: ["memberships", "roles", "permissions", "api_credentials"],
  },
  memberships: {
    scalars: [...STAMPS, "user_email", "user_first_name", "user_last_name", "status", "owner", "test_enabled", "access_scope"],
    json: ["metadata"],
    associations: { organization: "organizations", role: "roles", membership_profile: "membership_profiles", application_memberships: "application_memberships" },
    sortable: [...RESOURCE_SORT, "status"],
    includable: ["organization", "role", "application_memberships", "membership_profile", "versions"],
  },
  roles: {
    scalars: [...STAMPS, "name", "kind"],
    json: ["metadata"],
    associations: { organization: "organizations", permissions: "permissions", memberships: "memberships", api_credentials: "api_credentials" },
    sortable: RESOURCE_SORT,
    includable: ["organization", "permissions", "memberships", "api_credentials", "versions"],
  },
  permissions: {
    scalars: [...STAMPS, "can_create", "can_read", "can_update", "can_destroy", "subject"],
    json: ["metadata", "restrictions"],
    associations: { organization: "organizations", role: "roles" },
    sortable: RESOURCE_SORT,
    includable: ["organization", "role", "versions"],
  },
  api_credentials: {
    scalars: [...STAMPS, "name", "kind", "confidential", "redirect_uri", "client_id", "scopes", "expires_in", "mode", "custom"],
    json: ["metadata"],
    associations: { organization: "organizations", role: "roles" },
    sortable: [...RESOURCE_SORT, "mode"],
    includable: ["organization", "role"],
  },
  membership_profiles: {
    scalars: [...STAMPS, "name", "test_enabled", "access_scope"],
    json: ["metadata"],
    associations: { organization: "organizations", application_memberships: "application_memberships" },
    sortable: [...RESOURCE_SORT, "name"],
    includable: ["organization", "application_memberships"],
  },
  application_memberships: {
    scalars: STAMPS,
    json: ["metadata", "filters"],
    associations: { api_credential: "api_credentials", membership: "memberships", membership_profile: "membership_profiles", organization: "organizations", role: "roles" },
    sortable: RESOURCE_SORT,
    includable: ["api_credential", "membership", "membership_profile", "organization", "role"],
  },
  versions: {
    scalars: [...STAMPS, "resource_type", "resource_id", "event"],
    json: ["metadata", "changes", "who"],
    associations: {},
    sortable: RESOURCE_SORT,
    includable: [],
  },
};

/** To-many relationships (the rest are to-one): how `include` links them. */
export const TO_MANY = new Set([
  "organizations.memberships",
  "organizations.roles",
  "organizations.permissions",
  "organizations.api_credentials",
  "roles.permissions",
  "roles.memberships",
  "roles.api_credentials",
  "roles.versions",
  "memberships.application_memberships",
  "memberships.versions",
  "permissions.versions",
  "membership_profiles.application_memberships",
]);

/** For a to-many relationship of a resource other than an organization: the to-one link back from the related type. */
export const BACK_LINK: Readonly<Record<string, string>> = { roles: "role", memberships: "membership", membership_profiles: "membership_profile" };

export const MEMBERSHIP_CREATE = ["user_email", "access_scope", "reference", "reference_origin", "metadata"];
export const MEMBERSHIP_UPDATE = ["access_scope", "reference", "reference_origin", "metadata"];
export const BASE_WRITABLE = ["reference", "reference_origin", "metadata"];
export const PERMISSION_RIGHTS = ["can_create", "can_read", "can_update", "can_destroy"] as const;
/** The lifetime of an API credential's tokens (the SDK: "min. 7200, max. 31536000"). */
export const EXPIRES_IN = { min: 7200, max: 31536000 } as const;

export function send(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).header("content-type", MEDIA_TYPE).send(body);
}

/** 400 for an attribute the resource does not take (unknown, or the server's). */
export function onlyAttributes(attrs: Record<string, unknown>, allowed: readonly string[], type: string): void {
  for (const k of Object.keys(attrs)) {
    if (!allowed.includes(k)) throw badRequest(`${k} is not a writable attribute of ${type}`, { pointer: `/data/attributes/${k}` }, "PARAMETER_NOT_ALLOWED");
  }
}

export function onlyRelationships(rels: Record<string, unknown>, allowed: readonly string[], type: string): void {
  for (const k of Object.keys(rels)) {
    if (!allowed.includes(k)) throw badRequest(`${k} is not a writable relationship of ${type}`, { pointer: `/data/relationships/${k}` }, "PARAMETER_NOT_ALLOWED");
  }
}

interface Writable {
  attributes: readonly string[];
  relationships: readonly string[];
}

/**
 * What every POST /<type> and PATCH /<type>/:id starts with: the `include`/`fields` of its answer,
 * and the request's attributes and relationships, refused (400) where it names one the type does
 * not take.
 */
function writeRequest(req: FastifyRequest, type: string, id: string | undefined, writable: Writable) {
  const rr = retrieveRequest(req.query as Query, type, SPECS[type].includable);
  const { attributes, relationships } = requestData(req, type, id);
  onlyAttributes(attributes, writable.attributes, type);
  onlyRelationships(relationships, writable.relationships, type);
  return { rr, attributes, relationships };
}

export const createRequest = (req: FastifyRequest, type: string, writable: Writable) => writeRequest(req, type, undefined, writable);

export function updateRequest(req: FastifyRequest, type: string, writable: Writable) {
  const { id } = req.params as { id: string };
  return { id, ...writeRequest(req, type, id, writable) };
}

/** Problems of the attributes every resource takes: reference, reference_origin (strings), metadata (an object). */
export function baseProblems(attributes: Record<string, unknown>): ApiErrorItem[] {
  const problems: ApiErrorItem[] = [];
  for (const k of ["reference", "reference_origin"]) {
    if (attributes[k] !== undefined && attributes[k] !== null && typeof attributes[k] !== "string") problems.push(invalid(k, "must be a string", "invalid"));
  }
  if (attributes.metadata !== undefined && attributes.metadata !== null && !isObject(attributes.metadata)) problems.push(invalid("metadata", "must be an object", "invalid"));
  return problems;
}

/** The base attributes sent, to merge into a record (metadata null clears it). */
export function baseValues(attributes: Record<string, unknown>): Partial<Pick<RoleRecord, "reference" | "reference_origin" | "metadata">> {
  const out: Record<string, unknown> = {};
  for (const k of BASE_WRITABLE) if (attributes[k] !== undefined) out[k] = k === "metadata" && attributes[k] === null ? {} : attributes[k];
  return out;
}

export const secret = (n: number) => randomBytes(n).toString("base64url");

/** The ids of a to-many relationship `{data: [{type, id}]}` in a request (undefined when absent). */
export function relatedIds(relationships: Record<string, unknown>, name: string, type: string): string[] | undefined {
  const rel = relationships[name];
  if (rel === undefined) return undefined;
  const data = isObject(rel) ? rel.data : undefined;
  if (data === null) return [];
  if (!Array.isArray(data) || !data.every((d) => isObject(d) && d.type === type && typeof d.id === "string" && d.id !== "")) {
    throw badRequest(`relationships.${name} must be {data: [{type: "${type}", id}]}`, { pointer: `/data/relationships/${name}` });
  }
  return data.map((d) => (d as { id: string }).id);
}

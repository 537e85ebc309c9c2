// Pure mappers between Cloudflare's wire format and orgform's flat records (schema field names).
import type { Fields, ObservedMember, ObservedOrganization } from "../types";

export interface WireParent {
  id: string;
  name?: string;
}

export interface WireProfile {
  business_address?: string;
  business_email?: string;
  business_name?: string;
  business_phone?: string;
  external_metadata?: string;
}

export interface WireOrganization {
  id: string;
  name: string;
  create_time?: string;
  meta?: Record<string, unknown>;
  parent?: WireParent | null;
  profile?: WireProfile | null;
}

export interface WireRole {
  id: string;
  name: string;
  description?: string;
}

export interface WireMember {
  id: string;
  status?: string;
  user: { id?: string; email: string };
  roles: WireRole[];
}

/** Where orgform writes its ownership marker: the only free-form field Cloudflare lets a client set. */
export const MARKER_PREFIX = "orgform:";

export function fromOrganization(wire: WireOrganization): ObservedOrganization {
  const externalMetadata = wire.profile?.external_metadata;
  return {
    id: wire.id,
    name: wire.name,
    parentId: wire.parent?.id ?? null,
    marker: externalMetadata?.startsWith(MARKER_PREFIX) ? externalMetadata : undefined,
    fields: {
      id: wire.id,
      name: wire.name,
      parent_id: wire.parent?.id ?? null,
      parent_name: wire.parent?.name ?? null,
      create_time: wire.create_time,
      meta: wire.meta,
    },
  };
}

/** The body of POST /organizations: a new org carries the marker in its profile. */
export function toCreateBody(declared: Fields, parentId: string | null, marker: string): Record<string, unknown> {
  return {
    name: declared.name,
    ...(parentId ? { parent: { id: parentId } } : {}),
    profile: { external_metadata: marker },
  };
}

/**
 * The body of PUT /organizations/{id}: PUT replaces the whole object, so what orgform does not
 * manage here (the profile, owned by OrganizationProfile) is sent back as it is live.
 */
export function toReplaceBody(
  live: WireOrganization,
  declared: Fields,
  parentId: string | null | undefined,
): Record<string, unknown> {
  const parent = parentId === undefined ? (live.parent?.id ?? null) : parentId;
  return {
    name: declared.name ?? live.name,
    parent: parent ? { id: parent } : null,
    ...(live.profile ? { profile: live.profile } : {}),
  };
}

export function fromProfile(wire: WireProfile | null | undefined): Fields {
  return { ...(wire ?? {}) };
}

/** PUT /profile replaces the profile: undeclared fields keep their live values. */
export function toProfileBody(live: WireProfile | undefined, declared: Fields): WireProfile {
  return { ...(live ?? {}), ...(declared as WireProfile) };
}

export function fromMember(wire: WireMember): ObservedMember {
  const role = wire.roles[0]?.name ?? "";
  return {
    id: wire.id,
    email: wire.user.email,
    role,
    fields: { id: wire.id, email: wire.user.email, role, status: wire.status },
  };
}

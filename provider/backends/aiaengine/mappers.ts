// What the schemas cannot say about AIA Engine's wire format (our REST design of the
// aiaengine.api.org service, schemas/README.md): an organization user nests its user, and
// external users (project collaborators) carry no organization role. Field placement comes from
// the schemas (provider/core/wire.ts).
import { schemaFor } from "../../core/schema";
import { fromWire, updateBody, type WireObject } from "../../core/wire";
import type { Fields, ObservedMember, ObservedOrganization } from "../types";

export interface WireOrganization {
  id: string;
  name: string;
  description?: string;
  logo_url?: string;
  has_active_subscription?: boolean;
  created_at?: string;
  updated_at?: string;
}

/** OrgUser{user, role, external} (document 004). */
export interface WireOrgUser {
  user: { id: string; email: string; name?: string };
  role: string;
  external: boolean;
}

const orgSchema = () => schemaFor("aiaengine", "organization");
const memberSchema = () => schemaFor("aiaengine", "member");

export function fromOrganization(wire: WireOrganization): ObservedOrganization {
  return { id: wire.id, name: wire.name, parentId: null, fields: fromWire(wire, orgSchema()) };
}

/**
 * The body of PUT /v1/orgs/{id}: UpdateOrg replaces name, description and logo_url (what it
 * leaves out is emptied, as `update(name, description=None)` clears the description), so the
 * undeclared ones are sent back as they are live.
 */
export function toUpdateBody(live: WireOrganization, declared: Fields): WireObject {
  return updateBody(orgSchema(), declared, "replace", live);
}

export function fromOrgUser(wire: WireOrgUser): ObservedMember {
  return { id: wire.user.id, email: wire.user.email, role: wire.role, fields: fromWire(wire, memberSchema()) };
}

/** The name create_user needs when orgform creates a user for an email no user has: its local part. */
export const nameForEmail = (email: string): string => email.split("@")[0] || email;

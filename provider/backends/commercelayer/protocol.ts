// What Commerce Layer's answers look like (JSON:API documents), checked by the HTTP client before
// the adapter reads them: provider/http/protocol.ts.
import { shape, type Shape, type VendorProtocol } from "../../http/protocol";

export const protocol: VendorProtocol = {
  vendor: "Commerce Layer",
  // JSON:API's own type; the token endpoint and gateway errors answer plain JSON.
  mediaTypes: ["application/vnd.api+json", "application/json"],
  error: shape.object({ errors: shape.array(shape.anyObject) }),
  // RECORD_NOT_FOUND is a missing record; a route that does not exist answers NOT_FOUND.
  notFound: (body) => ((body as { errors: { code?: unknown }[] }).errors ?? []).some((e) => e.code === "RECORD_NOT_FOUND"),
};

/** A resource object whose attributes carry these fields. */
const resource = (attributes: Record<string, Shape> = {}): Shape =>
  shape.object({ id: shape.string, type: shape.string, attributes: shape.object(attributes) });

const document = (data: Shape): Shape =>
  shape.object({ data, included: shape.optional(shape.array(resource())), meta: shape.optional(shape.object({ page_count: shape.optional(shape.number) })) });

const organization = resource({ name: shape.string });
const membership = resource({ user_email: shape.string });
const role = resource({ name: shape.string });

export const expect = {
  organization: document(organization),
  organizations: document(shape.array(organization)),
  membership: document(membership),
  memberships: document(shape.array(membership)),
  roles: document(shape.array(role)),
};

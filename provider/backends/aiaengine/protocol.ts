// What AIA Engine's answers look like: the Connect protocol's unary JSON form of its gRPC service
// (schemas/README.md), errors `{code, message}` with Connect's string codes. Checked by the HTTP
// client before the adapter reads them (provider/http/protocol.ts); the adapter's decoders check
// the messages themselves (mappers.ts).
import { shape, type Shape, type VendorProtocol } from "../../http/protocol";

export const protocol: VendorProtocol = {
  vendor: "AIA Engine",
  mediaTypes: ["application/json"],
  error: shape.object({ code: shape.string, message: shape.optional(shape.string) }),
  // A path the service has no method for answers `unimplemented` (Connect's routing error): only
  // the service's own `not_found` says that an object is gone.
  notFound: (body) => (body as { code: string }).code === "not_found",
};

const organization = shape.object({ id: shape.string, name: shape.string });

/**
 * The fields the adapter reads of the answers it lists: proto3 JSON leaves a field at its default
 * out, so an empty list is `{}` (no `orgs`). The decoders (mappers.ts) check every message again.
 */
/**
 * A response message holding one repeated field: proto3 JSON leaves an empty one out (`{}`), so a
 * body with other fields and not this one is another message.
 */
function listMessage(field: string, item: Shape): Shape {
  const fits = shape.object({ [field]: shape.optional(shape.array(item)) });
  return (v, at) => {
    const problem = fits(v, at);
    if (problem) return problem;
    const others = Object.keys(v as object).filter((k) => k !== field);
    return (v as Record<string, unknown>)[field] === undefined && others.length > 0 ? `${at || "the body"}: no ${field}, but ${others.slice(0, 3).join(", ")}` : undefined;
  };
}

export const expect = {
  organization,
  organizations: listMessage("orgs", organization),
  orgUsers: listMessage("users", shape.object({ user: shape.object({ id: shape.string, email: shape.string }) })),
};

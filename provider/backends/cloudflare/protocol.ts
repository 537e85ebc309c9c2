// What Cloudflare's answers look like (document 003, the v4 envelope), checked by the HTTP client
// before the adapter reads them: provider/http/protocol.ts.
import { shape, type Shape, type VendorProtocol } from "../../http/protocol";

/** Cloudflare's "No route for that URI": a wrong base path, not an object that is gone. */
const NO_ROUTE = 7000;

const errorItem = shape.object({ code: shape.number, message: shape.string });

export const protocol: VendorProtocol = {
  vendor: "Cloudflare",
  mediaTypes: ["application/json"],
  error: shape.object({ success: shape.boolean, errors: shape.array(errorItem) }),
  notFound: (body) => ((body as { errors: { code: number }[] }).errors ?? []).some((e) => e.code !== NO_ROUTE),
};

/** `{success, errors, result}` around a result of this shape. */
const envelope = (result: Shape): Shape => shape.object({ success: shape.boolean, errors: shape.array(shape.anyObject), result });

const organization = shape.object({
  id: shape.string,
  name: shape.string,
  parent: shape.nullable(shape.object({ id: shape.string })),
  profile: shape.nullable(shape.anyObject),
});
/** A membership of the public Members API (cloudflare-go v7.9.0 organizations/member.go): no roles. */
const member = shape.object({ id: shape.string, status: shape.string, user: shape.object({ email: shape.string }) });

/** A page of a list: the items, and the token of the next page when there is one. */
const page = (item: Shape): Shape =>
  shape.object({
    success: shape.boolean,
    result: shape.array(item),
    result_info: shape.optional(shape.object({ next_page_token: shape.optional(shape.nullable(shape.string)) })),
  });

export const expect = {
  organization: envelope(organization),
  profile: envelope(shape.nullable(shape.anyObject)),
  member: envelope(member),
  page: { organizations: page(organization), members: page(member), audit: page(shape.object({ id: shape.string })) },
};

// What AIA Engine's answers look like (our REST form of its gRPC service: gRPC-gateway's JSON,
// errors as google.rpc.Status), checked by the HTTP client before the adapter reads them:
// provider/http/protocol.ts.
import { shape, type VendorProtocol } from "../../http/protocol";

/** google.rpc.Code NOT_FOUND. */
const NOT_FOUND = 5;

export const protocol: VendorProtocol = {
  vendor: "AIA Engine",
  mediaTypes: ["application/json"],
  error: shape.object({ code: shape.number, message: shape.string }),
  // gRPC-gateway answers a path no method is mapped to with NOT_FOUND "Not Found" (its routing
  // error handler): only a NOT_FOUND of the service itself says that an object is gone.
  notFound: (body) => {
    const s = body as { code: number; message: string };
    return s.code === NOT_FOUND && s.message !== "Not Found";
  },
};

const organization = shape.object({ id: shape.string, name: shape.string });
const orgUser = shape.object({ user: shape.object({ id: shape.string, email: shape.string }), role: shape.optional(shape.string), external: shape.optional(shape.boolean) });

export const expect = {
  organization,
  /** ListUserOrgs: gRPC-gateway emits empty repeated fields (EmitUnpopulated), so `orgs` is always there. */
  organizations: shape.object({ orgs: shape.array(organization) }),
  orgUser,
  orgUsers: shape.object({ users: shape.array(orgUser) }),
};

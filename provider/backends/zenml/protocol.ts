// What ZenML Pro's answers look like (document 002; FastAPI), checked by the HTTP client before the
// adapter reads them: provider/http/protocol.ts.
import { shape, type VendorProtocol } from "../../http/protocol";

export const protocol: VendorProtocol = {
  vendor: "ZenML Pro",
  mediaTypes: ["application/json"],
  error: shape.object({ detail: shape.oneOf(shape.string, shape.array(shape.any)) }),
  // A 404 the server raised (`{"detail": ["KeyError", "..."]}`) is about the object; FastAPI's own
  // `{"detail": "Not Found"}` means no route matched (a wrong base path).
  notFound: (body) => Array.isArray((body as { detail: unknown }).detail),
};

const organization = shape.object({ id: shape.string, name: shape.string });

export const expect = {
  organization,
  /** Lists are plain JSON arrays. */
  organizations: shape.array(organization),
};

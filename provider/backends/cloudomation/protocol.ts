// What Cloudomation Engine's answers look like (document 000; error bodies our design, see
// emulator/dialects/cloudomation), checked by the HTTP client before the adapter reads them:
// provider/http/protocol.ts.
import { shape, type VendorProtocol } from "../../http/protocol";

export const protocol: VendorProtocol = {
  vendor: "Cloudomation Engine",
  mediaTypes: ["application/json"],
  error: shape.object({ status: shape.number, error: shape.string, message: shape.string }),
  // "no route GET /..." is a wrong base path, not a record that is gone.
  notFound: (body) => !/^no route\b/i.test((body as { message: string }).message),
};

const organization = shape.object({ id: shape.string, name: shape.string });

export const expect = {
  organization,
  /** Lists are plain JSON arrays of records. */
  organizations: shape.array(organization),
};

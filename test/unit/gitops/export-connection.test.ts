import { describe, expect, it } from "vitest";
import { exportedConnection, publicUrl } from "../../../provider/gitops/export";

describe("the connection block an export records", () => {
  it.each([
    ["records nothing for the vendor's default endpoint", "cloudflare", "https://api.cloudflare.com/client/v4/", undefined, undefined],
    ["records a non-default endpoint", "cloudflare", "http://127.0.0.1:8787/cloudflare/client/v4", undefined, { endpoint: "http://127.0.0.1:8787/cloudflare/client/v4" }],
    ["records every endpoint of a vendor without a default (a workspace, a self-hosted engine)", "cloudomation", "https://acme.cloudomation.com/api/latest", undefined, { endpoint: "https://acme.cloudomation.com/api/latest" }],
    ["records a non-default token URL beside the default endpoint", "commercelayer", "https://provisioning.commercelayer.io/api", "https://auth.example/oauth/token", { tokenUrl: "https://auth.example/oauth/token" }],
    ["records nothing for both defaults", "commercelayer", "https://provisioning.commercelayer.io/api", "https://auth.commercelayer.io/oauth/token", undefined],
  ] as const)("%s", (_name, backend, endpoint, tokenUrl, expected) => {
    expect(exportedConnection(backend, endpoint, tokenUrl)).toEqual(expected);
  });

  it("writes no user info, query string or fragment", () => {
    expect(publicUrl("https://user:pw@engine.example:8443/api/?token=abc#x")).toBe("https://engine.example:8443/api");
    expect(exportedConnection("aiaengine", "https://user:pw@engine.example/aia?key=1", "https://id.example/token?client_secret=s")).toEqual({
      endpoint: "https://engine.example/aia",
      tokenUrl: "https://id.example/token",
    });
  });
});

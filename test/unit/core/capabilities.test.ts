import { describe, expect, it } from "vitest";
import { BACKENDS } from "../../../provider/core/backends";
import { allCapabilities, capabilitiesOf } from "../../../provider/core/capabilities";
import { hasSchema, schemaFor } from "../../../provider/core/schema";

describe.each(BACKENDS)("the %s capability matrix", (backend) => {
  const caps = capabilitiesOf(backend);

  it("validates against capabilities.schema.json and names its backend", () => {
    expect(caps.backend).toBe(backend);
  });

  it("offers members exactly when a member schema exists", () => {
    expect(caps.members.supported).toBe(hasSchema(backend, "member"));
  });

  it("offers a profile exactly when a profile schema exists", () => {
    expect(caps.profile.supported).toBe(hasSchema(backend, "profile"));
    expect(caps.profile.update === null).toBe(!caps.profile.supported);
  });

  it("lists the same roles as the member schema, with a default among them", () => {
    if (!caps.members.supported) return expect(caps.members.roles).toEqual([]);
    expect(caps.members.roles).toEqual(schemaFor(backend, "member").field("role")?.enum);
    if (caps.members.defaultRole !== null) expect(caps.members.roles).toContain(caps.members.defaultRole);
  });

  it("supports a hierarchy exactly when organizations have a declarable parent_id", () => {
    expect(caps.hierarchy.supported).toBe(schemaFor(backend, "organization").field("parent_id")?.access === "both");
  });

  it("can adopt by id (every organization can be taken over)", () => {
    expect(caps.organization.adopt.byId).toBe(true);
  });

  it("names an environment variable for every part of every auth method", () => {
    for (const method of caps.connection.auth) {
      const parts = { "bearer-token": ["token"], "api-key": ["email", "apiKey"], "oauth2-client-credentials": ["clientId", "clientSecret", "tokenUrl"] }[method.method];
      expect(Object.keys(method.env).sort()).toEqual([...parts].sort());
    }
  });

  it("lets a client-chosen id be declared exactly when the vendor allows it", () => {
    expect(caps.organization.clientChosenId).toBe(schemaFor(backend, "organization").field("id")?.access === "both");
  });
});

describe("the capability matrices together", () => {
  it("summarise what each vendor can do", () => {
    const summary = Object.fromEntries(
      allCapabilities().map((c) => [
        c.backend,
        `create=${c.organization.create} delete=${c.organization.delete.supported}[${c.organization.delete.preconditions.join(",")}] update=${c.organization.update.verb} hierarchy=${c.hierarchy.supported} profile=${c.profile.supported} members=${c.members.supported} perCredential=${c.organization.orgsPerCredential ?? "-"}`,
      ]),
    );
    expect(summary).toMatchInlineSnapshot(`
      {
        "aiaengine": "create=true delete=true[no-active-subscription] update=PUT hierarchy=false profile=false members=true perCredential=-",
        "cloudflare": "create=true delete=true[no-sub-organizations,no-accounts,no-members,no-users] update=PUT hierarchy=true profile=true members=true perCredential=-",
        "cloudomation": "create=false delete=false[] update=PATCH hierarchy=false profile=false members=false perCredential=1",
        "commercelayer": "create=true delete=false[] update=PATCH hierarchy=false profile=false members=true perCredential=-",
        "zenml": "create=true delete=true[] update=PATCH hierarchy=false profile=false members=false perCredential=1",
      }
    `);
  });
});

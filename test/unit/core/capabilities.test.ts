import { memberRoles } from "../../../provider/core/roles";
import { describe, expect, it } from "vitest";
import { BACKENDS } from "../../../provider/core/backends";
import Ajv2020 from "ajv/dist/2020";
import * as fs from "node:fs";
import { CAPABILITIES_SCHEMA, capabilitiesSchemaText } from "../../../provider/core/capabilities-schema";
import { cannotCreateMessage, capabilitiesFile, capabilitiesOf, capabilitiesSchemaFile, type Capabilities, capabilitiesSchemaProblems, createsWith, membersHaveRoles } from "../../../provider/core/capabilities";
import { readJson } from "../../../provider/core/schema";
import { hasSchema, schemaFor } from "../../../provider/core/schema";

describe.each(BACKENDS)("the %s capability matrix", (backend) => {
  const caps = capabilitiesOf(backend);

  it("validates against capabilities.schema.json and names its backend", () => {
    expect(capabilitiesSchemaProblems(backend)).toBeUndefined();
    expect(caps.backend).toBe(backend);
  });

  it("offers members exactly when a member schema exists", () => {
    expect(caps.members.supported).toBe(hasSchema(backend, "member"));
  });

  it("offers a profile exactly when a profile schema exists", () => {
    expect(caps.profile.supported).toBe(hasSchema(backend, "profile"));
    expect(caps.profile.update === null).toBe(!caps.profile.supported);
  });

  it("keeps roles in the member schema only: a default and administrators among its values", () => {
    const rules = memberRoles(backend);
    // The matrix says whether members have roles; the member schema says which (a `role` property or none).
    expect(membersHaveRoles(backend)).toBe(rules.hasRoles);
    if (!caps.members.supported) return expect(rules).toEqual({ hasRoles: false, adminRoles: [] });
    if (rules.values === undefined) return; // roles belong to each organization, resolved live
    if (rules.defaultRole !== undefined) expect(rules.values).toContain(rules.defaultRole);
    for (const admin of rules.adminRoles) expect(rules.values).toContain(admin);
  });

  it("models the parent as structure, never as a field of the organization schema", () => {
    // The parent is `parentId` of an observed organization and `parent` of a declaration; a field would be a second model of it.
    const declarable = schemaFor(backend, "organization").fields.filter((f) => f.access === "both" || f.access === "import-only");
    expect(declarable.filter((f) => [f.name, ...f.wire].some((part) => /parent/i.test(part))).map((f) => f.name)).toEqual([]);
  });

  it("can adopt by id (every organization can be taken over)", () => {
    expect(caps.organization.adopt.byId).toBe(true);
  });

  it("names an environment variable for every part of every auth method", () => {
    for (const method of caps.connection.auth) {
      const parts = { "bearer-token": ["token"], "api-key": ["email", "apiKey"], "oauth2-client-credentials": ["clientId", "clientSecret", "tokenUrl"], "session-login": ["userName", "password"], "api-key-exchange": ["apiKey"] }[method.method];
      expect(Object.keys(method.env).sort()).toEqual([...parts].sort());
    }
  });

  it("lets a client-chosen id be declared exactly when the vendor allows it", () => {
    expect(caps.organization.clientChosenId).toBe(schemaFor(backend, "organization").field("id")?.access === "both");
  });
});

describe("the capability matrices together", () => {
  it("share a schema that is valid 2020-12 (checked here, not at run time)", () => {
    const checking = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true, validateSchema: true });
    expect(checking.validateSchema(CAPABILITIES_SCHEMA)).toBe(true);
    expect(checking.validateSchema({ type: "object", minProperties: -1 })).toBe(false);
  });

  it("schemas/capabilities.schema.json is generated from provider/core/capabilities-schema.ts and up to date", () => {
    // The object is the one source: the Capabilities type is read from it (FromSchema), the file written from it.
    if (process.env.UPDATE_CAPABILITIES_SCHEMA === "1") fs.writeFileSync(capabilitiesSchemaFile(), capabilitiesSchemaText());
    expect(fs.readFileSync(capabilitiesSchemaFile(), "utf8")).toBe(capabilitiesSchemaText());
    expect(readJson(capabilitiesSchemaFile())).toEqual(CAPABILITIES_SCHEMA);
  });

  it("refuses what the type refuses: an unknown semantics, a missing field, an unknown credential kind", () => {
    const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
    const validate = ajv.compile(CAPABILITIES_SCHEMA);
    const good = readJson(capabilitiesFile(BACKENDS[0])) as unknown as Capabilities;
    expect(validate(good)).toBe(true);
    const bad = (change: (c: Capabilities) => void) => {
      const copy = structuredClone(good);
      change(copy);
      return validate(copy);
    };
    expect(bad((c) => ((c.organization.update as { semantics: string }).semantics = "patch"))).toBe(false);
    expect(bad((c) => delete (c as Partial<Capabilities>).pagination)).toBe(false);
    expect(bad((c) => ((c.connection.auth[0] as { method: string }).method = "carrier-pigeon"))).toBe(false);
  });
});

describe("which credential kinds can create organizations", () => {
  const cases = [
    { backend: "zenml", method: "api-key-exchange", creates: "if-user" },
    { backend: "zenml", method: "bearer-token", creates: "yes" },
    { backend: "zenml", method: "oauth2-client-credentials", creates: "no" },
    { backend: "commercelayer", method: "oauth2-client-credentials", creates: "yes" },
    { backend: "cloudflare", method: "bearer-token", creates: "yes" },
  ] as const;
  for (const c of cases) {
    it(`${c.backend} ${c.method}: ${c.creates}`, () => expect(createsWith(c.backend, c.method)).toBe(c.creates));
  }

  it("says in one sentence why a service account's API key could not create, with the vendor's reason and what to do", () => {
    expect(cannotCreateMessage("zenml", "api-key-exchange", "Acme", "Service accounts are not allowed to create organizations")).toBe(
      `ZenML Pro cannot create organization "Acme" with these credentials: this API key (ZENML_API_KEY) is a service account's (Service accounts are not allowed to create organizations); ` +
        `create it with a user's credential (ZENML_API_KEY or orgform:apiKey holding a user's key, or ZENML_API_TOKEN or orgform:token) or create it in ZenML Pro and adopt it with adopt: {name: "Acme"}`,
    );
  });
});

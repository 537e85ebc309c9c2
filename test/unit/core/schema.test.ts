import { describe, expect, it } from "vitest";
import { BACKENDS, RESOURCE_KINDS } from "../../../provider/core/backends";
import { capabilitiesOf } from "../../../provider/core/capabilities";
import {
  ACCESS_CLASSES,
  ajv,
  buildAjv,
  declarableFields,
  hasSchema,
  kindsOf,
  schemaFor,
  schemaId,
  validateDeclared,
  validateObserved,
  type Problem,
} from "../../../provider/core/schema";
import { aCloudflareOrganization, aCloudomationOrganization, aCommerceLayerOrganization, aZenmlOrganization } from "../builders";

const allSchemas = BACKENDS.flatMap((backend) => kindsOf(backend).map((kind) => [backend, kind] as const));

describe("the schema files", () => {
  it("compile together under ajv strict mode with the x- vocabulary", () => {
    expect(() => ajv()).not.toThrow();
    // Every backend has at least its organization schema (the kinds per backend: below).
    expect(allSchemas.length).toBeGreaterThanOrEqual(BACKENDS.length);
  });

  it("are valid against the 2020-12 meta-schema and the x- vocabulary's own (checked here, not at run time)", () => {
    const checking = buildAjv({ checkSchemas: true });
    for (const [backend, kind] of allSchemas) expect(checking.getSchema(schemaId(backend, kind))).toBeTypeOf("function");
    // The check is on: what only the meta-schema catches is refused (the run-time instance accepts it).
    const negativeLength = { type: "object", properties: { a: { type: "string", minLength: -1 } } };
    expect(() => checking.compile(negativeLength)).toThrow(/minLength must be >= 0/);
    expect(() => buildAjv({ checkSchemas: false }).compile(negativeLength)).not.toThrow();
    // The vocabulary's own rules are checked by both.
    expect(() => checking.compile({ type: "object", properties: { a: { type: "string", "x-access": "sometimes" } } })).toThrow(/x-access/);
  });

  it.each(allSchemas)("%s %s is a closed 2020-12 object schema with the conventional $id", (backend, kind) => {
    const { json } = schemaFor(backend, kind);
    expect(json.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(json.$id).toBe(schemaId(backend, kind));
    expect(json.type).toBe("object");
    expect(json.additionalProperties).toBe(false);
  });

  it.each(allSchemas)("%s %s gives every property an access class and a declarable field", (backend, kind) => {
    const schema = schemaFor(backend, kind);
    for (const f of schema.fields) expect(ACCESS_CLASSES).toContain(f.access);
    expect(declarableFields(schema).length).toBeGreaterThan(0);
  });

  it("has an organization schema for every backend", () => {
    for (const backend of BACKENDS) expect(hasSchema(backend, "organization")).toBe(true);
  });

  it.each(BACKENDS)("answers which kinds %s has: the organization, then a profile and members where its capability matrix offers them", (backend) => {
    const caps = capabilitiesOf(backend);
    expect(kindsOf(backend)).toEqual(["organization", ...(caps.profile.supported ? ["profile"] : []), ...(caps.members.supported ? ["member"] : [])]);
  });

  it("throws for a kind the vendor does not have", () => {
    expect(() => schemaFor("zenml", "member")).toThrow(/zenml has no member schema/);
  });

  it("takes the Cloudomation classes from the document literally", () => {
    const s = schemaFor("cloudomation", "organization");
    const access = (n: string) => s.field(n)?.access;
    expect([access("name"), access("vat_number"), access("zip"), access("is_archived")]).toEqual(["both", "both", "both", "both"]);
    expect([access("active"), access("created_at"), access("usage_db_size_bytes"), access("workspace_id")]).toEqual(["export-only", "export-only", "export-only", "export-only"]);
    expect([access("id"), access("record_type"), access("schema_version"), access("is_bundle_readonly")]).toEqual(["neither", "neither", "neither", "neither"]);
    expect(access("commit_message")).toBe("import-only");
    expect(s.field("zip")?.json.maxLength).toBe(128);
    expect(s.field("address_line_1")?.json.maxLength).toBe(1024);
  });

  it("marks ZenML trial_expiry volatile and its id replace-on-change", () => {
    const s = schemaFor("zenml", "organization");
    expect(s.field("trial_expiry")).toMatchObject({ access: "export-only", volatile: true });
    expect(s.field("id")).toMatchObject({ access: "both", replaceOnChange: true, format: "uuid" });
    expect(s.field("links")).toMatchObject({ access: "import-only", type: "array", nullable: true });
  });

  it("does not force replacement on a Cloudflare rename", () => {
    expect(schemaFor("cloudflare", "organization").field("name")?.replaceOnChange).toBe(false);
    expect(schemaFor("cloudflare", "member").field("email")?.replaceOnChange).toBe(true);
  });
});

type Case = { name: string; backend: (typeof BACKENDS)[number]; kind: (typeof RESOURCE_KINDS)[number]; value: unknown; partial?: boolean; expected: Array<Pick<Problem, "path" | "code">> };

const declaredCases: Case[] = [
  { name: "accepts a minimal Cloudflare organization", backend: "cloudflare", kind: "organization", value: { name: "Acme" }, expected: [] },
  { name: "requires a name to create a Cloudflare organization", backend: "cloudflare", kind: "organization", value: {}, expected: [{ path: ["name"], code: "missing-required" }] },
  { name: "does not require a name when the organization is adopted", backend: "cloudomation", kind: "organization", value: { city: "Graz" }, partial: true, expected: [] },
  { name: "rejects an export-only field as read-only", backend: "cloudflare", kind: "organization", value: { name: "Acme", create_time: "2020-01-01T00:00:00Z" }, expected: [{ path: ["create_time"], code: "read-only" }] },
  { name: "rejects a neither field as read-only", backend: "cloudomation", kind: "organization", value: { id: "0c7f1e8e-2b2a-4a4e-9b8e-3f1c2d4e5a6b" }, partial: true, expected: [{ path: ["id"], code: "read-only" }] },
  { name: "rejects an unknown field", backend: "cloudflare", kind: "organization", value: { name: "Acme", colour: "red" }, expected: [{ path: ["colour"], code: "unknown-field" }] },
  { name: "rejects a ZenML name longer than 50 characters", backend: "zenml", kind: "organization", value: { name: "x".repeat(51) }, expected: [{ path: ["name"], code: "too-long" }] },
  { name: "rejects an empty ZenML description", backend: "zenml", kind: "organization", value: { name: "a", description: "" }, expected: [{ path: ["description"], code: "too-short" }] },
  { name: "accepts a null ZenML description", backend: "zenml", kind: "organization", value: { name: "a", description: null }, expected: [] },
  { name: "rejects a client-chosen ZenML id that is not a uuid", backend: "zenml", kind: "organization", value: { name: "a", id: "not-a-uuid" }, expected: [{ path: ["id"], code: "invalid-format" }] },
  { name: "rejects a ZenML link without url", backend: "zenml", kind: "organization", value: { name: "a", links: [{ name: "Docs" }] }, expected: [{ path: ["links", "0", "url"], code: "missing-required" }] },
  { name: "rejects a colour that is not #RRGGBB", backend: "commercelayer", kind: "organization", value: { name: "a", primary_color: "#abc" }, expected: [{ path: ["primary_color"], code: "pattern-mismatch" }] },
  { name: "rejects metadata that is not an object", backend: "commercelayer", kind: "organization", value: { name: "a", metadata: [1] }, expected: [{ path: ["metadata"], code: "wrong-type" }] },
  { name: "rejects a Cloudomation zip longer than 128 characters", backend: "cloudomation", kind: "organization", value: { zip: "1".repeat(129) }, partial: true, expected: [{ path: ["zip"], code: "too-long" }] },
  { name: "rejects a payment type outside the enum", backend: "cloudomation", kind: "organization", value: { payment_type: "CARD" }, partial: true, expected: [{ path: ["payment_type"], code: "not-allowed-value" }] },
  { name: "rejects a member email that is not an email", backend: "cloudflare", kind: "member", value: { email: "ada" }, expected: [{ path: ["email"], code: "invalid-format" }] },
  { name: "rejects an unknown AIA Engine role", backend: "aiaengine", kind: "member", value: { email: "ada@example.com", role: "Owner" }, expected: [{ path: ["role"], code: "not-allowed-value" }] },
  { name: "knows no role where members have none (Cloudflare)", backend: "cloudflare", kind: "member", value: { email: "ada@example.com", role: "Member" }, expected: [{ path: ["role"], code: "unknown-field" }] },
  { name: "refuses declaring a membership's status (export-only)", backend: "cloudflare", kind: "member", value: { email: "ada@example.com", status: "canceled" }, expected: [{ path: ["status"], code: "read-only" }] },
  { name: "lets an AIA Engine member omit the role (OrgViewer by default)", backend: "aiaengine", kind: "member", value: { email: "ada@example.com" }, expected: [] },
  { name: "rejects a profile email that is not an email", backend: "cloudflare", kind: "profile", value: { business_email: "nope" }, expected: [{ path: ["business_email"], code: "invalid-format" }] },
  { name: "rejects a declaration that is not an object", backend: "cloudflare", kind: "organization", value: "Acme", expected: [{ path: [], code: "wrong-type" }] },
  { name: "reports all problems at once", backend: "zenml", kind: "organization", value: { name: "", description: "", created: "x" }, expected: [{ path: ["created"], code: "read-only" }, { path: ["name"], code: "too-short" }, { path: ["description"], code: "too-short" }] },
];

describe("validateDeclared", () => {
  it.each(declaredCases)("$name", ({ backend, kind, value, partial, expected }) => {
    const problems = validateDeclared(schemaFor(backend, kind), value, { partial: partial ?? false });
    expect(problems.map(({ path, code }) => ({ path, code }))).toEqual(expected);
  });

  it("suggests the closest field name", () => {
    const [problem] = validateDeclared(schemaFor("cloudflare", "profile"), { businessEmail: "legal@acme.example" }, { partial: true });
    expect(problem?.message).toMatchInlineSnapshot(`"unknown field "businessEmail" for a cloudflare profile; did you mean "business_email"?"`);
    expect(problem?.suggestion).toBe("business_email");
  });

  it("says how long a too-long value is", () => {
    const [problem] = validateDeclared(schemaFor("zenml", "organization"), { name: "n".repeat(60) });
    expect(problem?.message).toMatchInlineSnapshot(`"must be at most 50 characters long (got 60)"`);
  });
});

describe("validateObserved", () => {
  it.each([
    ["a Cloudflare organization as the API holds it", "cloudflare", aCloudflareOrganization({ profile: { business_name: "Acme Ltd", business_email: "legal@acme.example" } })],
    ["a ZenML organization as the API holds it", "zenml", aZenmlOrganization()],
    ["a Commerce Layer organization as the API holds it", "commercelayer", aCommerceLayerOrganization()],
    ["a Cloudomation organization as the API holds it", "cloudomation", aCloudomationOrganization()],
  ] as const)("accepts %s", (_name, backend, value) => {
    expect(validateObserved(schemaFor(backend, "organization"), value)).toEqual([]);
  });

  it("rejects a stored object with an unknown property", () => {
    const problems = validateObserved(schemaFor("zenml", "organization"), aZenmlOrganization({ colour: "red" }));
    expect(problems).toEqual([{ path: ["colour"], code: "unknown-field", message: 'unknown field "colour"' }]);
  });

  it("reports a bad nested profile once, without the null branch's noise", () => {
    const problems = validateObserved(schemaFor("cloudflare", "organization"), aCloudflareOrganization({ profile: { business_email: "x" } }));
    expect(problems.map((p) => [p.path.join("."), p.code])).toEqual([["profile.business_email", "invalid-format"]]);
  });
});

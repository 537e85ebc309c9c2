// Two keywords of the schema vocabulary: `x-create-only` (set when the object is created, never
// changed: a declared difference is refused, neither an update nor a replacement) and
// `x-reserved-keys` (keys of an object field that are orgform's, e.g. its ownership marker in a
// vendor's metadata: never read back, declared, diffed or removed by an update).
import { describe, expect, it } from "vitest";
import { diffFields, renderDiff } from "../../../provider/core/diff";
import { projectForExport } from "../../../provider/core/export";
import { schemaFor, validateDeclared } from "../../../provider/core/schema";
import { fromWire, toWire, updateBody } from "../../../provider/core/wire";
import * as organization from "../../../provider/resources/handlers/organization";
import type { OrganizationOutputs } from "../../../provider/resources/handlers/organization";
import { aCommerceLayerOrganization } from "../builders";

// The first schema that uses each keyword: the tests follow the schemas, not a vendor's name.
const schema = schemaFor("commercelayer", "organization");
const createOnly = schema.fields.find((f) => f.createOnly)!;
const reserved = schema.fields.find((f) => f.reservedKeys.length > 0)!;
const KEY = reserved.reservedKeys[0];
const MARKER = "orgform:shop/dev/green";

/** A live wire object with the marker in its reserved key and the create-only field set. */
const liveWire = () => toWire({ name: "Green", [createOnly.name]: "eu-west-1", [reserved.name]: { tier: "gold", [KEY]: MARKER } }, schema);

describe("the vocabulary", () => {
  it("reads x-create-only and x-reserved-keys into the field specs", () => {
    expect(createOnly.name).toBe("region");
    expect(reserved).toMatchObject({ name: "metadata", reservedKeys: ["orgform_marker"] });
    expect(schema.field("name")).toMatchObject({ createOnly: false, reservedKeys: [] });
  });
});

describe("x-create-only", () => {
  const cases = [
    { name: "is no change when the declared value is the live one", desired: { region: "eu-west-1" }, createOnly: [] },
    { name: "is a refused change when the declared value differs from the live one", desired: { region: "us-east-1" }, createOnly: ["region"] },
    { name: "is no change when it is not declared (unmanaged)", desired: { name: "The Green Brand" }, createOnly: [] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const diff = diffFields(c.desired, aCommerceLayerOrganization({ region: "eu-west-1" }), schema);
      expect(diff.createOnly).toEqual(c.createOnly);
      expect(diff.replaces).toEqual([]);
    });
  }

  it("renders the refused change so a reader sees why", () => {
    expect(renderDiff(diffFields({ region: "us-east-1" }, aCommerceLayerOrganization({ region: "eu-west-1" }), schema))).toMatchInlineSnapshot(
      `"~ region: "eu-west-1" => "us-east-1" (set at create only: cannot change)"`,
    );
  });

  it("is sent on create and never in an update, whatever the update semantics", () => {
    expect(toWire({ name: "Green", region: "us-east-1" }, schema)).toEqual({ attributes: { name: "Green", region: "us-east-1" } });
    expect(updateBody(schema, { name: "Green", region: "us-east-1" }, "merge")).toEqual({ attributes: { name: "Green" } });
    expect(updateBody(schema, { name: "Greener" }, "replace", liveWire())).toEqual({ attributes: { name: "Greener", metadata: { tier: "gold", [KEY]: MARKER } } });
  });

  it("fails the organization's diff (the preview) with one sentence instead of an update", () => {
    const olds: OrganizationOutputs = {
      backend: "commercelayer",
      key: "green",
      owner: "shop/dev",
      fields: { name: "Green", region: "eu-west-1" },
      organizationId: "xYZkjABcde",
      live: { name: "Green", region: "eu-west-1" },
      liveParentId: null,
      readOnly: {},
      created: true,
    };
    const { organizationId: _a, live: _b, liveParentId: _c, readOnly: _d, created: _e, ...inputs } = olds;
    expect(() => organization.diff(olds, { ...inputs, fields: { name: "Green", region: "us-east-1" } })).toThrowErrorMatchingInlineSnapshot(
      `[OrgformError: cannot change organization green (xYZkjABcde): region is "eu-west-1", declared "us-east-1". Commerce Layer (provisioning API) sets region when an organization is created and can never change it; declare the live value (or leave it out) to keep this organization]`,
    );
    expect(organization.diff(olds, { ...inputs, fields: { name: "Green Brand", region: "eu-west-1" } }).changes).toBe(true);
  });
});

describe("x-reserved-keys", () => {
  it("leaves the reserved key out of what is read, so export and drift never see it", () => {
    const observed = fromWire(liveWire(), schema);
    expect(observed.metadata).toEqual({ tier: "gold" });
    expect(projectForExport(observed, schema).declared.metadata).toEqual({ tier: "gold" });
    expect(diffFields({ metadata: { tier: "gold" } }, observed, schema).hasChanges).toBe(false);
  });

  it("never compares the reserved key, even where a live record still carries it", () => {
    expect(diffFields({ metadata: { tier: "gold" } }, { metadata: { tier: "gold", [KEY]: MARKER } }, schema).hasChanges).toBe(false);
    expect(diffFields({ metadata: {} }, { metadata: { [KEY]: MARKER } }, schema).hasChanges).toBe(false);
  });

  it("keeps the live reserved key in an update that replaces the object field", () => {
    expect(updateBody(schema, { metadata: { tier: "silver" } }, "merge", liveWire())).toEqual({ attributes: { metadata: { tier: "silver", [KEY]: MARKER } } });
    expect(updateBody(schema, { metadata: {} }, "merge", liveWire())).toEqual({ attributes: { metadata: { [KEY]: MARKER } } });
  });

  it("adds nothing to an update that does not send the field", () => {
    expect(updateBody(schema, { name: "Greener" }, "merge", liveWire())).toEqual({ attributes: { name: "Greener" } });
  });

  it("refuses a declaration of the reserved key, naming it", () => {
    expect(validateDeclared(schema, { name: "Green", metadata: { [KEY]: "mine" } })).toEqual([
      { path: ["metadata", KEY], code: "read-only", message: `"metadata.${KEY}" is reserved for orgform (its ownership marker) and cannot be declared` },
    ]);
  });
});

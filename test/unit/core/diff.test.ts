import { describe, expect, it } from "vitest";
import { diffFields, renderDiff, type FieldChange } from "../../../provider/core/diff";
import { schemaFor } from "../../../provider/core/schema";
import type { BackendName, ResourceKind } from "../../../provider/core/backends";
import { aCloudflareOrganization, aCloudomationOrganization, aCommerceLayerOrganization, aZenmlOrganization } from "../builders";

type Case = {
  name: string;
  backend: BackendName;
  kind?: ResourceKind;
  desired: Record<string, unknown>;
  observed: Record<string, unknown> | null;
  previousImportOnly?: Record<string, unknown>;
  expected: Array<Pick<FieldChange, "field" | "kind" | "replace">>;
};

const cases: Case[] = [
  { name: "finds nothing when the declared fields match", backend: "cloudflare", desired: { name: "Acme" }, observed: aCloudflareOrganization(), expected: [] },
  { name: "sees a rename as an update, not a replacement", backend: "cloudflare", desired: { name: "Acme Corp" }, observed: aCloudflareOrganization(), expected: [{ field: "name", kind: "update", replace: false }] },
  { name: "ignores undeclared fields (unmanaged)", backend: "commercelayer", desired: { name: "The Green Brand" }, observed: aCommerceLayerOrganization({ support_email: "x@y.example" }), expected: [] },
  { name: "never diffs export-only fields, even when present in desired", backend: "cloudflare", desired: { name: "Acme", create_time: "2000-01-01T00:00:00Z" }, observed: aCloudflareOrganization(), expected: [] },
  { name: "never diffs neither fields", backend: "cloudomation", desired: { id: "other" }, observed: aCloudomationOrganization(), expected: [] },
  { name: "never diffs volatile fields", backend: "zenml", desired: { name: "ml-platform", trial_expiry: 1 }, observed: aZenmlOrganization(), expected: [] },
  { name: "forces replacement when a replace-on-change field changes", backend: "zenml", desired: { id: "11111111-2222-4333-8444-555555555555" }, observed: aZenmlOrganization(), expected: [{ field: "id", kind: "update", replace: true }] },
  { name: "treats a value appearing where the live one is absent as an add", backend: "commercelayer", desired: { support_email: "help@green.example" }, observed: aCommerceLayerOrganization(), expected: [{ field: "support_email", kind: "add", replace: false }] },
  { name: "treats a declared null over a live value as a remove", backend: "zenml", desired: { description: null }, observed: aZenmlOrganization(), expected: [{ field: "description", kind: "remove", replace: false }] },
  { name: "treats null and absent as the same value", backend: "commercelayer", desired: { reference: null }, observed: aCommerceLayerOrganization(), expected: [] },
  { name: "treats an empty string as a value distinct from null", backend: "commercelayer", desired: { reference: "" }, observed: aCommerceLayerOrganization({ reference: null }), expected: [{ field: "reference", kind: "add", replace: false }] },
  { name: "compares objects by content regardless of key order", backend: "commercelayer", desired: { metadata: { b: 2, a: { y: 1, x: 0 } } }, observed: aCommerceLayerOrganization({ metadata: { a: { x: 0, y: 1 }, b: 2 } }), expected: [] },
  { name: "treats a null key inside an object as absent", backend: "commercelayer", desired: { metadata: { tier: "gold", note: null } }, observed: aCommerceLayerOrganization(), expected: [] },
  { name: "sees a changed nested value as an update of the whole object", backend: "commercelayer", desired: { metadata: { tier: "silver" } }, observed: aCommerceLayerOrganization(), expected: [{ field: "metadata", kind: "update", replace: false }] },
  { name: "sees a live key missing from the declared object as a change", backend: "commercelayer", desired: { metadata: {} }, observed: aCommerceLayerOrganization(), expected: [{ field: "metadata", kind: "update", replace: false }] },
  { name: "compares emails case-insensitively", backend: "cloudflare", kind: "member", desired: { email: "Ada@Example.com", role: "Member" }, observed: { email: "ada@example.com", role: "Member" }, expected: [] },
  { name: "never reports import-only fields as drift (no previous value given)", backend: "zenml", desired: { links: [{ name: "Docs", url: "https://docs.example" }] }, observed: aZenmlOrganization(), expected: [] },
  { name: "compares import-only fields with the previously declared value", backend: "zenml", desired: { links: [{ name: "Docs", url: "https://docs.example" }] }, observed: aZenmlOrganization(), previousImportOnly: { links: [{ name: "Docs", url: "https://old.example" }] }, expected: [{ field: "links", kind: "update", replace: false }] },
  { name: "compares arrays in order", backend: "zenml", desired: { links: [{ name: "B", url: "https://b.example" }, { name: "A", url: "https://a.example" }] }, observed: aZenmlOrganization(), previousImportOnly: { links: [{ name: "A", url: "https://a.example" }, { name: "B", url: "https://b.example" }] }, expected: [{ field: "links", kind: "update", replace: false }] },
  { name: "sees a first import-only value as an add", backend: "cloudomation", desired: { commit_message: "set VAT" }, observed: aCloudomationOrganization(), previousImportOnly: {}, expected: [{ field: "commit_message", kind: "add", replace: false }] },
  { name: "finds no import-only change when the declared value is unchanged", backend: "cloudomation", desired: { commit_message: "set VAT" }, observed: aCloudomationOrganization(), previousImportOnly: { commit_message: "set VAT" }, expected: [] },
  { name: "treats every declared both field as an add when nothing is observed", backend: "cloudomation", desired: { city: "Linz", zip: "1010" }, observed: null, expected: [{ field: "city", kind: "add", replace: false }, { field: "zip", kind: "add", replace: false }] },
  { name: "reports changes in schema order", backend: "cloudomation", desired: { zip: "1010", city: "Linz" }, observed: aCloudomationOrganization(), expected: [{ field: "city", kind: "update", replace: false }, { field: "zip", kind: "add", replace: false }] },
];

describe("diffFields", () => {
  it.each(cases)("$name", ({ backend, kind, desired, observed, previousImportOnly, expected }) => {
    const diff = diffFields(desired, observed, schemaFor(backend, kind ?? "organization"), previousImportOnly ? { previousImportOnly } : {});
    expect(diff.changes.map(({ field, kind: k, replace }) => ({ field, kind: k, replace }))).toEqual(expected);
    expect(diff.hasChanges).toBe(expected.length > 0);
    expect(diff.replaces).toEqual(expected.filter((c) => c.replace).map((c) => c.field));
  });
});

describe("renderDiff", () => {
  it("renders scalar changes on one line each", () => {
    const diff = diffFields({ id: "11111111-2222-4333-8444-555555555555", name: "ml", description: null, logo_url: "https://l.example/x.png" }, aZenmlOrganization(), schemaFor("zenml", "organization"));
    expect(renderDiff(diff)).toMatchInlineSnapshot(`
      "~ id: "6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b" => "11111111-2222-4333-8444-555555555555" (forces replacement)
      ~ name: "ml-platform" => "ml"
      - description: "Machine learning platform" => null
      + logo_url: "https://l.example/x.png""
    `);
  });

  it("renders nested objects as a line diff", () => {
    const diff = diffFields({ metadata: { tier: "silver", region: "eu" } }, aCommerceLayerOrganization(), schemaFor("commercelayer", "organization"));
    expect(renderDiff(diff)).toMatchInlineSnapshot(`
      "~ metadata:
            {
          -   "tier": "gold"
          +   "region": "eu",
          +   "tier": "silver"
            }"
    `);
  });

  it("renders long text as a line diff and marks import-only changes", () => {
    const diff = diffFields(
      { commit_message: "Update billing address\n\nRequested by finance (ticket FIN-1234)." },
      aCloudomationOrganization(),
      schemaFor("cloudomation", "organization"),
      { previousImportOnly: { commit_message: "Update billing address\n\nRequested by finance." } },
    );
    expect(renderDiff(diff)).toMatchInlineSnapshot(`
      "~ commit_message: (import-only)
            Update billing address
            
          - Requested by finance.
          + Requested by finance (ticket FIN-1234)."
    `);
  });

  it("says so when nothing changes", () => {
    expect(renderDiff(diffFields({}, aZenmlOrganization(), schemaFor("zenml", "organization")))).toBe("(no changes)");
  });
});

import { describe, expect, it } from "vitest";
import { projectForExport } from "../../../provider/core/export";
import { schemaFor } from "../../../provider/core/schema";
import { aCloudomationOrganization, aZenmlOrganization } from "../builders";

describe("projectForExport", () => {
  it("splits a ZenML organization into declarable and read-only parts, dropping volatile values", () => {
    expect(projectForExport(aZenmlOrganization(), schemaFor("zenml", "organization"))).toEqual({
      declared: { id: "6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b", name: "ml-platform", description: "Machine learning platform", logo_url: null },
      readOnly: { created: "2024-05-01T10:00:00Z", updated: "2024-05-02T10:00:00Z", has_active_subscription: true },
    });
  });

  it("never exports neither fields", () => {
    const out = projectForExport(aCloudomationOrganization({ record_type: "ORGANIZATION" }), schemaFor("cloudomation", "organization"));
    expect(out).toEqual({ declared: { city: "Vienna", name: "Example Org" }, readOnly: { active: true, usage_count_flow_dev: 12 } });
  });

  it("never exports import-only values even if an API echoed them", () => {
    const out = projectForExport(aCloudomationOrganization({ commit_message: "x" }), schemaFor("cloudomation", "organization"));
    expect(out.declared).not.toHaveProperty("commit_message");
    expect(out.readOnly).not.toHaveProperty("commit_message");
  });

  it("can omit null values", () => {
    const out = projectForExport(aZenmlOrganization(), schemaFor("zenml", "organization"), { omitNull: true });
    expect(out.declared).not.toHaveProperty("logo_url");
  });
});

import { describe, expect, it } from "vitest";
import { loadConfigText, renderDiagnostics } from "../../../provider/config";

/**
 * Every rule of document 000 that `orgform validate` enforces for Cloudomation, as the user reads
 * it: an organization without adopt (they cannot be created), properties not allowed for
 * ORGANIZATION, String(length=n), the payment type enum, export-only and neither properties.
 * Nothing is sent anywhere: this is the loader alone.
 */
describe("orgform validate on a Cloudomation config", () => {
  it("reports every broken rule of the document at once, located", () => {
    const { config, diagnostics } = loadConfigText(
      `backend: cloudomation
organizations:
  - key: fresh
    name: Fresh
  - key: acme
    adopt: { name: Acme }
    bundle_id: 0c7f1e8e-2b2a-4a4e-9b8e-3f1c2d4e5a6b
    project_id: null
    is_readonly: true
    zip: "${"1".repeat(129)}"
    payment_type: CREDIT_CARD
    usage_count_flow_dev: 3
    record_type: ORGANIZATION
`,
      "orgs.yaml",
    );
    expect(config).toBeUndefined();
    expect(renderDiagnostics(diagnostics)).toMatchInlineSnapshot(`
      "orgs.yaml:3:5: error[unsupported-create] organizations[0]: Cloudomation Engine organizations cannot be created: adopt an existing one with adopt: {id: ...} or adopt: {name: ...}, or adopt: {} (the one organization the credential sees)
      orgs.yaml:5:5: error[too-many-organizations] organizations[1]: Cloudomation Engine allows 1 organization per credential; this config declares 2
      orgs.yaml:6:12: warning[unguarded-adoption] organizations[1].adopt: Cloudomation Engine organizations have no field for orgform's ownership marker: if another stack adopts this organization too, neither can tell, and both apply their changes in turn; make sure one stack (one config) manages it
      orgs.yaml:7:16: error[not-allowed-value] organizations[1].bundle_id: bundle_id is not allowed for ORGANIZATION records (Cloudomation Engine document 000): leave it out (or declare null)
      orgs.yaml:9:18: error[not-allowed-value] organizations[1].is_readonly: is_readonly is not allowed for ORGANIZATION records (Cloudomation Engine document 000): leave it out (or declare null)
      orgs.yaml:10:10: error[too-long] organizations[1].zip: must be at most 128 characters long (got 129)
      orgs.yaml:11:19: error[not-allowed-value] organizations[1].payment_type: must be one of "INVOICE", null (got "CREDIT_CARD")
      orgs.yaml:12:5: error[read-only] organizations[1].usage_count_flow_dev: "usage_count_flow_dev" is read-only (export-only): it is reported by the API and cannot be declared
      orgs.yaml:13:5: error[read-only] organizations[1].record_type: "record_type" is internal to orgform and cannot be declared"
    `);
  });
});

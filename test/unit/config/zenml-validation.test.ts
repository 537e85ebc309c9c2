// ZenML Pro's rules as `orgform validate` applies them before any API call: one organization
// created per owner (adopting is not creating, so several adoptions are fine), no profile, members
// or sub-organizations, the document's lengths, a UUID id. The corpus holds the located cases.
import { describe, expect, it } from "vitest";
import { loadConfigText, renderDiagnostics } from "../../../provider/config";

const zenml = (organizations: string) => `backend: zenml\norganizations:\n${organizations}`;
const rendered = (text: string) => renderDiagnostics(loadConfigText(text, "orgs.yaml").diagnostics);

describe("validating a ZenML Pro config", () => {
  const valid = [
    {
      what: "adopts several existing organizations (adopting is not creating)",
      orgs: "  - { key: a, adopt: { name: A } }\n  - { key: b, adopt: { name: B } }\n  - { key: c, adopt: { id: 7b1e2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e } }\n",
    },
    { what: "creates one organization and adopts others", orgs: "  - { key: mine, name: Mine }\n  - { key: a, adopt: { name: A } }\n" },
    {
      what: "creates one organization per declared owner",
      orgs: "  - { key: mine, name: Mine }\n  - { key: theirs, name: Theirs, owner_id: 3a8e5f21-7c4d-4b9a-a6e2-1f0d8c7b5a93 }\n",
    },
    { what: "declares a name of 50 characters and a description of 256", orgs: `  - key: long\n    name: ${"n".repeat(50)}\n    description: ${"d".repeat(256)}\n` },
  ];
  for (const c of valid) {
    it(`accepts a config that ${c.what}`, () => {
      const { config, diagnostics } = loadConfigText(zenml(c.orgs), "orgs.yaml");
      // (an adoption is warned about: ZenML has no field for orgform's ownership marker)
      expect(diagnostics.filter((d) => d.code !== "unguarded-adoption")).toEqual([]);
      expect(config).toBeDefined();
    });
  }

  it("refuses a second organization created for the same owner, saying what to do", () => {
    expect(rendered(zenml("  - { key: first, name: First }\n  - { key: second, name: Second }\n"))).toMatchInlineSnapshot(
      `"orgs.yaml:4:5: error[too-many-creates] organizations[1]: ZenML Pro lets one owner create 1 organization, and this config already creates "first" for the user whose credential runs it (no owner_id declared): adopt this one (adopt: {id: ...} or adopt: {name: ...}) or declare another owner_id"`,
    );
  });

  it("says where profile, members and parent are declared that ZenML Pro does not have", () => {
    const text = zenml(`  - key: lead
    name: Lead
  - key: ml
    adopt: { name: ML }
    parent: lead
    profile: { business_name: ML Ltd }
    members:
      - email: ada@acme.example
`);
    expect(rendered(text)).toMatchInlineSnapshot(`
      "orgs.yaml:6:12: warning[unguarded-adoption] organizations[1].adopt: ZenML Pro organizations have no field for orgform's ownership marker: if another stack adopts this organization too, neither can tell, and both apply their changes in turn; make sure one stack (one config) manages it
      orgs.yaml:7:5: error[unsupported-hierarchy] organizations[1].parent: ZenML Pro has no sub-organizations: remove parent
      orgs.yaml:8:5: error[unsupported-profile] organizations[1].profile: ZenML Pro has no organization profile: remove profile
      orgs.yaml:9:5: error[unsupported-members] organizations[1].members: ZenML Pro has no organization members: remove members"
    `);
  });
});

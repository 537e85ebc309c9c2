import { describe, expect, it } from "vitest";
import { loadConfigSources, loadConfigText } from "../../../provider/config";

function yaml(lines: TemplateStringsArray): string {
  return lines.join("").replace(/^\n/, "");
}

describe("loadConfig on valid input", () => {
  it("returns the organizations with declared fields, defaults and sources", () => {
    const { config, diagnostics } = loadConfigText(
      yaml`
backend: aiaengine
connection:
  endpoint: http://127.0.0.1:8787/aiaengine
organizations:
  - key: analytics
    name: Analytics
    description: null
    status:
      id: ignored-on-apply
    members:
      - email: ada@acme.example
`,
      "orgs.yaml",
    );
    expect(diagnostics).toEqual([]);
    expect(config).toEqual({
      backend: "aiaengine",
      connection: { endpoint: "http://127.0.0.1:8787/aiaengine" },
      files: ["orgs.yaml"],
      organizations: [
        {
          key: "analytics",
          previousKeys: [],
          fields: { name: "Analytics", description: null },
          protect: false,
          members: { mode: "additive", items: [{ email: "ada@acme.example", role: "OrgViewer", source: { file: "orgs.yaml", line: 11, column: 9 } }] },
          source: { file: "orgs.yaml", line: 5, column: 5 },
        },
      ],
    });
  });

  it("reads members without roles as emails, and says once, as a warning, that minAdmins cannot apply there", () => {
    const { config, diagnostics } = loadConfigText(yaml`
backend: cloudflare
organizations:
  - key: acme
    name: Acme
    members:
      minAdmins: 1
      items:
        - email: ada@acme.example
  - key: globex
    name: Globex
    members:
      minAdmins: 2
      items:
        - email: bob@globex.example
`);
    expect(diagnostics.map((d) => `${d.severity}[${d.code}] ${d.line}:${d.column} ${d.path}`)).toEqual(["warning[admins-not-applicable] 6:18 organizations[0].members.minAdmins"]);
    expect(config?.organizations.map((o) => o.members?.items.map((m) => ({ ...m, source: undefined })))).toEqual([[{ email: "ada@acme.example", source: undefined }], [{ email: "bob@globex.example", source: undefined }]]);
  });

  it("does not require a name for an adopted organization", () => {
    const { config } = loadConfigText(yaml`
backend: cloudomation
organizations:
  - key: acme
    adopt: { name: Acme }
    city: Graz
`);
    expect(config?.organizations[0]).toMatchObject({ adopt: { name: "Acme" }, fields: { city: "Graz" } });
  });

  it("takes adopt: {} as the one organization a credential sees, where a credential sees one (visiblePerCredential 1)", () => {
    const { config, diagnostics } = loadConfigText(yaml`
backend: cloudomation
organizations:
  - key: workspace
    adopt: {}
    city: Graz
`);
    // Only the warning that Cloudomation organizations carry no ownership marker.
    expect(diagnostics.map((d) => `${d.severity} ${d.code}`)).toEqual(["warning unguarded-adoption"]);
    expect(config?.organizations[0]).toMatchObject({ adopt: {}, fields: { city: "Graz" } });
  });

  it("reads a parent key and a literal parent_id into the one parent of a declaration, never a field", () => {
    const { config } = loadConfigText(yaml`
backend: cloudflare
organizations:
  - key: a
    name: A
    parent_id: a7b9c3d2e8f4a1b5c6d0e9f2a3b7c4d8
  - key: b
    name: B
    parent: a
`);
    expect(config?.organizations.map((o) => [o.key, o.parent, o.fields])).toEqual([
      ["a", { id: "a7b9c3d2e8f4a1b5c6d0e9f2a3b7c4d8" }, { name: "A" }],
      ["b", { key: "a" }, { name: "B" }],
    ]);
  });

  it("reads parent_id: null as a move to the root (an adopted organization otherwise keeps its parent)", () => {
    const { config, diagnostics } = loadConfigText(yaml`
backend: cloudflare
organizations:
  - { key: kept, adopt: { id: a7b9c3d2e8f4a1b5c6d0e9f2a3b7c4d8 } }
  - { key: rooted, adopt: { id: b7b9c3d2e8f4a1b5c6d0e9f2a3b7c4d8 }, parent_id: null }
`);
    expect(diagnostics).toEqual([]);
    expect(config?.organizations.map((o) => o.parent)).toEqual([undefined, { id: null }]);
  });

  it("refuses parent_id where the backend has no sub-organizations, as it refuses parent", () => {
    const { diagnostics } = loadConfigText(yaml`
backend: zenml
organizations:
  - { key: ml, name: ML, parent_id: 6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b }
`);
    expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.path}`)).toEqual(["3:26 unsupported-hierarchy organizations[0].parent_id"]);
  });

  it("allows equal names under different parents", () => {
    const { diagnostics } = loadConfigText(yaml`
backend: cloudflare
organizations:
  - { key: eu, name: Europe }
  - { key: us, name: Americas }
  - { key: eu-ops, name: Operations, parent: eu }
  - { key: us-ops, name: Operations, parent: us }
`);
    expect(diagnostics).toEqual([]);
  });

  it("merges several files, in order, into one config", () => {
    const { config, diagnostics } = loadConfigSources([
      { file: "a.yaml", text: "backend: zenml\nconnection: { tokenUrl: 'https://z.example/token' }\n" },
      { file: "b.yaml", text: "organizations:\n  - { key: ml, name: ML }\n" },
    ]);
    expect(diagnostics).toEqual([]);
    expect(config).toMatchObject({ backend: "zenml", connection: { tokenUrl: "https://z.example/token" }, files: ["a.yaml", "b.yaml"], organizations: [{ key: "ml" }] });
  });

  it("accepts an empty file in a directory", () => {
    const { diagnostics } = loadConfigSources([
      { file: "a.yaml", text: "" },
      { file: "b.yaml", text: "backend: cloudflare\n" },
    ]);
    expect(diagnostics).toEqual([]);
  });

  it("resolves YAML anchors and aliases", () => {
    const { config, diagnostics } = loadConfigText(yaml`
backend: commercelayer
organizations:
  - key: a
    name: A
    metadata: &common { team: shop }
  - key: b
    name: B
    metadata: *common
`);
    expect(diagnostics).toEqual([]);
    expect(config?.organizations[1]?.fields.metadata).toEqual({ team: "shop" });
  });
});

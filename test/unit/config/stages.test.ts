// The loader's stages (provider/config/stages/): what each one hands the next, and how the
// structure stage says what ajv found, at the YAML node it is about.
import { describe, expect, expectTypeOf, it } from "vitest";
import { loadConfigText } from "../../../provider/config";
import { buildConfigSchema, configStructureSchema } from "../../../provider/config/config-schema";
import { parseFiles } from "../../../provider/config/stages/parse";
import { Reporter } from "../../../provider/config/stages/report";
import { checkStructure } from "../../../provider/config/stages/structure";
import { ORGANIZATION_KEYS, ORGANIZATION_STRUCTURE, type MembersMode, type RawDocument, type RawOrganization } from "../../../provider/config/structure";
import type { BackendName } from "../../../provider/core/backends";

const lines = (text: string): string[] => loadConfigText(text, "s.yaml").diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.path}: ${d.message}`);

function structureOf(text: string) {
  const reporter = new Reporter();
  const raw = checkStructure(parseFiles([{ file: "s.yaml", text }], reporter), reporter);
  return { raw, diagnostics: reporter.diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.path}`) };
}

describe("the structure stage", () => {
  const cases = [
    {
      name: "says what a value must be, at the value, in words (not the schema's)",
      text: "backend: cloudflare\norganizations:\n  - key: a\n    name: A\n    protect: \"yes\"\n    previousKeys: [ok, 'not ok']\n",
      expected: [
        '5:14 wrong-type organizations[0].protect: protect must be true or false',
        '6:24 pattern-mismatch organizations[0].previousKeys[1]: previousKeys[1] must be 1-100 letters, digits, ".", "_" or "-", starting with a letter or digit (got "not ok")',
      ],
    },
    {
      name: "names a missing key at the mapping that lacks it, with what the key is for",
      text: "backend: cloudflare\norganizations:\n  - name: Acme\n",
      expected: ['3:5 missing-required organizations[0].key: "key" is required (stable key: the Pulumi resource name of this organization)'],
    },
    {
      name: "names an unknown key where it is written, with the closest known one",
      text: "backend: cloudflare\nconection: {}\norganizations:\n  - key: a\n    name: A\n    members: {mode: additive, itmes: []}\n",
      expected: [
        '2:1 unknown-field conection: unknown top-level key "conection"; did you mean "connection"?',
        '6:14 missing-required organizations[0].members.items: "items" is required',
        '6:31 unknown-field organizations[0].members.itmes: unknown members setting "itmes"; did you mean "items"?',
      ],
    },
    {
      name: "judges a value that may be a list or a mapping by its own type, and names both when it is neither",
      text: "backend: aiaengine\norganizations:\n  - key: a\n    name: A\n    members: everyone\n  - key: b\n    name: B\n    members: {mode: replace, items: []}\n",
      expected: [
        "5:14 wrong-type organizations[0].members: members must be a list of mappings or a mapping (mode, minAdmins, items)",
        '8:21 not-allowed-value organizations[1].members.mode: members.mode must be one of additive, authoritative (got "replace")',
      ],
    },
    {
      name: "tells an unknown backend apart from a backend that is not a name",
      text: "backend: cloudflar\n",
      expected: ['1:10 unknown-backend backend: unknown backend "cloudflar"; expected one of cloudflare, zenml, commercelayer, cloudomation, aiaengine (did you mean "cloudflare"?)'],
    },
    {
      name: "leaves a secret-looking key to the secret scan (one diagnostic, inline-secret)",
      text: "backend: cloudflare\nconnection: {api_token: abc}\n",
      expected: ['2:14 inline-secret connection.api_token: "api_token" looks like a credential: never write credentials in YAML; use CLOUDFLARE_API_TOKEN or CLOUDFLARE_EMAIL + CLOUDFLARE_API_KEY in the environment, or Pulumi stack config (pulumi config set --secret orgform:...)'],
    },
  ];
  for (const c of cases) it(c.name, () => expect(lines(c.text)).toEqual(c.expected));

  it("hands on the typed rest of what it refused, items keeping their index", () => {
    const { raw, diagnostics } = structureOf("backend: cloudflare\norganizations:\n  - key: a\n    name: A\n    protect: \"yes\"\n    previousKeys: [b, 'c d', a]\n  - acme\n  - key: c\n");
    expect(diagnostics.sort()).toEqual(["5:14 wrong-type organizations[0].protect", "6:23 pattern-mismatch organizations[0].previousKeys[1]", "7:5 wrong-type organizations[1]"]);
    expect(raw.organizations.map((o) => [o.index, o.value])).toEqual([
      [0, { key: "a", name: "A", previousKeys: ["b", undefined, "a"] }],
      [2, { key: "c" }],
    ]);
  });

  it("refers to an item after a refused one by its index as written", () => {
    expect(lines("backend: cloudflare\norganizations:\n  - key: a\n    name: A\n    previousKeys: [b, 'c d', a]\n").map((l) => l.split(":")[1]!.split(" ").slice(1).join(" "))).toEqual([
      "pattern-mismatch organizations[0].previousKeys[1]",
      "duplicate-key organizations[0].previousKeys[2]",
    ]);
  });

  it("keeps an organization without its key for the fields stage, which still checks its fields", () => {
    const { raw } = structureOf("backend: cloudflare\norganizations:\n  - name: Acme\n    colour: red\n");
    expect(raw.organizations).toEqual([]);
    expect(raw.keyless.map((o) => o.index)).toEqual([0]);
    expect(lines("backend: cloudflare\norganizations:\n  - name: Acme\n    colour: red\n").map((l) => l.split(":")[1]!.split(" ").slice(1).join(" "))).toEqual([
      "missing-required organizations[0].key",
      "unknown-field organizations[0].colour",
    ]);
  });

  it("merges the files into one RawConfig: one backend, one connection, every file's organizations", () => {
    const reporter = new Reporter();
    const parsed = parseFiles(
      [
        { file: "a.yaml", text: "backend: zenml\nconnection: {tokenUrl: 'https://z.example/token'}\n" },
        { file: "b.yaml", text: "organizations:\n  - {key: ml, name: ML}\nauthoritative: true\n" },
      ],
      reporter,
    );
    const raw = checkStructure(parsed, reporter);
    expect(reporter.diagnostics).toEqual([]);
    expect({ ...raw, organizations: raw.organizations.map((o) => [o.source.file, o.index, o.value]) }).toEqual({
      backend: "zenml",
      connection: { tokenUrl: "https://z.example/token" },
      authoritative: true,
      organizations: [["b.yaml", 0, { key: "ml", name: "ML" }]],
      keyless: [],
      files: ["a.yaml", "b.yaml"],
    });
  });
});

describe("the capability policy", () => {
  it("reports a part the backend does not have once, as such, not also for what it holds", () => {
    expect(lines("backend: zenml\norganizations:\n  - key: a\n    name: A\n    profile: nope\n    parent: 'not a key'\n").map((l) => l.split(":").slice(0, 2).join(":"))).toEqual([
      "5:5 unsupported-profile organizations[0].profile",
      "6:5 unsupported-hierarchy organizations[0].parent",
    ]);
  });
});

describe("the structure, written once", () => {
  it("is what schemas/config.schema.json says of an organization whatever the backend, and of the file", () => {
    const generated = buildConfigSchema() as { properties: Record<string, unknown>; $defs: Record<string, unknown> };
    expect(generated.$defs.organization).toEqual(ORGANIZATION_STRUCTURE);
    const { properties } = configStructureSchema() as { properties: Record<string, unknown> };
    expect(Object.keys(generated.properties)).toEqual(Object.keys(properties));
  });

  it("types a file as written from it (checked by the typecheck)", () => {
    expectTypeOf<RawDocument["backend"]>().toEqualTypeOf<BackendName | undefined>();
    expectTypeOf<RawOrganization["key"]>().toEqualTypeOf<string>();
    expectTypeOf<RawOrganization["protect"]>().toEqualTypeOf<boolean | undefined>();
    expectTypeOf<RawOrganization["parent_id"]>().toEqualTypeOf<string | null | undefined>();
    expectTypeOf<RawOrganization["previousKeys"]>().toEqualTypeOf<Array<string | undefined> | undefined>();
    expectTypeOf<MembersMode>().toEqualTypeOf<"additive" | "authoritative">();
  });

  it("names the reserved keys of an organization from it", () => {
    expect(ORGANIZATION_KEYS).toEqual(Object.keys(ORGANIZATION_STRUCTURE.properties));
    expect(ORGANIZATION_KEYS).toContain("parent_id");
  });
});

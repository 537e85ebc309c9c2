// One registry per side, and nothing else naming vendors: the schema folders, the provider's
// registry (provider/backends/index.ts) and the emulator's (emulator/dialects/index.ts) must agree,
// and no code outside a vendor's own folders and the two registries names a vendor.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { DIALECTS } from "../../emulator/dialects";
import { implementedVendors, VENDORS } from "../../provider/backends";
import { BACKENDS } from "../../provider/core/backends";
import { capabilitiesOf } from "../../provider/core/capabilities";
import { packageRoot } from "../../provider/core/paths";

const root = packageRoot();
const schemaFolders = fs
  .readdirSync(path.join(root, "schemas"), { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

/** Every .ts source file below a directory of the repository (not a package's build or install). */
function sources(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== "dist" && e.name !== "node_modules") walk(full);
      } else if (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) out.push(full);
    }
  };
  walk(path.join(root, dir));
  return out;
}

const rel = (f: string) => path.relative(root, f);

describe("the registries", () => {
  it("list exactly the backends that have a schema folder, in the provider's registry", () => {
    expect([...BACKENDS].sort()).toEqual(schemaFolders);
    expect(Object.keys(VENDORS).sort()).toEqual(schemaFolders);
    for (const [name, vendor] of Object.entries(VENDORS)) expect(vendor.name).toBe(name);
  });

  it("mount a dialect for every backend with an adapter, and no dialect without a schema folder", () => {
    for (const backend of implementedVendors()) expect(Object.keys(DIALECTS), `dialect of ${backend}`).toContain(backend);
    for (const [name, dialect] of Object.entries(DIALECTS)) {
      expect(schemaFolders, `schema folder of dialect ${name}`).toContain(name);
      expect(dialect.name).toBe(name);
    }
  });

  it("keep each dialect the emulator's own reading: no emulator file imports provider code or schemas", () => {
    const offenders = sources("emulator").filter((f) => /from\s+["'][^"']*(\/provider\/|\/schemas\/)/.test(fs.readFileSync(f, "utf8")));
    expect(offenders.map(rel)).toEqual([]);
  });

  it("name no vendor in code outside the vendor's own folders and the registries", () => {
    expect(vendorNamedIn(codeLines())).toEqual([]);
  });

  it("would catch a vendor list in a message, a display name, an upper-case name, but not a comment", () => {
    // What issue 24 removed passed the earlier check (a name alone in quotes): names inside longer strings.
    const [first, second] = BACKENDS;
    const planted = [
      `throw new InvalidArgumentError("is not a backend (${first}, ${second})");`,
      `tokenUrl: { description: "OAuth2 token URL (${capabilitiesOf(second).displayName})." },`,
      `const variable = "${first.toUpperCase()}_API_TOKEN";`,
      `const url = "https://api.${first}.example/x"; // a default`,
    ];
    expect(vendorNamedIn(planted.map((line, i) => ({ at: `provider/x.ts:${i + 1}`, line })))).toHaveLength(planted.length);
    const comments = [`  // as ${capabilitiesOf(first).displayName} does`, ` * ${first}, ${second}`, `f(); // ${first}`];
    expect(vendorNamedIn(comments.map((line, i) => ({ at: `provider/x.ts:${i + 1}`, line })))).toEqual([]);
  });
});

/** A vendor's words: its backend name and its display name (without a parenthesis), in any case, `_` a separator (CLOUDFLARE_API_TOKEN). */
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const words = BACKENDS.flatMap((b) => [b, capabilitiesOf(b).displayName.replace(/\s*\(.*\)$/, "")]);
const vendorWords = new RegExp(`(?<![a-z0-9])(${words.map(escape).join("|")})(?![a-z0-9])`, "i");

/** Code that may name a vendor: its own folders, the registries, and test support for one vendor's own SDK. */
const mayNameVendors = [
  /^provider\/core\/backends\.ts$/,
  /^provider\/backends\/index\.ts$/,
  /^emulator\/dialects\/index\.ts$/,
  new RegExp(`^provider/backends/(${BACKENDS.join("|")})/`),
  new RegExp(`^emulator/dialects/(${BACKENDS.join("|")})/`),
  /^test\/support\/sdk-types\.ts$/,
];

/** Every line of the shared code: provider, emulator, scripts, bin, the test support and the test configuration. */
function codeLines(): { at: string; line: string }[] {
  const files = [...["provider", "emulator", "scripts", "test/support"].flatMap(sources), path.join(root, "bin", "orgform.js"), path.join(root, "vitest.config.mts")];
  return files
    .filter((f) => !mayNameVendors.some((re) => re.test(rel(f))))
    .flatMap((f) => fs.readFileSync(f, "utf8").split("\n").map((line, i) => ({ at: `${rel(f)}:${i + 1}`, line })));
}

/** The lines that name a vendor outside a comment (a whole-line comment, or `//` after code; a URL's `//` is code). */
function vendorNamedIn(lines: { at: string; line: string }[]): string[] {
  return lines
    .filter(({ line }) => !/^\s*(\/\/|\*|\/\*)/.test(line) && vendorWords.test(line.replace(/(^|\s)\/\/.*$/, "")))
    .map(({ at, line }) => `${at}: ${line.trim()}`);
}

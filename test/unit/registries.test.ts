// One registry per side, and nothing else naming vendors: the schema folders, the provider's
// registry (provider/backends/index.ts) and the emulator's (emulator/dialects/index.ts) must agree,
// and no code outside a vendor's own folders and the two registries names a vendor.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { DIALECTS } from "../../emulator/dialects";
import { implementedVendors, VENDORS } from "../../provider/backends";
import { BACKENDS } from "../../provider/core/backends";
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
    const vendor = new RegExp(`["'\`](${BACKENDS.join("|")})["'\`]`);
    const allowed = [
      /^provider\/backends\/index\.ts$/,
      /^provider\/core\/backends\.ts$/,
      /^emulator\/dialects\/index\.ts$/,
      new RegExp(`^provider/backends/(${BACKENDS.join("|")})/`),
      new RegExp(`^emulator/dialects/(${BACKENDS.join("|")})/`),
    ];
    const offenders = ["provider", "emulator", "scripts"]
      .flatMap(sources)
      .filter((f) => !allowed.some((re) => re.test(rel(f))))
      .flatMap((f) =>
        fs
          .readFileSync(f, "utf8")
          .split("\n")
          .map((line, i) => ({ line, at: `${rel(f)}:${i + 1}` }))
          // Comments may speak of vendors; code may not branch on them.
          .filter(({ line }) => !/^\s*(\/\/|\*|\/\*)/.test(line) && vendor.test(line.replace(/\/\/.*$/, "")))
          .map(({ at, line }) => `${at}: ${line.trim()}`),
      );
    expect(offenders).toEqual([]);
  });
});

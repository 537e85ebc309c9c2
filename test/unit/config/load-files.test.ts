// What `loadConfig` (and so `orgform validate` and `orgform drift --config`) does with paths that
// are not plain YAML files, and with one organization declared in two files of a directory.
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../provider/config";
import { packageRoot } from "../../../provider/core/paths";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "orgform-load-files-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const at = (...parts: string[]) => path.join(dir, ...parts);
const shown = (diagnostics: ReturnType<typeof loadConfig>["diagnostics"]) =>
  diagnostics.map((d) => `${path.relative(dir, d.file)}:${d.line}:${d.column} ${d.code} ${d.path || "-"}: ${d.message.split(dir + path.sep).join("")}`);

function write(file: string, text: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

describe("paths that are not regular files", () => {
  it("refuses a named pipe (FIFO) without opening it (opening one blocks until a writer comes)", () => {
    const fifo = at("pipe.yaml");
    execFileSync("mkfifo", [fifo]);
    // In a child process, so that a regression blocks that process and fails on its timeout, not the suite.
    const run = spawnSync(process.execPath, [path.join(packageRoot(), "bin", "orgform.js"), "validate", fifo], { encoding: "utf8", timeout: 15_000 });
    expect(run.error, "orgform validate of a FIFO did not return").toBeUndefined();
    expect(run.status).toBe(1);
    expect(run.stderr.split(dir + path.sep).join("")).toContain("error[not-a-file]: cannot read pipe.yaml: it is a named pipe (FIFO), not a regular file");
    expect(shown(loadConfig(fifo).diagnostics)).toEqual(["pipe.yaml:1:1 not-a-file -: cannot read pipe.yaml: it is a named pipe (FIFO), not a regular file"]);
  });

  it("refuses a FIFO among the *.yaml files of a directory, and still reads the others", () => {
    write(at("withpipe", "a.yaml"), "backend: cloudflare\norganizations:\n  - { key: a, name: A }\n  - { key: a, name: B }\n");
    execFileSync("mkfifo", [at("withpipe", "b.yaml")]);
    expect(shown(loadConfig(at("withpipe")).diagnostics)).toEqual([
      'withpipe/a.yaml:4:12 duplicate-key organizations[1].key: key "a" is already used by organizations[0] in withpipe/a.yaml',
      "withpipe/b.yaml:1:1 not-a-file -: cannot read withpipe/b.yaml: it is a named pipe (FIFO), not a regular file",
    ]);
  });

  it("refuses a device", () => {
    expect(loadConfig("/dev/null").diagnostics.map((d) => `${d.code}: ${d.message}`)).toEqual(["not-a-file: cannot read /dev/null: it is a device, not a regular file"]);
  });

  it("names a symbolic link that loops as such, not as a missing file", () => {
    fs.symlinkSync("loop-b.yaml", at("loop-a.yaml"));
    fs.symlinkSync("loop-a.yaml", at("loop-b.yaml"));
    expect(shown(loadConfig(at("loop-a.yaml")).diagnostics)).toEqual([
      "loop-a.yaml:1:1 symlink-loop -: cannot read loop-a.yaml: it is a symbolic link that loops (it leads back to itself, ELOOP)",
    ]);
  });

  it("names a symbolic link to nothing by where it points", () => {
    fs.symlinkSync("gone.yaml", at("dangling.yaml"));
    expect(shown(loadConfig(at("dangling.yaml")).diagnostics)).toEqual(["dangling.yaml:1:1 file-not-found -: cannot read dangling.yaml: it is a symbolic link to gone.yaml, which does not exist"]);
  });

  it("still says a missing file is missing", () => {
    expect(shown(loadConfig(at("missing.yaml")).diagnostics)).toEqual(["missing.yaml:1:1 file-not-found -: cannot read missing.yaml: no such file or directory"]);
  });
});

describe("one organization declared in two files of a directory", () => {
  const hand = "backend: cloudflare\norganizations:\n  - key: acme\n    name: Acme Group\n  - key: acme-europe\n    parent: acme\n    name: Acme Europe\n";
  // What `orgform export --split-by-org` writes for the same account: other keys, adopted by id.
  const exported =
    "backend: cloudflare\norganizations:\n  - key: acme-group\n    name: Acme Group\n    adopt: { id: 0b62b70dc43fcc62b2dd280794a8fe37 }\n" +
    "  - key: acme-group-europe\n    parent: acme-group\n    name: ACME Europe\n    adopt: { id: a8f0dbea6262dd5888246f7c6f74cfa5 }\n";

  it("is refused by name where names are unique among siblings, a child known by its parent's name, not its key", () => {
    write(at("twice", "00-hand.yaml"), hand);
    write(at("twice", "acme-group.yaml"), exported);
    expect(shown(loadConfig(at("twice")).diagnostics)).toEqual([
      'twice/acme-group.yaml:4:11 duplicate-name organizations[0].name: name "Acme Group" is already used by "acme" in twice/00-hand.yaml among root organizations (names compare case-insensitively): one organization declared twice? Keep one declaration',
      'twice/acme-group.yaml:8:11 duplicate-name organizations[1].name: name "ACME Europe" is already used by "acme-europe" in twice/00-hand.yaml under "acme-group" (names compare case-insensitively): one organization declared twice? Keep one declaration',
    ]);
  });

  it("is refused by adopt id whatever the vendor's names", () => {
    write(at("ids", "a.yaml"), "backend: aiaengine\norganizations:\n  - key: a\n    adopt: { id: org-1 }\n");
    write(at("ids", "b.yaml"), "organizations:\n  - key: b\n    adopt: { id: org-1 }\n");
    expect(shown(loadConfig(at("ids")).diagnostics).filter((d) => !d.includes("unguarded-adoption"))).toEqual([
      'ids/b.yaml:3:18 duplicate-adoption organizations[0].adopt.id: the organization with id "org-1" is already adopted by "a" in ids/a.yaml',
    ]);
  });

  it("is not assumed where the vendor's names may repeat (two organizations of one name are two)", () => {
    // Two creates under one name are allowed where each says so (allowDuplicateName): never a duplicate declaration.
    write(at("repeat", "a.yaml"), "backend: aiaengine\norganizations:\n  - { key: a, name: Analytics, allowDuplicateName: true }\n");
    write(at("repeat", "b.yaml"), "organizations:\n  - { key: b, name: Analytics, allowDuplicateName: true }\n");
    const { config, diagnostics } = loadConfig(at("repeat"));
    expect(diagnostics).toEqual([]);
    expect(config?.organizations).toHaveLength(2);
  });

  it("keeps two children of one name apart when their parents differ", () => {
    write(
      at("apart", "a.yaml"),
      "backend: cloudflare\norganizations:\n  - { key: a, name: A }\n  - { key: b, name: B }\n  - { key: a-ops, parent: a, name: Ops }\n  - { key: b-ops, parent: b, name: Ops }\n",
    );
    expect(loadConfig(at("apart")).diagnostics).toEqual([]);
  });
});

/**
 * The bad-input corpus: test/fixtures/config-corpus/. Each case is a YAML file (or a directory of
 * them, loaded as one config) whose trailing `# expect: <code> <line>:<column> <path>` comments list
 * exactly the diagnostics the loader must report ("-" for an empty path). Add a case by adding a file.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { DIAGNOSTIC_CODES, loadConfig, renderDiagnostics, type Diagnostic } from "../../../provider/config";

const corpus = path.resolve(__dirname, "../../fixtures/config-corpus");

interface Case {
  name: string;
  target: string;
  expected: string[];
}

/** The text of a case, whatever its encoding (some cases are UTF-16 or not UTF-8 on purpose). */
function caseText(file: string): string {
  const bytes = fs.readFileSync(file);
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString("utf16le");
  if (bytes[1] === 0 && bytes[0] !== 0) return bytes.toString("utf16le");
  if (bytes[0] === 0 && bytes[1] !== 0) return Buffer.from(bytes).swap16().toString("utf16le");
  return bytes.toString("latin1");
}

function expectationsIn(file: string, displayFile: string): string[] {
  return caseText(file)
    .split(/\r\n|\r|\n/)
    .map((line) => /^# expect: (\S+) (\d+:\d+) (\S+)\s*$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `${displayFile} ${m[1]} ${m[2]} ${m[3]}`);
}

function corpusCases(): Case[] {
  return fs
    .readdirSync(corpus)
    .sort()
    .map((name) => {
      const target = path.join(corpus, name);
      if (fs.statSync(target).isDirectory()) {
        const expected = fs
          .readdirSync(target)
          .sort()
          .flatMap((f) => expectationsIn(path.join(target, f), /\.ya?ml$/.test(f) ? `${name}/${f}` : name));
        return { name, target, expected };
      }
      return { name: name.replace(/\.ya?ml$/, ""), target, expected: expectationsIn(target, name) };
    });
}

function actual(diagnostics: Diagnostic[]): string[] {
  return diagnostics.map((d) => `${path.relative(corpus, d.file) || "."} ${d.code} ${d.line}:${d.column} ${d.path || "-"}`);
}

const cases = corpusCases();

/** The environment secret references of the corpus are checked against: only this variable is set. */
const UNGUARDED = "unguarded-adoption";
const CORPUS_ENV = { ORGFORM_CORPUS_PASSWORD: "set-for-the-corpus" };

describe("the bad-input corpus", () => {
  it.each(cases.map((c) => [c.name, c] as const))("reports exactly the expected diagnostics for %s", (_name, c) => {
    expect(c.expected.length).toBeGreaterThan(0);
    const { config, diagnostics } = loadConfig(c.target, { env: CORPUS_ENV });
    // The unguarded-adoption warning accompanies every adoption on a backend without an ownership
    // marker: counted only by the cases that are about it.
    const about = c.expected.some((e) => e.split(" ")[1] === UNGUARDED);
    expect(actual(diagnostics.filter((d) => about || d.code !== UNGUARDED)).sort()).toEqual([...c.expected].sort());
    expect(config).toBeUndefined();
  });

  it("reports a missing file without throwing", () => {
    const missing = path.join(corpus, "does-not-exist.yaml");
    const { diagnostics } = loadConfig(missing);
    expect(actual(diagnostics)).toEqual(["does-not-exist.yaml file-not-found 1:1 -"]);
  });

  it("has at least 90 cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(90);
  });

  it("exercises every diagnostic code at least once", () => {
    // (file kinds a committed corpus cannot hold are tested in load-files.test.ts)
    const seen = new Set(["file-not-found", "not-a-file", "symlink-loop", ...cases.flatMap((c) => c.expected.map((e) => e.split(" ")[1]!))]);
    expect(Object.keys(DIAGNOSTIC_CODES).filter((code) => !seen.has(code))).toEqual([]);
  });

  it("documents every diagnostic code in provider/config/README.md", () => {
    const readme = fs.readFileSync(path.resolve(__dirname, "../../../provider/config/README.md"), "utf8");
    expect(Object.keys(DIAGNOSTIC_CODES).filter((code) => !readme.includes(`| \`${code}\` |`))).toEqual([]);
  });

  it("renders diagnostics as file:line:column, code, path and reason", () => {
    const { diagnostics } = loadConfig(path.join(corpus, "many-problems-at-once.yaml"));
    const text = renderDiagnostics(diagnostics).split(corpus + path.sep).join("");
    expect(text).toMatchInlineSnapshot(`
      "many-problems-at-once.yaml:4:11: error[too-short] organizations[0].name: must be at least 1 character long
      many-problems-at-once.yaml:5:5: error[read-only] organizations[0].id: "id" is read-only (export-only): it is reported by the API and cannot be declared
      many-problems-at-once.yaml:7:23: error[invalid-format] organizations[0].profile.business_email: must be a valid email (got "nope")
      many-problems-at-once.yaml:10:5: error[missing-required] organizations[1].name: "name" is required
      many-problems-at-once.yaml:11:13: error[unknown-parent] organizations[1].parent: no organization has the key "nowhere""
    `);
  });
});

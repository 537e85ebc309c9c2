// The fast path for common files (provider/config/common-yaml.ts) against `yaml`, the reference:
// wherever the fast path answers, its tree is `yaml`'s (kinds, values and their types, start
// offsets, flow style), and it never answers for a file `yaml` finds an error in.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node } from "yaml";
import { stackYaml } from "../../../bench/stack-config";
import { parseCommonYaml } from "../../../provider/config/common-yaml";
import { MAX_DEPTH, SourceFile } from "../../../provider/config/source";

const root = path.join(__dirname, "..", "..", "..");
const yamlFiles = (dir: string) =>
  fs
    .readdirSync(path.join(root, dir))
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => path.join(dir, f));
const files = [...yamlFiles("examples/quickstart"), ...yamlFiles("examples/backends"), ...yamlFiles("test/fixtures/config-corpus")];
/** As SourceFile hands text to the parsers: no BOM, a lone CR read as a line break. */
const normalized = (text: string) => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).replace(/\r(?!\n)/g, "\n");

function shape(node: unknown): unknown {
  if (node === null || node === undefined) return null;
  const n = node as Node;
  const at = n.range?.[0];
  if (isScalar(n)) return { at, type: n.type, value: n.value, of: typeof n.value };
  if (isMap(n)) return { at, flow: Boolean(n.flow), map: n.items.map((p) => [shape(p.key), shape(p.value)]) };
  if (isSeq(n)) return { at, flow: Boolean(n.flow), seq: n.items.map(shape) };
  return { other: String(n) };
}

/** "fast" when the fast path answered (and agreed with `yaml`), "yaml" when it left the text to `yaml`. */
function compare(text: string): "fast" | "yaml" {
  const fast = parseCommonYaml(text, new LineCounter(), MAX_DEPTH)?.doc;
  if (!fast) return "yaml";
  const reference = parseDocument(text, { uniqueKeys: false, prettyErrors: false });
  expect(reference.errors.map((e) => e.message), JSON.stringify(text.slice(-120))).toEqual([]);
  expect(shape(fast.contents), JSON.stringify(text.slice(-120))).toEqual(shape(reference.contents));
  return "fast";
}

describe("the fast path for common YAML", () => {
  it("reads every example and corpus file as yaml does, or leaves it to yaml", () => {
    const taken = files.filter((f) => compare(normalized(fs.readFileSync(path.join(root, f), "utf8"))) === "fast");
    // The examples are the common case: all of them take the fast path.
    expect(taken).toEqual(expect.arrayContaining([...yamlFiles("examples/quickstart"), ...yamlFiles("examples/backends")]));
  });

  it("reads every prefix of the examples as yaml does, or leaves it to yaml (half-written files, every kind of break)", () => {
    const counts = { fast: 0, yaml: 0 };
    for (const f of yamlFiles("examples/backends")) {
      const text = normalized(fs.readFileSync(path.join(root, f), "utf8"));
      for (let i = 0; i <= text.length; i += 3) counts[compare(normalized(text.slice(0, i)))]++;
    }
    expect(counts.fast).toBeGreaterThan(500);
    expect(counts.yaml).toBeGreaterThan(500);
  });

  it("reads an example with random bytes spliced in as yaml does, or leaves it to yaml", () => {
    let seed = 7;
    const random = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const base = Buffer.from(fs.readFileSync(path.join(root, "examples/backends/commercelayer.yaml")));
    for (let round = 0; round < 300; round++) {
      const mutated = Buffer.from(base);
      for (let k = 0; k < 3; k++) mutated[random(mutated.length)] = random(128);
      compare(normalized(mutated.toString("utf8")));
    }
  });

  it("takes the generated 10,000-member shape (flow mappings in block lists, quoted roles)", () => {
    expect(compare(stackYaml({ backend: "cloudflare", orgs: 30, membersPerOrg: 7 }))).toBe("fast");
  });

  it.each([
    ["an anchor and its alias", "a: &x 1\nb: *x\n"],
    ["a tag", "backend: !secret cloudflare\n"],
    ["a directive", "%YAML 1.2\n---\na: 1\n"],
    ["a second document", "a: 1\n---\nb: 2\n"],
    ["an explicit (complex) key", "? [a, b]\n: c\n"],
    ["an empty value", "a:\nb: 1\n"],
    ["an empty list item", "a:\n  -\n  - b\n"],
    ["a list of text items whose first is empty", "a:\n  - \n  - c\n"],
    ["a duplicate key", "a: 1\na: 2\n"],
    ["a flow list not indented under its key", "organizations: [\n{key: a}]\n"],
    ["nesting deeper than orgform reads", `x: ${"[".repeat(MAX_DEPTH + 2)}1${"]".repeat(MAX_DEPTH + 2)}\n`],
    ["a syntax error", "a: [1, 2\n"],
  ])("leaves %s to yaml", (_name, text) => {
    expect(parseCommonYaml(text, new LineCounter(), MAX_DEPTH)).toBeUndefined();
  });

  it("takes lists of text, nested flow collections and block scalars", () => {
    expect(compare("a:\n  - c\n  - 'd'\n  - [e, f]\nb: {x: [1, 2], y: {z: w}}\nc: |\n  two\n  lines\nd: >-\n  folded\n  text\n")).toBe("fast");
  });

  it("resolves plain scalars as yaml's core schema does, quoted ones as text", () => {
    const text = 'a: true\nb: 012\nc: 0x1F\nd: 1e3\ne: .inf\nf: null\ng: ~\nh: "true"\ni: \'12\'\nj: yes\nk: 2026-01-01\n';
    expect(compare(text)).toBe("fast");
    const { doc } = parseCommonYaml(text, new LineCounter(), MAX_DEPTH)!;
    expect(doc.toJS()).toEqual({ a: true, b: 12, c: 31, d: 1000, e: Infinity, f: null, g: null, h: "true", i: "12", j: "yes", k: "2026-01-01" });
  });

  it("gives the line counter every line start, as yaml's parser does", () => {
    const text = "a: 1\r\nb:\n  - c\n\n# note\nd: e\n";
    const fast = new LineCounter();
    const reference = new LineCounter();
    expect(parseCommonYaml(text, fast, MAX_DEPTH)).toBeDefined();
    parseDocument(text, { lineCounter: reference });
    expect(fast.lineStarts).toEqual(reference.lineStarts);
  });

  // A file the fast path reads skips SourceFile's walk unless some string holds what the string
  // checks look for: its problems must be those of the same file read by `yaml` with the walk.
  // A document end marker ("...") sends a file to `yaml` and moves no offset before it.
  const problemsOf = (text: string) => {
    const source = new SourceFile("f.yaml", text);
    return [...source.fatal, ...source.stringProblems];
  };
  const stringCases: Array<[string, string]> = [
    ["a control character in a name", 'organizations:\n  - key: a\n    name: "A\\u0007"\n'],
    ["an escape sequence in a value", 'organizations:\n  - key: a\n    metadata: {note: "x\\u001b[31m"}\n'],
    ["a line break in a name", 'organizations:\n  - key: a\n    name: "A\\nB"\n'],
    ["a tab in a key", 'organizations:\n  - key: a\n    "na\\tme": A\n'],
    ["a blank value", 'organizations:\n  - key: a\n    name: A\n    profile: {business_name: "   "}\n'],
    ["a name that ends with a space", 'organizations:\n  - key: a\n    name: "A "\n'],
    ["a bidirectional override", 'organizations:\n  - key: a\n    name: "A\\u202Eb"\n'],
    ["a zero-width space only", 'organizations:\n  - key: a\n    name: "\\u200B"\n'],
  ];
  it.each(stringCases)("reports %s on the fast path as yaml's path does", (_name, text) => {
    expect(parseCommonYaml(text, new LineCounter(), MAX_DEPTH)?.stringsToCheck).toBe(true);
    const problems = problemsOf(text);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems).toEqual(problemsOf(`${text}...\n`));
  });

  it("finds, on every fast-path example and corpus file, the problems yaml's path finds", () => {
    let fast = 0;
    for (const f of files) {
      const text = normalized(fs.readFileSync(path.join(root, f), "utf8"));
      if (!parseCommonYaml(text, new LineCounter(), MAX_DEPTH)) continue;
      fast++;
      expect(problemsOf(text), f).toEqual(problemsOf(`${text.endsWith("\n") ? text : `${text}\n`}...\n`));
    }
    expect(fast).toBeGreaterThan(10);
  });

  it("needs no string check for the generated 10,000-member shape", () => {
    expect(parseCommonYaml(stackYaml({ backend: "cloudflare", orgs: 30, membersPerOrg: 7 }), new LineCounter(), MAX_DEPTH)?.stringsToCheck).toBe(false);
  });
});

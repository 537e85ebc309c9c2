/**
 * Hostile input that is impractical as a static corpus file (huge, generated, or about the work
 * done rather than the answer). Time bounds are benchmarks (bench/validate-hostile.mjs); here the
 * work itself is checked: how many distances "did you mean" computes, that shared values stay shared.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../../provider/cli";
import { runValidate } from "../../../provider/cli/validate";
import { loadConfigSources, loadConfigText, renderDiagnostics, type Diagnostic } from "../../../provider/config";
import { DEFAULT_CELLS_PER_SEARCH, suggestionWork } from "../../../provider/core/suggest";

const org = (i: number, extra = ""): string => `  - key: org-${i}\n    name: Organization ${i}\n${extra}`;
const orgs = (n: number, extra: (i: number) => string = () => ""): string => Array.from({ length: n }, (_, i) => org(i, extra(i))).join("");
const cloudflare = (body: string): string => `backend: cloudflare\norganizations:\n${body}`;
const brief = (ds: Diagnostic[]): string[] => ds.map((d) => `${d.code} ${d.line}:${d.column} ${d.path || "-"}`);

function bomb(levels: number, fanout: number, at = "status"): string {
  const lines = ["backend: cloudflare", `${at}:`, `  l0: &l0 [${Array(fanout).fill("lol").join(", ")}]`];
  for (let i = 1; i <= levels; i++) lines.push(`  l${i}: &l${i} [${Array(fanout).fill(`*l${i - 1}`).join(", ")}]`);
  return `${lines.join("\n")}\n`;
}

/** Library wording that must never reach a user. */
const JARGON = /YAML\.\w+\(|parseAllDocuments|call stack|ReferenceError|TypeError|undefined is not|Cannot read prop/;

describe("alias bombs", () => {
  it.each([
    { name: "nine levels of nine aliases (a billion laughs)", text: bomb(9, 9), expected: ["yaml-alias-limit 12:12 status.l9[0]"] },
    { name: "forty levels of two aliases", text: bomb(40, 2), expected: ["yaml-alias-limit 43:14 status.l40[0]"] },
    {
      name: "a 50,000-value anchor used by 100 organizations",
      text: `backend: commercelayer\norganizations:\n  - key: base\n    name: Base\n    metadata: &big {${Array.from({ length: 25_000 }, (_, i) => `k${i}: v`).join(", ")}}\n${orgs(100, () => "    metadata: *big\n")}`,
      expected: ["yaml-alias-limit 8:15 organizations[1].metadata"],
    },
  ])("refuses $name at the alias that stands for the most", ({ text, expected }) => {
    const { config, diagnostics } = loadConfigText(text, "bomb.yaml");
    expect(config).toBeUndefined();
    expect(brief(diagnostics)).toEqual(expected);
  });

  it("accepts nested aliases that stay small, and keeps a shared value shared (built once)", () => {
    const text = `backend: commercelayer\norganizations:\n${orgs(2_000, (i) => (i === 0 ? "    metadata: &m { team: shop, tags: &t [a, b] }\n" : i === 1 ? "    metadata: { nested: *m, tags: *t }\n" : "    metadata: *m\n"))}`;
    const { config, diagnostics } = loadConfigText(text);
    expect(diagnostics).toEqual([]);
    const meta = config!.organizations.map((o) => o.fields.metadata);
    expect(meta[1]).toEqual({ nested: { team: "shop", tags: ["a", "b"] }, tags: ["a", "b"] });
    expect(new Set(meta.slice(2)).size).toBe(1);
    expect(meta[2]).toBe(meta[0]);
  });

  it("prints the located diagnostic with --json too", () => {
    const dir = tmp();
    const file = path.join(dir, "bomb.yaml");
    fs.writeFileSync(file, bomb(12, 10));
    const { output, exitCode } = runValidate(file, { json: true });
    expect(exitCode).toBe(1);
    const parsed = JSON.parse(output) as { valid: boolean; diagnostics: Diagnostic[] };
    expect(parsed.valid).toBe(false);
    expect(parsed.diagnostics.map(({ file: f, line, column, path: p, code }) => ({ file: path.basename(f), line, column, path: p, code }))).toEqual([
      { file: "bomb.yaml", line: 15, column: 14, path: "status.l12[0]", code: "yaml-alias-limit" },
    ]);
  });
});

describe("many organizations", () => {
  it("computes 'did you mean' once for 10,000 organizations under one misspelled parent", () => {
    const before = suggestionWork.distances;
    const { diagnostics } = loadConfigText(cloudflare(orgs(10_000, (i) => (i > 0 ? "    parent: org-O\n" : ""))));
    expect(diagnostics).toHaveLength(9_999);
    expect(new Set(diagnostics.map((d) => d.message))).toEqual(new Set(['no organization has the key "org-O"; did you mean "org-0"?']));
    expect(suggestionWork.distances - before).toBeLessThanOrEqual(10_000);
  });

  it("bounds 'did you mean' work for 10,000 different misspelled parents: only the first ones get a hint", () => {
    const before = suggestionWork.distances;
    const { diagnostics } = loadConfigText(cloudflare(orgs(10_000, (i) => `    parent: org-${i}x\n`)));
    expect(diagnostics).toHaveLength(10_000);
    const hinted = diagnostics.filter((d) => d.message.includes("did you mean")).map((d) => d.path);
    expect(hinted.length).toBeGreaterThan(0);
    expect(hinted.length).toBeLessThanOrEqual(20);
    expect(hinted[0]).toBe("organizations[0].parent");
    expect(suggestionWork.distances - before).toBeLessThanOrEqual(20 * 10_000);
  });

  it("bounds 'did you mean' work for 10,000 long, alike keys: the suggester stops at its budget of table cells", () => {
    // Keys of 100 characters sharing 60: each distance fills most of a 100 x 100 table, so trying
    // every key for 20 misspelled parents was 34 s; the shared budget makes it a few milliseconds.
    const key = (i: number, salt: string): string => `${"p".repeat(60)}${salt}${String(i).padStart(39, "0")}`;
    const text = cloudflare(
      Array.from({ length: 10_000 }, (_, i) => `  - key: ${key(i, "a")}\n    name: N${i}\n${i < 20 ? `    parent: ${key(i * 7919, "b")}\n` : ""}`).join(""),
    );
    const before = suggestionWork.cells;
    const { diagnostics } = loadConfigText(text);
    expect(diagnostics.map((d) => d.code)).toEqual(Array(20).fill("unknown-parent"));
    expect(suggestionWork.cells - before).toBeLessThanOrEqual(4 * DEFAULT_CELLS_PER_SEARCH + 100 * 100);
  });

  it("names the two alike items among 20,000 links of a list that must be unique", () => {
    const links = Array.from({ length: 20_000 }, (_, i) => `      - { url: "https://x.example/${i % 19_999}", name: l${i % 19_999} }\n`).join("");
    const { diagnostics } = loadConfigText(`backend: zenml\norganizations:\n  - key: ml\n    name: ML\n    links:\n${links}`);
    expect(diagnostics.map((d) => `${d.code} ${d.line}:${d.column} ${d.path}: ${d.message}`)).toEqual([
      "schema-violation 6:7 organizations[0].links: items 0 and 19999 are the same: each item may appear once",
    ]);
  });

  it("validates a parent chain 4,000 deep", () => {
    const { config, diagnostics } = loadConfigText(cloudflare(orgs(4_000, (i) => (i > 0 ? `    parent: org-${i - 1}\n` : ""))));
    expect(diagnostics).toEqual([]);
    expect(config?.organizations[3_999]?.parent).toEqual({ key: "org-3998" });
  });

  it("reports each member of a 4,000-long parent loop once, with a short message", () => {
    const { diagnostics } = loadConfigText(cloudflare(orgs(4_000, (i) => `    parent: org-${(i + 3_999) % 4_000}\n`)));
    expect(diagnostics).toHaveLength(4_000);
    expect(new Set(diagnostics.map((d) => d.code))).toEqual(new Set(["cyclic-parent"]));
    expect(diagnostics[0]!.message).toMatchInlineSnapshot(`"parent chain loops: org-0 -> org-3999 -> org-3998 -> ... (3995 more) ... -> org-2 -> org-1 -> org-0"`);
  });
});

describe("files that are not what they seem", () => {
  const bytes = (s: string, encoding: BufferEncoding = "utf8"): Uint8Array => Buffer.from(s, encoding);
  it.each([
    { name: "a UTF-8 BOM does not shift columns", input: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes("backend: cloudflare\ncolour: red\n")]), expected: ["unknown-field 2:1 colour"] },
    { name: "a UTF-8 BOM on the line of the problem", input: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes("{backend: cloudflare, colour: red}\n")]), expected: ["unknown-field 1:23 colour"] },
    { name: "UTF-16 without a BOM is named", input: bytes("backend: cloudflare\n", "utf16le"), expected: ["invalid-encoding 1:1 -"] },
    { name: "a Windows-1252 byte after CRLF lines is found on its line", input: Buffer.concat([bytes("backend: cloudflare\r\norganizations:\r\n  - key: a\r\n    name: \u00e9t"), Buffer.from([0x80]), bytes("\r\n")]), expected: ["invalid-encoding 4:13 -"] },
    { name: "CR-only line endings count as line breaks", input: bytes("backend: cloudflare\rorganizations:\r  - key: a\r    name: A\r    colour: red\r"), expected: ["unknown-field 5:5 organizations[0].colour"] },
  ])("$name", ({ input, expected }) => {
    const { diagnostics } = loadConfigSources([{ file: "f.yaml", bytes: input }]);
    expect(brief(diagnostics)).toEqual(expected);
  });

  it("says that lists nest too deeply where the parser would run out of stack", () => {
    const { diagnostics } = loadConfigText(`backend: cloudflare\nx: ${"[".repeat(100_000)}${"]".repeat(100_000)}\n`);
    expect(diagnostics.map((d) => [d.code, d.line, d.message])).toEqual([["yaml-too-deep", 2, "lists and mappings are nested too deeply here: orgform reads at most 64 levels"]]);
  });

  it("reports a long flow list that is not indented where it goes wrong, not as nested too deeply", () => {
    // 20,000 items not indented under their key: the parser reports the first line, then runs out of
    // stack on its own recovery; the first error is the one to fix.
    const text = `backend: commercelayer\norganizations: [\n${Array.from({ length: 20_000 }, (_, i) => `{key: k${i}, name: n${i}}`).join(",\n")}]\n`;
    const { diagnostics } = loadConfigText(text);
    expect(brief(diagnostics)).toEqual(["yaml-syntax 3:1 -"]);
  });

  it("says that aliases nest too deeply when a chain of them would", () => {
    const lines = ["backend: cloudflare", "status:", `  l0: &l0 ${"[".repeat(40)}x${"]".repeat(40)}`];
    for (let i = 1; i <= 200; i++) lines.push(`  l${i}: &l${i} [*l${i - 1}]`);
    const { diagnostics } = loadConfigText(lines.join("\n"));
    expect(brief(diagnostics)).toEqual(["yaml-too-deep 26:14 status.l23[0]"]);
  });

  it("renders control characters of a hostile key escaped, never raw", () => {
    const { diagnostics } = loadConfigText('backend: cloudflare\n"\\e]0;pwned\\a\\u009b2J": 1\n', "x.yaml");
    expect(renderDiagnostics(diagnostics)).toMatchInlineSnapshot(
      `"x.yaml:2:1: error[control-character] ["\\u001b]0;pwned\\u0007\\u009b2J"]: this key contains an escape character (U+001B), the start of a terminal escape sequence: remove it (it would be sent to the API and printed to terminals as is)"`,
    );
  });
});

describe("never a stack trace", () => {
  const quickstart = fs.readFileSync(path.resolve(__dirname, "../../../examples/quickstart/00-acme.yaml"), "utf8");

  it("answers every prefix of a real config with diagnostics in the user's words", () => {
    for (let end = 0; end <= quickstart.length; end += 3) {
      const { diagnostics } = loadConfigText(quickstart.slice(0, end));
      for (const d of diagnostics) expect(d.message).not.toMatch(JARGON);
    }
  });

  it("answers a config with random bytes spliced in", () => {
    let seed = 16;
    const random = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const original = Buffer.from(quickstart);
    for (let round = 0; round < 300; round++) {
      const mutated = Buffer.from(original);
      for (let k = 0; k < 4; k++) mutated[random(mutated.length)] = random(256);
      const { diagnostics } = loadConfigSources([{ file: "m.yaml", bytes: mutated }]);
      for (const d of diagnostics) {
        expect(d.message).not.toMatch(JARGON);
        expect(d.line).toBeGreaterThan(0);
      }
    }
  });

  it.each([
    { name: "an alias bomb", text: bomb(9, 9) },
    { name: "a second document", text: "backend: cloudflare\n---\nbackend: zenml\n" },
    { name: "nesting 100,000 deep", text: `x: ${"{a: ".repeat(100_000)}1${"}".repeat(100_000)}\n` },
    { name: "an unknown tag", text: "backend: !secret cloudflare\n" },
  ])("orgform validate [--json] on $name prints diagnostics and exits 1", async ({ text }) => {
    const file = path.join(tmp(), "hostile.yaml");
    fs.writeFileSync(file, text);
    for (const json of [false, true]) {
      const { stdout, stderr } = await capture(() => main(["node", "orgform", "validate", file, ...(json ? ["--json"] : [])]));
      expect(process.exitCode).toBe(1);
      process.exitCode = undefined;
      const printed = stdout + stderr;
      expect(printed).not.toMatch(/^\s+at /m);
      expect(printed).not.toMatch(JARGON);
      if (json) expect((JSON.parse(stdout) as { diagnostics: Diagnostic[] }).diagnostics[0]).toMatchObject({ file, line: expect.any(Number) as number });
      else expect(stderr).toContain(`${file}:`);
    }
  });
});

const dirs: string[] = [];
function tmp(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "orgform-hostile-"));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

async function capture(run: () => Promise<void>): Promise<{ stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const write = { stdout: process.stdout.write.bind(process.stdout), stderr: process.stderr.write.bind(process.stderr) };
  process.stdout.write = ((chunk: string) => (out.push(String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => (err.push(String(chunk)), true)) as typeof process.stderr.write;
  try {
    await run();
  } finally {
    process.stdout.write = write.stdout;
    process.stderr.write = write.stderr;
  }
  return { stdout: out.join(""), stderr: err.join("") };
}

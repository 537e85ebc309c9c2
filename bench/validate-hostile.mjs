#!/usr/bin/env node
// How long `orgform validate` takes on large and hostile inputs: every input must be accepted or
// refused in time linear in its size (issue 16). Generates each input in memory, loads it through
// the compiled loader (bytes -> UTF-8 -> YAML -> diagnostics, as `orgform validate` does), and
// prints a Markdown table (bench/README.md).
//
//   npm run build && node bench/validate-hostile.mjs [--runs 3]
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { loadConfigSources } = require(join(root, "dist", "provider", "config", "index.js"));
const runsArg = process.argv.indexOf("--runs");
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3;

const org = (i, extra = "") => `  - key: org-${i}\n    name: Organization ${i}\n${extra}`;
const orgs = (n, extra = () => "") => Array.from({ length: n }, (_, i) => org(i, extra(i))).join("");
const longKey = (i, salt) => `${"p".repeat(60)}${salt}${String(i).padStart(39, "0")}`;
const cf = (body) => `backend: cloudflare\norganizations:\n${body}`;

const inputs = [
  ["10,000 members (100 organizations x 100)", () => cf(orgs(100, (i) => `    members:\n${Array.from({ length: 100 }, (_, m) => `      - { email: m${m}@org${i}.example, role: Member }\n`).join("")}`)), "valid"],
  ["10,000 organizations", () => cf(orgs(10_000)), "valid"],
  ["10,000 organizations, one misspelled parent", () => cf(orgs(10_000, (i) => (i === 9_999 ? "    parent: org-1234x\n" : i > 0 ? "    parent: org-0\n" : ""))), "unknown-parent"],
  ["10,000 organizations, all under one misspelled parent", () => cf(orgs(10_000, (i) => (i > 0 ? "    parent: org-O\n" : ""))), "unknown-parent"],
  ["10,000 organizations, 10,000 different misspelled parents", () => cf(orgs(10_000, (i) => `    parent: org-${i}x\n`)), "unknown-parent"],
  ["10,000 long alike keys (100 chars, 60 shared), 20 misspelled parents", () => cf(Array.from({ length: 10_000 }, (_, i) => `  - key: ${longKey(i, "a")}\n    name: N${i}\n${i < 20 ? `    parent: ${longKey(i * 7919, "b")}\n` : ""}`).join("")), "unknown-parent"],
  ["parent chain 4,000 deep", () => cf(orgs(4_000, (i) => (i > 0 ? `    parent: org-${i - 1}\n` : ""))), "valid"],
  ["parent loop of 4,000", () => cf(orgs(4_000, (i) => `    parent: org-${(i + 3_999) % 4_000}\n`)), "cyclic-parent"],
  ["billion laughs (9 levels of 9 aliases)", () => bomb(9, 9), "yaml-alias-limit"],
  ["alias bomb, 30 levels of 2 aliases", () => bomb(30, 2), "yaml-alias-limit"],
  ["100 KB anchor used by 1,000 organizations", () => `backend: commercelayer\norganizations:\n  - key: org-0\n    name: O\n    metadata: &big {${Array.from({ length: 5_000 }, (_, i) => `k${i}: v`).join(", ")}}\n${orgs(1_000, () => "    metadata: *big\n").replace("  - key: org-0\n", "  - key: org-00\n")}`, "yaml-alias-limit"],
  ["one anchor used by 40,000 organizations", () => `backend: commercelayer\norganizations:\n${orgs(40_000, (i) => (i === 0 ? "    metadata: &m { team: shop }\n" : "    metadata: *m\n"))}`, "valid"],
  ["one mapping with 100,000 keys", () => `backend: commercelayer\norganizations:\n  - key: a\n    name: A\n    metadata:\n${Array.from({ length: 100_000 }, (_, i) => `      k${i}: v\n`).join("")}`, "valid"],
  ["100,000 unknown fields in one profile", () => cf(`  - key: a\n    name: A\n    profile:\n${Array.from({ length: 100_000 }, (_, i) => `      field${i}: v\n`).join("")}`), "unknown-field"],
  ["ZenML organization with 30,000 links, two alike", () => `backend: zenml\norganizations:\n  - key: a\n    name: A\n    links:\n${Array.from({ length: 30_000 }, (_, i) => `      - { name: l${i === 29_999 ? 0 : i}, url: "https://x.example/${i === 29_999 ? 0 : i}" }\n`).join("")}`, "schema-violation"],
  ["100,000 unknown fields in one organization", () => cf(`  - key: a\n    name: A\n${Array.from({ length: 100_000 }, (_, i) => `    field${i}: v\n`).join("")}`), "unknown-field"],
  ["flow nesting 100,000 deep", () => `backend: cloudflare\nx: ${"[".repeat(100_000)}${"]".repeat(100_000)}\n`, "yaml-too-deep"],
  ["unclosed quote at the top of 4 MB", () => cf(`  - key: a\n    name: "A\n${orgs(60_000)}`), "yaml-syntax"],
  ["35,000 organizations with a profile (4 MB)", () => cf(orgs(35_000, (i) => `    profile: { business_name: Org ${i}, business_email: ops@org${i}.example }\n`)), "valid"],
  ["35,000 organizations, each with an escape sequence (4 MB)", () => cf(orgs(35_000, () => '    profile: { business_name: "\\e[31mred", business_address: "\\e]0;title\\a" }\n')), "control-character"],
  ["one key of 4 MB", () => cf(`  - key: a\n    name: A\n    ${"x".repeat(4_000_000)}: 1\n`), "yaml-syntax"],
  ["one value of 4 MB", () => cf(`  - key: a\n    name: A${"x".repeat(4_000_000)}\n`), "valid"],
  ["100,000 duplicate keys", () => `backend: commercelayer\norganizations:\n  - key: a\n    name: A\n    metadata:\n${"      k: v\n".repeat(100_000)}`, "duplicate-yaml-key"],
  ["Latin-1 byte at the end of 4 MB", () => Buffer.concat([Buffer.from(cf(orgs(60_000))), Buffer.from("  - key: z\n    name: Caf\xe9\n", "latin1")]), "invalid-encoding"],
];

function bomb(levels, fanout) {
  const lines = ["backend: cloudflare", "status:", `  l0: &l0 [${Array(fanout).fill("lol").join(", ")}]`];
  for (let i = 1; i <= levels; i++) lines.push(`  l${i}: &l${i} [${Array(fanout).fill(`*l${i - 1}`).join(", ")}]`);
  return `${lines.join("\n")}\n`;
}

const rows = [];
for (const [name, make, expected] of inputs) {
  const made = make();
  const bytes = typeof made === "string" ? Buffer.from(made) : made;
  const times = [];
  let result;
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    result = loadConfigSources([{ file: "bench.yaml", bytes }]);
    times.push(performance.now() - t0);
  }
  const codes = [...new Set(result.diagnostics.map((d) => d.code))];
  const got = result.config ? "valid" : codes.join(", ");
  const ok = expected === "valid" ? !!result.config : codes.includes(expected);
  const first = result.diagnostics[0];
  rows.push(
    `| ${name} | ${(bytes.length / 1024).toFixed(0)} KB | ${Math.min(...times).toFixed(0)} | ${Math.max(...times).toFixed(0)} | ${got}${first ? ` (${first.line}:${first.column}, ${result.diagnostics.length} diagnostic${result.diagnostics.length === 1 ? "" : "s"})` : ""} |${ok ? "" : " UNEXPECTED"}`,
  );
  process.stderr.write(".");
}
// The real command, as a user runs it: a process, Node start-up included.
const dir = mkdtempSync(join(tmpdir(), "orgform-bench-"));
for (const [name, make] of inputs.slice(0, 2)) {
  const file = join(dir, "config.yaml");
  writeFileSync(file, make());
  const times = [];
  let status;
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    status = spawnSync(process.execPath, [join(root, "bin", "orgform.js"), "validate", file, "--json"], { stdio: "ignore" }).status;
    times.push(performance.now() - t0);
  }
  rows.push(`| \`orgform validate --json\` (a process), ${name} | | ${Math.min(...times).toFixed(0)} | ${Math.max(...times).toFixed(0)} | exit ${status} |`);
}
rmSync(dir, { recursive: true, force: true });
process.stderr.write("\n");
console.log(`Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "?"}; best and worst of ${RUNS} runs, in-process.\n`);
console.log("| input | size | best ms | worst ms | result |");
console.log("| --- | ---: | ---: | ---: | --- |");
for (const row of rows) console.log(row);

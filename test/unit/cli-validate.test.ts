import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { Command } from "commander";
import { registerValidate, runValidate } from "../../provider/cli/validate";
import { packageRoot } from "../../provider/core/paths";

const root = packageRoot();
const quickstart = path.join(root, "examples", "quickstart");
const bad = path.join(root, "test", "fixtures", "config-corpus", "duplicate-key.yaml");

describe("orgform validate", () => {
  it("exits 0 and says what it validated", () => {
    const { output, exitCode } = runValidate(quickstart);
    expect(exitCode).toBe(0);
    expect(output.replace(root + path.sep, "")).toMatchInlineSnapshot(`
      "examples/quickstart: valid (cloudflare, 3 organizations, 2 files)
      "
    `);
  });

  it("exits 1 with one line per diagnostic", () => {
    const { output, exitCode } = runValidate(bad);
    expect(exitCode).toBe(1);
    expect(output.split(root + path.sep).join("")).toMatchInlineSnapshot(`
      "test/fixtures/config-corpus/duplicate-key.yaml:5:10: error[duplicate-key] organizations[1].key: key "acme" is already used by organizations[0] in test/fixtures/config-corpus/duplicate-key.yaml
      test/fixtures/config-corpus/duplicate-key.yaml: 1 error
      "
    `);
  });

  it("prints JSON with --json", () => {
    const { output, exitCode } = runValidate(bad, { json: true });
    expect(exitCode).toBe(1);
    const parsed = JSON.parse(output) as { valid: boolean; diagnostics: Array<{ code: string; line: number; column: number; path: string }> };
    expect(parsed.valid).toBe(false);
    expect(parsed.diagnostics.map(({ code, line, column, path: p }) => ({ code, line, column, path: p }))).toEqual([{ code: "duplicate-key", line: 5, column: 10, path: "organizations[1].key" }]);
  });

  it("sets process.exitCode through commander", async () => {
    const program = new Command().exitOverride();
    registerValidate(program);
    const writes: string[] = [];
    const original = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => (writes.push(chunk), true)) as typeof process.stdout.write;
    try {
      await program.parseAsync(["node", "orgform", "validate", quickstart, "--json"]);
    } finally {
      process.stdout.write = original;
    }
    expect(process.exitCode).toBe(0);
    expect(JSON.parse(writes.join(""))).toMatchObject({ valid: true, backend: "cloudflare", organizations: 3 });
    process.exitCode = undefined;
  });
});

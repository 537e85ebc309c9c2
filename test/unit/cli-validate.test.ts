import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { runValidate } from "../../provider/cli/validate";
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

  it("runs as a user runs it: bin/orgform.js, exit 0 and JSON on stdout for a valid config", () => {
    const r = spawnSync(process.execPath, [path.join(root, "bin", "orgform.js"), "validate", quickstart, "--json"], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ valid: true, backend: "cloudflare", organizations: 3 });
  });

  it("runs as a user runs it: bin/orgform.js, exit 1 and located diagnostics on stderr for a bad config", () => {
    const r = spawnSync(process.execPath, [path.join(root, "bin", "orgform.js"), "validate", bad], { encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/duplicate-key\.yaml:5:10: error\[duplicate-key\]/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});

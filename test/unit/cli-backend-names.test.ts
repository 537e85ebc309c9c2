// The CLI names the backends from the one list (BACKENDS): in `--help` and in the error for an
// unknown `--backend`, as a user runs it (bin/orgform.js over dist/, built by `pretest`).
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { BACKENDS } from "../../provider/core/backends";
import { packageRoot } from "../../provider/core/paths";

const orgform = (...args: string[]) => spawnSync(process.execPath, [path.join(packageRoot(), "bin", "orgform.js"), ...args], { encoding: "utf8", env: { ...process.env, COLUMNS: "400" } });

describe("the backends the CLI names", () => {
  it("refuses an unknown --backend in one line that lists every backend", () => {
    const r = orgform("export", "--backend", "acme-cloud", "--quiet");
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(`orgform: --backend "acme-cloud" is not a backend (one of ${BACKENDS.join(", ")})\n`);
  });

  it("lists every backend in the help of --backend", () => {
    const r = orgform("export", "--help");
    expect(r.status).toBe(0);
    expect(r.stdout.replace(/\s+/g, " ")).toContain(`--backend <value> backend: ${BACKENDS.join(", ")} (or ORGFORM_BACKEND)`);
  });
});

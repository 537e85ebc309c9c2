// `npm start -- <config>` with a config that is not valid: refused before anything starts. The
// quickstart and every backend's example, applied twice each on a clean clone: clean-clone.test.ts.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { makeTempDir, pulumiBinDir, repoRoot, runCommand } from "./harness";

const script = path.join(repoRoot, "dist", "scripts", "quickstart.js");

function quickstart(dir: string, args: string[]) {
  return runCommand(process.execPath, [script, ...args], {
    cwd: repoRoot,
    env: {
      ...process.env,
      PATH: `${pulumiBinDir()}${path.delimiter}${process.env.PATH ?? ""}`,
      ORGFORM_QUICKSTART_DIR: dir,
      PULUMI_CONFIG_PASSPHRASE: "orgform-e2e",
      NO_COLOR: "1",
    },
  });
}

// Applying the quickstart and every backend's example, twice each, is tested on a clean clone of
// the repository, with the README's own commands: clean-clone.test.ts.
describe("npm start -- <config>", () => {
  it("refuses an invalid config before starting anything, with its diagnostics", async () => {
    const dir = makeTempDir("quickstart-bad");
    const bad = path.join(dir, "bad.yaml");
    fs.writeFileSync(bad, "backend: cloudflare\norganizations:\n  - key: a\n    nmae: A\n");
    const r = await quickstart(dir, [bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.yaml:4:5/);
    expect(r.stderr).toContain("nothing was applied");
  });
});

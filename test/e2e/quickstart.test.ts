// `npm start -- <config>` as a newcomer runs it: the quickstart script (compiled, under the real
// engine) applies each implemented backend's example on the embedded emulator, and a second run
// reports no changes. One stack per config, so two configs live side by side in one database.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { implementedVendors } from "../../provider/backends";
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

/** The example of each backend that has an adapter (the quickstart directory is Cloudflare's). */
const examples = implementedVendors()
  .map((backend) => ({ backend, config: `examples/backends/${backend}.yaml` }))
  .filter((e) => fs.existsSync(path.join(repoRoot, e.config)));

describe("npm start -- <config>", () => {
  it("applies the quickstart when given no config, then reports no changes", async () => {
    const dir = makeTempDir("quickstart");
    const first = await quickstart(dir, []);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.stdout).toMatch(/\+ \d+ created/);
    expect(first.stdout).toContain("Acme Group");
    const second = await quickstart(dir, []);
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(second.stdout).toMatch(/Resources:\s+\d+ unchanged/);
    expect(second.stdout).not.toMatch(/\d+ (created|updated|deleted|replaced)/);
  }, 240_000);

  for (const { backend, config } of examples) {
    it(`applies ${config} (${backend}) beside the quickstart, then reports no changes`, async () => {
      const dir = makeTempDir(`quickstart-${backend}`);
      // The quickstart first: applying another config must not touch its stack.
      expect((await quickstart(dir, [])).code).toBe(0);
      const first = await quickstart(dir, [config]);
      expect(first.code, first.stdout + first.stderr).toBe(0);
      expect(first.stdout).toContain(`${backend} desired state ${config}`);
      const second = await quickstart(dir, [config]);
      expect(second.code, second.stdout + second.stderr).toBe(0);
      expect(second.stdout).toMatch(/Resources:\s+\d+ unchanged/);
      expect(second.stdout).not.toMatch(/\d+ (created|updated|deleted|replaced)/);
      const again = await quickstart(dir, []);
      expect(again.stdout).toMatch(/Resources:\s+\d+ unchanged/);
    }, 360_000);
  }

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

// The user's files are safe from `--out`, and an export remembers which account it read: the CLI
// spawned as a user runs it, against the emulator over real HTTP.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type StartedEmulator } from "../../emulator";
import { implementedVendors } from "../../provider/backends";
import type { BackendName } from "../../provider/core/backends";
import { capabilitiesOf } from "../../provider/core/capabilities";
import { emulatorCredentialEnv } from "../../scripts/emulator-credentials";
import { anAccount, seedAccount } from "../support/accounts";
import { runOrgform, type CliResult } from "../support/cli";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "orgform-out-files-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

let emu: StartedEmulator;
beforeAll(async () => {
  emu = await startEmulator({ port: 0, db: ":memory:" });
  for (const backend of implementedVendors()) await seedAccount(emu, backend, anAccount(backend, Math.min(3, capabilitiesOf(backend).organization.visiblePerCredential ?? 3)));
});
afterAll(async () => emu?.close());

/** The CLI with the backend's emulator credentials; the endpoint only where `endpoint` says. */
function orgform(backend: BackendName, args: string[], opts: { endpointEnv?: boolean } = {}): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...emulatorCredentialEnv(backend, emu) };
  delete env.ORGFORM_ENDPOINT;
  if (opts.endpointEnv) env.ORGFORM_ENDPOINT = emu.baseUrls[backend];
  return runOrgform(args, { env });
}

const write = (file: string, text: string): string => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
};
const read = (file: string) => fs.readFileSync(file, "utf8");

describe("--out never overwrites what orgform did not write", () => {
  const backend: BackendName = "cloudflare";

  it("drift --config orgs.yaml --out orgs.yaml exits 1 and leaves the desired state as it was", async () => {
    const config = path.join(tmp, "same", "orgs.yaml");
    const text = write(config, "backend: cloudflare\norganizations:\n  - { key: a, name: Nobody Has This }\n") && read(config);
    const run = await orgform(backend, ["drift", "--config", config, "--out", config, "--quiet"], { endpointEnv: true });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`orgform drift: refusing to write ${config}: it is a file of the desired state being read (--config ${config}); give --out another path; nothing was written\n`);
    expect(read(config)).toBe(text);
    // --force does not make it one: a report never replaces the desired state.
    expect((await orgform(backend, ["drift", "--config", config, "--out", config, "--force", "--quiet"], { endpointEnv: true })).code).toBe(1);
    expect(read(config)).toBe(text);
  });

  it("refuses a new *.yaml in the config's directory (it would join the config), and takes any other path", async () => {
    const dir = path.join(tmp, "dirconfig");
    write(path.join(dir, "orgs.yaml"), "backend: cloudflare\norganizations: []\n");
    const joins = await orgform(backend, ["drift", "--config", dir, "--out", path.join(dir, "report.yaml"), "--quiet"], { endpointEnv: true });
    expect(joins.code).toBe(1);
    expect(joins.stderr).toContain("it would become a file of the desired state being read");
    expect(fs.existsSync(path.join(dir, "report.yaml"))).toBe(false);
    const report = path.join(dir, "drift.md");
    const ok = await orgform(backend, ["drift", "--config", dir, "--format", "markdown", "--out", report, "--quiet"], { endpointEnv: true });
    expect(ok.code, ok.stderr).toBe(0); // declares nothing, not authoritative: no drift
    expect(read(report).split("\n")[0]).toBe("<!-- Written by `orgform drift`: the next run with --out overwrites this file -->");
    // Its own report is overwritten by the next run.
    expect((await orgform(backend, ["drift", "--config", dir, "--format", "markdown", "--out", report, "--quiet"], { endpointEnv: true })).code).toBe(0);
  });

  it("export --out refuses a file orgform did not write, --force overwrites it, and an earlier export is overwritten", async () => {
    const notes = write(path.join(tmp, "export", "orgs.yaml"), "# my notes\nbackend: cloudflare\norganizations: []\n");
    const refused = await orgform(backend, ["export", "--backend", backend, "--out", notes, "--quiet"], { endpointEnv: true });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(`orgform: refusing to overwrite ${notes}: orgform did not write it (its first line is not orgform's header); pass --force to overwrite it; nothing was written\n`);
    expect(read(notes)).toBe("# my notes\nbackend: cloudflare\norganizations: []\n");
    const forced = await orgform(backend, ["export", "--backend", backend, "--out", notes, "--force", "--quiet"], { endpointEnv: true });
    expect(forced.code, forced.stderr).toBe(0);
    expect(read(notes).startsWith("# Exported by `orgform export`")).toBe(true);
    const again = await orgform(backend, ["export", "--backend", backend, "--out", notes, "--quiet"], { endpointEnv: true });
    expect(again.code, again.stderr).toBe(0);
  });

  it("drift --format json --out marks its file as orgform's, so the next run may overwrite it", async () => {
    const config = write(path.join(tmp, "json", "orgs.yaml"), "backend: cloudflare\norganizations: []\n");
    const report = path.join(tmp, "json", "drift.json");
    for (let i = 0; i < 2; i++) {
      const run = await orgform(backend, ["drift", "--config", config, "--format", "json", "--out", report, "--quiet"], { endpointEnv: true });
      expect(run.code, run.stderr).toBe(0);
    }
    expect(JSON.parse(read(report))).toMatchObject({ writtenBy: "orgform drift", drift: false });
  });

  it("refuses to write into a FIFO or a directory", async () => {
    const config = write(path.join(tmp, "kinds", "orgs.yaml"), "backend: cloudflare\norganizations: []\n");
    const run = await orgform(backend, ["drift", "--config", config, "--out", path.join(tmp, "kinds"), "--quiet"], { endpointEnv: true });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("it is a directory; give --out a file path");
    const fifo = path.join(tmp, "kinds", "report.md");
    execFileSync("mkfifo", [fifo]);
    // (a write would block until a reader comes: the test's timeout would end it)
    const piped = await orgform(backend, ["drift", "--config", config, "--out", fifo, "--quiet"], { endpointEnv: true });
    expect(piped.code).toBe(1);
    expect(piped.stderr).toContain(`refusing to write ${fifo}: it is a named pipe (FIFO), not a regular file`);
  });

  it("export --split-by-org refuses a folder holding other configs, and rewrites one holding only its own exports", async () => {
    const dir = path.join(tmp, "split");
    const mine = write(path.join(dir, "00-mine.yaml"), "backend: cloudflare\norganizations: []\n");
    write(path.join(dir, "README.md"), "notes\n");
    const refused = await orgform(backend, ["export", "--backend", backend, "--split-by-org", "--out", dir, "--quiet"], { endpointEnv: true });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`refusing to export into ${dir}: it holds desired-state files orgform did not write (00-mine.yaml)`);
    expect(fs.readdirSync(dir).sort()).toEqual(["00-mine.yaml", "README.md"]);
    fs.rmSync(mine);
    for (let i = 0; i < 2; i++) {
      const run = await orgform(backend, ["export", "--backend", backend, "--split-by-org", "--out", dir, "--quiet"], { endpointEnv: true });
      expect(run.code, run.stderr).toBe(0);
    }
    const validate = await orgform(backend, ["validate", dir]);
    expect(validate.code, validate.stderr).toBe(0);
  });
});

describe.each(implementedVendors())("an export of %s read from a non-default endpoint", (backend: BackendName) => {
  it("records the endpoint in connection (no credential), and drift of the export reads the same account", async () => {
    const file = path.join(tmp, "connection", `${backend}.yaml`);
    const endpoint = emu.baseUrls[backend]!;
    // The endpoint on the command line only: the environment names none.
    const exported = await orgform(backend, ["export", "--backend", backend, "--endpoint", endpoint, "--out", file, "--quiet"]);
    expect(exported.code, exported.stderr).toBe(0);
    const doc = YAML.parse(read(file));
    expect(doc.connection.endpoint).toBe(endpoint);
    const tokenUrl = emu.tokenUrls[backend];
    const usesTokenUrl = Object.values(emulatorCredentialEnv(backend, emu)).includes(tokenUrl ?? "\u0000");
    if (usesTokenUrl) expect(doc.connection.tokenUrl).toBe(tokenUrl);
    else expect(doc.connection.tokenUrl).toBeUndefined();
    for (const secret of Object.values(emulatorCredentialEnv(backend, emu)).filter((v) => !/^https?:/.test(v))) expect(read(file)).not.toContain(secret);
    // No endpoint (nor token URL) but the export's own connection block: the same account, no drift.
    const env = { ...process.env, ...emulatorCredentialEnv(backend, emu) };
    delete env.ORGFORM_ENDPOINT;
    for (const [k, v] of Object.entries(env)) if (v === tokenUrl) delete env[k];
    const drift = await runOrgform(["drift", "--config", file, "--quiet"], { env });
    expect(drift.code, drift.stdout + drift.stderr).toBe(0);
  });
});

// The README's own commands on a fresh clone: `git clone` of this repository into a temp dir, one
// install, then `npm start` and `npm start -- examples/backends/<b>.yaml` for every backend, each
// once, as a newcomer types them: no passphrase set, the quickstart's own .orgform/ database.
// Nothing is duplicated: the emulator's database is read after each. Then what running each again
// would report: every example's stack previews no changes with a refresh (what `npm start` runs
// is `pulumi up --refresh`), and `npm start` itself, run again for the quickstart after all of
// them, reports no changes.
//
// The install is the README's: `npm ci` in the clone (from the lockfile, the emulator workspace
// linked and built by `prepare`; about 2 minutes, better-sqlite3 compiled from source, npm's cache
// reused). Everything comes from the clone: its committed files, its own build (`npm start` builds
// first), its own stack settings (none are committed: a committed Pulumi.<stack>.yaml holds another
// machine's encryption salt and fails `pulumi stack select`).
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type StartedEmulator } from "../../emulator";
import { implementedVendors } from "../../provider/backends";
import { emulatorCredentialEnv } from "../../scripts/emulator-credentials";
import { makeTempDir, pulumiBinDir, repoRoot, runCommand, type RunResult } from "./harness";

const STEP = 10 * 60_000;
const root = makeTempDir("clean-clone");
const clone = path.join(root, "orgform");
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** As a user's shell runs it: no Pulumi passphrase, the engine from the per-machine cache. */
function npmStart(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, ORGFORM_PULUMI_FROM: "cache", NO_COLOR: "1", ...extraEnv };
  for (const k of ["PULUMI_CONFIG_PASSPHRASE", "PULUMI_BACKEND_URL", "PULUMI_HOME", "ORGFORM_QUICKSTART_DIR", "ORGFORM_ENDPOINT"]) if (!(k in extraEnv)) delete env[k];
  return runCommand("npm", ["start", ...(args.length ? ["--", ...args] : [])], { cwd: clone, env });
}

/** The backends with an example, read from the clone (what a newcomer finds). */
const examples = implementedVendors().map((backend) => ({ backend, config: `examples/backends/${backend}.yaml` }));

interface Held {
  organizations: Array<{ id: string; name: string; backend?: string }>;
  members: Array<{ org_id: string; email: string }>;
}

/** Runs `use` with an emulator over the clone's database (the quickstart closes its own after each run). */
async function withCloneEmulator<T>(use: (emu: StartedEmulator) => Promise<T>): Promise<T> {
  const emu = await startEmulator({ port: 0, db: path.join(clone, ".orgform", "emulator.db") });
  try {
    return await use(emu);
  } finally {
    await emu.close();
  }
}

/** What the clone's emulator database holds for a backend (read after the quickstart closed it). */
function held(backend: string): Promise<Held> {
  return withCloneEmulator(async (emu) => {
    const res = await fetch(`${emu.url}/_admin/state?backend=${backend}`, { headers: { authorization: `Bearer ${emu.credentials.adminToken}` } });
    return (await res.json()) as Held;
  });
}

/**
 * `pulumi preview --refresh --expect-no-changes` of one of the quickstart's stacks, in the
 * environment `npm start` gives its `pulumi up --refresh` (scripts/quickstart.ts): what running
 * that `npm start` again would do, without its build and its stack set-up.
 */
function previewOfStack(emu: StartedEmulator, backend: (typeof examples)[number]["backend"], stack: string): Promise<RunResult> {
  const work = path.join(clone, ".orgform");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${pulumiBinDir()}${path.delimiter}${process.env.PATH ?? ""}`,
    PULUMI_BACKEND_URL: `file://${path.join(work, "state")}`,
    PULUMI_HOME: path.join(work, "pulumi-home"),
    PULUMI_CONFIG_PASSPHRASE: "orgform-quickstart",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    NO_COLOR: "1",
    ORGFORM_ENDPOINT: emu.baseUrls[backend],
    ...emulatorCredentialEnv(backend, emu),
  };
  return runCommand("pulumi", ["preview", "--refresh", "--expect-no-changes", "--stack", stack, "--non-interactive"], { cwd: clone, env });
}

function expectApplied(r: RunResult): void {
  expect(r.code, r.stdout + r.stderr).toBe(0);
  expect(r.stdout).toMatch(/Resources:[\s\S]*\d+ (created|unchanged)/);
}

function expectNoChanges(r: RunResult): void {
  expect(r.code, r.stdout + r.stderr).toBe(0);
  expect(r.stdout).toMatch(/Resources:\s+\d+ unchanged/);
  expect(r.stdout).not.toMatch(/\d+ (created|updated|deleted|replaced)/);
}

function expectNothingTwice(state: Held): void {
  const names = state.organizations.map((o) => o.name);
  expect(new Set(names).size, `organizations named twice: ${names.join(", ")}`).toBe(names.length);
  const assignments = state.members.map((m) => `${m.org_id}/${m.email.toLowerCase()}`);
  expect(new Set(assignments).size).toBe(assignments.length);
}

describe("the README's commands on a clean clone", () => {
  beforeAll(() => {
    pulumiBinDir(); // the engine is built once per machine, before the clock of the first step runs
    execFileSync("git", ["clone", "--quiet", "--no-hardlinks", repoRoot, clone], { stdio: "inherit" });
    execFileSync("npm", ["ci", "--no-audit", "--no-fund", "--prefer-offline"], { cwd: clone, stdio: ["ignore", "ignore", "inherit"], timeout: STEP });
  }, STEP);

  it("npm start applies the quickstart", async () => {
    const first = await npmStart([]);
    expectApplied(first);
    expect(first.stdout).toMatch(/\+ \d+ created/);
    expect(first.stdout).toContain("Acme Group");
    expectNothingTwice(await held("cloudflare"));
  }, STEP);

  const applied: Record<string, Held> = {};
  /** The stack each `npm start -- <config>` chose, as it said. */
  const stacks: Record<string, string> = {};
  for (const { backend, config } of examples) {
    it(`npm start -- ${config} applies it beside the quickstart, nothing twice`, async () => {
      expect(fs.existsSync(path.join(clone, config)), `${config} is not in the clone`).toBe(true);
      const first = await npmStart([config]);
      expectApplied(first);
      expect(first.stdout).toContain(`${backend} desired state ${config}`);
      stacks[backend] = first.stdout.match(/desired state \S+, stack (\S+)$/m)![1]!;
      applied[backend] = await held(backend);
      expectNothingTwice(applied[backend]);
    }, STEP);
  }

  it("previews no changes, with a refresh, for every backend's example stack: nothing would change running it again", async () => {
    await withCloneEmulator(async (emu) => {
      for (const { backend, config } of examples) {
        const r = await previewOfStack(emu, backend, stacks[backend]!);
        expect(r.code, `${config}:\n${r.stdout}${r.stderr}`).toBe(0);
      }
    });
    // And nothing was created by looking.
    for (const { backend } of examples) {
      const again = await held(backend);
      expect(again.organizations.map((o) => o.id).sort()).toEqual(applied[backend]!.organizations.map((o) => o.id).sort());
      expect(again.members).toHaveLength(applied[backend]!.members.length);
    }
  }, STEP);

  it("npm start, run again for the quickstart after every backend's example, reports no changes", async () => {
    expectNoChanges(await npmStart([]));
    expectNothingTwice(await held("cloudflare"));
  }, STEP);

  it("shows Pulumi's own output when a step fails (a stack file holding another machine's encryption salt)", async () => {
    // What a committed Pulumi.<stack>.yaml did to every fresh clone: its salt is another passphrase's.
    fs.copyFileSync(path.join(clone, "examples", "backends", "cloudflare.yaml"), path.join(clone, "examples", "backends", "salted.yaml"));
    fs.copyFileSync(path.join(clone, "Pulumi.quickstart.yaml"), path.join(clone, "Pulumi.examples-backends-salted.yaml"));
    const run = await npmStart(["examples/backends/salted.yaml"], { PULUMI_CONFIG_PASSPHRASE: "another-machines-passphrase" });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/incorrect passphrase/i);
    expect(run.stderr).toMatch(/orgform quickstart: `pulumi stack select --create examples-backends-salted --non-interactive` failed \(exit \d+\)/);
  }, STEP);
});

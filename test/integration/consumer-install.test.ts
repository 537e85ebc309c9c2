import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMULATOR_MISSING } from "../../provider/cli/emulator";
import { makeTempDir, repoRoot, runCommand, type RunResult } from "../e2e/harness";

/**
 * A GitOps repository that installs orgform, as a user does: the root package packed (`npm pack`, over
 * the dist/ that `npm ci` / `pretest` build) and installed with its Pulumi peer into a fresh project
 * outside this repository (no NODE_PATH, no workspace above it). It must not get the emulator's web
 * server nor its SQLite binding, the CLI must still work, and `orgform emulator` must say in one
 * sentence how to install the emulator. About 25 s with npm's cache warm (the root `npm ci` fills it).
 */
const PULUMI = "@pulumi/pulumi@3.259.0";
let dir: string;
let project: string;

/** The environment of a user's shell: nothing npm or vitest set for this repository's own run. */
function userEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_|^NODE_PATH$|^NODE_OPTIONS$|^VITEST/i.test(k)));
  return { ...env, NO_COLOR: "1" };
}

async function npm(args: string[], cwd: string): Promise<RunResult> {
  const r = await runCommand("npm", [...args, "--no-audit", "--no-fund"], { cwd, env: userEnv() });
  if (r.code !== 0) throw new Error(`npm ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
  return r;
}

/** Every installed package's name, at any depth of node_modules. */
function installed(nodeModules: string): string[] {
  const names: string[] = [];
  if (!fs.existsSync(nodeModules)) return names;
  for (const e of fs.readdirSync(nodeModules, { withFileTypes: true })) {
    if (!e.isDirectory() || e.name.startsWith(".")) continue;
    const dirs = e.name.startsWith("@")
      ? fs.readdirSync(path.join(nodeModules, e.name)).map((s) => path.join(nodeModules, e.name, s))
      : [path.join(nodeModules, e.name)];
    for (const d of dirs) {
      const manifest = path.join(d, "package.json");
      if (fs.existsSync(manifest)) names.push((JSON.parse(fs.readFileSync(manifest, "utf8")) as { name: string }).name);
      names.push(...installed(path.join(d, "node_modules")));
    }
  }
  return names;
}

const orgform = (args: string[], cwd = project) =>
  runCommand(process.execPath, [path.join(project, "node_modules", "orgform", "bin", "orgform.js"), ...args], { cwd, env: userEnv() });

beforeAll(async () => {
  dir = makeTempDir("consumer");
  const packed = await npm(["pack", "--ignore-scripts", "--json", "--pack-destination", dir], repoRoot);
  const tarball = path.join(dir, (JSON.parse(packed.stdout) as Array<{ filename: string }>)[0].filename);
  project = path.join(dir, "gitops-repo");
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "gitops-repo", version: "1.0.0", private: true }));
  await npm(["install", "--prefer-offline", "--ignore-scripts", tarball, PULUMI], project);
}, 240_000);

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("orgform installed alone in a GitOps repository", () => {
  it("pulls neither fastify nor better-sqlite3 nor the emulator", () => {
    const names = installed(path.join(project, "node_modules"));
    expect(names).toEqual(expect.arrayContaining(["orgform", "@pulumi/pulumi", "commander", "yaml"]));
    expect(names.filter((n) => /^(fastify|@fastify\/.*|better-sqlite3|@orgform\/emulator)$/.test(n))).toEqual([]);
  });

  it("validates a desired state with the installed CLI", async () => {
    fs.cpSync(path.join(repoRoot, "examples", "quickstart"), path.join(project, "orgs"), { recursive: true });
    const r = await orgform(["validate", "orgs"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("orgs: valid (cloudflare, 3 organizations, 2 files)\n");
    expect(r.code).toBe(0);
  });

  it("answers `orgform emulator` with the one sentence that says how to install it", async () => {
    const r = await orgform(["emulator", "--port", "0", "--db", ":memory:"]);
    expect(r.stderr).toBe(`orgform: ${EMULATOR_MISSING}\n`);
    expect(r.stdout).toBe("");
    expect(r.code).toBe(1);
    const help = await orgform(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/emulator\s+run the local emulator of the vendor APIs\s+\(needs @orgform\/emulator\)/);
  });
});

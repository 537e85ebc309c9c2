// Drives the real Pulumi CLI (built or found by scripts/ensure-pulumi) in throw-away workspaces:
// a local file backend, a private PULUMI_HOME, no update checks and no plugin downloads.
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const repoRoot = path.resolve(__dirname, "..", "..");
export const PASSPHRASE = "orgform-e2e-passphrase";

let engineDir: string | undefined;
/** The directory holding pulumi, its Node.js language host and shims (cached after the first call). */
export function pulumiBinDir(): string {
  engineDir ??= execFileSync(path.join(repoRoot, "scripts", "ensure-pulumi"), {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
  return engineDir;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Workspace {
  dir: string;
  env: NodeJS.ProcessEnv;
  /** Runs `pulumi ARGS` in the workspace; never throws on a non-zero exit. */
  pulumi(args: string[], opts?: { env?: NodeJS.ProcessEnv }): Promise<RunResult>;
  /** Like pulumi(), but fails with the full output when the exit code is not `expected`. */
  pulumiOk(args: string[], expected?: number): Promise<RunResult>;
}

export function makeTempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `orgform-${prefix}-`));
}

/** A workspace for a project in `dir`, with its state in a sibling `state/` folder. */
export function workspace(dir: string, extraEnv: NodeJS.ProcessEnv = {}): Workspace {
  const home = path.join(dir, "..", ".pulumi-home");
  const state = path.join(dir, "..", "state");
  fs.mkdirSync(home, { recursive: true });
  fs.mkdirSync(state, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${pulumiBinDir()}${path.delimiter}${process.env.PATH ?? ""}`,
    PULUMI_HOME: home,
    PULUMI_BACKEND_URL: `file://${state}`,
    PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_SKIP_CONFIRMATIONS: "true",
    NO_COLOR: "1",
    ...extraEnv,
  };
  const run = (args: string[], opts: { env?: NodeJS.ProcessEnv } = {}) =>
    runCommand("pulumi", [...args, "--non-interactive"], { cwd: dir, env: { ...env, ...opts.env } });
  return {
    dir,
    env,
    pulumi: run,
    async pulumiOk(args, expected = 0) {
      const r = await run(args);
      if (r.code !== expected) {
        throw new Error(
          `pulumi ${args.join(" ")} exited ${r.code}, expected ${expected}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`,
        );
      }
      return r;
    },
  };
}

export function runCommand(
  cmd: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Links the repository's @pulumi/pulumi into a project, so program and provider share one SDK. */
export function linkPulumiSdk(projectDir: string): void {
  const scope = path.join(projectDir, "node_modules", "@pulumi");
  fs.mkdirSync(scope, { recursive: true });
  fs.symlinkSync(path.join(repoRoot, "node_modules", "@pulumi", "pulumi"), path.join(scope, "pulumi"), "dir");
}

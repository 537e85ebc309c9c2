// `npm start [-- <config> [--seed <file>]]`: applies a desired state on the embedded emulator.
// Starts the emulator on a persistent database under .orgform/, points the config's backend at its
// dialect with the emulator's own credentials, and runs `pulumi up` with a local state backend, one
// stack per config (so switching configs never deletes the other's organizations). With no
// argument it is the Cloudflare quickstart (examples/quickstart). Run it again: no changes.
// Runs under scripts/ensure-pulumi, which puts the Pulumi engine on PATH.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { readSeedFile, startEmulator } from "@orgform/emulator";
import { hasErrors, loadConfig, renderDiagnostics } from "../provider/config";
import { emulatorCredentialEnv } from "./emulator-credentials";

const repoRoot = path.resolve(__dirname, "..", "..");
// Where the emulator database and the Pulumi state live (tests point it elsewhere).
const workDir = process.env.ORGFORM_QUICKSTART_DIR ? path.resolve(process.env.ORGFORM_QUICKSTART_DIR) : path.join(repoRoot, ".orgform");
const DEFAULT_CONFIG = "examples/quickstart";

/**
 * Runs one step. A quiet step keeps Pulumi's output and prints it only if the step fails: a
 * failing step always shows what Pulumi said (an "incorrect passphrase", a locked stack).
 */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, quiet = false): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: repoRoot, env, stdio: quiet ? ["ignore", "pipe", "pipe"] : "inherit" });
    let output = "";
    child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const status = code ?? 1;
      if (status !== 0) {
        if (quiet && output) process.stderr.write(output.endsWith("\n") ? output : `${output}\n`);
        console.error(`orgform quickstart: \`${cmd} ${args.join(" ")}\` failed (exit ${status}); nothing after it was run`);
      }
      resolve(status);
    });
  });
}

interface StateOrg {
  id: string;
  name: string;
  parent_id: string | null;
}

function printTree(orgs: StateOrg[], members: { org_id: string }[]): void {
  const children = (parent: string | null) => orgs.filter((o) => o.parent_id === parent).sort((a, b) => a.name.localeCompare(b.name));
  const walk = (parent: string | null, indent: string) => {
    for (const o of children(parent)) {
      const count = members.filter((m) => m.org_id === o.id).length;
      console.log(`${indent}${o.name}  (${o.id}, ${count} member${count === 1 ? "" : "s"})`);
      walk(o.id, `${indent}  `);
    }
  };
  walk(null, "  ");
}

/** One Pulumi stack per config: the default keeps its historical name. */
export function stackFor(config: string): string {
  if (config === DEFAULT_CONFIG) return "quickstart";
  return config.replace(/\.ya?ml$/i, "").replace(/[^A-Za-z0-9_.-]+/g, "-").replace(/^-+|-+$/g, "") || "quickstart";
}

/** A config's emulator seed, if it has one: `<dir>/emulator-seeds/<name>.yaml` beside the config. */
export function seedFor(config: string): string | undefined {
  const abs = path.resolve(repoRoot, config);
  const name = path.basename(abs).replace(/\.ya?ml$/i, "");
  const candidate = path.join(path.dirname(abs), "emulator-seeds", `${name}.yaml`);
  return fs.existsSync(candidate) ? candidate : undefined;
}

function parseArgs(argv: string[]): { config: string; seed?: string } {
  const args = [...argv];
  let seed: string | undefined;
  const positional: string[] = [];
  while (args.length) {
    const a = args.shift()!;
    if (a === "--seed") seed = args.shift();
    else positional.push(a);
  }
  const config = positional[0] ?? process.env.ORGFORM_QUICKSTART_CONFIG ?? DEFAULT_CONFIG;
  return { config: path.isAbsolute(config) ? path.relative(repoRoot, config) : config, ...(seed ? { seed } : {}) };
}

async function main(): Promise<void> {
  const { config, seed: seedArg } = parseArgs(process.argv.slice(2));
  const { config: desired, diagnostics } = loadConfig(path.resolve(repoRoot, config));
  if (!desired || hasErrors(diagnostics)) {
    console.error(`orgform quickstart: ${config} is not a valid desired state; nothing was applied:\n${renderDiagnostics(diagnostics)}`);
    process.exitCode = 1;
    return;
  }
  const backend = desired.backend;
  fs.mkdirSync(path.join(workDir, "state"), { recursive: true });
  fs.mkdirSync(path.join(workDir, "pulumi-home"), { recursive: true });
  const emulator = await startEmulator({ port: Number(process.env.ORGFORM_QUICKSTART_PORT ?? 0), db: path.join(workDir, "emulator.db") });
  const stack = stackFor(config);
  let code = 1;
  try {
    const endpoint = emulator.baseUrls[backend];
    if (!endpoint) throw new Error(`the emulator has no ${backend} dialect yet`);
    const seed = seedArg ?? seedFor(config);
    if (seed) {
      // Objects the config adopts must exist first; seeding is idempotent (matched by id or name).
      const result = emulator.runtime.seed(readSeedFile(seed));
      console.log(`orgform quickstart: seeded ${result.organizations.length} organization(s) from ${path.relative(repoRoot, seed)}`);
    }
    console.log(`orgform quickstart: emulator at ${emulator.url} (database ${path.relative(repoRoot, path.join(workDir, "emulator.db"))}), ${backend} desired state ${config}, stack ${stack}`);
    if (!process.env.PULUMI_CONFIG_PASSPHRASE) console.log("orgform quickstart: PULUMI_CONFIG_PASSPHRASE not set; using the quickstart's local passphrase");
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PULUMI_BACKEND_URL: `file://${path.join(workDir, "state")}`,
      PULUMI_HOME: path.join(workDir, "pulumi-home"),
      PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? "orgform-quickstart",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      // The emulator is the API: its endpoint and its (local, well-known) credentials, for this run only.
      ORGFORM_ENDPOINT: endpoint,
      ...emulatorCredentialEnv(backend, emulator),
    };
    code = await run("pulumi", ["stack", "select", "--create", stack, "--non-interactive"], env, true);
    if (code === 0) code = await run("pulumi", ["config", "set", "orgform:config", config, "--stack", stack], env);
    // --refresh: if the emulator's database was removed, state follows the API instead of lying.
    if (code === 0) code = await run("pulumi", ["up", "--yes", "--refresh", "--stack", stack, "--non-interactive"], env);
    if (code === 0) {
      const res = await fetch(`${emulator.url}/_admin/state?backend=${backend}`, {
        headers: { authorization: `Bearer ${emulator.credentials.adminToken}` },
      });
      const state = (await res.json()) as { organizations: StateOrg[]; members: { org_id: string }[] };
      console.log(`\nThe emulator now holds (${backend}):`);
      printTree(state.organizations, state.members);
      console.log(`\nRun the same command again: Pulumi reports no changes. Edit ${config} and run it to see an update.`);
    }
  } finally {
    await emulator.close();
  }
  process.exitCode = code;
}

if (require.main === module) {
  main().catch((err: Error) => {
    console.error(`orgform quickstart failed: ${err.message}`);
    process.exitCode = 1;
  });
}

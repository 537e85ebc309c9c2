// `npm start`: the quickstart against the embedded emulator. Starts the emulator on a persistent
// database under .orgform/, runs `pulumi up` of examples/quickstart with a local state backend,
// prints what the emulator then holds. Run it again: no changes.
// Runs under scripts/ensure-pulumi, which puts the Pulumi engine on PATH.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { startEmulator } from "../emulator";

const repoRoot = path.resolve(__dirname, "..", "..");
const workDir = path.join(repoRoot, ".orgform");
const STACK = "quickstart";

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, quiet = false): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: repoRoot, env, stdio: quiet ? "ignore" : "inherit" });
    child.on("error", reject);
    child.on("close", (code) => resolve(code ?? 1));
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

async function main(): Promise<void> {
  fs.mkdirSync(path.join(workDir, "state"), { recursive: true });
  fs.mkdirSync(path.join(workDir, "pulumi-home"), { recursive: true });
  const emulator = await startEmulator({ port: Number(process.env.ORGFORM_QUICKSTART_PORT ?? 0), db: path.join(workDir, "emulator.db") });
  const config = process.env.ORGFORM_QUICKSTART_CONFIG ?? "examples/quickstart";
  console.log(`orgform quickstart: emulator at ${emulator.url} (database .orgform/emulator.db), desired state ${config}`);
  if (!process.env.PULUMI_CONFIG_PASSPHRASE) console.log("orgform quickstart: PULUMI_CONFIG_PASSPHRASE not set; using the quickstart's local passphrase");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PULUMI_BACKEND_URL: `file://${path.join(workDir, "state")}`,
    PULUMI_HOME: path.join(workDir, "pulumi-home"),
    PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? "orgform-quickstart",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    // The emulator is the API: its endpoint and its (local, well-known) token, for this run only.
    ORGFORM_ENDPOINT: emulator.baseUrls.cloudflare,
    CLOUDFLARE_API_TOKEN: emulator.credentials.apiToken,
  };
  let code = 1;
  try {
    code = await run("pulumi", ["stack", "select", "--create", STACK, "--non-interactive"], env, true);
    if (code === 0) code = await run("pulumi", ["config", "set", "orgform:config", config, "--stack", STACK], env);
    // --refresh: if the emulator's database was removed, state follows the API instead of lying.
    if (code === 0) code = await run("pulumi", ["up", "--yes", "--refresh", "--stack", STACK, "--non-interactive"], env);
    if (code === 0) {
      const res = await fetch(`${emulator.url}/_admin/state?backend=cloudflare`, {
        headers: { authorization: `Bearer ${emulator.credentials.adminToken}` },
      });
      const state = (await res.json()) as { organizations: StateOrg[]; members: { org_id: string }[] };
      console.log("\nThe emulator now holds:");
      printTree(state.organizations, state.members);
      console.log("\nRun `npm start` again: Pulumi reports no changes. Edit examples/quickstart/*.yaml and run it to see an update.");
    }
  } finally {
    await emulator.close();
  }
  process.exitCode = code;
}

main().catch((err: Error) => {
  console.error(`orgform quickstart failed: ${err.message}`);
  process.exitCode = 1;
});

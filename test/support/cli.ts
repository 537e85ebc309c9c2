// `bin/orgform.js` spawned as a user runs it (over dist/, built by `npm ci` / `pretest`).
import * as path from "node:path";
import { runCommand, type RunResult } from "../e2e/harness";

export const repoRoot = path.resolve(__dirname, "..", "..");
export const orgformBin = path.join(repoRoot, "bin", "orgform.js");

export type CliResult = RunResult;

export function runOrgform(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliResult> {
  return runCommand(process.execPath, [orgformBin, ...args], { cwd: opts.cwd ?? repoRoot, env: opts.env ?? process.env });
}

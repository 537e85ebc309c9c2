import { Command } from "commander";
import { registerValidate } from "./validate";
import { registerGitops } from "./gitops";
import { registerEmulator } from "../../emulator/cli";

/** Builds the `orgform` command line; each subcommand lives in its own module. */
export function buildCli(): Command {
  const program = new Command("orgform")
    .description("Organizations, profiles and members as code (Pulumi dynamic provider + local emulator)")
    .showHelpAfterError();
  registerValidate(program);
  registerEmulator(program);
  registerGitops(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (err) {
    process.stderr.write(`orgform: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}

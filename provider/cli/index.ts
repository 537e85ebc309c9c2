import { Command } from "commander";
import { registerValidate } from "./validate";

/** Each command module and the subcommands it registers. */
const MODULES: ReadonlyArray<{ commands: readonly string[]; register: () => (program: Command) => void }> = [
  { commands: ["validate"], register: () => registerValidate },
  { commands: ["emulator"], register: () => (require("./emulator") as typeof import("./emulator")).registerEmulatorCommand },
  { commands: ["export", "plan", "up", "drift"], register: () => (require("./gitops") as typeof import("./gitops")).registerGitops },
];

/**
 * Builds the `orgform` command line; each subcommand lives in its own module. Given the
 * subcommand about to run, only its module is loaded: `orgform validate` in a pull-request check
 * does not load the emulator's server nor every backend (about 0.2 s of a run). The emulator is its
 * own package (@orgform/emulator), resolved by name only for `orgform emulator` (./emulator.ts).
 * `validate` is imported as usual (it is light, and the unit tests run it in-process from the
 * TypeScript sources, where a `require` of a relative module does not resolve); the others load on use.
 */
export function buildCli(subcommand?: string): Command {
  const program = new Command("orgform")
    .description("Organizations, profiles and members as code (Pulumi dynamic provider + local emulator)")
    .showHelpAfterError();
  const only = MODULES.find((m) => subcommand !== undefined && m.commands.includes(subcommand));
  for (const m of only ? [only] : MODULES) m.register()(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildCli(argv[2]).parseAsync(argv);
  } catch (err) {
    process.stderr.write(`orgform: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}

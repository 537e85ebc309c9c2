import type { Command } from "commander";

/** `orgform validate <file-or-dir> [--json]` (full implementation follows with provider/config). */
export function registerValidate(program: Command): void {
  program
    .command("validate")
    .description("Validate a desired-state YAML file or a directory of *.yaml files")
    .argument("<file-or-dir>", "a YAML file or a directory of *.yaml files")
    .option("--json", "print diagnostics as JSON")
    .action(() => {
      process.stderr.write("orgform validate: not implemented yet\n");
      process.exitCode = 2;
    });
}

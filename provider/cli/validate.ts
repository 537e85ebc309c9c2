import type { Command } from "commander";
import { escapeControls, hasErrors, renderDiagnostics } from "../config/diagnostics";
import { loadConfig } from "../config/load";

export interface ValidateOutput {
  valid: boolean;
  backend?: string;
  organizations?: number;
  files?: string[];
  diagnostics: ReturnType<typeof loadConfig>["diagnostics"];
}

/** Runs validation and returns what the command prints plus its exit code (testable without a process). */
export function runValidate(target: string, options: { json?: boolean; env?: Readonly<Record<string, string | undefined>> } = {}): { output: string; exitCode: number } {
  // Secret references to unset environment variables are warnings here: a pull-request check may
  // run without the secrets the program gets (where they are errors).
  const { config, diagnostics } = loadConfig(target, { env: options.env ?? process.env, unsetEnv: "warning" });
  const valid = !hasErrors(diagnostics);
  if (options.json) {
    const out: ValidateOutput = { valid, diagnostics };
    if (config) Object.assign(out, { backend: config.backend, organizations: config.organizations.length, files: config.files });
    return { output: `${JSON.stringify(out, null, 2)}\n`, exitCode: valid ? 0 : 1 };
  }
  const lines: string[] = [];
  const shown = escapeControls(target); // a file name can hold escape sequences as well as a file can
  if (diagnostics.length) lines.push(renderDiagnostics(diagnostics));
  if (valid && config) {
    const n = config.organizations.length;
    lines.push(`${shown}: valid (${config.backend}, ${n} organization${n === 1 ? "" : "s"}${config.files.length > 1 ? `, ${config.files.length} files` : ""})`);
  } else {
    const errors = diagnostics.filter((d) => d.severity === "error").length;
    lines.push(`${shown}: ${errors} error${errors === 1 ? "" : "s"}`);
  }
  return { output: `${lines.join("\n")}\n`, exitCode: valid ? 0 : 1 };
}

/** `orgform validate <file-or-dir> [--json]`: exit 0 when valid, 1 with diagnostics. */
export function registerValidate(program: Command): void {
  program
    .command("validate")
    .description("Validate a desired-state YAML file, or a directory of *.yaml files merged into one config")
    .argument("<file-or-dir>", "a YAML file or a directory of *.yaml files")
    .option("--json", "print {valid, diagnostics} as JSON")
    .action((target: string, options: { json?: boolean }) => {
      const { output, exitCode } = runValidate(target, options);
      (exitCode === 0 || options.json ? process.stdout : process.stderr).write(output);
      process.exitCode = exitCode;
    });
}

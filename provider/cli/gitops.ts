// `orgform export` and `orgform drift`: the live account as a desired state, and the desired
// state against the live account. Connection settings and credentials as every command takes
// them (flag > environment > YAML connection block > the vendor's default).
import * as fs from "node:fs";
import * as path from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import { openBackend } from "../backends";
import { hasErrors, renderDiagnostics } from "../config/diagnostics";
import { FLAG_NAMES, resolveConnection, type ConnectionFlags } from "../config/connection";
import { loadConfig } from "../config/load";
import { OrgformError } from "../core/errors";
import { isBackendName } from "../core/backends";
import { unusableBackend } from "../backends";
import { detectDrift } from "../gitops/drift";
import { exportDocument, renderExport, splitByRoot } from "../gitops/export";
import { readLive } from "../gitops/live";
import { renderDriftMarkdown, renderDriftText } from "../gitops/render";
import { progressReporter } from "./progress";

/** Exit codes of `orgform drift`: an error is never reported as drift, nor as no drift. */
export const DRIFT_EXIT = { none: 0, error: 1, drift: 2 } as const;

/** The connection flags every command that talks to an API takes (one per setting and credential part). */
export function addConnectionOptions(command: Command, options: { backend: boolean }): Command {
  for (const [setting, flag] of Object.entries(FLAG_NAMES)) {
    if (setting === "backend" && !options.backend) continue;
    command.option(`${flag} <value>`, setting === "backend" ? "backend (or ORGFORM_BACKEND)" : setting === "endpoint" ? "full base URL of the API (or ORGFORM_ENDPOINT)" : `credential part ${setting} (prefer the environment)`);
  }
  return command;
}

function connectionFlags(opts: Record<string, unknown>): ConnectionFlags {
  const flags: Record<string, string> = {};
  for (const setting of Object.keys(FLAG_NAMES)) if (typeof opts[setting] === "string") flags[setting] = opts[setting] as string;
  return flags as ConnectionFlags;
}

function usable(backend: string): void {
  const unusable = unusableBackend(backend);
  if (unusable) throw new OrgformError("UNSUPPORTED", unusable);
}

function write(out: string | undefined, text: string): void {
  if (!out) process.stdout.write(text);
  else {
    fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
    fs.writeFileSync(out, text);
  }
}

const EXPORT_HEADER = "# Exported by `orgform export`";

export interface ExportCommandOptions extends Record<string, unknown> {
  org?: string[];
  out?: string;
  splitByOrg?: boolean;
  quiet?: boolean;
}

export async function runExport(opts: ExportCommandOptions): Promise<void> {
  const connection = resolveConnection({ flags: connectionFlags(opts), env: process.env });
  usable(connection.backend);
  if (opts.splitByOrg && !opts.out) throw new OrgformError("VALIDATION", "--split-by-org writes one file per root organization: give --out <directory>");
  const backend = openBackend(connection, `export-${process.pid}`);
  const progress = progressReporter("export", { quiet: opts.quiet });
  let snapshot;
  try {
    snapshot = await readLive(backend, { select: opts.org, onProgress: (p) => progress.update(p) });
  } finally {
    progress.stop();
  }
  if (snapshot.unknownSelections.length) {
    throw new OrgformError("NOT_FOUND", `no organization has the id or name ${snapshot.unknownSelections.map((s) => JSON.stringify(s)).join(", ")}; nothing was written`);
  }
  const options = { backend: connection.backend, authoritative: !opts.org?.length };
  const organizations = exportDocument(snapshot, options);
  if (!opts.splitByOrg) {
    write(opts.out, renderExport(organizations, options));
    return;
  }
  const dir = opts.out!;
  fs.mkdirSync(dir, { recursive: true });
  const files = splitByRoot(organizations);
  // Files an earlier export wrote for organizations that are gone go too; nothing else is touched.
  for (const f of fs.readdirSync(dir)) {
    if (!/\.ya?ml$/.test(f) || files.has(f)) continue;
    const text = fs.readFileSync(path.join(dir, f), "utf8");
    if (text.startsWith(EXPORT_HEADER)) fs.rmSync(path.join(dir, f));
  }
  for (const [file, entries] of files) fs.writeFileSync(path.join(dir, file), renderExport(entries, options));
  if (files.size === 0) fs.writeFileSync(path.join(dir, "organizations.yaml"), renderExport([], options));
}

export interface DriftCommandOptions extends Record<string, unknown> {
  config: string;
  format?: "text" | "json" | "markdown";
  out?: string;
  quiet?: boolean;
}

/** Runs drift detection; returns the exit code (0 none, 2 drift); errors throw (exit 1). */
export async function runDrift(opts: DriftCommandOptions): Promise<number> {
  const { config, diagnostics } = loadConfig(opts.config);
  if (!config || hasErrors(diagnostics)) {
    throw new OrgformError("VALIDATION", `the desired state in ${opts.config} is invalid; nothing was sent to the API:\n${renderDiagnostics(diagnostics)}`);
  }
  usable(config.backend);
  const connection = resolveConnection({ flags: connectionFlags(opts), env: process.env, file: { backend: config.backend, ...config.connection } });
  const backend = openBackend(connection, `drift-${process.pid}`);
  const progress = progressReporter("drift", { quiet: opts.quiet || opts.format === "json" && !opts.out });
  let report;
  try {
    report = await detectDrift(config, backend, { onProgress: (p) => progress.update(p) });
  } finally {
    progress.stop();
  }
  const format = opts.format ?? "text";
  const text = format === "json" ? `${JSON.stringify(report, null, 2)}\n` : format === "markdown" ? renderDriftMarkdown(report) : renderDriftText(report);
  write(opts.out, text);
  return report.drift ? DRIFT_EXIT.drift : DRIFT_EXIT.none;
}

function backendOf(v: string): string {
  if (!isBackendName(v)) throw new InvalidArgumentError("is not a backend (cloudflare, zenml, commercelayer, cloudomation, aiaengine)");
  return v;
}

export function registerGitops(program: Command): void {
  const exportCommand = program
    .command("export")
    .description("Write the live account as a desired state: every organization adopted by id, export-only fields under status")
    .addOption(new Option("--org <id-or-name...>", "only these organizations and everything below them (repeatable)"))
    .option("--out <file-or-dir>", "write here instead of stdout (a directory with --split-by-org)")
    .option("--split-by-org", "one file per root organization")
    .option("--quiet", "no progress on stderr");
  addConnectionOptions(exportCommand, { backend: true });
  exportCommand.action(async (opts: ExportCommandOptions) => {
    if (typeof opts.backend === "string") backendOf(opts.backend);
    await runExport(opts);
  });

  const driftCommand = program
    .command("drift")
    .description("Compare the desired state with the live API (no Pulumi state): exit 0 no drift, 2 drift, 1 error")
    .requiredOption("--config <file-or-dir>", "the desired state")
    .addOption(new Option("--format <format>", "report format").choices(["text", "json", "markdown"]).default("text"))
    .option("--out <file>", "write the report here instead of stdout")
    .option("--quiet", "no progress on stderr");
  addConnectionOptions(driftCommand, { backend: false });
  driftCommand.action(async (opts: DriftCommandOptions) => {
    try {
      process.exitCode = await runDrift(opts);
    } catch (err) {
      // An error is never drift nor no drift.
      process.stderr.write(`orgform drift: ${(err as Error).message}\n`);
      process.exitCode = DRIFT_EXIT.error;
    }
  });
}

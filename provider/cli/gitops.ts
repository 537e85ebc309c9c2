// `orgform export` and `orgform drift`: the live account as a desired state, and the desired
// state against the live account. Connection settings and credentials as every command takes
// them (flag > environment > YAML connection block > the vendor's default).
import * as fs from "node:fs";
import * as path from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import { openBackend } from "../backends";
import { withDeploymentCache } from "../backends/deployment-cache";
import { hasErrors, renderDiagnostics } from "../config/diagnostics";
import { FLAG_NAMES, resolveConnection, type Connection, type ConnectionFlags } from "../config/connection";
import { loadConfig } from "../config/load";
import { OrgformError } from "../core/errors";
import { BACKENDS, isBackendName } from "../core/backends";
import { unusableBackend } from "../backends";
import { detectDrift } from "../gitops/drift";
import { exportDocument, exportedConnection, renderExport, splitByRoot } from "../gitops/export";
import { readLive } from "../gitops/live";
import { renderDriftMarkdown, renderDriftText } from "../gitops/render";
import { progressReporter } from "./progress";
import { checkOut, configPaths, inspect, splitFolderRefusal, withHeader, yamlFilesOf, type ConfigPaths, type OutFormat } from "./out-file";
import { DEFAULT_MAX_DELETE_SHARE, parseShare } from "../gitops/guards";

/** Exit codes of `orgform drift`: an error is never reported as drift, nor as no drift. */
export const DRIFT_EXIT = { none: 0, error: 1, drift: 2 } as const;

/** The connection flags every command that talks to an API takes (one per setting and credential part). */
export function addConnectionOptions(command: Command, options: { backend: boolean }): Command {
  for (const [setting, flag] of Object.entries(FLAG_NAMES)) {
    if (setting === "backend" && !options.backend) continue;
    command.option(`${flag} <value>`, setting === "backend" ? `backend: ${BACKENDS.join(", ")} (or ORGFORM_BACKEND)` : setting === "endpoint" ? "full base URL of the API (or ORGFORM_ENDPOINT)" : `credential part ${setting} (prefer the environment)`);
  }
  return command;
}

/**
 * The backend a read of the whole account goes through: the deployment cache, so that what the
 * bulk list of organizations already holds (profiles, on Cloudflare) is not read again one by one.
 */
function readThroughCache(connection: Connection, name: string) {
  return withDeploymentCache(openBackend(connection, name), { bulkReads: connection.bulkReads });
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

/**
 * Writes a command's output: to stdout, or to `--out` (checked again just before writing: the
 * check before any API call may be minutes old). A report written to a file carries orgform's
 * header (`withHeader`), so that the next run recognises it as its own.
 */
function write(out: string | undefined, text: string, options: { config?: ConfigPaths; force?: boolean; report?: { command: string; format: OutFormat } } = {}): void {
  if (!out) {
    process.stdout.write(text);
    return;
  }
  checkOut(out, options);
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  fs.writeFileSync(out, options.report ? withHeader(options.report.command, options.report.format, text) : text);
}

export interface ExportCommandOptions extends Record<string, unknown> {
  org?: string[];
  out?: string;
  splitByOrg?: boolean;
  quiet?: boolean;
  /** Overwrite an --out file orgform did not write. */
  force?: boolean;
}

/** `--split-by-org`: the folder is a folder, and holds no config but earlier exports. */
function checkSplitFolder(dir: string): void {
  const { existing } = inspect(dir);
  if (existing.kind === "none") return;
  if (existing.kind !== "directory") throw new OrgformError("VALIDATION", `--split-by-org writes into a folder, and ${dir} is ${existing.kind === "file" ? "a file" : existing.what}; nothing was written`);
  const refusal = splitFolderRefusal(dir, yamlFilesOf(dir));
  if (refusal) throw new OrgformError("VALIDATION", `${refusal}; nothing was written`);
}

export async function runExport(opts: ExportCommandOptions): Promise<void> {
  const connection = resolveConnection({ flags: connectionFlags(opts), env: process.env });
  usable(connection.backend);
  if (opts.splitByOrg && !opts.out) throw new OrgformError("VALIDATION", "--split-by-org writes one file per root organization: give --out <directory>");
  // Before any call to the API: a refused --out costs nothing.
  if (opts.splitByOrg) checkSplitFolder(opts.out!);
  else if (opts.out) checkOut(opts.out, { force: opts.force });
  const backend = readThroughCache(connection, `export-${process.pid}`);
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
  // Where it was read from, unless the vendor's default: drift of the export reads the same account.
  const tokenUrl = "tokenUrl" in connection.credentials ? (connection.credentials as { tokenUrl?: string }).tokenUrl : undefined;
  const recorded = exportedConnection(connection.backend, connection.endpoint, tokenUrl);
  const options = { backend: connection.backend, authoritative: !opts.org?.length, ...(recorded ? { connection: recorded } : {}) };
  const organizations = exportDocument(snapshot, options);
  if (!opts.splitByOrg) {
    write(opts.out, renderExport(organizations, options), { force: opts.force });
    return;
  }
  const dir = opts.out!;
  checkSplitFolder(dir);
  fs.mkdirSync(dir, { recursive: true });
  const files = splitByRoot(organizations);
  // Files an earlier export wrote for organizations that are gone go too; nothing else is touched.
  // (checkSplitFolder made sure every *.yaml there is an earlier export)
  for (const f of yamlFilesOf(dir)) if (f.orgform && !files.has(f.name)) fs.rmSync(path.join(dir, f.name));
  for (const [file, entries] of files) fs.writeFileSync(path.join(dir, file), renderExport(entries, options));
  if (files.size === 0) fs.writeFileSync(path.join(dir, "organizations.yaml"), renderExport([], options));
}

export interface DriftCommandOptions extends Record<string, unknown> {
  config: string;
  /** Match organizations by the ids in this stack's state (else by adopt, then name). */
  stack?: string;
  cwd?: string;
  format?: "text" | "json" | "markdown";
  out?: string;
  quiet?: boolean;
  force?: boolean;
}

/** Runs drift detection; returns the exit code (0 none, 2 drift); errors throw (exit 1). */
export async function runDrift(opts: DriftCommandOptions): Promise<number> {
  const { config, diagnostics } = loadConfig(opts.config);
  if (!config || hasErrors(diagnostics)) {
    throw new OrgformError("VALIDATION", `the desired state in ${opts.config} is invalid; nothing was sent to the API:\n${renderDiagnostics(diagnostics)}`);
  }
  usable(config.backend);
  const paths = configPaths(opts.config, config.files);
  if (opts.out) checkOut(opts.out, { config: paths, force: opts.force });
  const connection = resolveConnection({ flags: connectionFlags(opts), env: process.env, file: { backend: config.backend, ...config.connection } });
  const backend = readThroughCache(connection, `drift-${process.pid}`);
  const progress = progressReporter("drift", { quiet: opts.quiet || opts.format === "json" && !opts.out });
  let report;
  try {
    const stateIds = opts.stack ? await (planModule().stateOrganizationIds({ cwd: opts.cwd ?? process.cwd(), stack: opts.stack })) : undefined;
    report = await detectDrift(config, backend, { onProgress: (p) => progress.update(p), ...(stateIds ? { stateIds } : {}) });
  } finally {
    progress.stop();
  }
  const format = opts.format ?? "text";
  const text = format === "json" ? `${JSON.stringify(report, null, 2)}\n` : format === "markdown" ? renderDriftMarkdown(report) : renderDriftText(report);
  write(opts.out, text, { config: paths, force: opts.force, report: { command: "drift", format } });
  return report.drift ? DRIFT_EXIT.drift : DRIFT_EXIT.none;
}

export interface PlanCommandOptions {
  stack: string;
  cwd?: string;
  format?: "text" | "markdown" | "json";
  out?: string;
  refresh?: boolean;
  force?: boolean;
}

/** `orgform plan`: the stack's preview, field by field; exit 0 (with or without changes), 1 on error. */
/** The plan module (the resource handlers, the Automation API) is loaded by the commands that use it. */
const planModule = () => require("../gitops/plan") as typeof import("../gitops/plan");

export async function runPlan(opts: PlanCommandOptions): Promise<void> {
  const { previewPlan, renderPlanMarkdown, renderPlanText } = planModule();
  if (opts.out) checkOut(opts.out, { force: opts.force });
  const plan = await previewPlan({ cwd: opts.cwd ?? process.cwd(), stack: opts.stack, refresh: opts.refresh });
  const text = opts.format === "markdown" ? renderPlanMarkdown(plan) : opts.format === "json" ? `${JSON.stringify(plan, null, 2)}\n` : renderPlanText(plan);
  write(opts.out, text, { force: opts.force, report: { command: "plan", format: opts.format ?? "text" } });
}

export interface UpCommandOptions {
  stack: string;
  cwd?: string;
  maxDeleteShare?: number;
  refresh?: boolean;
}

/** `orgform up`: the same preview, refused when it deletes too many managed organizations, else `pulumi up`. */
export async function runUp(opts: UpCommandOptions): Promise<void> {
  const { renderPlanText, upWithGuard } = planModule();
  const { plan, summary } = await upWithGuard({
    cwd: opts.cwd ?? process.cwd(),
    stack: opts.stack,
    refresh: opts.refresh,
    maxDeleteShare: opts.maxDeleteShare,
    onOutput: (t: string) => process.stderr.write(t),
  });
  process.stdout.write(renderPlanText(plan));
  process.stdout.write(`${summary}\n`);
}

function shareOf(v: string): number {
  const share = parseShare(v);
  if (share === undefined) throw new InvalidArgumentError("must be a share between 0 and 1 (e.g. 0.5 or 50%)");
  return share;
}

function backendOf(v: string): string {
  if (!isBackendName(v)) throw new InvalidArgumentError(`--backend ${JSON.stringify(v)} is not a backend (one of ${BACKENDS.join(", ")})`);
  return v;
}

export function registerGitops(program: Command): void {
  const exportCommand = program
    .command("export")
    .description("Write the live account as a desired state: every organization adopted by id, export-only fields under status")
    .addOption(new Option("--org <id-or-name...>", "only these organizations and everything below them (repeatable)"))
    .option("--out <file-or-dir>", "write here instead of stdout (a directory with --split-by-org)")
    .option("--split-by-org", "one file per root organization")
    .option("--force", "overwrite an --out file orgform did not write")
    .option("--quiet", "no progress on stderr");
  addConnectionOptions(exportCommand, { backend: true });
  exportCommand.action(async (opts: ExportCommandOptions) => {
    if (typeof opts.backend === "string") backendOf(opts.backend);
    await runExport(opts);
  });

  program
    .command("plan")
    .description("Preview the stack through Pulumi's Automation API and show, field by field, what pulumi up would change")
    .requiredOption("--stack <name>", "the Pulumi stack")
    .option("--cwd <dir>", "the project directory (holding Pulumi.yaml)", process.cwd())
    .addOption(new Option("--format <format>", "report format").choices(["text", "markdown", "json"]).default("text"))
    .option("--out <file>", "write the plan here instead of stdout")
    .option("--force", "overwrite an --out file orgform did not write")
    .option("--refresh", "refresh the state from the API first")
    .action(async (opts: PlanCommandOptions) => runPlan(opts));

  program
    .command("up")
    .description(`Preview, refuse when more than --max-delete-share of the managed organizations would be deleted, else pulumi up`)
    .requiredOption("--stack <name>", "the Pulumi stack")
    .option("--cwd <dir>", "the project directory (holding Pulumi.yaml)", process.cwd())
    .option("--max-delete-share <share>", `the share of managed organizations one run may delete (default ${DEFAULT_MAX_DELETE_SHARE})`, shareOf)
    .option("--refresh", "refresh the state from the API first")
    .action(async (opts: UpCommandOptions) => runUp(opts));

  const driftCommand = program
    .command("drift")
    .description("Compare the desired state with the live API (no Pulumi state): exit 0 no drift, 2 drift, 1 error")
    .requiredOption("--config <file-or-dir>", "the desired state")
    .addOption(new Option("--format <format>", "report format").choices(["text", "json", "markdown"]).default("text"))
    .option("--out <file>", "write the report here instead of stdout (never a file of --config)")
    .option("--force", "overwrite an --out file orgform did not write")
    .option("--quiet", "no progress on stderr")
    .option("--stack <name>", "match organizations by the ids in this stack's state, as the engine does (default: by adopt, then name)")
    .option("--cwd <dir>", "with --stack: the project directory (holding Pulumi.yaml)", process.cwd());
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

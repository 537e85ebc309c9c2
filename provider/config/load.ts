/**
 * Desired state in YAML -> `{ config, diagnostics }`. This file reads the files (one, or every
 * *.yaml / *.yml of a directory, sorted, not recursive) and runs the stages, one file each in
 * stages/:
 *   1. parse.ts       parse with positions; what makes YAML hostile stops that file;
 *   2. structure.ts   the structure (structure.ts, by ajv), files merged into a `RawConfig`;
 *      inline-secrets.ts  inline secrets anywhere;
 *      fields.ts      the backend's fields (schemas/<backend>/*.schema.json);
 *   3. references.ts  keys, previous keys, parents, adoptions, members across files;
 *   4. policy.ts      the backend's capability matrix;
 *   5. defaults.ts    what the YAML leaves out, into the `Config`.
 * Every problem is collected; `config` is returned only when no error was found.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { capabilitiesOf } from "../core/capabilities";
import { type Diagnostic, type DiagnosticCode, hasErrors, sortDiagnostics } from "./diagnostics";
import type { Config } from "./model";
import { withDefaults } from "./stages/defaults";
import { checkFields } from "./stages/fields";
import { type InlineSource, parseFiles } from "./stages/parse";
import { checkPolicy } from "./stages/policy";
import { checkReferences } from "./stages/references";
import { Reporter, finalDiagnostics } from "./stages/report";
import { type SecretOptions, scanSecrets } from "./stages/inline-secrets";
import { checkStructure } from "./stages/structure";

export type { InlineSource };
export type { RawConfig } from "./stages/structure";

export interface LoadResult {
  config?: Config;
  diagnostics: Diagnostic[];
}

/** How secret references are checked against an environment (stages/inline-secrets.ts). */
export type LoadOptions = SecretOptions;

/** Loads a YAML file or a directory of *.yaml files. Never throws for bad input. */
export function loadConfig(fileOrDir: string, options: LoadOptions = {}): LoadResult {
  const target = statTarget(fileOrDir);
  if ("diagnostic" in target) return { diagnostics: [target.diagnostic] };
  let files: string[];
  if (target.stat.isDirectory()) {
    files = fs
      .readdirSync(fileOrDir)
      .filter((f) => /\.ya?ml$/i.test(f))
      .sort()
      .map((f) => path.join(fileOrDir, f));
    if (files.length === 0) {
      return { diagnostics: [fileDiagnostic(fileOrDir, "no-yaml-files", `directory ${fileOrDir} holds no *.yaml file`)] };
    }
  } else {
    files = [fileOrDir];
  }
  const sources: InlineSource[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const file of files) {
    // Each file is looked at before it is opened: opening a FIFO blocks until someone writes to it.
    const each = file === fileOrDir ? target : statTarget(file);
    if ("diagnostic" in each) {
      diagnostics.push(each.diagnostic);
      continue;
    }
    if (!each.stat.isFile()) {
      diagnostics.push(fileDiagnostic(file, "not-a-file", `cannot read ${file}: it is ${kindOf(each.stat)}, not a regular file`));
      continue;
    }
    try {
      sources.push({ file, bytes: fs.readFileSync(file) });
    } catch (err) {
      diagnostics.push(fileDiagnostic(file, "file-not-found", `cannot read ${file}: ${reasonOf(err)}`));
    }
  }
  if (diagnostics.length === 0) return loadConfigSources(sources, options);
  // A file that could not be read may be the one naming the backend: no "missing backend" on top.
  const rest = loadConfigSources(sources, options).diagnostics.filter((d) => d.code !== "missing-backend");
  return { diagnostics: sortDiagnostics([...diagnostics, ...rest]) };
}

/** What a path is (symbolic links followed), or the diagnostic saying why it cannot be read. */
function statTarget(file: string): { stat: fs.Stats } | { diagnostic: Diagnostic } {
  try {
    return { stat: fs.statSync(file) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ELOOP") return { diagnostic: fileDiagnostic(file, "symlink-loop", `cannot read ${file}: it is a symbolic link that loops (it leads back to itself, ELOOP)`) };
    if (code === "ENOENT" && isSymlink(file)) return { diagnostic: fileDiagnostic(file, "file-not-found", `cannot read ${file}: it is a symbolic link to ${fs.readlinkSync(file)}, which does not exist`) };
    return { diagnostic: fileDiagnostic(file, "file-not-found", `cannot read ${file}: ${reasonOf(err)}`) };
  }
}

function isSymlink(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

function kindOf(stat: fs.Stats): string {
  if (stat.isFIFO()) return "a named pipe (FIFO)";
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return "a device";
  if (stat.isSocket()) return "a socket";
  if (stat.isDirectory()) return "a directory";
  return "something else";
}

/** The reason of a file-system error in words (never a stack). */
function reasonOf(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file or directory";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "ENOTDIR") return "a part of the path is not a directory";
  if (code === "EISDIR") return "it is a directory";
  return code ?? (err as Error).message;
}

/** Loads one YAML text (tests, editors). */
export function loadConfigText(text: string, file = "<inline>.yaml", options: LoadOptions = {}): LoadResult {
  return loadConfigSources([{ file, text }], options);
}

/** Loads several YAML texts as one config (the files of a directory), stage by stage. */
export function loadConfigSources(inputs: readonly InlineSource[], options: LoadOptions = {}): LoadResult {
  const reporter = new Reporter();
  const parsed = parseFiles(inputs, reporter);
  const raw = checkStructure(parsed, reporter);
  scanSecrets(parsed.files, raw.backend, reporter);
  // Without a backend there are no fields, capabilities nor organizations to check.
  if (!raw.backend) return { diagnostics: finalDiagnostics(reporter.collected()) };
  const organizations = checkFields(raw, raw.backend, options, reporter);
  const byKey = checkReferences(organizations, capabilitiesOf(raw.backend), reporter);
  checkPolicy(organizations, byKey, raw.backend, reporter);
  const diagnostics = finalDiagnostics(reporter.collected());
  if (hasErrors(diagnostics)) return { diagnostics };
  return { config: withDefaults(raw, raw.backend, organizations), diagnostics };
}

function fileDiagnostic(file: string, code: DiagnosticCode, message: string): Diagnostic {
  return { file, line: 1, column: 1, path: "", code, message, severity: "error" };
}

/**
 * What every stage shares: where a value came from (a file and a YAML node), and the list the
 * stages add their diagnostics to. Problems are collected, never thrown: all of them at once.
 */
import type { Node } from "yaml";
import type { Problem } from "../../core/schema";
import { DIAGNOSTIC_CODES, Diagnostic, DiagnosticCode, Severity, escapeControls, formatPath, sortDiagnostics } from "../diagnostics";
import { PathSegment, SourceFile, navigate } from "../source";

/** What a value's shape is said to break (never a string's own problem, nor a secret). */
const WITHDRAWABLE = new Set<DiagnosticCode>(["wrong-type", "pattern-mismatch", "too-short", "too-long", "not-allowed-value", "unknown-field", "missing-required", "invalid-format", "schema-violation", "read-only"]);

export class Reporter {
  readonly diagnostics: Diagnostic[] = [];

  report(source: SourceFile, node: Node | null | undefined, path: ReadonlyArray<PathSegment>, code: DiagnosticCode, message: string, severity: Severity = "error"): void {
    this.diagnostics.push(source.diagnostic(node, path, code, message, severity));
  }

  add(...diagnostics: Diagnostic[]): void {
    for (const d of diagnostics) this.diagnostics.push(d);
  }

  /**
   * Schema problems of a value (`validateDeclared`), each at its YAML node: an unknown or read-only
   * key where the key is written, a missing one at the mapping that lacks it, others at the value.
   */
  problems(source: SourceFile, container: unknown, base: ReadonlyArray<PathSegment>, problems: readonly Problem[]): void {
    for (const problem of problems) {
      const nav = navigate(source, container, problem.path);
      const at = problem.code === "unknown-field" || problem.code === "read-only" ? (nav.keyNode ?? nav.node) : nav.node;
      const code: DiagnosticCode = problem.code in DIAGNOSTIC_CODES ? (problem.code as DiagnosticCode) : "schema-violation";
      this.report(source, at, [...base, ...nav.path], code, problem.message);
    }
  }

  /**
   * What the structure and fields stages said at or below this path is taken back (at the end): a
   * part the backend does not have is reported once, as such, not also for what it holds.
   */
  supersede(file: string, path: ReadonlyArray<PathSegment>): void {
    this.superseded.set(`${file}\u0000${formatPath(path)}`, this.diagnostics.length);
  }

  /** Superseded places, with how many diagnostics had been reported then (those after are the refusal's own). */
  private readonly superseded = new Map<string, number>();

  /** The diagnostics, without those a refusal superseded. */
  collected(): Diagnostic[] {
    if (this.superseded.size === 0) return this.diagnostics;
    return this.diagnostics.filter((d, i) => !WITHDRAWABLE.has(d.code) || !ancestors(d.path).some((p) => i < (this.superseded.get(`${d.file}\u0000${p}`) ?? -1)));
  }
}

/**
 * Sorted; one diagnostic per place and code; a string's own problem (a control character, a blank
 * value) hides what the schema says about the same value; messages safe for a terminal.
 */
export function finalDiagnostics(all: readonly Diagnostic[]): Diagnostic[] {
  const at = (d: Diagnostic): string => `${d.file}\u0000${d.line}:${d.column}\u0000${d.path}`;
  const stringProblem = new Set(all.filter((d) => d.code === "control-character" || d.code === "blank-string").map(at));
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const d of all) {
    const place = at(d);
    if (stringProblem.has(place) && d.code !== "control-character" && d.code !== "blank-string") continue;
    const id = `${place}\u0000${d.code}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({ ...d, path: escapeControls(d.path), message: escapeControls(d.message) });
  }
  return sortDiagnostics(out);
}

/** A key or name as a message shows it: long ones cut. */
export function shown(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** A path and the paths above it: `a.b[0].c`, `a.b[0]`, `a.b`, `a`. */
function ancestors(path: string): string[] {
  const out = [path];
  for (let i = path.length - 1; i > 0; i--) if (path[i] === "." || path[i] === "[") out.push(path.slice(0, i));
  return out;
}

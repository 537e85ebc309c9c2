/**
 * Diagnostics of the desired-state loader. Every code is stable (tests and users depend on it)
 * and documented in README.md next to this file.
 */
import { BACKENDS } from "../core/backends";

/** Every diagnostic code with a one-line meaning (README.md shows the same table). */
export const DIAGNOSTIC_CODES = {
  // files and YAML
  "file-not-found": "The file or directory given does not exist or cannot be read.",
  "not-a-file": "The path (or a *.yaml of the directory) is a named pipe (FIFO), a device or a socket, not a regular file: refused without opening it.",
  "symlink-loop": "The path is a symbolic link that loops (leads back to itself).",
  "no-yaml-files": "The directory holds no *.yaml / *.yml file.",
  "yaml-syntax": "The file is not valid YAML.",
  "duplicate-yaml-key": "The same key appears twice in one YAML mapping.",
  "invalid-encoding": "The file is not UTF-8 (e.g. UTF-16, or Latin-1 bytes); a UTF-8 BOM is fine.",
  "yaml-multiple-documents": "The file holds more than one YAML document (a second `---`); one document per file.",
  "yaml-too-deep": "Lists and mappings nested deeper than 64 levels.",
  "yaml-unknown-tag": "A YAML tag other than the core ones (e.g. `!secret name`, `!!binary`).",
  "yaml-undefined-alias": "An alias (`*name`) with no anchor (`&name`) before it.",
  "yaml-recursive-alias": "An alias inside the value its anchor names (a value that contains itself).",
  "yaml-alias-limit": "Aliases expand the file far beyond its size (nested aliases, an \"alias bomb\").",
  "control-character": "A string with NUL, another control character, a terminal escape (ESC) or a bidi override; a line break or tab in a key or name.",
  // structure and schema
  "unknown-field": "A key orgform does not know (with a \"did you mean\" when one is close).",
  "wrong-type": "A value of the wrong type (e.g. a list where a mapping is expected).",
  "missing-required": "A required setting or field is missing.",
  "invalid-format": "A value that is not a valid email, uri, uuid or date-time.",
  "not-allowed-value": "A value outside the allowed set (an enum, e.g. a role name).",
  "too-short": "A string shorter than the schema allows.",
  "too-long": "A string longer than the schema allows.",
  "pattern-mismatch": "A string that does not match the schema's pattern (e.g. #RRGGBB colours, keys).",
  "schema-violation": "Any other schema rule (e.g. duplicate items in a list that must be unique; numeric bounds).",
  "read-only": "An export-only or internal (neither) field set by the user.",
  "inline-secret": "A credential written in YAML (a secret-looking key or value, credentials in a URL).",
  "invalid-secret-reference": "A secret reference that is malformed (not exactly one of {env: NAME} or {config: key}, a bad name), or on a key where none is allowed (the member schema has no sensitive import-only field of that name).",
  "unset-secret-reference": "A secret reference to an environment variable that is not set (an error where the program runs; a warning from orgform validate, which may run without the secrets).",
  "blank-string": "A value of an organization made only of whitespace or invisible characters.",
  "edge-whitespace": "A name that begins or ends with whitespace (the emulator refuses it; a vendor that trims it would show drift on every run).",
  // backend and connection
  "missing-backend": "No file names the backend.",
  "unknown-backend": `The backend is not one of ${BACKENDS.join(", ")}.`,
  "conflicting-backend": "Two files of one directory name different backends.",
  "conflicting-connection": "Two files set the same connection setting to different values.",
  // organizations
  "duplicate-key": "Two organizations have the same key (previousKeys included).",
  "duplicate-name": "Two sibling organizations have the same name where the vendor requires unique names (compared in Unicode NFC, and case-insensitively where the vendor does); where names may repeat, two organizations created under one name without allowDuplicateName on each.",
  "duplicate-member": "The same email is listed twice among one organization's members.",
  "too-few-admins": "An organization's members leave fewer administrators than its members.minAdmins.",
  "no-member-roles": "A member declares a role where the backend's members have no roles (capabilities.json members.roles: false): remove role.",
  "admins-not-applicable": "members.minAdmins where members have no roles: no member is an administrator, so minAdmins and the last-administrator guard cannot apply (a warning, given once).",
  "duplicate-adoption": "Two organizations adopt the same live organization.",
  "unknown-parent": "parent names a key no organization has.",
  "cyclic-parent": "Following parent leads back to the organization itself.",
  "conflicting-parent": "Both parent (a key) and parent_id (a literal id) are set.",
  "unguarded-adoption": "A warning: the backend has no field for orgform's ownership marker, so two stacks adopting this organization cannot be told apart.",
  "invalid-adopt": "adopt must name exactly one of id or name.",
  // capability matrix
  "unsupported-create": "The backend cannot create organizations: this one must be adopted.",
  "unsupported-hierarchy": "The backend has no sub-organizations, so neither parent nor parent_id can be set.",
  "unsupported-profile": "The backend has no organization profile.",
  "unsupported-members": "The backend has no organization members.",
  "too-many-organizations": "More organizations than one credential may hold on this backend.",
  "too-many-creates": "More organizations created for one owner than the backend lets an owner create (adopted ones do not count).",
} as const;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;
export type Severity = "error" | "warning";

export interface Diagnostic {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** Where in the document, e.g. `organizations[1].members.items[0].role` ("" for the file). */
  path: string;
  code: DiagnosticCode;
  message: string;
  severity: Severity;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** Sorted by file, line, column, then code (stable output). */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) => (a.file === b.file ? 0 : a.file.localeCompare(b.file)) || a.line - b.line || a.column - b.column || a.code.localeCompare(b.code) || a.path.localeCompare(b.path),
  );
}

/** `file:line:column: error[code] path: message`, one per line. */
export function renderDiagnostic(d: Diagnostic): string {
  return escapeControls(`${d.file}:${d.line}:${d.column}: ${d.severity}[${d.code}]${d.path ? ` ${d.path}` : ""}: ${d.message}`);
}

/**
 * Control characters, line breaks and bidi controls as `\u001b` escapes: text from a hostile file
 * (a key, a file name) must not drive the terminal of whoever reads a diagnostic.
 */
export function escapeControls(text: string): string {
  return text.replace(/[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export function renderDiagnostics(diagnostics: readonly Diagnostic[]): string {
  return sortDiagnostics(diagnostics).map(renderDiagnostic).join("\n");
}

/** Formats a path as `organizations[0].members.items[1].role`. */
export function formatPath(segments: ReadonlyArray<string | number>): string {
  let out = "";
  for (const s of segments) {
    if (typeof s === "number") out += `[${s}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(s)) out += out ? `.${s}` : s;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

/**
 * Stage 2, structure: each file's content checked by ajv against the structure of a desired-state
 * file (structure.ts, the backend-independent part of schemas/config.schema.json), each ajv error
 * mapped back to the YAML node it is about (`file:line:column` and the path), then the files merged
 * into one `RawConfig`: one backend, one connection, the organizations of every file.
 *
 * What fails its check is reported and left out (an array item as a hole, so later items keep
 * their index), so that the rest is typed as written (`RawDocument`) and still checked by the
 * later stages: every problem of a config at once.
 */
import type { ErrorObject, ValidateFunction } from "ajv";
import { isAlias, type Node, type YAMLMap } from "yaml";
import { BACKENDS, type BackendName } from "../../core/backends";
import { ajv, describeType, precompiledValidator } from "../../core/schema";
import { suggest } from "../../core/suggest";
import { configStructureSchema } from "../config-schema";
import { urlProblem } from "../connection";
import { formatPath } from "../diagnostics";
import { PATTERN_WORDS, type ConnectionSettings } from "../model";
import { isSecretKey, secretValueKind } from "../secrets";
import { PathSegment, SourceFile, isMap, isSeq, navigate } from "../source";
import type { RawDocument, RawOrganization } from "../structure";
import type { Parsed } from "./parse";
import { Reporter, shown } from "./report";
import { credentialHint } from "./inline-secrets";

/** An organization entry whose structure passed, and where it is written. */
export interface RawOrganizationEntry<Value = RawOrganization> {
  value: Value;
  source: SourceFile;
  node: YAMLMap;
  /** Its index in its file's `organizations` list. */
  index: number;
}

/** The YAML as written, structure checked, the files merged. */
export interface RawConfig {
  backend?: BackendName;
  connection: ConnectionSettings;
  authoritative: boolean;
  organizations: RawOrganizationEntry[];
  /** Entries that passed but for their key: their fields are checked, nothing can refer to them. */
  keyless: Array<RawOrganizationEntry<Omit<RawOrganization, "key">>>;
  /** The files read, in load order. */
  files: string[];
}

/** The name the build precompiles the structure validator under (scripts/build-validators.ts). */
export const STRUCTURE_VALIDATOR = "config/structure";

let structureSchema: Record<string, unknown> | undefined;
let validator: ValidateFunction | undefined;

function validateStructure(data: unknown): ErrorObject[] {
  const validate = (validator ??= precompiledValidator(STRUCTURE_VALIDATOR) ?? ajv().compile((structureSchema ??= configStructureSchema())));
  validate(data);
  return validate.errors ?? [];
}

export function checkStructure(parsed: Parsed, reporter: Reporter): RawConfig {
  let unusable = parsed.unusable;
  const documents: Array<{ source: SourceFile; root: YAMLMap; document: RawDocument }> = [];
  for (const { source, root } of parsed.files) {
    if (!root) continue; // an empty file
    const document = checkFile(source, root, reporter);
    if (document) documents.push({ source, root: root as YAMLMap, document });
    else unusable = true;
  }
  const raw: RawConfig = { connection: {}, authoritative: false, organizations: [], keyless: [], files: parsed.sources.map((s) => s.file) };
  let backendFile: string | undefined;
  for (const { source, root, document } of documents) {
    if (document.backend === undefined) continue;
    if (raw.backend === undefined) {
      raw.backend = document.backend;
      backendFile = source.file;
    } else if (raw.backend !== document.backend) {
      reporter.report(source, navigate(source, root, ["backend"]).node, ["backend"], "conflicting-backend", `backend "${document.backend}" conflicts with "${raw.backend}" in ${backendFile}: one config, one backend`);
    }
  }
  const connectionFile = new Map<string, string>();
  for (const { source, root, document } of documents) {
    for (const [setting, url] of Object.entries(document.connection ?? {}) as Array<[keyof ConnectionSettings, string]>) {
      const p = ["connection", setting];
      const node = navigate(source, root, p).node;
      const problem = urlProblem(url, setting);
      if (problem?.kind === "credential") {
        // Reported once: the secret scan may have named the same value already.
        if (!secretValueKind(url)) reporter.report(source, node, p, "inline-secret", `${setting} ${problem.message}: never write credentials in YAML; use ${credentialHint(raw.backend)}`);
      } else if (problem) {
        const got = problem.message === "must be a full http(s) URL" ? ` (got ${JSON.stringify(url.length > 80 ? `${url.slice(0, 77)}...` : url)})` : "";
        reporter.report(source, node, p, "invalid-format", `${setting} ${problem.message}${got}`);
      } else if (raw.connection[setting] !== undefined && raw.connection[setting] !== url) {
        reporter.report(source, node, p, "conflicting-connection", `${setting} conflicts with the value set in ${connectionFile.get(setting)}`);
      } else if (raw.connection[setting] === undefined) {
        raw.connection[setting] = url;
        connectionFile.set(setting, source.file);
      }
    }
    raw.authoritative ||= document.authoritative === true;
    const list = navigate(source, root, ["organizations"]).node;
    document.organizations?.forEach((value, index) => {
      if (value === undefined || !isSeq(list)) return;
      const node = source.resolve(list.items[index]);
      // (a flow pair in the list, `[a: 1]`, reads as a mapping but is no mapping node)
      if (!isMap(node)) reporter.report(source, node, ["organizations", index], "wrong-type", `organizations[${index}] must be a mapping`);
      else if (typeof value.key === "string") raw.organizations.push({ value, source, node, index });
      else raw.keyless.push({ value, source, node, index });
    });
  }
  const reported = (code: string) => reporter.diagnostics.some((d) => d.code === code);
  if (!raw.backend && !unusable && !reported("unknown-backend") && !reported("yaml-syntax") && !reported("duplicate-yaml-key")) {
    const first = parsed.sources[0];
    reporter.add({ file: first?.file ?? "<none>", line: 1, column: 1, path: "backend", code: "missing-backend", message: `no file names the backend; add "backend: <${BACKENDS.join(" | ")}>"`, severity: "error" });
  }
  return raw;
}

/** One file's content against the structure: its typed remainder, or undefined when it is not a mapping at all. */
function checkFile(source: SourceFile, root: Node, reporter: Reporter): RawDocument | undefined {
  const data = source.toJS(root);
  const prune: PathSegment[][] = [];
  for (const finding of [...aliasedOrganizations(source, root), ...findings(validateStructure(data), data, source, root)]) {
    if (finding.report) reporter.report(source, finding.report.node, finding.report.path, finding.report.code, finding.report.message);
    if (finding.prune) prune.push(finding.prune);
  }
  if (!isMap(root)) return undefined;
  // What is left out may leave its container without a required key (`items:` with no list):
  // checked again, such containers go too, silently (their cause is reported).
  let document = pruned(data, prune);
  for (let round = 0; round < 8 && prune.length > 0; round++) {
    prune.length = 0;
    for (const finding of findings(validateStructure(document), document, source, root)) if (finding.prune) prune.push(finding.prune);
    document = pruned(document, prune);
  }
  return document as RawDocument;
}

interface Finding {
  /** What is left out of the typed document. */
  prune?: PathSegment[];
  /** What is said about it (nothing for a secret-looking key, which the secret scan reports). */
  report?: { node: Node | null; path: PathSegment[]; code: Parameters<Reporter["report"]>[3]; message: string };
}

/** An alias of another item of the organizations list repeats that organization whole, key included. */
function aliasedOrganizations(source: SourceFile, root: Node): Finding[] {
  const list = isMap(root) ? source.resolve(source.entry(root, "organizations")?.value) : null;
  if (!isSeq(list)) return [];
  const listed = new Map<unknown, number>();
  list.items.forEach((item, index) => isAlias(item) || listed.set(item, index));
  const out: Finding[] = [];
  list.items.forEach((item, index) => {
    const original = isAlias(item) ? listed.get(source.resolve(item)) : undefined;
    if (original === undefined) return;
    const message = `this alias repeats organizations[${original}] whole, key included: declare each organization once (an alias can share a value such as metadata, not an organization)`;
    out.push({ prune: ["organizations", index], report: { node: item as Node, path: ["organizations", index], code: "duplicate-key", message } });
  });
  return out;
}

type SchemaNode = { type?: string | string[]; properties?: object; additionalProperties?: unknown; items?: SchemaNode };

const TYPE_WORDS: Record<string, string> = { string: "a string", number: "a number", integer: "a whole number", boolean: "true or false", null: "null" };
const PLURAL_WORDS: Record<string, string> = { object: "mappings", array: "lists", string: "strings", number: "numbers", integer: "whole numbers", boolean: "booleans" };

/** What a schema node takes, in words: "a list of mappings", "a mapping (endpoint, tokenUrl)", "true or false". */
function typePhrase(node: SchemaNode): string {
  const types = Array.isArray(node.type) ? node.type : node.type ? [node.type] : [];
  // (null where something else is accepted too is the same as leaving the key out)
  const named = types.length > 1 ? types.filter((t) => t !== "null") : types;
  return named
    .map((t) => {
      if (t === "array") return `a list${typeof node.items?.type === "string" && PLURAL_WORDS[node.items.type] ? ` of ${PLURAL_WORDS[node.items.type]}` : ""}`;
      if (t !== "object") return TYPE_WORDS[t] ?? t;
      const keys = Object.keys(node.properties ?? {});
      return `a mapping${node.additionalProperties === false && keys.length > 0 && keys.length <= 5 ? ` (${keys.join(", ")})` : ""}`;
    })
    .join(" or ");
}

/** ajv's errors as findings, each at the YAML node it is about. */
function findings(errors: ErrorObject[], data: unknown, source: SourceFile, root: Node): Finding[] {
  const out: Finding[] = [];
  for (const e of chosenBranches(errors, data)) {
    const base = pointerSegments(e.instancePath);
    const value = valueAt(data, base);
    const p = e.params as Record<string, unknown>;
    const at = (segments: string[]) => navigate(source, root, segments);
    const label = labelOf(at(base).path);
    if (e.keyword === "required") {
      const missing = String(p.missingProperty);
      const nav = at(base);
      const description = (subschema(e.schemaPath.replace(/\/required$/, `/properties/${missing}`)) as { description?: string } | undefined)?.description;
      const why = description ? ` (${description.charAt(0).toLowerCase()}${description.slice(1).replace(/\.$/, "")})` : "";
      // An organization without its key cannot be referred to, but its fields can still be checked: kept.
      const keyless = missing === "key" && nav.path.length === 2 && nav.path[0] === "organizations";
      out.push({ ...(keyless ? {} : { prune: nav.path }), report: { node: nav.node, path: [...nav.path, missing], code: "missing-required", message: `"${missing}" is required${why}` } });
    } else if (e.keyword === "additionalProperties") {
      const extra = String(p.additionalProperty);
      const nav = at([...base, extra]);
      if (isSecretKey(extra)) {
        out.push({ prune: nav.path });
        continue;
      }
      const known = Object.keys((subschema(e.schemaPath.replace(/\/additionalProperties$/, "")) as { properties?: object } | undefined)?.properties ?? {});
      const hint = suggest(extra, known);
      const where = base.length ? `${label} setting` : "top-level key";
      out.push({ prune: nav.path, report: { node: nav.keyNode ?? nav.node, path: nav.path, code: "unknown-field", message: `unknown ${where} "${shown(extra)}"` + (hint ? `; did you mean "${hint}"?` : "") } });
    } else {
      const nav = at(base);
      out.push({ prune: nav.path, report: { node: nav.node, path: nav.path, ...valueProblem(e, label, value) } });
    }
  }
  return out;
}

/** What is wrong with a value (type, enum, pattern, length, bound), in the user's words. */
function valueProblem(e: ErrorObject, label: string, value: unknown): { code: Parameters<Reporter["report"]>[3]; message: string } {
  const p = e.params as Record<string, unknown>;
  const got = typeof value === "string" ? ` (got ${JSON.stringify(shown(value))})` : "";
  switch (e.keyword) {
    case "type": {
      // (a value of no branch's type: every branch named)
      const node = subschema(e.schemaPath.replace(/\/type$/, "")) as SchemaNode | SchemaNode[] | undefined;
      const phrases = (Array.isArray(node) ? node : node ? [node] : []).map(typePhrase);
      return { code: "wrong-type", message: `${label} must be ${phrases.join(" or ") || String(p.type)}` };
    }
    case "enum": {
      const allowed = (p.allowedValues as unknown[]).map(String);
      if (label === "backend") {
        if (typeof value !== "string") return { code: "wrong-type", message: `backend must be one of ${allowed.join(", ")}` };
        const hint = suggest(value, allowed);
        return { code: "unknown-backend", message: `unknown backend "${value}"; expected one of ${allowed.join(", ")}` + (hint ? ` (did you mean "${hint}"?)` : "") };
      }
      return { code: "not-allowed-value", message: `${label} must be one of ${allowed.join(", ")} (got ${JSON.stringify(value)})` };
    }
    case "pattern":
      return { code: "pattern-mismatch", message: `${label} must be ${PATTERN_WORDS[String(p.pattern)] ?? `like ${String(p.pattern)}`}${got}` };
    case "minLength":
      return { code: "too-short", message: `${label} must not be empty` };
    case "minimum":
      return { code: "schema-violation", message: `${label} must be ${String(p.limit)} or more (got ${JSON.stringify(value)})` };
    default:
      return { code: "schema-violation", message: `${label} ${e.message ?? `violates ${e.keyword}`} (got ${describeType(value)})` };
  }
}

/**
 * A `oneOf` (members: a list or a mapping) is judged by the branch of the value's own type: only
 * that branch's errors count. A value of neither type is one error, naming both.
 */
function chosenBranches(errors: ErrorObject[], data: unknown): ErrorObject[] {
  let out = errors;
  for (const o of errors.filter((e) => e.keyword === "oneOf")) {
    const branches = (subschema(o.schemaPath) ?? []) as Array<{ type?: string }>;
    const value = valueAt(data, pointerSegments(o.instancePath));
    const match = branches.findIndex((b) => b.type === jsonType(value) || (b.type === "number" && jsonType(value) === "integer"));
    const keep = `${o.schemaPath}/${match}/`;
    const inBranch = (e: ErrorObject) => e.schemaPath.startsWith(`${o.schemaPath}/`) && (e.instancePath === o.instancePath || e.instancePath.startsWith(`${o.instancePath}/`));
    out = out.filter((e) => e !== o && (!inBranch(e) || (match >= 0 && e.schemaPath.startsWith(keep))));
    if (match < 0) out.push({ ...o, keyword: "type", params: { type: branches.map((b) => b.type).join(",") } });
  }
  return out;
}

function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

/** The subschema of the structure an ajv `schemaPath` (`#/properties/...`) names. */
function subschema(schemaPath: string): unknown {
  let cur: unknown = (structureSchema ??= configStructureSchema());
  for (const seg of pointerSegments(schemaPath.replace(/^#/, ""))) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

/** How a message names a value: its path within its organization (`members.mode`), else within the file. */
function labelOf(path: PathSegment[]): string {
  if (path.length === 0) return "a desired-state file";
  const inOrganization = path[0] === "organizations" && typeof path[1] === "number" && path.length > 2;
  return formatPath(inOrganization ? path.slice(2) : path);
}

function pointerSegments(pointer: string): string[] {
  return pointer ? pointer.split("/").slice(1).map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~")) : [];
}

function valueAt(root: unknown, path: readonly string[]): unknown {
  let cur = root;
  for (const seg of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

/**
 * The value without what is at `paths`: containers along them are copied, nothing else (values
 * shared through aliases stay shared); an array keeps a hole where an item was.
 */
function pruned(value: unknown, paths: readonly PathSegment[][]): unknown {
  if (paths.some((p) => p.length === 0)) return undefined;
  if (paths.length === 0 || value === null || typeof value !== "object") return value;
  const byHead = new Map<string, PathSegment[][]>();
  for (const [head, ...rest] of paths) byHead.set(String(head), [...(byHead.get(String(head)) ?? []), rest]);
  if (Array.isArray(value)) {
    const copy = [...value];
    for (const [head, rest] of byHead) if (Number(head) < copy.length) copy[Number(head)] = pruned(copy[Number(head)], rest);
    return copy;
  }
  const copy = { ...(value as Record<string, unknown>) };
  for (const [head, rest] of byHead) {
    if (!Object.prototype.hasOwnProperty.call(copy, head)) continue;
    const kept = pruned(copy[head], rest);
    if (kept === undefined) delete copy[head];
    else copy[head] = kept;
  }
  return copy;
}

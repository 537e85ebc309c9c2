/**
 * Desired state in YAML -> `{ config, diagnostics }`, in stages:
 *   1. read: one file, or every *.yaml / *.yml of a directory (sorted, not recursive);
 *   2. parse each file keeping positions (yaml LineCounter); syntax errors stop that file;
 *   3. scan for inline secrets;
 *   4. validate structure and fields against the backend schemas (all problems at once);
 *   5. merge files, resolve references (parent, previousKeys), check the capability matrix;
 *   6. fill defaults (members mode, default role, protect).
 * `config` is returned only when no error was found.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Node, YAMLMap } from "yaml";
import { BACKENDS, BackendName, isBackendName } from "../core/backends";
import { Capabilities, capabilitiesOf, membersHaveRoles } from "../core/capabilities";
import { namesMayRepeat } from "../core/name-check";
import { Problem, ResourceSchema, declarableFields, hasSchema, schemaFor, validateDeclared } from "../core/schema";
import { isAdminRole, memberRoles, noMemberRoles } from "../core/roles";
import { Suggester, suggest } from "../core/suggest";
import { urlProblem } from "./connection";
import { DIAGNOSTIC_CODES, Diagnostic, DiagnosticCode, escapeControls, hasErrors, sortDiagnostics } from "./diagnostics";
import {
  ADOPT_IDENTITY_KEYS,
  ADOPT_KEYS,
  CONNECTION_KEYS,
  Config,
  ConnectionSettings,
  KEY_PATTERN,
  MEMBERS_KEYS,
  MEMBERS_MODES,
  CONFIG_KEY_PATTERN,
  ENV_NAME_PATTERN,
  MemberDecl,
  MembersMode,
  SECRET_REF_KEYS,
  SecretRef,
  ORGANIZATION_KEYS,
  OrganizationDecl,
  SourceRef,
  TOP_LEVEL_KEYS,
} from "./model";
import { isSecretKey, secretValueKind } from "./secrets";
import { PathSegment, SourceFile, decodeUtf8, entries, isAlias, keyText, isMap, isScalar, isSeq, navigate, setOwn } from "./source";

export interface LoadResult {
  config?: Config;
  diagnostics: Diagnostic[];
}

export interface LoadOptions {
  /**
   * The environment secret references (`{env: NAME}`) are checked against: a name it does not set
   * is `unset-secret-reference`. Not given: references are checked for shape only.
   */
  env?: Readonly<Record<string, string | undefined>>;
  /** How an unset environment variable is reported: `error` (default; the program) or `warning` (`orgform validate`). */
  unsetEnv?: "error" | "warning";
}

/** A file's text, or its bytes (decoded as UTF-8 and refused if they are not). */
export type InlineSource = { file: string; text: string } | { file: string; bytes: Uint8Array };

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

/** Loads several YAML texts as one config (the files of a directory). */
export function loadConfigSources(inputs: readonly InlineSource[], options: LoadOptions = {}): LoadResult {
  const loader = new Loader(options);
  for (const input of inputs) {
    if ("text" in input) {
      loader.readFile(new SourceFile(input.file, input.text));
      continue;
    }
    const decoded = decodeUtf8(input.bytes);
    if ("text" in decoded) loader.readFile(new SourceFile(input.file, decoded.text));
    else loader.unreadable({ file: input.file, line: decoded.line, column: decoded.column, path: "", code: "invalid-encoding", message: decoded.message, severity: "error" });
  }
  return loader.finish();
}

function fileDiagnostic(file: string, code: DiagnosticCode, message: string): Diagnostic {
  return { file, line: 1, column: 1, path: "", code, message, severity: "error" };
}

interface Located<T> {
  value: T;
  node: Node | null;
  source: SourceFile;
}

interface RawOrganization {
  source: SourceFile;
  index: number;
  node: YAMLMap;
  key?: Located<string>;
  previousKeys: Array<Located<string>>;
  parent?: Located<string> & { keyNode: Node };
  nameNode?: Node;
  adopt?: { id?: Located<string>; name?: Located<string> };
  decl: Partial<OrganizationDecl>;
  members?: MemberDecl[];
  /** `parent_id` was written (a literal parent id, or null). */
  hasParentId: boolean;
}

class Loader {
  private readonly diagnostics: Diagnostic[] = [];
  private readonly sources: SourceFile[] = [];
  private backend?: Located<string>;
  private readonly connection = new Map<string, Located<string>>();
  private readonly pendingOrgs: Array<{ source: SourceFile; index: number; node: unknown }> = [];
  /** A file was not a mapping, or not readable YAML: do not add "missing backend" on top. */
  private unusable = false;
  /** `authoritative: true` in any file. */
  private authoritative = false;

  constructor(private readonly options: LoadOptions = {}) {}

  /** Whether the warning that minAdmins cannot apply was given (once per load). */
  private noAdminsWarned = false;

  private report(source: SourceFile, node: Node | null | undefined, p: ReadonlyArray<PathSegment>, code: DiagnosticCode, message: string): void {
    this.diagnostics.push(source.diagnostic(node, p, code, message));
  }

  /** A file that could not be decoded. */
  unreadable(diagnostic: Diagnostic): void {
    this.diagnostics.push(diagnostic);
    this.unusable = true;
  }

  readFile(source: SourceFile): void {
    this.sources.push(source);
    const { doc } = source;
    if (source.fatal.length > 0) {
      // The first syntax error (later ones mostly repeat it), or every duplicate key, undefined alias, unknown tag.
      this.diagnostics.push(...source.fatal);
      this.unusable = true;
      return;
    }
    this.diagnostics.push(...source.stringProblems);
    const root = source.resolve(doc.contents);
    if (root === null || (isScalar(root) && (root.value === null || root.value === ""))) return; // empty file
    if (!isMap(root)) {
      this.unusable = true;
      this.report(source, root, [], "wrong-type", "a desired-state file is a mapping with backend, connection and organizations");
      return;
    }
    const backendEntry = entries(root).find((e) => e.key === "backend");
    if (backendEntry) this.readBackend(source, source.resolve(backendEntry.value));
    this.scanSecrets(source, root, []);
    for (const { key, keyNode, value } of entries(root)) {
      if (isSecretKey(key)) continue;
      const valueNode = source.resolve(value);
      switch (key) {
        case "backend":
          break; // read first, so that messages can name the backend's variables
        case "connection":
          this.readConnection(source, valueNode);
          break;
        case "organizations":
          if (valueNode === null || (isScalar(valueNode) && valueNode.value === null)) break;
          if (!isSeq(valueNode)) {
            this.report(source, valueNode, ["organizations"], "wrong-type", "organizations must be a list");
            break;
          }
          valueNode.items.forEach((item, index) => this.pendingOrgs.push({ source, index, node: item }));
          break;
        case "status":
          break; // written by export; ignored on apply
        case "authoritative":
          if (isScalar(valueNode) && typeof valueNode.value === "boolean") this.authoritative ||= valueNode.value;
          else this.report(source, valueNode, ["authoritative"], "wrong-type", "authoritative must be true or false");
          break;
        default:
          this.unknownKey(source, keyNode, [key], key, TOP_LEVEL_KEYS, "top-level key");
      }
    }
  }

  private unknownKey(source: SourceFile, keyNode: Node, p: PathSegment[], key: string, candidates: readonly string[], what: string, where = ""): void {
    const hint = suggest(key, candidates);
    const shown = key.length > 60 ? `${key.slice(0, 57)}...` : key;
    this.report(source, keyNode, p, "unknown-field", `unknown ${what} "${shown}"${where}` + (hint ? `; did you mean "${hint}"?` : ""));
  }

  private readBackend(source: SourceFile, node: Node | null): void {
    if (!isScalar(node) || typeof node.value !== "string") {
      this.report(source, node, ["backend"], "wrong-type", `backend must be one of ${BACKENDS.join(", ")}`);
      return;
    }
    const value = node.value;
    if (!isBackendName(value)) {
      const hint = suggest(value, BACKENDS);
      this.report(source, node, ["backend"], "unknown-backend", `unknown backend "${value}"; expected one of ${BACKENDS.join(", ")}` + (hint ? ` (did you mean "${hint}"?)` : ""));
      return;
    }
    if (this.backend && this.backend.value !== value) {
      this.report(source, node, ["backend"], "conflicting-backend", `backend "${value}" conflicts with "${this.backend.value}" in ${this.backend.source.file}: one config, one backend`);
      return;
    }
    if (!this.backend) this.backend = { value, node, source };
  }

  private readConnection(source: SourceFile, node: Node | null): void {
    if (!isMap(node)) {
      this.report(source, node, ["connection"], "wrong-type", "connection must be a mapping (endpoint, tokenUrl)");
      return;
    }
    for (const { key, keyNode, value } of entries(node)) {
      if (isSecretKey(key)) continue;
      const p = ["connection", key];
      if (!(CONNECTION_KEYS as readonly string[]).includes(key)) {
        this.unknownKey(source, keyNode, p, key, CONNECTION_KEYS, "connection setting");
        continue;
      }
      const valueNode = source.resolve(value);
      if (!isScalar(valueNode) || typeof valueNode.value !== "string") {
        this.report(source, valueNode, p, "wrong-type", `${key} must be a URL string`);
        continue;
      }
      const url = valueNode.value;
      const problem = urlProblem(url, key as "endpoint" | "tokenUrl");
      if (problem?.kind === "credential") {
        // Reported once: the secret scan may have named the same value already.
        if (!secretValueKind(url)) this.report(source, valueNode, p, "inline-secret", `${key} ${problem.message}: never write credentials in YAML; use ${this.credentialHint()}`);
        continue;
      }
      if (problem) {
        const shown = problem.message === "must be a full http(s) URL" ? ` (got ${JSON.stringify(url.length > 80 ? `${url.slice(0, 77)}...` : url)})` : "";
        this.report(source, valueNode, p, "invalid-format", `${key} ${problem.message}${shown}`);
        continue;
      }
      const previous = this.connection.get(key);
      if (previous && previous.value !== url) {
        this.report(source, valueNode, p, "conflicting-connection", `${key} conflicts with the value set in ${previous.source.file}`);
        continue;
      }
      if (!previous) this.connection.set(key, { value: url, node: valueNode, source });
    }
  }

  private credentialHint(): string {
    return this.backend ? envHint(this.backend.value as BackendName) : "the environment or Pulumi stack config (orgform:token, as a secret)";
  }

  /**
   * Reports secret-looking keys and values anywhere in the document (aliased values where their
   * anchor is). `p` is the path to `node`, extended and restored in place (every node of a large
   * file is visited; a copy is made only for a report).
   */
  private scanSecrets(source: SourceFile, node: unknown, p: PathSegment[]): void {
    if (isAlias(node)) return;
    const resolved = source.resolve(node);
    if (isMap(resolved)) {
      for (const pair of resolved.items) {
        const key = keyText(pair.key);
        p.push(key);
        if (!isSecretKey(key)) this.scanSecrets(source, pair.value, p);
        else if (!this.membersReadHere(p)) {
          // (where readMembers reads it, it reports it: a reference, or an inline value it refuses)
          this.report(source, pair.key as Node, [...p], "inline-secret", `"${key}" looks like a credential: never write credentials in YAML; use ${this.credentialHint()}`);
        }
        p.pop();
      }
    } else if (isSeq(resolved)) {
      for (let i = 0; i < resolved.items.length; i++) {
        p.push(i);
        this.scanSecrets(source, resolved.items[i], p);
        p.pop();
      }
    } else if (isScalar(resolved) && typeof resolved.value === "string") {
      const kind = secretValueKind(resolved.value);
      if (kind) this.report(source, resolved, [...p], "inline-secret", `this value looks like ${kind}: never write credentials in YAML`);
    }
  }

  /**
   * A key of a member item (`organizations[i].members[j].<key>` or `…members.items[j].<key>`) of a
   * backend whose members the loader reads: `readMembers` reports its secret-looking keys itself,
   * since one may be a secret reference to a sensitive field of the member schema.
   */
  private membersReadHere(p: PathSegment[]): boolean {
    const backend = this.backend?.value;
    if (!isBackendName(backend) || !capabilitiesOf(backend).members.supported || !hasSchema(backend, "member")) return false;
    const [o, i, m, a, b, c] = p;
    if (o !== "organizations" || typeof i !== "number" || m !== "members") return false;
    return (p.length === 5 && typeof a === "number") || (p.length === 6 && a === "items" && typeof b === "number" && typeof c === "string");
  }

  /**
   * A sensitive field's value in YAML: only a reference, `{env: NAME}` or `{config: key}`, never
   * the value. Reports what is wrong and answers the reference when it is one.
   */
  private readSecretRef(source: SourceFile, keyNode: Node, node: Node | null, p: PathSegment[], field: string): SecretRef | undefined {
    const how = `give a reference instead: ${field}: {env: NAME} (an environment variable) or ${field}: {config: key} (pulumi config set --secret key ...)`;
    if (!isMap(node)) {
      this.report(source, isScalar(node) ? node : keyNode, p, "inline-secret", `${field} is a secret: never write its value in YAML; ${how}`);
      return undefined;
    }
    const given = entries(node);
    let ref: SecretRef | undefined;
    let ok = true;
    for (const { key, keyNode: k, value } of given) {
      const vNode = source.resolve(value);
      if (!(SECRET_REF_KEYS as readonly string[]).includes(key)) {
        const hint = suggest(key, SECRET_REF_KEYS);
        this.report(source, k, [...p, key], "invalid-secret-reference", `a secret reference takes env or config, not "${key.length > 60 ? `${key.slice(0, 57)}...` : key}"` + (hint ? `; did you mean "${hint}"?` : ""));
        ok = false;
        continue;
      }
      const pattern = key === "env" ? ENV_NAME_PATTERN : CONFIG_KEY_PATTERN;
      if (!isScalar(vNode) || typeof vNode.value !== "string" || !new RegExp(pattern).test(vNode.value)) {
        const what = key === "env" ? "an environment variable name (letters, digits and _, not starting with a digit)" : "a stack config key, name or namespace:name";
        this.report(source, vNode ?? k, [...p, key], "invalid-secret-reference", `${field}.${key} must be ${what}`);
        ok = false;
        continue;
      }
      const at = source.at(vNode);
      const where: SourceRef = { file: source.file, line: at.line, column: at.column };
      ref = key === "env" ? { env: vNode.value, source: where } : { config: vNode.value, source: where };
    }
    const named = given.filter((e) => (SECRET_REF_KEYS as readonly string[]).includes(e.key)).length;
    if (named !== 1) {
      this.report(source, node, p, "invalid-secret-reference", `a secret reference names exactly one of env or config; ${how}`);
      return undefined;
    }
    if (!ok || !ref) return undefined;
    if ("env" in ref && this.options.env) {
      const value = this.options.env[ref.env];
      if (value === undefined || value === "") {
        const severity = this.options.unsetEnv ?? "error";
        this.diagnostics.push(
          source.diagnostic(navigate(source, node, ["env"]).node, [...p, "env"], "unset-secret-reference", `environment variable ${ref.env} (${field}) is not set`, severity),
        );
        if (severity === "error") return undefined;
      }
    }
    return ref;
  }

  finish(): { config?: Config; diagnostics: Diagnostic[] } {
    const backend = this.backend?.value as BackendName | undefined;
    if (!backend && !this.unusable && !this.diagnostics.some((d) => d.code === "unknown-backend" || d.code === "yaml-syntax" || d.code === "duplicate-yaml-key")) {
      const first = this.sources[0];
      this.diagnostics.push({
        file: first?.file ?? "<none>",
        line: 1,
        column: 1,
        path: "backend",
        code: "missing-backend",
        message: `no file names the backend; add "backend: <${BACKENDS.join(" | ")}>"`,
        severity: "error",
      });
    }
    const orgs: RawOrganization[] = [];
    if (backend) {
      const caps = capabilitiesOf(backend);
      // An alias of another item of the list repeats that organization whole, key included.
      const listed = new Map<unknown, number>();
      for (const pending of this.pendingOrgs) if (!isAlias(pending.node)) listed.set(pending.node, pending.index);
      for (const pending of this.pendingOrgs) {
        const original = isAlias(pending.node) ? listed.get(pending.source.resolve(pending.node)) : undefined;
        if (original !== undefined) {
          this.report(
            pending.source,
            pending.node as Node,
            ["organizations", pending.index],
            "duplicate-key",
            `this alias repeats organizations[${original}] whole, key included: declare each organization once (an alias can share a value such as metadata, not an organization)`,
          );
          continue;
        }
        const org = this.readOrganization(pending.source, pending.index, pending.node, backend, caps);
        if (org) orgs.push(org);
      }
      this.crossChecks(orgs, caps);
    }
    const diagnostics = finalDiagnostics(this.diagnostics);
    if (!backend || hasErrors(diagnostics)) return { diagnostics };
    const connection: ConnectionSettings = {};
    for (const [k, v] of this.connection) connection[k as keyof ConnectionSettings] = v.value;
    const organizations = orgs.map((o) => o.decl as OrganizationDecl);
    const config: Config = { backend, connection, organizations, files: this.sources.map((s) => s.file) };
    if (this.authoritative) config.authoritative = true;
    return { config, diagnostics };
  }

  private readOrganization(source: SourceFile, index: number, item: unknown, backend: BackendName, caps: Capabilities): RawOrganization | undefined {
    const base: PathSegment[] = ["organizations", index];
    const node = source.resolve(item);
    if (!isMap(node)) {
      this.report(source, node, base, "wrong-type", "an organization is a mapping with at least a key");
      return undefined;
    }
    const orgSchema = schemaFor(backend, "organization");
    const start = source.at(node);
    const sourceRef: SourceRef = { file: source.file, line: start.line, column: start.column };
    const org: RawOrganization = { source, index, node, previousKeys: [], decl: { previousKeys: [], fields: {}, protect: false, source: sourceRef }, hasParentId: false };
    const fieldEntries: Array<{ key: string; keyNode: Node; value: unknown }> = [];
    const keyRe = new RegExp(KEY_PATTERN);
    const asKey = (valueNode: Node | null, p: PathSegment[], what: string): string | undefined => {
      if (!isScalar(valueNode) || typeof valueNode.value !== "string") {
        this.report(source, valueNode, p, "wrong-type", `${what} must be a string`);
        return undefined;
      }
      if (!keyRe.test(valueNode.value)) {
        this.report(source, valueNode, p, "pattern-mismatch", `${what} must be 1-100 letters, digits, ".", "_" or "-", starting with a letter or digit (got ${JSON.stringify(valueNode.value)})`);
        return undefined;
      }
      return valueNode.value;
    };
    let adoptSeen = false;
    for (const { key, keyNode, value } of entries(node)) {
      if (isSecretKey(key)) continue;
      const p = [...base, key];
      const valueNode = source.resolve(value);
      switch (key) {
        case "key": {
          const k = asKey(valueNode, p, "key");
          if (k !== undefined) {
            org.key = { value: k, node: valueNode, source };
            org.decl.key = k;
          }
          break;
        }
        case "previousKeys": {
          if (!isSeq(valueNode)) {
            this.report(source, valueNode, p, "wrong-type", "previousKeys must be a list of keys");
            break;
          }
          valueNode.items.forEach((it, i) => {
            const itNode = source.resolve(it);
            const k = asKey(itNode, [...p, i], "a previous key");
            if (k !== undefined) org.previousKeys.push({ value: k, node: itNode, source });
          });
          org.decl.previousKeys = org.previousKeys.map((k) => k.value);
          break;
        }
        case "parent": {
          if (!caps.hierarchy.supported) {
            this.report(source, keyNode, p, "unsupported-hierarchy", `${caps.displayName} has no sub-organizations: remove parent`);
            break;
          }
          const k = asKey(valueNode, p, "parent");
          if (k !== undefined) {
            org.parent = { value: k, node: valueNode, source, keyNode };
            org.decl.parent = { key: k };
          }
          break;
        }
        case "parent_id": {
          if (!caps.hierarchy.supported) {
            this.report(source, keyNode, p, "unsupported-hierarchy", `${caps.displayName} has no sub-organizations: remove parent_id`);
            break;
          }
          org.hasParentId = true;
          const id = source.toJS(value);
          if (id !== null && typeof id !== "string") this.report(source, valueNode, p, "wrong-type", "parent_id must be the id of a live organization (a string), or null for the root");
          else if (id === "") this.report(source, valueNode, p, "too-short", "parent_id must not be empty");
          else if (!org.parent) org.decl.parent = { id };
          break;
        }
        case "profile":
          this.readProfile(source, p, keyNode, valueNode, backend, caps, org);
          break;
        case "members":
          this.readMembers(source, p, keyNode, valueNode, backend, caps, org);
          break;
        case "adopt":
          adoptSeen = true;
          this.readAdopt(source, p, valueNode, org);
          break;
        case "protect":
          if (!isScalar(valueNode) || typeof valueNode.value !== "boolean") {
            this.report(source, valueNode, p, "wrong-type", "protect must be true or false");
          } else org.decl.protect = valueNode.value;
          break;
        case "allowDuplicateName":
          if (!namesMayRepeat(caps)) {
            this.report(source, keyNode, p, "unknown-field", `allowDuplicateName does not apply to ${caps.displayName}: ${caps.organization.create ? "it keeps organization names unique" : "its organizations cannot be created"}`);
          } else if (!isScalar(valueNode) || typeof valueNode.value !== "boolean") {
            this.report(source, valueNode, p, "wrong-type", "allowDuplicateName must be true or false");
          } else if (valueNode.value) org.decl.allowDuplicateName = true;
          break;
        case "status":
          break; // written by export; ignored on apply
        default:
          fieldEntries.push({ key, keyNode, value });
      }
    }
    if (!org.key && !entries(node).some((e) => e.key === "key")) {
      this.report(source, node, [...base, "key"], "missing-required", "every organization needs a key (its stable Pulumi resource name)");
    }
    // Backend fields.
    const declarable = declarableFields(orgSchema).map((f) => f.name);
    const known: Record<string, unknown> = {};
    for (const { key, keyNode, value } of fieldEntries) {
      if (!orgSchema.field(key)) {
        this.unknownKey(source, keyNode, [...base, key], key, [...ORGANIZATION_KEYS, ...declarable], "field", ` for a ${backend} organization`);
        continue;
      }
      setOwn(known, key, source.toJS(value));
      if (key === "name") org.nameNode = source.resolve(value) ?? keyNode;
    }
    this.reportProblems(source, node, base, validateDeclared(orgSchema, known, { partial: adoptSeen }));
    for (const k of Object.keys(known)) if (declarable.includes(k)) org.decl.fields![k] = known[k];
    if (org.parent && org.hasParentId) {
      this.report(source, org.parent.keyNode, [...base, "parent"], "conflicting-parent", "set either parent (a key in this config) or parent_id (a literal id), not both");
    }
    return org;
  }

  private reportProblems(source: SourceFile, container: unknown, base: PathSegment[], problems: Problem[]): void {
    for (const problem of problems) {
      const nav = navigate(source, container, problem.path);
      const at = problem.code === "unknown-field" || problem.code === "read-only" ? (nav.keyNode ?? nav.node) : nav.node;
      const code: DiagnosticCode = problem.code in DIAGNOSTIC_CODES ? (problem.code as DiagnosticCode) : "schema-violation";
      this.report(source, at, [...base, ...nav.path], code, problem.message);
    }
  }

  private readProfile(source: SourceFile, p: PathSegment[], keyNode: Node, node: Node | null, backend: BackendName, caps: Capabilities, org: RawOrganization): void {
    if (!caps.profile.supported || !hasSchema(backend, "profile")) {
      this.report(source, keyNode, p, "unsupported-profile", `${caps.displayName} has no organization profile: remove profile`);
      return;
    }
    if (!isMap(node)) {
      this.report(source, node, p, "wrong-type", "profile must be a mapping of profile fields");
      return;
    }
    const value = this.withoutSecretKeys(source, node);
    this.reportProblems(source, node, p, validateDeclared(schemaFor(backend, "profile"), value, { partial: true }));
    org.decl.profile = value;
  }

  private withoutSecretKeys(source: SourceFile, node: YAMLMap): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const { key, value } of entries(node)) if (!isSecretKey(key)) setOwn(out, key, source.toJS(value));
    return out;
  }

  private readMembers(source: SourceFile, p: PathSegment[], keyNode: Node, node: Node | null, backend: BackendName, caps: Capabilities, org: RawOrganization): void {
    if (!caps.members.supported || !hasSchema(backend, "member")) {
      this.report(source, keyNode, p, "unsupported-members", `${caps.displayName} has no organization members: remove members`);
      return;
    }
    let mode: MembersMode = "additive";
    let minAdmins: { value: number; node: Node | null } | undefined;
    let itemsNode: Node | null = null;
    let itemsPath: PathSegment[] = p;
    if (isSeq(node)) {
      itemsNode = node;
    } else if (isMap(node)) {
      for (const { key, keyNode: k, value } of entries(node)) {
        const vNode = source.resolve(value);
        if (key === "mode") {
          if (isScalar(vNode) && typeof vNode.value === "string" && (MEMBERS_MODES as readonly string[]).includes(vNode.value)) mode = vNode.value as MembersMode;
          else this.report(source, vNode, [...p, "mode"], "not-allowed-value", `mode must be one of ${MEMBERS_MODES.join(", ")} (got ${JSON.stringify(source.toJS(vNode))})`);
        } else if (key === "minAdmins") {
          if (isScalar(vNode) && typeof vNode.value === "number" && Number.isInteger(vNode.value) && vNode.value >= 0) minAdmins = { value: vNode.value, node: vNode };
          else this.report(source, vNode, [...p, "minAdmins"], "wrong-type", `minAdmins must be a whole number, 0 or more (got ${JSON.stringify(source.toJS(vNode))})`);
        } else if (key === "items") {
          itemsNode = vNode;
          itemsPath = [...p, "items"];
        } else if (!isSecretKey(key)) {
          this.unknownKey(source, k, [...p, key], key, MEMBERS_KEYS, "members setting");
        }
      }
      if (itemsNode === null) {
        this.report(source, node, [...p, "items"], "missing-required", "members needs items: a list of {email, role}");
        return;
      }
    } else {
      this.report(source, node, p, "wrong-type", "members must be a list of {email, role}, or a mapping with mode and items");
      return;
    }
    if (!isSeq(itemsNode)) {
      this.report(source, itemsNode, itemsPath, "wrong-type", "members items must be a list of {email, role}");
      return;
    }
    const memberSchema = schemaFor(backend, "member");
    const seen = new Map<string, number>();
    const items: MemberDecl[] = [];
    itemsNode.items.forEach((raw, i) => {
      const itemNode = source.resolve(raw);
      const ip = [...itemsPath, i];
      if (!isMap(itemNode)) {
        this.report(source, itemNode, ip, "wrong-type", "a member is a mapping {email, role}");
        return;
      }
      // Sensitive import-only fields take a secret reference, never a value; other secret-looking keys are refused.
      const value: Record<string, unknown> = {};
      const secrets: Record<string, SecretRef> = {};
      let secretProblem = false;
      for (const { key, keyNode: k, value: v } of entries(itemNode)) {
        const field = memberSchema.field(key);
        const vNode = source.resolve(v);
        if (field?.sensitive && field.access === "import-only") {
          const ref = this.readSecretRef(source, k, vNode, [...ip, key], key);
          if (ref) secrets[key] = ref;
          else secretProblem = true;
        } else if (isSecretKey(key)) {
          secretProblem = true;
          if (!this.membersReadHere([...ip, key])) continue; // the scan reported it
          const sensitive = memberSchema.fields.filter((f) => f.sensitive && f.access === "import-only").map((f) => f.name);
          if (isMap(vNode) && entries(vNode).some((e) => (SECRET_REF_KEYS as readonly string[]).includes(e.key))) {
            const hint = suggest(key, sensitive);
            this.report(
              source,
              k,
              [...ip, key],
              "invalid-secret-reference",
              `${caps.displayName} members have no sensitive field "${key}" a secret reference could set` +
                (sensitive.length ? ` (they have ${sensitive.join(", ")})` : "") +
                (hint ? `; did you mean "${hint}"?` : ""),
            );
          } else {
            this.report(source, k, [...ip, key], "inline-secret", `"${key}" looks like a credential: never write credentials in YAML` + (sensitive.length ? `; a member's ${sensitive.join(", ")} takes a reference, {env: NAME} or {config: key}` : ""));
          }
        } else if (key === "role" && !membersHaveRoles(backend)) {
          // Members without roles (the capability matrix; the member schema has no `role`): one located refusal.
          this.report(source, k, [...ip, key], "no-member-roles", noMemberRoles(backend));
        } else setOwn(value, key, source.toJS(v));
      }
      const problems = validateDeclared(memberSchema, value);
      this.reportProblems(source, itemNode, ip, problems);
      const email = value.email;
      if (typeof email === "string") {
        const norm = email.trim().toLowerCase();
        const first = seen.get(norm);
        if (first !== undefined) {
          const emailNode = navigate(source, itemNode, ["email"]).node;
          this.report(source, emailNode, [...ip, "email"], "duplicate-member", `${email} is already listed as member ${first} of this organization`);
        } else seen.set(norm, i);
      }
      if (problems.length === 0 && !secretProblem && typeof email === "string") {
        const role = typeof value.role === "string" ? value.role : memberRoles(backend).defaultRole;
        const at = source.at(itemNode);
        items.push({ email, ...(role !== undefined ? { role } : {}), source: { file: source.file, line: at.line, column: at.column }, ...(Object.keys(secrets).length ? { secrets } : {}) });
      }
    });
    org.decl.members = { mode, items, ...(minAdmins ? { minAdmins: minAdmins.value } : {}) };
    if (minAdmins && !membersHaveRoles(backend)) {
      // No member administers where members have no roles: said once per load, not per organization.
      if (!this.noAdminsWarned) {
        this.noAdminsWarned = true;
        this.diagnostics.push(
          source.diagnostic(
            minAdmins.node,
            [...p, "minAdmins"],
            "admins-not-applicable",
            `${caps.displayName} members have no roles, so no member is an administrator: minAdmins and the last-administrator guard cannot apply and are ignored (the removal-share guard still holds)`,
            "warning",
          ),
        );
      }
      return;
    }
    // Where roles belong to each organization (no fixed set), only the live roles tell who
    // administers: the members handler checks minAdmins then, before any write.
    if (minAdmins && items.length === itemsNode.items.length && memberRoles(backend).values) {
      const admins = items.filter((m) => isAdminRole(backend, m.role)).length;
      if (admins < minAdmins.value) {
        const roles = memberRoles(backend).adminRoles;
        this.report(
          source,
          minAdmins.node,
          [...p, "minAdmins"],
          "too-few-admins",
          `this organization keeps ${admins} administrator${admins === 1 ? "" : "s"} (roles ${roles.join(", ") || "none"}), fewer than minAdmins ${minAdmins.value}`,
        );
      }
    }
  }

  private readAdopt(source: SourceFile, p: PathSegment[], node: Node | null, org: RawOrganization): void {
    if (!isMap(node)) {
      this.report(source, node, p, "wrong-type", "adopt must be a mapping: {id: <live id>} or {name: <live name>}");
      return;
    }
    const adopt: { id?: Located<string>; name?: Located<string> } = {};
    const flags: { deleteOnRemove?: boolean; takeOver?: boolean } = {};
    for (const { key, keyNode, value } of entries(node)) {
      const vNode = source.resolve(value);
      if (!(ADOPT_KEYS as readonly string[]).includes(key)) {
        if (!isSecretKey(key)) this.unknownKey(source, keyNode, [...p, key], key, ADOPT_KEYS, "adopt setting");
        continue;
      }
      if (key === "deleteOnRemove" || key === "takeOver") {
        if (!isScalar(vNode) || typeof vNode.value !== "boolean") this.report(source, vNode, [...p, key], "wrong-type", `adopt.${key} must be true or false`);
        else flags[key] = vNode.value;
        continue;
      }
      if (!isScalar(vNode) || (typeof vNode.value !== "string" && typeof vNode.value !== "number") || String(vNode.value).trim() === "") {
        this.report(source, vNode, [...p, key], "wrong-type", `adopt.${key} must be a non-empty string`);
        continue;
      }
      adopt[key as "id" | "name"] = { value: String(vNode.value), node: vNode, source };
    }
    const given = Object.keys(adopt).length;
    const keysGiven = entries(node).filter((e) => (ADOPT_IDENTITY_KEYS as readonly string[]).includes(e.key)).length;
    // Where a credential sees one organization at all, `adopt: {}` takes that one.
    const backend = this.backend?.value;
    const onlyOne = isBackendName(backend) && capabilitiesOf(backend).organization.visiblePerCredential === 1;
    if (given === 2 || (keysGiven === 0 && given === 0 && !onlyOne)) {
      this.report(source, node, p, "invalid-adopt", "adopt names exactly one of id or name");
      return;
    }
    org.adopt = adopt;
    org.decl.adopt = {
      ...Object.fromEntries(Object.entries(adopt).map(([k, v]) => [k, v.value])),
      ...flags,
    };
    // Where the vendor has no field for orgform's ownership marker, a second stack adopting the
    // same organization cannot be told apart from this one: said here, where it can still be avoided.
    if (isBackendName(backend) && !capabilitiesOf(backend).organization.ownershipMarker) {
      const caps = capabilitiesOf(backend);
      this.diagnostics.push(
        source.diagnostic(
          node,
          p,
          "unguarded-adoption",
          `${caps.displayName} organizations have no field for orgform's ownership marker: if another stack adopts this organization too, ` +
            `neither can tell, and both apply their changes in turn; make sure one stack (one config) manages it` +
            (flags.takeOver ? " (takeOver has nothing to rewrite here)" : ""),
          "warning",
        ),
      );
    }
  }

  /**
   * Where names may repeat, two organizations this config creates under one name are a choice
   * made on purpose: each needs allowDuplicateName (without it, the create that comes second finds
   * the first and refuses, whichever that is).
   */
  private sameNameCreates(orgs: RawOrganization[], caps: Capabilities): void {
    if (!namesMayRepeat(caps)) return;
    const seen = new Map<string, RawOrganization>();
    for (const org of orgs) {
      const name = org.decl.fields?.name;
      if (org.adopt || typeof name !== "string") continue;
      const first = seen.get(name);
      if (!first) {
        seen.set(name, org);
        continue;
      }
      for (const o of [first, org]) {
        if (o.decl.allowDuplicateName) continue;
        const other = o === first ? org : first;
        this.report(o.source, o.nameNode ?? o.node, ["organizations", o.index, "name"], "duplicate-name", `name "${name}" is also created by "${other.key?.value ?? "?"}": ${caps.displayName} allows it, but only with allowDuplicateName: true on each`);
      }
    }
  }

  private crossChecks(orgs: RawOrganization[], caps: Capabilities): void {
    // Keys and previous keys are unique across all files.
    const byKey = new Map<string, RawOrganization>();
    for (const org of orgs) {
      if (!org.key) continue;
      const first = byKey.get(org.key.value);
      if (first) {
        this.report(org.source, org.key.node, ["organizations", org.index, "key"], "duplicate-key", `key "${org.key.value}" is already used by organizations[${first.index}] in ${first.source.file}`);
      } else byKey.set(org.key.value, org);
    }
    const previous = new Map<string, RawOrganization>();
    for (const org of orgs) {
      org.previousKeys.forEach((pk, i) => {
        const p = ["organizations", org.index, "previousKeys", i];
        const current = byKey.get(pk.value);
        const other = previous.get(pk.value);
        if (current) {
          this.report(org.source, pk.node, p, "duplicate-key", current === org ? `previous key "${pk.value}" is this organization's own key` : `previous key "${pk.value}" is the key of another organization`);
        } else if (other) {
          this.report(org.source, pk.node, p, "duplicate-key", other === org ? `previous key "${pk.value}" is listed twice` : `previous key "${pk.value}" is also a previous key of "${other.key?.value ?? "?"}"`);
        } else previous.set(pk.value, org);
      });
    }
    // Parents resolve to keys, without cycles.
    const parents = new Suggester(() => byKey.keys());
    for (const org of orgs) {
      if (!org.parent) continue;
      if (!byKey.has(org.parent.value)) {
        const hint = parents.suggest(org.parent.value, org.key?.value); // never itself
        this.report(org.source, org.parent.node, ["organizations", org.index, "parent"], "unknown-parent", `no organization has the key "${org.parent.value}"` + (hint ? `; did you mean "${hint}"?` : ""));
      }
    }
    // Each organization is walked once: "on the walk" marks a loop, "done" a chain already checked.
    const state = new Map<RawOrganization, "on the walk" | "done">();
    for (const start of orgs) {
      const walk: RawOrganization[] = [];
      let cur: RawOrganization | undefined = start;
      while (cur?.key && !state.has(cur)) {
        state.set(cur, "on the walk");
        walk.push(cur);
        cur = cur.parent ? byKey.get(cur.parent.value) : undefined;
      }
      if (cur && state.get(cur) === "on the walk") {
        const loop = walk.slice(walk.indexOf(cur));
        loop.forEach((org, i) => {
          this.report(org.source, org.parent!.node, ["organizations", org.index, "parent"], "cyclic-parent", `parent chain loops: ${loopText(loop, i)}`);
        });
      }
      for (const org of walk) state.set(org, "done");
    }
    // Names unique where the vendor requires it, across every file of the config: an export split
    // into a folder that already declares an organization must not declare it a second time.
    const { scope, caseInsensitive } = caps.organization.nameUniqueness;
    if (scope !== "none") {
      const nameOf = (org: RawOrganization): string | undefined =>
        typeof org.decl.fields?.name === "string" ? (org.decl.fields.name as string) : org.adopt?.name?.value;
      // In Unicode NFC, as the emulator compares sibling names: "Café" precomposed and decomposed look the same and are one name.
      const norm = (name: string): string => (caseInsensitive ? name.normalize("NFC").toLowerCase() : name.normalize("NFC"));
      // Where names are unique among siblings, a parent is known by its own name under its own
      // parent (two files may give one organization two keys), else by its adopt id, else its key.
      // Each organization's place is interned as a short id, computed once (chains run 4,000 deep).
      const places = new Map<string, number>();
      const placeOf = new Map<RawOrganization, string>();
      const intern = (place: string): string => {
        let n = places.get(place);
        if (n === undefined) places.set(place, (n = places.size));
        return `#${n}`;
      };
      const parentRefOf = (start: RawOrganization): string => {
        // Up the chain to a parent whose place is known (or that is a root), then back down.
        const chain: RawOrganization[] = [];
        let base: string | undefined;
        let cur = start;
        const walked = new Set<RawOrganization>([start]);
        while (base === undefined) {
          if (!cur.parent) base = cur.decl.parent && "id" in cur.decl.parent && cur.decl.parent.id !== null ? `id:${cur.decl.parent.id}` : "root";
          else {
            const parent = byKey.get(cur.parent.value);
            const name = parent ? nameOf(parent) : undefined;
            if (!parent || walked.has(parent)) base = `key:${cur.parent.value}`;
            else if (name === undefined) base = parent.adopt?.id ? `adopt-id:${parent.adopt.id.value}` : `key:${cur.parent.value}`;
            else if (placeOf.has(parent)) base = placeOf.get(parent)!;
            else {
              walked.add(parent);
              chain.push(parent);
              cur = parent;
              continue;
            }
          }
        }
        // chain[i] is the parent of chain[i-1] (chain[0] is start's parent): places from the top.
        let ref = base;
        for (let i = chain.length - 1; i >= 0; i--) {
          const o = chain[i]!;
          ref = intern(`${ref}/${norm(nameOf(o)!)}`);
          placeOf.set(o, ref);
        }
        return ref;
      };
      const seen = new Map<string, RawOrganization>();
      for (const org of orgs) {
        const name = nameOf(org);
        if (name === undefined) continue;
        const parentRef = scope === "global" ? "" : parentRefOf(org);
        const id = `${parentRef}\u0000${norm(name)}`;
        const first = seen.get(id);
        if (first) {
          const node = org.nameNode ?? org.adopt?.name?.node ?? org.node;
          const where = scope === "global" ? "" : org.parent ? ` under "${org.parent.value}"` : " among root organizations";
          const file = first.source === org.source ? "" : ` in ${first.source.file}`;
          this.report(
            org.source,
            node,
            ["organizations", org.index, org.nameNode ? "name" : "adopt"],
            "duplicate-name",
            `name "${name}" is already used by "${first.key?.value ?? "?"}"${file}${where}` +
              (caseInsensitive ? " (names compare case-insensitively)" : "") +
              (file ? `: one organization declared twice? Keep one declaration` : ""),
          );
        } else seen.set(id, org);
      }
    }
    this.sameNameCreates(orgs, caps);
    // One live organization is adopted once.
    for (const which of ["id", "name"] as const) {
      const seen = new Map<string, RawOrganization>();
      for (const org of orgs) {
        const a = org.adopt?.[which];
        if (!a) continue;
        const first = seen.get(a.value);
        if (first) {
          const file = first.source === org.source ? "" : ` in ${first.source.file}`;
          this.report(org.source, a.node, ["organizations", org.index, "adopt", which], "duplicate-adoption", `the organization with ${which} "${a.value}" is already adopted by "${first.key?.value ?? "?"}"${file}`);
        }
        else seen.set(a.value, org);
      }
    }
    // The capability matrix.
    if (!caps.organization.create) {
      for (const org of orgs) {
        if (!org.adopt) {
          const only = caps.organization.visiblePerCredential === 1 ? ", or adopt: {} (the one organization the credential sees)" : "";
          this.report(org.source, org.node, ["organizations", org.index], "unsupported-create", `${caps.displayName} organizations cannot be created: adopt an existing one with adopt: {id: ...} or adopt: {name: ...}${only}`);
        }
      }
    }
    // How many organizations one credential can see at all (adopted or not). How many one owner may
    // create is another rule (createsPerOwner): adopting several existing organizations is fine.
    const limit = caps.organization.visiblePerCredential;
    if (limit !== null && orgs.length > limit) {
      for (const org of orgs.slice(limit)) {
        this.report(org.source, org.node, ["organizations", org.index], "too-many-organizations", `${caps.displayName} allows ${limit} organization${limit === 1 ? "" : "s"} per credential; this config declares ${orgs.length}`);
      }
    }
    // How many organizations one owner may create: those this config creates (not adopts), by the
    // owner each declares (caps.organization.ownerField), or the credential's own user when none.
    const perOwner = caps.organization.createsPerOwner;
    if (perOwner !== null) {
      const ownerField = caps.organization.ownerField ?? undefined;
      const byOwner = new Map<string, RawOrganization[]>();
      for (const org of orgs) {
        if (org.adopt) continue;
        const declared = ownerField ? org.decl.fields?.[ownerField] : undefined;
        const owner = typeof declared === "string" ? declared.toLowerCase() : "";
        byOwner.set(owner, [...(byOwner.get(owner) ?? []), org]);
      }
      for (const [owner, group] of byOwner) {
        for (const org of group.slice(perOwner)) {
          const whose = owner ? `owner ${owner}` : `the user whose credential runs it (no ${ownerField ?? "owner"} declared)`;
          const others = group.slice(0, perOwner).map((o) => `"${o.key?.value ?? "?"}"`).join(", ");
          this.report(
            org.source,
            org.node,
            ["organizations", org.index],
            "too-many-creates",
            `${caps.displayName} lets one owner create ${perOwner} organization${perOwner === 1 ? "" : "s"}, and this config already creates ${others} for ${whose}: ` +
              `adopt this one (adopt: {id: ...} or adopt: {name: ...})${ownerField ? ` or declare another ${ownerField}` : ""}`,
          );
        }
      }
    }
  }
}

/** `a -> b -> c -> a` from loop member i; a long loop shows its ends and how many are between. */
function loopText(loop: RawOrganization[], i: number): string {
  const key = (k: number): string => loop[(i + k) % loop.length]!.key!.value;
  if (loop.length <= 8) return [...loop.keys(), loop.length].map(key).join(" -> ");
  return `${[0, 1, 2].map(key).join(" -> ")} -> ... (${loop.length - 5} more) ... -> ${[loop.length - 2, loop.length - 1, loop.length].map(key).join(" -> ")}`;
}

/**
 * Sorted; one diagnostic per place and code; a string's own problem (a control character, a blank
 * value) hides what the schema says about the same value; messages safe for a terminal.
 */
function finalDiagnostics(all: readonly Diagnostic[]): Diagnostic[] {
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

function envHint(backend: BackendName): string {
  const caps = capabilitiesOf(backend);
  const vars = caps.connection.auth.map((a) => Object.entries(a.env).filter(([part]) => part !== "tokenUrl").map(([, v]) => v).join(" + ")).join(" or ");
  return `${vars} in the environment, or Pulumi stack config (pulumi config set --secret orgform:...)`;
}

/** The schemas a config file's organizations are validated with (for docs and the config schema). */
export function organizationSchemaOf(backend: BackendName): ResourceSchema {
  return schemaFor(backend, "organization");
}

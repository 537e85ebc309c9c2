/**
 * One YAML file parsed with positions, checked for what makes YAML hostile (encoding, alias bombs,
 * unknown tags, deep nesting, control characters), and helpers to point diagnostics at its nodes.
 *
 * Everything here is linear in the size of the file. Two things of the `yaml` package are not, so
 * they are not used: `uniqueKeys` compares each key with every earlier key of its mapping (50,000
 * keys: 17 s), and resolving an alias scans every anchor and alias before it, so `toJS()` and its
 * `maxAliasCount` guard are quadratic in the number of aliases (40,000 aliases: 10 s). Duplicate
 * keys, alias targets and the expanded size are computed here in one walk instead.
 */
import { LineCounter, isAlias, isCollection, isMap, isPair, isScalar, isSeq, parseDocument } from "yaml";
import type { Alias, Document, Node, Pair, Scalar, YAMLMap } from "yaml";
import { Diagnostic, DiagnosticCode, Severity, formatPath } from "./diagnostics";
import { parseCommonYaml } from "./common-yaml";

export type PathSegment = string | number;

/** Deeper than any config needs; far below where a recursive reader would run out of stack. */
export const MAX_DEPTH = 64;
/** An alias-expanded file may hold this many values, or this many times its own, whichever is more. */
export const EXPANSION_FLOOR = 1_000_000;
export const EXPANSION_FACTOR = 16;

const CORE_TAGS = new Set(["!", ...["str", "int", "float", "bool", "null", "map", "seq"].map((t) => `tag:yaml.org,2002:${t}`)]);
/** C0 controls except tab, line feed and carriage return; DEL; C1 controls; bidirectional overrides and isolates. */
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;
/** Whitespace and invisible characters: a value made only of these shows as nothing. */
const BLANK = /^[\s\u200B-\u200D\u2060\uFEFF]+$/;
/** Whitespace (or an invisible character) at either end of a value. */
const EDGE_SPACE = /^[\s\u200B-\u200D\u2060\uFEFF]|[\s\u200B-\u200D\u2060\uFEFF]$/;

export class SourceFile {
  readonly doc: Document.Parsed;
  readonly text: string;
  /** Problems that make the file's content unusable (syntax, aliases, tags, nesting): reported instead of it. */
  readonly fatal: Diagnostic[] = [];
  /** Problems of single strings (control characters, blank values): reported next to the content's. */
  readonly stringProblems: Diagnostic[] = [];
  private readonly lines = new LineCounter();
  private readonly aliasTargets = new Map<Alias, Node>();
  private readonly jsCache = new Map<Node, unknown>();
  private readonly entryIndex = new Map<YAMLMap, Map<string, Entry>>();

  constructor(
    readonly file: string,
    text: string,
  ) {
    // A BOM is not content (columns count from after it); YAML counts a lone CR as a line break,
    // the parser does not: an LF in its place keeps every offset.
    this.text = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).replace(/\r(?!\n)/g, "\n");
    const common = parseCommonYaml(this.text, this.lines, MAX_DEPTH);
    this.doc = common?.doc ?? parseDocument(this.text, { lineCounter: this.lines, prettyErrors: false, uniqueKeys: false, keepSourceTokens: false });
    if (this.doc.errors.length > 0) this.fatal.push(this.syntaxDiagnostic());
    // A file the fast path read has no alias, anchor, tag or duplicate key and nests no deeper than
    // MAX_DEPTH (it would have gone to `yaml`): of what the walk checks, only strings are left, and
    // when none of them holds what the string checks look for, the walk has nothing to find.
    else if (!common || common.stringsToCheck) this.analyse();
  }

  /** 1-based line and column of an offset. */
  position(offset: number): { line: number; column: number } {
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }

  /** Position of a node (its start), or 1:1 when there is no node. */
  at(node: Node | null | undefined): { line: number; column: number } {
    const range = node?.range;
    return range ? this.position(range[0]) : { line: 1, column: 1 };
  }

  diagnostic(node: Node | null | undefined, path: ReadonlyArray<PathSegment>, code: DiagnosticCode, message: string, severity: Severity = "error"): Diagnostic {
    return { file: this.file, ...this.at(node), path: formatPath(path), code, message, severity };
  }

  private diagnosticAt(offset: number, path: ReadonlyArray<PathSegment>, code: DiagnosticCode, message: string): Diagnostic {
    return { file: this.file, ...this.position(offset), path: formatPath(path), code, message, severity: "error" };
  }

  /** Resolves aliases (`*anchor`) to the node they name. */
  resolve(node: unknown): Node | null {
    if (isAlias(node)) return this.aliasTargets.get(node) ?? null;
    return (node as Node | null) ?? null;
  }

  /** The first pair of a mapping with this key (indexed once per mapping: problems are looked up one by one). */
  entry(map: YAMLMap, key: string): Entry | undefined {
    let index = this.entryIndex.get(map);
    if (!index) {
      index = new Map();
      for (const e of entries(map)) if (!index.has(e.key)) index.set(e.key, e);
      this.entryIndex.set(map, index);
    }
    return index.get(key);
  }

  /** Plain JS value of a node; a value reached through several aliases is built once and shared. */
  toJS(node: unknown): unknown {
    const resolved = this.resolve(node);
    return resolved ? this.js(resolved) : null;
  }

  private js(node: Node): unknown {
    if (isAlias(node)) {
      const target = this.aliasTargets.get(node);
      return target ? this.js(target) : null;
    }
    if (isScalar(node)) return node.value;
    if (this.jsCache.has(node)) return this.jsCache.get(node);
    if (isMap(node)) {
      const out: Record<string, unknown> = {};
      this.jsCache.set(node, out);
      for (const pair of node.items) setOwn(out, keyText(pair.key), this.valueJS(pair.value));
      return out;
    }
    if (isSeq(node)) {
      const out: unknown[] = [];
      this.jsCache.set(node, out);
      for (const item of node.items) {
        if (isPair(item)) {
          const single: Record<string, unknown> = {};
          setOwn(single, keyText(item.key), this.valueJS(item.value));
          out.push(single);
        } else out.push(this.valueJS(item));
      }
      return out;
    }
    return null;
  }

  private valueJS(value: unknown): unknown {
    return value === null || value === undefined ? null : this.js(value as Node);
  }

  /** The first syntax error, in the user's words and where they must look. */
  private syntaxDiagnostic(): Diagnostic {
    // The first error in the file is the one to fix: later ones (a parser that ran out of stack
    // included) are often its consequences, as after a flow list that is not indented enough.
    const e = this.doc.errors.reduce((first, x) => (x.pos[0] < first.pos[0] ? x : first));
    if (e.code === "RESOURCE_EXHAUSTION") {
      return this.diagnosticAt(e.pos[0], [], "yaml-too-deep", `lists and mappings are nested too deeply here: orgform reads at most ${MAX_DEPTH} levels`);
    }
    if (e.code === "MULTIPLE_DOCS") {
      return this.diagnosticAt(e.pos[0], [], "yaml-multiple-documents", "a second YAML document starts here: orgform reads one YAML document per file (split it into files of one directory: they are merged into one config)");
    }
    if (e.code === "MISSING_CHAR" && /quote/.test(e.message)) {
      const quote = e.message.includes("'") ? "'" : '"';
      const opening = this.unclosedQuote(e.pos[0]);
      return this.diagnosticAt(opening ?? e.pos[0], [], "yaml-syntax", `this quoted string is never closed: add the closing ${quote} (without it, the string runs to the end of the file)`);
    }
    const message = e.message.replace(/ at line \d+, column \d+:?[\s\S]*$/, "").replace(/;? *please use YAML\.\w+\(\)/i, "");
    return this.diagnosticAt(e.pos[0], [], "yaml-syntax", message);
  }

  /** Where the quoted scalar that runs into `end` opens (the parser reports its end). */
  private unclosedQuote(end: number): number | undefined {
    let best: number | undefined;
    walkNodes(this.doc.contents, (node) => {
      if (isScalar(node) && (node.type === "QUOTE_DOUBLE" || node.type === "QUOTE_SINGLE") && node.range && node.range[1] >= end) {
        if (best === undefined || node.range[0] > best) best = node.range[0];
      }
    });
    return best;
  }

  /**
   * One walk in document order: depth, duplicate keys, anchors and aliases (undefined, recursive,
   * expanded size), tags, and strings. Aliases are leaves here: what they name is checked where it
   * is written.
   */
  private analyse(): void {
    const root = this.doc.contents as Node | null;
    if (!root) return;
    const anchors = new Map<string, Node>();
    const open = new Set<Node>();
    const sizes = new Map<Node, number>();
    /** Levels of nesting below a node, aliases expanded (a chain of aliases can nest deeper than any one part). */
    const heights = new Map<Node, number>();
    let nodes = 0;
    let biggest: { alias: Alias; size: number; path: PathSegment[] } | undefined;
    type Frame = { node: Node; path: PathSegment[]; depth: number; exit: boolean; isKey: boolean; keyName?: string };
    const stack: Frame[] = [{ node: root, path: [], depth: 0, exit: false, isKey: false }];
    const sizeOf = (n: unknown): number => (n === null || n === undefined ? 0 : (sizes.get(n as Node) ?? 0));
    const heightOf = (n: unknown): number => (n === null || n === undefined ? 0 : (heights.get(n as Node) ?? 0));
    while (stack.length > 0) {
      const frame = stack.pop()!;
      const { node, path, depth } = frame;
      if (frame.exit) {
        open.delete(node);
        let size = 1;
        let height = 0;
        for (const item of (node as YAMLMap).items as unknown[]) {
          size += isPair(item) ? sizeOf(item.key) + sizeOf(item.value) : sizeOf(item);
          height = Math.max(height, isPair(item) ? Math.max(heightOf(item.key), heightOf(item.value)) : heightOf(item));
        }
        sizes.set(node, Math.min(size, Number.MAX_SAFE_INTEGER));
        heights.set(node, height + 1);
        continue;
      }
      nodes++;
      if (depth > MAX_DEPTH) {
        this.fatal.push(this.diagnostic(node, path, "yaml-too-deep", `lists and mappings are nested too deeply here: orgform reads at most ${MAX_DEPTH} levels`));
        return;
      }
      if (isAlias(node)) {
        const target = anchors.get(node.source);
        if (!target) {
          this.fatal.push(this.diagnostic(node, path, "yaml-undefined-alias", `*${node.source} refers to no anchor: write &${node.source} on a value before this alias`));
        } else if (open.has(target)) {
          this.fatal.push(this.diagnostic(node, path, "yaml-recursive-alias", `*${node.source} is inside the value it refers to (&${node.source}): a value cannot contain itself`));
        } else if (depth + (heights.get(target) ?? 1) - 1 > MAX_DEPTH) {
          this.fatal.push(this.diagnostic(node, path, "yaml-too-deep", `through *${node.source}, lists and mappings nest deeper than ${MAX_DEPTH} levels: orgform reads at most ${MAX_DEPTH}`));
          return;
        } else {
          this.aliasTargets.set(node, target);
          const size = sizes.get(target) ?? 1;
          sizes.set(node, size);
          heights.set(node, heights.get(target) ?? 1);
          if (!biggest || size > biggest.size) biggest = { alias: node, size, path };
        }
        continue;
      }
      if (node.anchor) anchors.set(node.anchor, node);
      if (node.tag !== undefined && !CORE_TAGS.has(node.tag)) this.fatal.push(this.unknownTag(node, path));
      if (isScalar(node)) {
        sizes.set(node, 1);
        heights.set(node, 1);
        if (typeof node.value === "string") this.checkString(node as Scalar<string>, path, frame);
        continue;
      }
      if (!isCollection(node)) continue;
      open.add(node);
      stack.push({ ...frame, exit: true });
      const children: Frame[] = [];
      const seen = isMap(node) ? new Set<string>() : undefined;
      node.items.forEach((item: unknown, index: number) => {
        const childDepth = depth + 1;
        if (isPair(item)) {
          const name = keyText(item.key);
          const childPath = isSeq(node) ? [...path, index] : [...path, name];
          if (seen && isScalar(item.key)) {
            const id = `${typeof item.key.value}:${String(item.key.value)}`;
            if (seen.has(id)) this.fatal.push(this.diagnostic(item.key, childPath, "duplicate-yaml-key", "the same key appears twice in this mapping"));
            else seen.add(id);
          }
          if (isNodeLike(item.key)) children.push({ node: item.key, path: childPath, depth: childDepth, exit: false, isKey: true });
          if (isNodeLike(item.value)) children.push({ node: item.value, path: childPath, depth: childDepth, exit: false, isKey: false, keyName: name });
        } else if (isNodeLike(item)) {
          children.push({ node: item, path: [...path, index], depth: childDepth, exit: false, isKey: false });
        }
      });
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
    }
    if (this.fatal.length > 0 || !biggest) return;
    const limit = Math.max(EXPANSION_FLOOR, EXPANSION_FACTOR * nodes);
    const expanded = sizes.get(root) ?? 0;
    if (expanded > limit) {
      this.fatal.push(
        this.diagnostic(
          biggest.alias,
          biggest.path,
          "yaml-alias-limit",
          `*${biggest.alias.source} stands for ${biggest.size.toLocaleString("en-US")} values and its aliases expand this file past ${limit.toLocaleString("en-US")} ` +
            `(nested aliases multiply: an "alias bomb"); write the values out, or use fewer levels of aliases`,
        ),
      );
    }
  }

  private unknownTag(node: Node, path: PathSegment[]): Diagnostic {
    const offset = tagOffset(this.text, node.range?.[0] ?? 0);
    // As written (`!e!foo`, `!!binary`), not as resolved (`tag:example.com,2000:foo`).
    const written = this.text[offset] === "!" ? /^![^\s,[\]{}]*/.exec(this.text.slice(offset, offset + 200))?.[0] : undefined;
    const tag = written ?? node.tag!.replace(/^tag:yaml\.org,2002:/, "!!");
    const secretish = /secret|vault|env|encrypt|sops|cred/i.test(tag) ? "; credentials come from the environment or Pulumi stack config, never from YAML" : "";
    return this.diagnosticAt(offset, path, "yaml-unknown-tag", `unknown YAML tag "${tag}": orgform reads plain values (text, numbers, true/false, null, lists, mappings); remove the tag${secretish}`);
  }

  /** Control characters anywhere; blank values where they would be sent to an API. */
  private checkString(node: Scalar<string>, path: PathSegment[], frame: { isKey: boolean; keyName?: string }): void {
    if (path[0] === "status" || (path[0] === "organizations" && path[2] === "status")) return; // written by export, ignored on apply
    const value = node.value;
    const oneLine = frame.isKey || frame.keyName === "name";
    const control = CONTROL.exec(value) ?? (oneLine ? /[\t\n\r]/.exec(value) : null);
    if (control) {
      this.stringProblems.push(this.diagnostic(node, path, "control-character", `${frame.isKey ? "this key" : "this value"} ${describeControl(control[0])}: remove it (it would be sent to the API and printed to terminals as is)`));
      return;
    }
    if (!frame.isKey && path[0] === "organizations" && value.length > 0 && BLANK.test(value)) {
      this.stringProblems.push(this.diagnostic(node, path, "blank-string", "this value is only whitespace: give it visible text, or remove the setting"));
    } else if (!frame.isKey && path[0] === "organizations" && frame.keyName === "name" && EDGE_SPACE.test(value)) {
      this.stringProblems.push(this.diagnostic(node, path, "edge-whitespace", `this name ${EDGE_SPACE.exec(value)!.index === 0 ? "begins" : "ends"} with whitespace: remove it (names are compared as written)`));
    }
  }
}

function describeControl(ch: string): string {
  const code = `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
  if (ch === "\u0000") return `contains a NUL character (${code})`;
  if (ch === "\u001b") return `contains an escape character (${code}), the start of a terminal escape sequence`;
  if (ch === "\n" || ch === "\r") return "contains a line break, and a name or key is one line";
  if (ch === "\t") return "contains a tab, and a name or key is one line";
  if (/[\u202A-\u202E\u2066-\u2069]/.test(ch)) return `contains a bidirectional-text control (${code}) that makes it display differently from what it is`;
  return `contains the control character ${code}`;
}

/** The key of a pair as text: scalar keys as their value; others by kind (never a whole collection). */
export function keyText(key: unknown): string {
  if (isScalar(key)) return String(key.value);
  if (isAlias(key)) return `*${key.source}`;
  return isCollection(key) ? "[complex key]" : String(key);
}

/** Sets an own property, also for "__proto__" (plain assignment would change the prototype). */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}

function isNodeLike(value: unknown): value is Node {
  return isScalar(value) || isCollection(value) || isAlias(value);
}

/** Start of the tag written before a node that starts at `start` (`!tag value`, `!tag &anchor value`). */
function tagOffset(text: string, start: number): number {
  let i = start;
  for (let token = 0; token < 2; token++) {
    while (i > 0 && /[ \t\n]/.test(text[i - 1]!)) i--;
    let j = i;
    while (j > 0 && !/[ \t\n,[{]/.test(text[j - 1]!)) j--;
    if (text[j] === "!") return j;
    if (text[j] !== "&") break;
    i = j;
  }
  return start;
}

/** Visits every node (not through aliases) without recursion. */
function walkNodes(root: unknown, visit: (node: Node) => void): void {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isPair(node)) {
      stack.push(node.value, node.key);
    } else if (isNodeLike(node)) {
      visit(node);
      if (isCollection(node)) for (let i = node.items.length - 1; i >= 0; i--) stack.push(node.items[i]);
    }
  }
}

/**
 * Decodes a file's bytes as UTF-8 (a BOM is dropped). Anything else is refused where it starts,
 * saying what it looks like: UTF-16 or UTF-32 (by BOM or by NUL bytes between ASCII letters), or
 * bytes that are not UTF-8 (Latin-1 or Windows-1252 mostly).
 */
export function decodeUtf8(bytes: Uint8Array): { text: string } | { line: number; column: number; message: string } {
  const utf16 = utf16Kind(bytes);
  if (utf16) return { line: 1, column: 1, message: `this file is ${utf16}, not UTF-8: save it as UTF-8` };
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(bytes) };
  } catch {
    const bad = firstInvalidUtf8(bytes);
    const prefix = new TextDecoder("utf-8").decode(bytes.subarray(0, bad)).replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
    const lineStart = prefix.lastIndexOf("\n") + 1;
    const line = (prefix.match(/\n/g)?.length ?? 0) + 1;
    const byte = bytes[bad]!.toString(16).toUpperCase().padStart(2, "0");
    return { line, column: prefix.length - lineStart + 1, message: `this file is not UTF-8: byte 0x${byte} here is not valid UTF-8 (Latin-1 or Windows-1252?); save the file as UTF-8` };
  }
}

function utf16Kind(bytes: Uint8Array): string | undefined {
  const [a, b, c, d] = bytes;
  if (a === 0xff && b === 0xfe) return c === 0 && d === 0 ? "UTF-32 (little-endian)" : "UTF-16 (little-endian)";
  if (a === 0xfe && b === 0xff) return "UTF-16 (big-endian)";
  if (a === 0 && b === 0 && c === 0xfe && d === 0xff) return "UTF-32 (big-endian)";
  // No BOM: ASCII text in UTF-16 has a NUL in every other byte.
  const n = Math.min(bytes.length, 256) & ~1;
  if (n < 4) return undefined;
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) evenNul++;
    if (bytes[i + 1] === 0) oddNul++;
  }
  const pairs = n / 2;
  if (oddNul >= pairs * 0.75 && evenNul === 0) return "UTF-16 (little-endian)";
  if (evenNul >= pairs * 0.75 && oddNul === 0) return "UTF-16 (big-endian)";
  return undefined;
}

/** Offset of the first byte that does not belong to a well-formed UTF-8 sequence. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const next = bytes[i + k];
      if (next === undefined || (next & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (next & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return bytes.length;
}

export interface Entry {
  key: string;
  pair: Pair;
  keyNode: Node;
  value: unknown;
}

/** The pairs of a mapping, with the key as text. */
export function entries(map: YAMLMap): Entry[] {
  const out: Entry[] = [];
  for (const pair of map.items) {
    if (!isPair(pair)) continue;
    out.push({ key: keyText(pair.key), pair, keyNode: pair.key as Node, value: pair.value });
  }
  return out;
}

/**
 * Walks from `node` along `segments` (as produced by schema problems: strings, numeric strings for
 * list items). Returns the deepest node reached, the key node of the last mapping step, and the
 * path with list indices as numbers.
 */
export function navigate(
  source: SourceFile,
  node: unknown,
  segments: ReadonlyArray<string>,
): { node: Node | null; keyNode: Node | null; path: PathSegment[]; complete: boolean } {
  let current = source.resolve(node);
  let keyNode: Node | null = null;
  const path: PathSegment[] = [];
  for (const seg of segments) {
    if (isMap(current)) {
      const hit = source.entry(current, seg);
      path.push(seg);
      if (!hit) return { node: current, keyNode, path, complete: false };
      keyNode = hit.keyNode;
      current = source.resolve(hit.value);
    } else if (isSeq(current)) {
      const index = Number(seg);
      path.push(Number.isInteger(index) ? index : seg);
      const item = current.items[index];
      if (item === undefined) return { node: current, keyNode, path, complete: false };
      keyNode = null;
      current = source.resolve(item);
    } else {
      path.push(seg);
      return { node: current, keyNode, path, complete: false };
    }
  }
  return { node: current, keyNode, path, complete: true };
}

export { isAlias, isMap, isScalar, isSeq };

/**
 * The common case of a desired-state file, parsed fast. `yaml`'s parser takes about 0.5 s for a
 * 10,000-member file (1.2 MB/s), more than `orgform validate` may take in all; js-yaml parses the
 * same file about ten times faster. So a file that uses none of YAML's rarer features (no anchor,
 * alias, tag, directive, complex key, empty value or second document) is parsed by js-yaml into
 * `yaml`'s own node classes, with the same start offsets and the same values (plain scalars
 * resolved by `yaml`'s core schema, as `yaml` resolves them). Anything else, and anything js-yaml
 * refuses, returns undefined: `yaml` parses it, and every diagnostic about YAML itself (syntax,
 * aliases, tags, duplicate keys, nesting) comes from that one reference path. A unit test compares
 * both trees over the test corpus and generated configs.
 */
import { FAILSAFE_SCHEMA, load, type LoadOptions, type State } from "js-yaml";
import { Document, LineCounter, Pair, Scalar, YAMLMap, YAMLSeq, isScalar, type Node } from "yaml";

/** Gives up on the fast path (caught below): `yaml` reads the file instead. */
class NotCommon extends Error {}

/** Space, tab, line feed, carriage return, BOM. */
const isWhitespace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0xfeff;

/** The first offset at or after `from` that is content: past whitespace and comments. */
function contentStart(text: string, from: number): number {
  let i = from;
  for (;;) {
    while (i < text.length && isWhitespace(text.charCodeAt(i))) i++;
    if (text.charCodeAt(i) !== 0x23 /* # */) return i;
    while (i < text.length && text.charCodeAt(i) !== 0x0a) i++;
  }
}

/**
 * What `SourceFile`'s string checks look for, in one test: a control character (tabs and line
 * breaks included: a key or a name is one line), a bidirectional control, or whitespace at either
 * end (a blank value, a name that begins or ends with a space). A file none of whose strings has
 * any of these needs no string check at all.
 */
const STRING_TO_CHECK = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]|^[\s\u200B-\u200D\u2060\uFEFF]|[\s\u200B-\u200D\u2060\uFEFF]$/;

/**
 * Makers of `yaml`'s node classes for the fast path. `yaml` tells its nodes apart by a registered
 * symbol (`Symbol.for("yaml.node.type")`) that each constructor defines on the instance with
 * `Object.defineProperty`, the largest cost of building some 200,000 nodes (about 0.03 s of a
 * 10,000-member file). Here it is defined once, on a prototype that inherits from the class: the
 * nodes are instances of `Scalar`, `YAMLMap`, `YAMLSeq` and `Pair`, and `isScalar()`, `isMap()`,
 * `isSeq()` and `isPair()` answer for them as for any (the differential test checks through those).
 */
function nodeMakers(doc: Document) {
  const kind = <T extends object>(cls: { prototype: T }, type: string, withSchema: boolean): T => {
    const proto = Object.create(cls.prototype) as T;
    Object.defineProperty(proto, NODE_TYPE, { value: Symbol.for(type) });
    if (withSchema) Object.defineProperty(proto, "schema", { value: doc.schema, writable: true, configurable: true });
    return proto;
  };
  const scalar = kind(Scalar, "yaml.scalar", false);
  const map = kind(YAMLMap, "yaml.map", true);
  const seq = kind(YAMLSeq, "yaml.seq", true);
  const pair = kind(Pair, "yaml.pair", false);
  return {
    scalar(value: unknown): Scalar {
      const node = Object.create(scalar) as Scalar;
      node.value = value;
      return node;
    },
    map(): YAMLMap {
      const node = Object.create(map) as YAMLMap;
      node.items = [];
      return node;
    },
    seq(items: unknown[]): YAMLSeq {
      const node = Object.create(seq) as YAMLSeq;
      node.items = items;
      return node;
    },
    pair(key: unknown, value: unknown): Pair {
      const node = Object.create(pair) as Pair;
      node.key = key;
      node.value = value;
      return node;
    },
  };
}

const NODE_TYPE = Symbol.for("yaml.node.type");

/** A file the fast path read. */
export interface CommonYaml {
  doc: Document.Parsed;
  /** Some key or value holds what the string checks look for (see STRING_TO_CHECK): they must run. */
  stringsToCheck: boolean;
}

/** Indentation of the line holding `offset` (spaces; -1 when it starts with a tab, which `yaml` refuses). */
function indentOfLine(text: string, offset: number): number {
  const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
  let i = lineStart;
  while (text[i] === " ") i++;
  return text[i] === "\t" ? -1 : i - lineStart;
}

/**
 * js-yaml reads a flow collection whose later lines are not indented under the line that opens it
 * (`organizations: [` then `{key: a}` at column 1); `yaml`, like the YAML spec, refuses it, and the
 * user gets that syntax error: such a collection is `yaml`'s to read.
 */
function flowIndentedEnough(text: string, start: number, end: number): boolean {
  const base = indentOfLine(text, start);
  if (base < 0) return false;
  for (let i = text.indexOf("\n", start); i !== -1 && i < end; i = text.indexOf("\n", i + 1)) {
    let j = i + 1;
    while (text[j] === " ") j++;
    if (text[j] === "\n" || text[j] === "\r" || j >= text.length) continue; // a blank line
    if (text[j] === "\t" || j - (i + 1) <= base) return false;
  }
  return true;
}

/** First characters of a plain scalar the core schema may read as other than text (null, ~, booleans, numbers). */
const MAYBE_NOT_TEXT = /^[0-9+\-.~nNtTfF]|^$/;

/** A plain scalar's value as `yaml`'s core schema resolves it (null, booleans, numbers, else the text). */
function resolvePlain(doc: Document, text: string): unknown {
  if (!MAYBE_NOT_TEXT.test(text)) return text; // most values: names, emails, keys
  const tag = doc.schema.tags.find((t) => t.default === true && "test" in t && t.test?.test(text));
  if (!tag || !("resolve" in tag) || typeof tag.resolve !== "function") return text;
  return (tag.resolve as (value: string, onError: (message: string) => void, options: unknown) => unknown)(
    text,
    () => {
      throw new NotCommon();
    },
    doc.options,
  );
}

/**
 * `text` (already without BOM, line breaks as LF or CRLF) as a `yaml` document, its line starts
 * added to `lines`; undefined, with `lines` untouched, when the file needs `yaml`'s parser (also
 * when it nests deeper than `maxDepth`, which `yaml`'s path reports).
 */
export function parseCommonYaml(text: string, lines: LineCounter, maxDepth: number): CommonYaml | undefined {
  // Directives (`%YAML`) and document markers (`---`, `...`) are `yaml`'s to read: a cheap look
  // at line starts before parsing (properties, aliases and the rest are caught node by node).
  if (/^%|^(---|\.\.\.)(\s|$)/m.test(text)) return undefined;
  const doc = new Document();
  const make = nodeMakers(doc);
  // The nodes being read, as flat stacks (a 10,000-member file opens some 200,000 nodes, and an
  // object per open node was most of the fast path's garbage): where each started, and where its
  // children start in `children`, the nodes read inside the open ones so far (next to what
  // js-yaml made of each, to recognise a node that only wraps its one child).
  const openedAt: number[] = [];
  const firstChild: number[] = [];
  const children: Node[] = [];
  const results: unknown[] = [];
  let stringsToCheck = false;
  try {
    load(text, {
      schema: FAILSAFE_SCHEMA,
      json: false,
      // js-yaml 4.2+ option, newer than its types: deeper files fail here and go to `yaml`.
      ...({ maxDepth } as LoadOptions),
      listener(event: "open" | "close", state: State) {
        if (event === "open") {
          openedAt.push(state.position);
          firstChild.push(children.length);
          return;
        }
        const at = openedAt.pop()!;
        const from = firstChild.pop()!;
        const count = children.length - from;
        // js-yaml may read a node inside a second, outer attempt at a node (a list item, a flow
        // collection in block context) that ends up being that same node: one node, not two
        // (it stays where it is, now a child of the enclosing node).
        if (count === 1 && results[from] === state.result) return;
        const start = contentStart(text, at);
        const first = text[start];
        // Properties and aliases (`!tag`, `&anchor`, `*alias`), and explicit keys, are `yaml`'s to read.
        if (first === "!" || first === "&" || first === "*" || first === "?") throw new NotCommon();
        const range: [number, number, number] = [start, state.position, state.position];
        let node: Node;
        switch (state.kind) {
          case "scalar": {
            if (count > 0 || typeof state.result !== "string") throw new NotCommon();
            const quoted = first === '"' ? "QUOTE_DOUBLE" : first === "'" ? "QUOTE_SINGLE" : first === "|" ? "BLOCK_LITERAL" : first === ">" ? "BLOCK_FOLDED" : "PLAIN";
            // A core tag may answer a Scalar of its own (booleans do, to keep their format), as in `yaml`'s composer.
            const value = quoted === "PLAIN" ? resolvePlain(doc, state.result) : state.result;
            const scalar = isScalar(value) ? value : make.scalar(value);
            scalar.type = quoted;
            scalar.source = state.result;
            if (!stringsToCheck && STRING_TO_CHECK.test(state.result)) stringsToCheck = true;
            node = scalar;
            break;
          }
          case "mapping": {
            // Every key and value js-yaml read came with its own node (an empty one comes without).
            if (count % 2 !== 0 || count !== 2 * Object.keys(state.result as object).length) throw new NotCommon();
            const map = make.map();
            for (let i = from; i < children.length; i += 2) {
              // A key that is a list or a mapping (a complex key) is `yaml`'s to read.
              if (!(children[i] instanceof Scalar)) throw new NotCommon();
              map.items.push(make.pair(children[i], children[i + 1]));
            }
            map.flow = first === "{";
            if (map.flow && !flowIndentedEnough(text, start, state.position)) throw new NotCommon();
            node = map;
            break;
          }
          case "sequence": {
            if (count !== (state.result as unknown[]).length) throw new NotCommon();
            const seq = make.seq(children.slice(from));
            seq.flow = first === "[";
            if (seq.flow && !flowIndentedEnough(text, start, state.position)) throw new NotCommon();
            node = seq;
            break;
          }
          default:
            // An empty node (`key:` with no value) is `yaml`'s to place.
            throw new NotCommon();
        }
        node.range = range;
        children.length = from;
        results.length = from;
        children.push(node);
        results.push(state.result);
      },
    });
  } catch {
    return undefined;
  }
  if (openedAt.length !== 0 || children.length > 1) return undefined;
  doc.contents = children[0] ?? null;
  lines.addNewLine(0);
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) lines.addNewLine(i + 1);
  return { doc: doc as Document.Parsed, stringsToCheck };
}

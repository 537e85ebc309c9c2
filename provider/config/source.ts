/** One YAML file parsed with positions, and helpers to point diagnostics at its nodes. */
import { Document, LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseDocument } from "yaml";
import type { Node, Pair, YAMLMap } from "yaml";
import { Diagnostic, DiagnosticCode, Severity, formatPath } from "./diagnostics";

export type PathSegment = string | number;

export class SourceFile {
  readonly doc: Document.Parsed;
  private readonly lines = new LineCounter();

  constructor(
    readonly file: string,
    readonly text: string,
  ) {
    this.doc = parseDocument(text, { lineCounter: this.lines, prettyErrors: false, uniqueKeys: true, keepSourceTokens: false });
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

  /** Resolves aliases (`*anchor`) to the node they name. */
  resolve(node: unknown): Node | null {
    if (isAlias(node)) return (node.resolve(this.doc) as Node | undefined) ?? null;
    return (node as Node | null) ?? null;
  }

  /** Plain JS value of a node. */
  toJS(node: unknown): unknown {
    const resolved = this.resolve(node);
    if (!resolved) return null;
    return resolved.toJS(this.doc);
  }
}

/** The pairs of a mapping whose keys are scalars, with the key as a string. */
export function entries(map: YAMLMap): Array<{ key: string; pair: Pair; keyNode: Node; value: unknown }> {
  const out: Array<{ key: string; pair: Pair; keyNode: Node; value: unknown }> = [];
  for (const pair of map.items) {
    if (!isPair(pair)) continue;
    const keyNode = pair.key as Node;
    const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
    out.push({ key, pair, keyNode, value: pair.value });
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
      const hit = entries(current).find((e) => e.key === seg);
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

export { isMap, isScalar, isSeq };

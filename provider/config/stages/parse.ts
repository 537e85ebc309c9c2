/**
 * Stage 1, parse with positions: each file's bytes decoded as UTF-8, parsed into a YAML tree whose
 * nodes know their line and column (`SourceFile`, source.ts), and checked for what makes YAML
 * hostile (syntax, aliases, tags, nesting, control characters). A file with such a problem is
 * reported and goes no further.
 */
import type { Node } from "yaml";
import { SourceFile, decodeUtf8, isScalar } from "../source";
import type { Reporter } from "./report";

/** A file's text, or its bytes (decoded as UTF-8 and refused if they are not). */
export type InlineSource = { file: string; text: string } | { file: string; bytes: Uint8Array };

export interface ParsedFile {
  source: SourceFile;
  /** The document's content (an alias resolved); absent for an empty file. */
  root?: Node;
}

export interface Parsed {
  files: ParsedFile[];
  /** Every file read, usable or not, in load order. */
  sources: SourceFile[];
  /** A file could not be read as YAML: a missing backend is not reported on top (it may be named there). */
  unusable: boolean;
}

export function parseFiles(inputs: readonly InlineSource[], reporter: Reporter): Parsed {
  const parsed: Parsed = { files: [], sources: [], unusable: false };
  for (const input of inputs) {
    let text: string;
    if ("text" in input) text = input.text;
    else {
      const decoded = decodeUtf8(input.bytes);
      if (!("text" in decoded)) {
        reporter.add({ file: input.file, line: decoded.line, column: decoded.column, path: "", code: "invalid-encoding", message: decoded.message, severity: "error" });
        parsed.unusable = true;
        continue;
      }
      text = decoded.text;
    }
    const source = new SourceFile(input.file, text);
    parsed.sources.push(source);
    if (source.fatal.length > 0) {
      // The first syntax error (later ones mostly repeat it), or every duplicate key, undefined alias, unknown tag.
      for (const d of source.fatal) reporter.add(d);
      parsed.unusable = true;
      continue;
    }
    for (const d of source.stringProblems) reporter.add(d);
    const root = source.resolve(source.doc.contents);
    const empty = root === null || (isScalar(root) && (root.value === null || root.value === ""));
    parsed.files.push(empty ? { source } : { source, root });
  }
  return parsed;
}

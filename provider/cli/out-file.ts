// `--out` of every command that writes (export, drift, plan): the user's files are safe. A file is
// overwritten only when orgform wrote it (recognised by the header line it writes) or `--force`
// says so; a file of the desired state being read is never written, whatever the flags.
import * as fs from "node:fs";
import * as path from "node:path";
import { OrgformError } from "../core/errors";

/** The first line of each file orgform writes (YAML and text: a comment; Markdown: an HTML comment). */
export const EXPORT_HEADER = "# Exported by `orgform export`";
const REPORT_HEADER = /^(# Written by `orgform [a-z]+`|<!-- Written by `orgform [a-z]+`)/;
/** JSON has no comments: orgform's JSON files open with this key instead. */
const JSON_MARK = /^\{\s*"writtenBy":\s*"orgform [a-z]+"/;

export type OutFormat = "text" | "markdown" | "json";

/** The header a report of `command` carries when written to a file (none on stdout). */
export function withHeader(command: string, format: OutFormat, text: string): string {
  const line = `Written by \`orgform ${command}\`: the next run with --out overwrites this file`;
  if (format === "markdown") return `<!-- ${line} -->\n${text}`;
  if (format === "text") return `# ${line}\n${text}`;
  const value = JSON.parse(text) as Record<string, unknown>;
  return `${JSON.stringify({ writtenBy: `orgform ${command}`, ...value }, null, 2)}\n`;
}

/** Whether a file's first bytes are one orgform wrote. */
export function isOrgformOutput(head: string): boolean {
  return head.startsWith(EXPORT_HEADER) || REPORT_HEADER.test(head) || JSON_MARK.test(head);
}

/** What is at the target path, as `outRefusal` needs it (see `inspect`). */
export type Existing =
  | { kind: "none" }
  | { kind: "file"; real: string; empty: boolean; orgform: boolean }
  | { kind: "directory"; real: string }
  | { kind: "other"; real: string; what: string };

/** Files and directories of the desired state being read, by real path. */
export interface ConfigPaths {
  /** The `--config` as given (for the message). */
  given: string;
  files: readonly string[];
  /** The directory, when `--config` is one: a new *.yaml there would join the config. */
  directory?: string;
}

/**
 * Why `--out <target>` must not be written, or undefined. Never a file of the config being read
 * (nor a new *.yaml in its directory, which would join it); never a file orgform did not write,
 * unless `force`; never something that is not a regular file.
 */
export function outRefusal(target: string, existing: Existing, config: ConfigPaths | undefined, force: boolean, targetReal: string): string | undefined {
  if (config) {
    const ofConfig = config.files.includes(targetReal) || config.directory === targetReal;
    const joins = config.directory !== undefined && path.dirname(targetReal) === config.directory && /\.ya?ml$/i.test(targetReal);
    if (ofConfig || joins) {
      return `refusing to write ${target}: it ${ofConfig ? "is" : "would become"} a file of the desired state being read (--config ${config.given}); give --out another path`;
    }
  }
  switch (existing.kind) {
    case "none":
      return undefined;
    case "directory":
      return `refusing to write ${target}: it is a directory; give --out a file path`;
    case "other":
      return `refusing to write ${target}: it is ${existing.what}, not a regular file`;
    case "file":
      if (existing.empty || existing.orgform || force) return undefined;
      return `refusing to overwrite ${target}: orgform did not write it (its first line is not orgform's header); pass --force to overwrite it`;
  }
}

/** What a non-regular file is, in words. */
export function describeKind(stat: fs.Stats): string {
  if (stat.isFIFO()) return "a named pipe (FIFO)";
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return "a device";
  if (stat.isSocket()) return "a socket";
  return "not a regular file";
}

/** Reads what is at `p` (following symbolic links), without ever opening anything but a regular file. */
export function inspect(p: string): { existing: Existing; real: string } {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ELOOP") throw new OrgformError("VALIDATION", `cannot write ${p}: it is a symbolic link that loops (ELOOP)`);
    if (code !== "ENOENT") throw new OrgformError("VALIDATION", `cannot write ${p}: ${(err as Error).message}`);
    // A dangling symbolic link would be followed by the write: refuse it as its own thing.
    if (isSymlink(p)) throw new OrgformError("VALIDATION", `refusing to write ${p}: it is a symbolic link to a path that does not exist`);
    return { existing: { kind: "none" }, real: realOfNew(p) };
  }
  const real = fs.realpathSync(p);
  if (stat.isDirectory()) return { existing: { kind: "directory", real }, real };
  if (!stat.isFile()) return { existing: { kind: "other", real, what: describeKind(stat) }, real };
  return { existing: { kind: "file", real, empty: stat.size === 0, orgform: isOrgformOutput(readHead(real)) }, real };
}

function isSymlink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/** The real path a new file would get: its directory resolved (when it exists), then its name. */
function realOfNew(p: string): string {
  const abs = path.resolve(p);
  try {
    return path.join(fs.realpathSync(path.dirname(abs)), path.basename(abs));
  } catch {
    return abs;
  }
}

function readHead(file: string): string {
  const fd = fs.openSync(file, "r");
  try {
    const buf = Buffer.alloc(200);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n).toString("utf8");
  } finally {
    fs.closeSync(fd);
  }
}

/** The real paths of a config's files (what `loadConfig` read) and of its directory. */
export function configPaths(given: string, files: readonly string[]): ConfigPaths {
  const real = (p: string) => {
    try {
      return fs.realpathSync(p);
    } catch {
      return path.resolve(p);
    }
  };
  let directory: string | undefined;
  try {
    if (fs.statSync(given).isDirectory()) directory = real(given);
  } catch {
    // (the config was read: it exists)
  }
  return { given, files: files.map(real), ...(directory ? { directory } : {}) };
}

/** Checks `--out` before anything is read from the API; throws the refusal. */
export function checkOut(target: string, options: { config?: ConfigPaths; force?: boolean }): void {
  const { existing, real } = inspect(target);
  const refusal = outRefusal(target, existing, options.config, !!options.force, real);
  if (refusal) throw new OrgformError("VALIDATION", `${refusal}; nothing was written`);
}

/**
 * `--split-by-org` writes into a folder: every *.yaml already there must be an earlier export
 * (orgform removes and rewrites those); a folder holding other configs would end up declaring
 * their organizations a second time. Answers the refusal or undefined.
 */
export function splitFolderRefusal(dir: string, yamlFiles: ReadonlyArray<{ name: string; orgform: boolean; regular: boolean }>): string | undefined {
  const foreign = yamlFiles.filter((f) => !f.regular || !f.orgform).map((f) => f.name);
  if (foreign.length === 0) return undefined;
  const shown = foreign.length > 5 ? `${foreign.slice(0, 5).join(", ")} and ${foreign.length - 5} more` : foreign.join(", ");
  return (
    `refusing to export into ${dir}: it holds desired-state files orgform did not write (${shown}), and the export would declare ` +
    `their organizations a second time; export into an empty folder (or one holding only earlier exports) and move what you need`
  );
}

/** The *.yaml files of a folder, each with whether orgform's export wrote it. */
export function yamlFilesOf(dir: string): Array<{ name: string; orgform: boolean; regular: boolean }> {
  return fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/i.test(f))
    .sort()
    .map((name) => {
      const p = path.join(dir, name);
      let regular = false;
      try {
        regular = fs.statSync(p).isFile();
      } catch {
        regular = false;
      }
      return { name, regular, orgform: regular && readHead(p).startsWith(EXPORT_HEADER) };
    });
}

import { LONE_SURROGATE } from "./refusals";

/**
 * The emulator's rule for names (organizations, and whatever else a dialect names), for every
 * dialect to call: what a name may be, and when two sibling names are the same. The vendors'
 * documents are silent; this is the strictest plausible reading (emulator/README.md, "Names"):
 *
 * - A name is stored and read back exactly as sent: never trimmed, never normalized, so what a
 *   client wrote is what it reads (a vendor that silently trims makes every later diff disagree).
 * - Refused (the dialect answers its 400): not a string; empty or only whitespace (invisible
 *   characters such as U+200B count as whitespace); leading or trailing whitespace; control
 *   characters (C0 including NUL, tab and line breaks, DEL, C1) and the bidirectional-text
 *   controls U+202A-U+202E and U+2066-U+2069 (a name is one line, shown to people and terminals
 *   as it is); longer than the dialect's `maxLength` (in code points), if it has one; a lone UTF-16
 *   surrogate (the core refuses such JSON bodies already, refusals.ts; a YAML seed can hold one).
 * - Sibling uniqueness compares names in Unicode NFC (so "Café" written precomposed and with a
 *   combining accent are the same name) and, for a dialect whose names are unique
 *   case-insensitively, lower-cased.
 */

export interface NameRules {
  /** The longest name, in code points (none: no limit but the body's). */
  maxLength?: number;
}

const CONTROL = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;
const INVISIBLE = "\\u200B-\\u200D\\u2060\\uFEFF";
const BLANK = new RegExp(`^[\\s${INVISIBLE}]*$`);
const EDGE_SPACE = new RegExp(`^[\\s${INVISIBLE}]|[\\s${INVISIBLE}]$`);

const codePoint = (ch: string): string => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;

/** What is wrong with a name, in a sentence that fits after "name: ", or undefined when it is fine. */
export function nameProblem(name: unknown, rules: NameRules = {}): string | undefined {
  if (typeof name !== "string") return "is required and must be a string";
  if (BLANK.test(name)) return name === "" ? "must not be empty" : "must not be only whitespace";
  const control = CONTROL.exec(name);
  if (control) return `must not contain control characters (${codePoint(control[0])} at position ${control.index})`;
  if (EDGE_SPACE.test(name)) return "must not begin or end with whitespace";
  if (LONE_SURROGATE.test(name)) return "must not contain a lone UTF-16 surrogate";
  if (rules.maxLength !== undefined) {
    let length = 0;
    for (const _ of name) if (++length > rules.maxLength) return `must be at most ${rules.maxLength} characters`;
  }
  return undefined;
}

/** The first control character of any text a client sends (an email, say), if any: refused like one in a name. */
export function controlCharacter(text: string): string | undefined {
  const m = CONTROL.exec(text);
  return m ? codePoint(m[0]) : undefined;
}

/** The form in which two sibling names are compared: NFC, and lower-cased when case does not count. */
export function siblingName(name: string, options: { caseInsensitive: boolean }): string {
  const nfc = name.normalize("NFC");
  return options.caseInsensitive ? nfc.toLowerCase() : nfc;
}

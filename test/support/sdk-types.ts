// The resource types of @commercelayer/provisioning-sdk, read at run time from the package's own
// declarations (lib/index.d.ts), so an answer is checked against what the SDK declares and not
// against a copy of it: every member not marked `?` must be present, every value must have its
// declared type (enums as declared), `Nullable<...>` alone admits null, and a key the SDK does not
// declare is reported too. None of the SDK's code is copied here; its declarations are read.
import { readFileSync } from "node:fs";
import { join } from "node:path";

const DTS = readFileSync(join(__dirname, "..", "..", "node_modules", "@commercelayer", "provisioning-sdk", "lib", "index.d.ts"), "utf8");

export interface Member {
  name: string;
  optional: boolean;
  type: string;
}

/** `type X = ...;` aliases of the declarations (one line each). */
const ALIASES = new Map<string, string>([...DTS.matchAll(/^type (\w+(?:\$\d+)?) = ([^\n]+);$/gm)].map((m) => [m[1], m[2]]));

/** The members of an interface, those of the interfaces it extends first (a member declared again wins). */
export function membersOf(name: string): Member[] {
  const head = new RegExp(`^(?:declare )?interface ${name.replace("$", "\\$")}(?: extends ([^{]+))? \\{$`, "m").exec(DTS);
  if (!head) throw new Error(`the SDK declares no interface ${name}`);
  const body = DTS.slice(head.index + head[0].length, DTS.indexOf("\n}", head.index));
  const inherited = (head[1] ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .flatMap(membersOf);
  const own = [...body.matchAll(/^ {4}(?:readonly )?(\w+)(\?)?: ([^\n]+);$/gm)].map((m) => ({ name: m[1], optional: m[2] === "?", type: m[3] }));
  const byName = new Map<string, Member>();
  for (const m of [...inherited, ...own]) byName.set(m.name, m);
  return [...byName.values()];
}

/** The always-present members (not `?`) of an interface. */
export const requiredKeys = (name: string): string[] => membersOf(name).filter((m) => !m.optional).map((m) => m.name);
export const optionalKeys = (name: string): string[] => membersOf(name).filter((m) => m.optional).map((m) => m.name);

const RESOURCE_INTERFACES = new Set([...DTS.matchAll(/^interface (\w+) extends Resource \{$/gm)].map((m) => m[1]));

/** Why `value` is not of the declared type `type` (undefined when it is). */
function typeProblem(value: unknown, type: string): string | undefined {
  const t = type.trim();
  const nullable = /^Nullable<(.+)>$/.exec(t);
  if (nullable) return value === null ? undefined : typeProblem(value, nullable[1]);
  if (value === null) return "is null, which its type does not admit";
  const alias = ALIASES.get(t);
  if (alias !== undefined) return typeProblem(value, alias);
  if (t.includes("|")) {
    const options = t.split("|").map((o) => o.trim());
    if (options.every((o) => /^'.*'$/.test(o))) return options.includes(`'${String(value)}'`) ? undefined : `${JSON.stringify(value)} is not one of ${options.join(", ")}`;
    return options.some((o) => typeProblem(value, o) === undefined) ? undefined : `${JSON.stringify(value)} is none of ${t}`;
  }
  if (/^'.*'$/.test(t)) return value === t.slice(1, -1) ? undefined : `${JSON.stringify(value)} is not ${t}`;
  if (t === "string" || t === "number" || t === "boolean") return typeof value === t ? undefined : `${JSON.stringify(value)} is not a ${t}`;
  if (t === "Record<string, any>" || t === "Metadata") return typeof value === "object" && !Array.isArray(value) ? undefined : `${JSON.stringify(value)} is not an object`;
  const array = /^(.+)\[\]$/.exec(t);
  if (array) return Array.isArray(value) ? value.map((v) => typeProblem(v, array[1])).find(Boolean) : `${JSON.stringify(value)} is not a list`;
  // A related resource (as `include` or a relationship's linkage gives it): an object of its type.
  if (RESOURCE_INTERFACES.has(t)) return typeof value === "object" && typeof (value as { id?: unknown }).id === "string" ? undefined : `${JSON.stringify(value)} is not a ${t}`;
  throw new Error(`sdk-types cannot check the declared type ${t}`);
}

/** Every way `value` departs from the SDK's interface `name`, one sentence each. */
export function departures(name: string, value: Record<string, unknown>): string[] {
  const members = membersOf(name);
  const out: string[] = [];
  for (const m of members) {
    if (!(m.name in value)) {
      if (!m.optional) out.push(`${name}.${m.name}: missing (required by the SDK)`);
      continue;
    }
    const problem = typeProblem(value[m.name], m.type);
    if (problem) out.push(`${name}.${m.name}: ${problem} (declared ${m.type})`);
  }
  const declared = new Set(members.map((m) => m.name));
  for (const k of Object.keys(value)) if (!declared.has(k)) out.push(`${name}.${k}: not declared by the SDK`);
  return out;
}

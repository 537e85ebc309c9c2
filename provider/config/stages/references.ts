/**
 * Stage 3, references between organizations, across every file of the config: keys and previous
 * keys name one organization each, a parent names a key (no cycle, not given twice), one live
 * organization is adopted once, one email is listed once per organization.
 */
import type { Node } from "yaml";
import type { Capabilities } from "../../core/capabilities";
import { Suggester } from "../../core/suggest";
import { PathSegment, navigate } from "../source";
import type { CheckedOrganization } from "./fields";
import type { Reporter } from "./report";

/** The organizations by key (the first of a key), for the stages after this one. */
export type ByKey = ReadonlyMap<string, CheckedOrganization>;

export function checkReferences(orgs: readonly CheckedOrganization[], caps: Capabilities, reporter: Reporter): ByKey {
  const byKey = uniqueKeys(orgs, reporter);
  // Parents are references only where the backend has a hierarchy (elsewhere the policy refuses them).
  if (caps.hierarchy.supported) {
    parentsGivenOnce(orgs, reporter);
    parentsResolve(orgs, byKey, reporter);
    parentsWithoutCycles(orgs, byKey, reporter);
  }
  adoptedOnce(orgs, reporter);
  membersListedOnce(orgs, reporter);
  return byKey;
}

const nodeAt = (o: CheckedOrganization, path: Array<string | number>): Node | null => navigate(o.entry.source, o.entry.node, path.map(String)).node;
const pathOf = (o: CheckedOrganization, ...rest: PathSegment[]): PathSegment[] => ["organizations", o.entry.index, ...rest];
const keyOf = (o: CheckedOrganization): string => o.entry.value.key;
const parentOf = (o: CheckedOrganization): string | undefined => o.entry.value.parent;

/** Keys and previous keys are unique across all files. */
function uniqueKeys(orgs: readonly CheckedOrganization[], reporter: Reporter): Map<string, CheckedOrganization> {
  const byKey = new Map<string, CheckedOrganization>();
  for (const org of orgs) {
    const first = byKey.get(keyOf(org));
    if (first) {
      reporter.report(org.entry.source, nodeAt(org, ["key"]), pathOf(org, "key"), "duplicate-key", `key "${keyOf(org)}" is already used by organizations[${first.entry.index}] in ${first.entry.source.file}`);
    } else byKey.set(keyOf(org), org);
  }
  const previous = new Map<string, CheckedOrganization>();
  for (const org of orgs) {
    org.entry.value.previousKeys?.forEach((pk, i) => {
      if (pk === undefined) return;
      const report = (message: string) => reporter.report(org.entry.source, nodeAt(org, ["previousKeys", i]), pathOf(org, "previousKeys", i), "duplicate-key", message);
      const current = byKey.get(pk);
      const other = previous.get(pk);
      if (current) report(current === org ? `previous key "${pk}" is this organization's own key` : `previous key "${pk}" is the key of another organization`);
      else if (other) report(other === org ? `previous key "${pk}" is listed twice` : `previous key "${pk}" is also a previous key of "${keyOf(other)}"`);
      else previous.set(pk, org);
    });
  }
  return byKey;
}

/** A parent is a key of this config (`parent`) or a live id (`parent_id`), not both. */
function parentsGivenOnce(orgs: readonly CheckedOrganization[], reporter: Reporter): void {
  for (const org of orgs) {
    const { source, node } = org.entry;
    if (parentOf(org) === undefined || source.entry(node, "parent_id") === undefined) continue;
    const keyNode = source.entry(node, "parent")!.keyNode;
    reporter.report(source, keyNode, pathOf(org, "parent"), "conflicting-parent", "set either parent (a key in this config) or parent_id (a literal id), not both");
  }
}

function parentsResolve(orgs: readonly CheckedOrganization[], byKey: ByKey, reporter: Reporter): void {
  const parents = new Suggester(() => byKey.keys());
  for (const org of orgs) {
    const parent = parentOf(org);
    if (parent === undefined || byKey.has(parent)) continue;
    const hint = parents.suggest(parent, keyOf(org)); // never itself
    reporter.report(org.entry.source, nodeAt(org, ["parent"]), pathOf(org, "parent"), "unknown-parent", `no organization has the key "${parent}"` + (hint ? `; did you mean "${hint}"?` : ""));
  }
}

/** Each organization is walked once: "on the walk" marks a loop, "done" a chain already checked. */
function parentsWithoutCycles(orgs: readonly CheckedOrganization[], byKey: ByKey, reporter: Reporter): void {
  const state = new Map<CheckedOrganization, "on the walk" | "done">();
  for (const start of orgs) {
    const walk: CheckedOrganization[] = [];
    let cur: CheckedOrganization | undefined = start;
    while (cur && !state.has(cur)) {
      state.set(cur, "on the walk");
      walk.push(cur);
      const parent = parentOf(cur);
      cur = parent !== undefined ? byKey.get(parent) : undefined;
    }
    if (cur && state.get(cur) === "on the walk") {
      const loop = walk.slice(walk.indexOf(cur));
      loop.forEach((org, i) => reporter.report(org.entry.source, nodeAt(org, ["parent"]), pathOf(org, "parent"), "cyclic-parent", `parent chain loops: ${loopText(loop, i)}`));
    }
    for (const org of walk) state.set(org, "done");
  }
}

/** `a -> b -> c -> a` from loop member i; a long loop shows its ends and how many are between. */
function loopText(loop: CheckedOrganization[], i: number): string {
  const key = (k: number): string => keyOf(loop[(i + k) % loop.length]!);
  if (loop.length <= 8) return [...loop.keys(), loop.length].map(key).join(" -> ");
  return `${[0, 1, 2].map(key).join(" -> ")} -> ... (${loop.length - 5} more) ... -> ${[loop.length - 2, loop.length - 1, loop.length].map(key).join(" -> ")}`;
}

/** One live organization is adopted once (an adopt naming both id and name is the policy's to refuse). */
function adoptedOnce(orgs: readonly CheckedOrganization[], reporter: Reporter): void {
  for (const which of ["id", "name"] as const) {
    const seen = new Map<string, CheckedOrganization>();
    for (const org of orgs) {
      const adopt = org.entry.value.adopt;
      const named = adopt?.[which];
      if (named === undefined || (adopt!.id !== undefined && adopt!.name !== undefined)) continue;
      const first = seen.get(String(named));
      if (!first) {
        seen.set(String(named), org);
        continue;
      }
      const file = first.entry.source === org.entry.source ? "" : ` in ${first.entry.source.file}`;
      reporter.report(org.entry.source, nodeAt(org, ["adopt", which]), pathOf(org, "adopt", which), "duplicate-adoption", `the organization with ${which} "${String(named)}" is already adopted by "${keyOf(first)}"${file}`);
    }
  }
}

/** An email is listed once among an organization's members (compared as the vendors compare emails). */
function membersListedOnce(orgs: readonly CheckedOrganization[], reporter: Reporter): void {
  for (const org of orgs) {
    const members = org.entry.value.members;
    if (!org.members || !members) continue;
    const itemsPath: PathSegment[] = Array.isArray(members) ? ["members"] : ["members", "items"];
    const seen = new Map<string, number>();
    (Array.isArray(members) ? members : members.items).forEach((item, i) => {
      const email = item?.email;
      if (typeof email !== "string") return;
      const norm = email.trim().toLowerCase();
      const first = seen.get(norm);
      if (first === undefined) seen.set(norm, i);
      else reporter.report(org.entry.source, nodeAt(org, [...itemsPath, i, "email"]), pathOf(org, ...itemsPath, i, "email"), "duplicate-member", `${email} is already listed as member ${first} of this organization`);
    });
  }
}

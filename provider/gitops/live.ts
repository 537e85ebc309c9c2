// What a live account holds, read in bulk through the Backend interface only (organizations,
// then profiles and members where the adapter has those abilities), in a stable order: parents
// before children, siblings by name then id. `orgform export` and `orgform drift` both read it.
import { hasMembers, hasProfiles, type Fields, type FullBackend, type ObservedMember, type ObservedOrganization } from "../backends/types";

export interface LiveOrganization {
  organization: ObservedOrganization;
  /** Depth below the snapshot's roots (0 = a root of the snapshot). */
  depth: number;
  /** The profile, when read (absent: not asked, or the backend has none; `{}`: no profile yet). */
  profile?: Fields;
  /** The members, when read, sorted by email. */
  members?: ObservedMember[];
}

export interface LiveSnapshot {
  organizations: LiveOrganization[];
}

export interface ReadProgress {
  phase: "organizations" | "details";
  done: number;
  total: number;
}

export interface ReadLiveOptions {
  /** The organizations, when the caller has listed them already (one bulk read per command). */
  listed?: readonly ObservedOrganization[];
  /** Only these organizations (ids, or names compared case-insensitively) and everything below them. */
  select?: readonly string[];
  /** Which details to read per organization (default: profile and members wherever the backend has them). */
  details?: (o: ObservedOrganization) => { profile: boolean; members: boolean };
  onProgress?: (p: ReadProgress) => void;
  /** Organizations whose details are read at once (default 4: polite to a shared API). */
  concurrency?: number;
}

const byNameThenId = (a: ObservedOrganization, b: ObservedOrganization) => {
  const an = a.name.toLowerCase();
  const bn = b.name.toLowerCase();
  return an < bn ? -1 : an > bn ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
};

/** Parents before children, depth first; siblings by name (case-insensitively), then id. */
export function treeOrder(all: readonly ObservedOrganization[], rootIds?: ReadonlySet<string>): { organization: ObservedOrganization; depth: number }[] {
  const ids = new Set(all.map((o) => o.id));
  const children = new Map<string | null, ObservedOrganization[]>();
  const isRoot = (o: ObservedOrganization) => (rootIds ? rootIds.has(o.id) : o.parentId === null || !ids.has(o.parentId));
  for (const o of all) {
    const at = isRoot(o) ? null : o.parentId;
    if (!children.has(at)) children.set(at, []);
    children.get(at)!.push(o);
  }
  const out: { organization: ObservedOrganization; depth: number }[] = [];
  const seen = new Set<string>();
  const visit = (parent: string | null, depth: number) => {
    for (const o of (children.get(parent) ?? []).sort(byNameThenId)) {
      if (seen.has(o.id)) continue; // a cycle reported by a broken API is not followed twice
      seen.add(o.id);
      out.push({ organization: o, depth });
      visit(o.id, depth + 1);
    }
  };
  visit(null, 0);
  return out;
}

/** The organizations named by `select` (id or name) and their descendants; every name must match. */
export function selectSubtrees(all: readonly ObservedOrganization[], select: readonly string[]): { organizations: ObservedOrganization[]; roots: Set<string>; unknown: string[] } {
  const roots = new Set<string>();
  const unknown: string[] = [];
  for (const wanted of select) {
    const found = all.filter((o) => o.id === wanted || o.name.toLowerCase() === wanted.toLowerCase());
    if (found.length === 0) unknown.push(wanted);
    for (const o of found) roots.add(o.id);
  }
  const byParent = new Map<string, ObservedOrganization[]>();
  for (const o of all) if (o.parentId !== null) byParent.set(o.parentId, [...(byParent.get(o.parentId) ?? []), o]);
  const picked = new Map<string, ObservedOrganization>();
  const take = (o: ObservedOrganization) => {
    if (picked.has(o.id)) return;
    picked.set(o.id, o);
    for (const c of byParent.get(o.id) ?? []) take(c);
  };
  for (const o of all) if (roots.has(o.id)) take(o);
  // A selected organization below another selected one is not a root of the snapshot.
  for (const id of [...roots]) {
    const parent = picked.get(id)?.parentId;
    if (parent && picked.has(parent)) roots.delete(id);
  }
  return { organizations: [...picked.values()], roots, unknown };
}

/** Runs `work` over `items`, at most `limit` at once, keeping the items' order in the results. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

export async function readLive(backend: FullBackend, options: ReadLiveOptions = {}): Promise<LiveSnapshot & { unknownSelections: string[] }> {
  const progress = options.onProgress ?? (() => {});
  progress({ phase: "organizations", done: 0, total: 0 });
  let all = options.listed ? [...options.listed] : await backend.findOrganizations({});
  let rootIds: Set<string> | undefined;
  let unknownSelections: string[] = [];
  if (options.select && options.select.length > 0) {
    const picked = selectSubtrees(all, options.select);
    all = picked.organizations;
    rootIds = picked.roots;
    unknownSelections = picked.unknown;
  }
  const ordered = treeOrder(all, rootIds);
  progress({ phase: "organizations", done: ordered.length, total: ordered.length });
  const profiles = hasProfiles(backend);
  const members = hasMembers(backend);
  const wants = options.details ?? (() => ({ profile: true, members: true }));
  let done = 0;
  progress({ phase: "details", done, total: ordered.length });
  const organizations = await mapLimited(ordered, options.concurrency ?? 4, async ({ organization, depth }) => {
    const want = wants(organization);
    const entry: LiveOrganization = { organization, depth };
    if (want.profile && profiles) entry.profile = (await backend.getProfile(organization.id)) ?? {};
    if (want.members && members) {
      const list = await backend.listMembers(organization.id);
      entry.members = [...list].sort((a, b) => (a.email.toLowerCase() < b.email.toLowerCase() ? -1 : a.email.toLowerCase() > b.email.toLowerCase() ? 1 : 0));
    }
    progress({ phase: "details", done: ++done, total: ordered.length });
    return entry;
  });
  return { organizations, unknownSelections };
}

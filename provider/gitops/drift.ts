// `orgform drift`: the desired state against the live API directly (no Pulumi state), through the
// planners `pulumi preview` uses (provider/core/plan). It also sees what Pulumi cannot:
// organizations and members that are live but declared nowhere.
import type { BackendName } from "../core/backends";
import { capabilitiesOf } from "../core/capabilities";
import type { FieldChange } from "../core/diff";
import { liveMemberOf, memberRules, planMembers, type MemberRules } from "../core/plan/members";
import { planOrganization } from "../core/plan/organization";
import { planProfile } from "../core/plan/profile";
import { schemasOf } from "../core/schema";
import type { Config, OrganizationDecl } from "../config/model";
import { parentsFirst } from "../config/order";
import { hasAudit, type ChangeRecord, type FullBackend, type ObservedMember, type ObservedOrganization } from "../backends/types";
import { readLive, type LiveOrganization, type ReadProgress } from "./live";

/** Version of the JSON shape (docs/gitops.md); bumped on any incompatible change. */
export const DRIFT_REPORT_VERSION = 1;

export type OrganizationState = "in-sync" | "changed" | "missing" | "unmanaged";

/** A field that differs: `live` is what the API holds, `declared` what the config says. */
export interface FieldDrift {
  field: string;
  kind: FieldChange["kind"];
  live: unknown;
  declared: unknown;
}

/** Member drift, from the member planner (`role` only where members have roles). */
export interface MemberDrift {
  /** Declared, not live. */
  missing: { email: string; role?: string }[];
  /** Live, declared nowhere, in an authoritative member set. */
  unmanaged: { email: string; role?: string }[];
  /** Live with another role than declared. */
  wrongRole: { email: string; live: string; declared: string }[];
  /** Declared, but the membership is not in force (e.g. `canceled`): `pulumi up` re-creates it. */
  inactive: { email: string; status: string }[];
}

export interface OrganizationDrift {
  /** The config's key; null for an unmanaged organization. */
  key: string | null;
  name: string;
  /** The live id; null when missing. */
  id: string | null;
  state: OrganizationState;
  fields: FieldDrift[];
  /** The live and declared parent ids, when they differ. */
  parent?: { live: string | null; declared: string | null };
  profile: FieldDrift[];
  members?: MemberDrift;
  /**
   * For a changed organization, where the vendor keeps an audit log (`AuditAbility`): its latest
   * write, naming who made it and when. `lastChangeUnknown` says why it could not be read instead.
   */
  lastChange?: ChangeRecord;
  lastChangeUnknown?: string;
}

export interface DriftReport {
  version: typeof DRIFT_REPORT_VERSION;
  backend: BackendName;
  /** Whether the config declares every organization (unmanaged ones are drift). */
  authoritative: boolean;
  drift: boolean;
  summary: {
    declared: number;
    inSync: number;
    changed: number;
    missing: number;
    unmanaged: number;
    /** Live organizations declared nowhere, not counted as drift (the config is not authoritative). */
    unmanagedIgnored: number;
  };
  /** Declared organizations in config order, then unmanaged ones in tree order. */
  organizations: OrganizationDrift[];
}

function fieldDrifts(changes: FieldChange[]): FieldDrift[] {
  return changes.map((c) => ({ field: c.field, kind: c.kind, live: c.from, declared: c.to }));
}


/**
 * Which live organization each declaration stands for. With a stack's state (`stateIds`: the
 * organization id Pulumi holds for each key, `--stack`), a key in it is that id, as the engine
 * matches (a renamed organization is still itself); otherwise, and for keys not in the state:
 * `adopt.id`, else `adopt.name`, else the declared name within the vendor's uniqueness scope
 * (under the matched parent where names are unique among siblings).
 */
export function matchDeclarations(config: Config, live: readonly ObservedOrganization[], stateIds?: ReadonlyMap<string, string>): Map<string, ObservedOrganization | undefined> {
  const caps = capabilitiesOf(config.backend);
  const { scope, caseInsensitive } = caps.organization.nameUniqueness;
  const same = (a: string, b: string) => (caseInsensitive ? a.toLowerCase() === b.toLowerCase() : a === b);
  const matched = new Map<string, ObservedOrganization | undefined>();
  const used = new Set<string>();
  for (const o of parentsFirst(config.organizations)) {
    let found: ObservedOrganization | undefined;
    const inState = [o.key, ...o.previousKeys].map((k) => stateIds?.get(k)).find((id) => id !== undefined);
    if (inState !== undefined) found = live.find((l) => l.id === inState);
    else if (o.adopt?.id) found = live.find((l) => l.id === o.adopt!.id);
    else {
      const name = o.adopt?.name ?? (typeof o.fields.name === "string" ? o.fields.name : undefined);
      let candidates = name === undefined ? [] : live.filter((l) => same(l.name, name) && !used.has(l.id));
      if (scope === "siblings" && !o.adopt) {
        const parentId = declaredParentId(o, matched);
        if (parentId !== undefined) candidates = candidates.filter((l) => l.parentId === parentId);
      }
      // Several candidates (same name under different parents, or a vendor without unique names): ambiguous, not guessed.
      found = candidates.length === 1 ? candidates[0] : undefined;
    }
    if (found) used.add(found.id);
    matched.set(o.key, found);
  }
  return matched;
}

/** The parent id a declaration asks for: its parent key's live id, a literal parent id, root (null), or undefined (an adopted organization keeps its own). */
function declaredParentId(o: OrganizationDecl, matched: Map<string, ObservedOrganization | undefined>): string | null | undefined {
  if (!o.parent) return o.adopt ? undefined : null;
  if ("id" in o.parent) return o.parent.id;
  return matched.get(o.parent.key)?.id ?? `<missing ${o.parent.key}>`;
}

function memberDrift(rules: MemberRules, o: OrganizationDecl, live: readonly ObservedMember[]): MemberDrift {
  const declared = o.members!;
  const plan = planMembers({ declared: declared.items, mode: declared.mode, live: live.map((m) => liveMemberOf(rules, m)) }, rules);
  return {
    missing: plan.add,
    unmanaged: plan.remove.map((m) => (m.role !== undefined ? { email: m.email, role: m.role } : { email: m.email })),
    wrongRole: plan.setRole.map((c) => ({ email: c.email, live: c.from, declared: c.to })),
    inactive: plan.recreate.map((c) => ({ email: c.email, status: c.status })),
  };
}

const memberDriftCount = (m?: MemberDrift) => (m ? m.missing.length + m.unmanaged.length + m.wrongRole.length + m.inactive.length : 0);

/**
 * Who changed each drifted organization, read from the vendor's audit log where it keeps one. A
 * failed read is said on that organization and does not hide the drift itself.
 */
async function namesWhoChanged(backend: FullBackend, organizations: OrganizationDrift[]): Promise<void> {
  if (!hasAudit(backend)) return;
  for (const o of organizations) {
    if (o.state !== "changed" || !o.id) continue;
    try {
      const change = await backend.lastChange(o.id);
      if (change) o.lastChange = change;
      else o.lastChangeUnknown = "the audit log shows no write in the last 30 days";
    } catch (err) {
      o.lastChangeUnknown = `the audit log could not be read: ${(err as Error).message}`;
    }
  }
}

export interface DetectDriftOptions {
  onProgress?: (p: ReadProgress) => void;
  /** The organization id a stack's state holds for each key (`orgform drift --stack`); absent: match without state. */
  stateIds?: ReadonlyMap<string, string>;
}

export async function detectDrift(config: Config, backend: FullBackend, options: DetectDriftOptions = {}): Promise<DriftReport> {
  const b = config.backend;
  const caps = capabilitiesOf(b);
  const schemas = schemasOf(b);
  const profileSupported = caps.profile.supported && !!schemas.profile;
  const rules = schemas.member && memberRules(schemas.member);
  // Organizations first (one bulk read), then only the details the config declares.
  const all = await backend.findOrganizations({});
  const matched = matchDeclarations(config, all, options.stateIds);
  const declaredById = new Map<string, OrganizationDecl>();
  for (const o of config.organizations) {
    const m = matched.get(o.key);
    if (m) declaredById.set(m.id, o);
  }
  const snapshot = await readLive(backend, {
    listed: all,
    details: (live) => {
      const o = declaredById.get(live.id);
      return { profile: !!o?.profile, members: !!o?.members };
    },
    onProgress: options.onProgress,
  });
  const liveById = new Map<string, LiveOrganization>(snapshot.organizations.map((l) => [l.organization.id, l]));

  const organizations: OrganizationDrift[] = [];
  for (const o of config.organizations) {
    const found = matched.get(o.key);
    const name = typeof o.fields.name === "string" ? o.fields.name : (o.adopt?.name ?? o.adopt?.id ?? o.key);
    if (!found) {
      organizations.push({ key: o.key, name, id: null, state: "missing", fields: [], profile: [] });
      continue;
    }
    const live = liveById.get(found.id)!;
    // The planners `pulumi preview` uses, without a previous declaration (import-only fields never drift).
    const plan = planOrganization({
      schema: schemas.organization,
      hierarchy: caps.hierarchy.supported,
      declared: { fields: o.fields, parentId: declaredParentId(o, matched), adopted: !!o.adopt },
      live: { fields: found.fields, parentId: found.parentId },
    });
    const entry: OrganizationDrift = {
      key: o.key,
      name: found.name,
      id: found.id,
      state: "in-sync",
      fields: fieldDrifts(plan.fields.changes),
      profile: [],
    };
    if (plan.parent) entry.parent = { live: plan.parent.from, declared: plan.parent.to };
    if (profileSupported && o.profile) entry.profile = fieldDrifts(planProfile({ schema: schemas.profile!, declared: o.profile, live: live.profile }).changes);
    if (o.members && live.members && rules) entry.members = memberDrift(rules, o, live.members);
    if (entry.fields.length || entry.parent || entry.profile.length || memberDriftCount(entry.members)) entry.state = "changed";
    organizations.push(entry);
  }
  await namesWhoChanged(backend, organizations);
  const unmanaged = snapshot.organizations.filter((l) => !declaredById.has(l.organization.id));
  const authoritative = !!config.authoritative;
  if (authoritative) {
    for (const l of unmanaged) {
      organizations.push({ key: null, name: l.organization.name, id: l.organization.id, state: "unmanaged", fields: [], profile: [] });
    }
  }
  const count = (s: OrganizationState) => organizations.filter((o) => o.state === s).length;
  const summary = {
    declared: config.organizations.length,
    inSync: count("in-sync"),
    changed: count("changed"),
    missing: count("missing"),
    unmanaged: count("unmanaged"),
    unmanagedIgnored: authoritative ? 0 : unmanaged.length,
  };
  return {
    version: DRIFT_REPORT_VERSION,
    backend: b,
    authoritative,
    drift: summary.changed + summary.missing + summary.unmanaged > 0,
    summary,
    organizations,
  };
}

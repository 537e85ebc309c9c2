/**
 * Stage 4, capability policy: what the backend's capability matrix (schemas/<backend>/capabilities.json)
 * allows. Parts it does not have (sub-organizations, a profile, members, allowDuplicateName) are
 * refused where they are written; adoption (exactly one of id or name, or `adopt: {}` where a
 * credential sees one organization; warned where no ownership marker guards it); roles and
 * administrators; names unique in the vendor's scope; creates and organizations within its limits.
 */
import type { Node } from "yaml";
import type { BackendName } from "../../core/backends";
import { type Capabilities, capabilitiesOf, membersHaveRoles } from "../../core/capabilities";
import { namesMayRepeat } from "../../core/name-check";
import { hasSchema } from "../../core/schema";
import { isAdminRole, memberRoles, noMemberRoles } from "../../core/roles";
import { PathSegment, isMap, isSeq, navigate } from "../source";
import type { RawAdopt } from "../structure";
import type { CheckedOrganization } from "./fields";
import type { ByKey } from "./references";
import type { Reporter } from "./report";

export function checkPolicy(orgs: readonly CheckedOrganization[], byKey: ByKey, backend: BackendName, reporter: Reporter): void {
  const caps = capabilitiesOf(backend);
  for (const org of orgs) {
    partsTheBackendHas(org, backend, caps, reporter);
    adoptionAllowed(org, caps, reporter);
  }
  rolesAndAdministrators(orgs, backend, reporter);
  namesUniqueInScope(orgs, byKey, caps, reporter);
  sameNameCreates(orgs, caps, reporter);
  createsWithinLimits(orgs, caps, reporter);
}

const pathOf = (o: CheckedOrganization, ...rest: PathSegment[]): PathSegment[] => ["organizations", o.entry.index, ...rest];
const keyOf = (o: CheckedOrganization): string => o.entry.value.key;

/** The adopt block when it names the live organization as the backend allows (exactly one of id or name; neither where a credential sees one). */
export function validAdoption(org: CheckedOrganization, caps: Capabilities): RawAdopt | undefined {
  const adopt = org.entry.value.adopt;
  if (!adopt) return undefined;
  const given = (adopt.id !== undefined ? 1 : 0) + (adopt.name !== undefined ? 1 : 0);
  const adoptNode = navigate(org.entry.source, org.entry.node, ["adopt"]).node;
  // An id or name written but refused (the structure stage said why) is not "neither".
  const written = isMap(adoptNode) ? ["id", "name"].filter((k) => org.entry.source.entry(adoptNode, k) !== undefined).length : 0;
  if (given === 2 || (written === 0 && caps.organization.visiblePerCredential !== 1)) return undefined;
  return adopt;
}

/** Keys the backend has no use for, refused where they are written. */
function partsTheBackendHas(org: CheckedOrganization, backend: BackendName, caps: Capabilities, reporter: Reporter): void {
  const { source, node } = org.entry;
  const refuse = (key: string, code: Parameters<Reporter["report"]>[3], message: string) => {
    const entry = source.entry(node, key);
    if (!entry) return;
    reporter.supersede(source.file, pathOf(org, key));
    reporter.report(source, entry.keyNode, pathOf(org, key), code, message);
  };
  if (!caps.hierarchy.supported) {
    for (const key of ["parent", "parent_id"]) refuse(key, "unsupported-hierarchy", `${caps.displayName} has no sub-organizations: remove ${key}`);
  }
  if (!caps.profile.supported || !hasSchema(backend, "profile")) refuse("profile", "unsupported-profile", `${caps.displayName} has no organization profile: remove profile`);
  if (!caps.members.supported || !hasSchema(backend, "member")) refuse("members", "unsupported-members", `${caps.displayName} has no organization members: remove members`);
  if (!namesMayRepeat(caps)) {
    refuse("allowDuplicateName", "unknown-field", `allowDuplicateName does not apply to ${caps.displayName}: ${caps.organization.create ? "it keeps organization names unique" : "its organizations cannot be created"}`);
  }
}

function adoptionAllowed(org: CheckedOrganization, caps: Capabilities, reporter: Reporter): void {
  const adopt = org.entry.value.adopt;
  if (!adopt) return;
  const node = navigate(org.entry.source, org.entry.node, ["adopt"]).node;
  if (!validAdoption(org, caps)) {
    reporter.report(org.entry.source, node, pathOf(org, "adopt"), "invalid-adopt", "adopt names exactly one of id or name");
    return;
  }
  // Where the vendor has no field for orgform's ownership marker, a second stack adopting the
  // same organization cannot be told apart from this one: said here, where it can still be avoided.
  if (!caps.organization.ownershipMarker) {
    reporter.report(
      org.entry.source,
      node,
      pathOf(org, "adopt"),
      "unguarded-adoption",
      `${caps.displayName} organizations have no field for orgform's ownership marker: if another stack adopts this organization too, ` +
        `neither can tell, and both apply their changes in turn; make sure one stack (one config) manages it` +
        (adopt.takeOver ? " (takeOver has nothing to rewrite here)" : ""),
      "warning",
    );
  }
}

/**
 * A role where members have none is refused at its key; minAdmins cannot apply there (a warning,
 * once per config). Elsewhere the listed members keep at least minAdmins administrators (where
 * roles are a fixed set: roles of each organization are known live only, and the members handler
 * checks then).
 */
function rolesAndAdministrators(orgs: readonly CheckedOrganization[], backend: BackendName, reporter: Reporter): void {
  const caps = capabilitiesOf(backend);
  const hasRoles = membersHaveRoles(backend);
  let warned = false;
  for (const org of orgs) {
    const members = org.entry.value.members;
    if (!org.members || members === undefined) continue;
    const { source, node } = org.entry;
    const itemsPath = Array.isArray(members) ? ["members"] : ["members", "items"];
    const list = navigate(source, node, itemsPath).node;
    if (!hasRoles && isSeq(list)) {
      list.items.forEach((item, i) => {
        const itemNode = source.resolve(item);
        const role = isMap(itemNode) ? source.entry(itemNode, "role") : undefined;
        if (role) reporter.report(source, role.keyNode, pathOf(org, ...itemsPath, i, "role"), "no-member-roles", noMemberRoles(backend));
      });
    }
    const minAdmins = Array.isArray(members) ? undefined : members.minAdmins;
    if (minAdmins === undefined) continue;
    const at: [Node | null, PathSegment[]] = [navigate(source, node, ["members", "minAdmins"]).node, pathOf(org, "members", "minAdmins")];
    if (!hasRoles) {
      // No member administers where members have no roles: said once per load, not per organization.
      if (!warned) {
        warned = true;
        reporter.report(
          source,
          ...at,
          "admins-not-applicable",
          `${caps.displayName} members have no roles, so no member is an administrator: minAdmins and the last-administrator guard cannot apply and are ignored (the removal-share guard still holds)`,
          "warning",
        );
      }
      continue;
    }
    const roles = memberRoles(backend);
    if (!org.membersComplete || !roles.values) continue;
    const admins = org.members.filter((m) => isAdminRole(backend, m.role ?? roles.defaultRole)).length;
    if (admins < minAdmins) {
      reporter.report(
        source,
        ...at,
        "too-few-admins",
        `this organization keeps ${admins} administrator${admins === 1 ? "" : "s"} (roles ${roles.adminRoles.join(", ") || "none"}), fewer than minAdmins ${minAdmins}`,
      );
    }
  }
}

/**
 * Names unique where the vendor requires it, across every file of the config: an export split
 * into a folder that already declares an organization must not declare it a second time.
 */
function namesUniqueInScope(orgs: readonly CheckedOrganization[], byKey: ByKey, caps: Capabilities, reporter: Reporter): void {
  const { scope, caseInsensitive } = caps.organization.nameUniqueness;
  if (scope === "none") return;
  const nameOf = (org: CheckedOrganization): string | undefined =>
    typeof org.fields.name === "string" ? org.fields.name : validAdoption(org, caps)?.name;
  // In Unicode NFC, as the emulator compares sibling names: "Café" precomposed and decomposed look the same and are one name.
  const norm = (name: string): string => (caseInsensitive ? name.normalize("NFC").toLowerCase() : name.normalize("NFC"));
  const parentOf = (org: CheckedOrganization): string | undefined => (caps.hierarchy.supported ? org.entry.value.parent : undefined);
  // Where names are unique among siblings, a parent is known by its own name under its own
  // parent (two files may give one organization two keys), else by its adopt id, else its key.
  // Each organization's place is interned as a short id, computed once (chains run 4,000 deep).
  const places = new Map<string, number>();
  const placeOf = new Map<CheckedOrganization, string>();
  const intern = (place: string): string => {
    let n = places.get(place);
    if (n === undefined) places.set(place, (n = places.size));
    return `#${n}`;
  };
  const parentRefOf = (start: CheckedOrganization): string => {
    // Up the chain to a parent whose place is known (or that is a root), then back down.
    const chain: CheckedOrganization[] = [];
    let base: string | undefined;
    let cur = start;
    const walked = new Set<CheckedOrganization>([start]);
    while (base === undefined) {
      const parentKey = parentOf(cur);
      if (parentKey === undefined) {
        const literal = caps.hierarchy.supported ? cur.entry.value.parent_id : undefined;
        base = typeof literal === "string" ? `id:${literal}` : "root";
        continue;
      }
      const parent = byKey.get(parentKey);
      const name = parent ? nameOf(parent) : undefined;
      const adoptId = parent ? validAdoption(parent, caps)?.id : undefined;
      if (!parent || walked.has(parent)) base = `key:${parentKey}`;
      else if (name === undefined) base = adoptId !== undefined ? `adopt-id:${String(adoptId)}` : `key:${parentKey}`;
      else if (placeOf.has(parent)) base = placeOf.get(parent)!;
      else {
        walked.add(parent);
        chain.push(parent);
        cur = parent;
      }
    }
    // chain[i] is the parent of chain[i-1] (chain[0] is start's parent): places from the top.
    let ref = base;
    for (let i = chain.length - 1; i >= 0; i--) {
      const o = chain[i]!;
      ref = intern(`${ref}/${norm(nameOf(o)!)}`);
      placeOf.set(o, ref);
    }
    return ref;
  };
  const seen = new Map<string, CheckedOrganization>();
  for (const org of orgs) {
    const name = nameOf(org);
    if (name === undefined) continue;
    const id = `${scope === "global" ? "" : parentRefOf(org)}\u0000${norm(name)}`;
    const first = seen.get(id);
    if (!first) {
      seen.set(id, org);
      continue;
    }
    const { source, node } = org.entry;
    const declaredName = typeof org.fields.name === "string";
    const at = declaredName ? navigate(source, node, ["name"]).node : (navigate(source, node, ["adopt", "name"]).node ?? node);
    const parent = parentOf(org);
    const where = scope === "global" ? "" : parent !== undefined ? ` under "${parent}"` : " among root organizations";
    const file = first.entry.source === source ? "" : ` in ${first.entry.source.file}`;
    reporter.report(
      source,
      at,
      pathOf(org, declaredName ? "name" : "adopt"),
      "duplicate-name",
      `name "${name}" is already used by "${keyOf(first)}"${file}${where}` +
        (caseInsensitive ? " (names compare case-insensitively)" : "") +
        (file ? `: one organization declared twice? Keep one declaration` : ""),
    );
  }
}

/**
 * Where names may repeat, two organizations this config creates under one name are a choice
 * made on purpose: each needs allowDuplicateName (without it, the create that comes second finds
 * the first and refuses, whichever that is).
 */
function sameNameCreates(orgs: readonly CheckedOrganization[], caps: Capabilities, reporter: Reporter): void {
  if (!namesMayRepeat(caps)) return;
  const seen = new Map<string, CheckedOrganization>();
  for (const org of orgs) {
    const name = org.fields.name;
    if (validAdoption(org, caps) || typeof name !== "string") continue;
    const first = seen.get(name);
    if (!first) {
      seen.set(name, org);
      continue;
    }
    for (const o of [first, org]) {
      if (o.entry.value.allowDuplicateName === true) continue;
      const other = o === first ? org : first;
      reporter.report(o.entry.source, navigate(o.entry.source, o.entry.node, ["name"]).node, pathOf(o, "name"), "duplicate-name", `name "${name}" is also created by "${keyOf(other)}": ${caps.displayName} allows it, but only with allowDuplicateName: true on each`);
    }
  }
}

/** Organizations that must be adopted, how many one credential sees, how many one owner creates. */
function createsWithinLimits(orgs: readonly CheckedOrganization[], caps: Capabilities, reporter: Reporter): void {
  const report = (org: CheckedOrganization, code: Parameters<Reporter["report"]>[3], message: string) => reporter.report(org.entry.source, org.entry.node, pathOf(org), code, message);
  if (!caps.organization.create) {
    for (const org of orgs) {
      if (validAdoption(org, caps)) continue;
      const only = caps.organization.visiblePerCredential === 1 ? ", or adopt: {} (the one organization the credential sees)" : "";
      report(org, "unsupported-create", `${caps.displayName} organizations cannot be created: adopt an existing one with adopt: {id: ...} or adopt: {name: ...}${only}`);
    }
  }
  // How many organizations one credential can see at all (adopted or not). How many one owner may
  // create is another rule (createsPerOwner): adopting several existing organizations is fine.
  const limit = caps.organization.visiblePerCredential;
  if (limit !== null && orgs.length > limit) {
    for (const org of orgs.slice(limit)) report(org, "too-many-organizations", `${caps.displayName} allows ${limit} organization${limit === 1 ? "" : "s"} per credential; this config declares ${orgs.length}`);
  }
  // How many organizations one owner may create: those this config creates (not adopts), by the
  // owner each declares (caps.organization.ownerField), or the credential's own user when none.
  const perOwner = caps.organization.createsPerOwner;
  if (perOwner === null) return;
  const ownerField = caps.organization.ownerField ?? undefined;
  const byOwner = new Map<string, CheckedOrganization[]>();
  for (const org of orgs) {
    if (validAdoption(org, caps)) continue;
    const declared = ownerField ? org.fields[ownerField] : undefined;
    const owner = typeof declared === "string" ? declared.toLowerCase() : "";
    byOwner.set(owner, [...(byOwner.get(owner) ?? []), org]);
  }
  for (const [owner, group] of byOwner) {
    for (const org of group.slice(perOwner)) {
      const whose = owner ? `owner ${owner}` : `the user whose credential runs it (no ${ownerField ?? "owner"} declared)`;
      const others = group.slice(0, perOwner).map((o) => `"${keyOf(o)}"`).join(", ");
      report(
        org,
        "too-many-creates",
        `${caps.displayName} lets one owner create ${perOwner} organization${perOwner === 1 ? "" : "s"}, and this config already creates ${others} for ${whose}: ` +
          `adopt this one (adopt: {id: ...} or adopt: {name: ...})${ownerField ? ` or declare another ${ownerField}` : ""}`,
      );
    }
  }
}

// `orgform export`: a live account as a desired state that `orgform validate` accepts and whose
// first `pulumi up` adopts everything and changes nothing. Deterministic: the same account gives
// the same bytes (tree order, schema field order, keys derived from names, no volatile field).
import YAML, { isMap, isSeq, type Node } from "yaml";
import type { BackendName } from "../core/backends";
import { capabilitiesOf } from "../core/capabilities";
import { projectForExport } from "../core/export";
import { declarationOf, liveMemberOf, memberRules } from "../core/plan/members";
import { hasSchema, schemaFor, validateDeclared, type ResourceSchema } from "../core/schema";
import { KEY_PATTERN, type ConnectionSettings } from "../config/model";
import type { Fields } from "../backends/types";
import type { LiveOrganization, LiveSnapshot } from "./live";

const KEY_MAX = 100;
const keyPattern = new RegExp(KEY_PATTERN);

/** A key from a name: lower-case ASCII words joined by dashes ("Acme Europe" → "acme-europe"). */
export function keyBase(name: string): string {
  const slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 80)
    .replace(/-+$/, "");
  return slug || "org";
}

const idSuffix = (id: string) => id.toLowerCase().replace(/[^a-z0-9]/g, "").slice(0, 8) || "x";

/**
 * One key per organization, in snapshot order. The first organization of a name keeps the bare
 * key; a later one is told apart by its parent's key, else by the start of its id, so keys stay
 * put when an unrelated organization is added.
 */
export function assignKeys(organizations: readonly LiveOrganization[]): Map<string, string> {
  const keys = new Map<string, string>();
  const taken = new Set<string>();
  const fit = (k: string) => k.slice(0, KEY_MAX).replace(/[-.]+$/, "");
  // Shallower organizations choose first (a stable sort keeps tree order within a depth), so a
  // sub-organization never takes the bare key of a root's name.
  const byDepth = [...organizations].sort((a, b) => a.depth - b.depth);
  for (const { organization: o } of byDepth) {
    const base = keyBase(o.name);
    const parentKey = o.parentId !== null ? keys.get(o.parentId) : undefined;
    const candidates = [base, ...(parentKey ? [`${parentKey}-${base}`] : []), `${base}-${idSuffix(o.id)}`].map(fit);
    let key = candidates.find((k) => !taken.has(k) && keyPattern.test(k));
    for (let n = 2; !key; n++) if (!taken.has(`${fit(base)}-${n}`)) key = `${fit(base)}-${n}`;
    taken.add(key);
    keys.set(o.id, key);
  }
  return keys;
}

/**
 * Declarable values as the schema would accept them in a YAML file; a live value that a
 * declaration may not hold (e.g. "" where orgform requires an email) is reported, not declared.
 */
function declarable(schema: ResourceSchema, values: Fields): { declared: Fields; undeclarable: Fields } {
  const declared: Fields = {};
  const undeclarable: Fields = {};
  for (const [field, value] of Object.entries(values)) {
    if (validateDeclared(schema, { [field]: value }, { partial: true }).length === 0) declared[field] = value;
    else undeclarable[field] = value;
  }
  return { declared, undeclarable };
}

export interface ExportOptions {
  backend: BackendName;
  /** The whole account was exported: write `authoritative: true` (drift then reports unmanaged organizations). */
  authoritative: boolean;
  /** Where it was read from, when that is not the vendor's default (see `exportedConnection`). */
  connection?: ConnectionSettings;
}

/** A URL as it may be written into a file: no user info, query string or fragment (they may hold credentials). */
export function publicUrl(url: string): string {
  const u = new URL(url);
  u.username = "";
  u.password = "";
  u.search = "";
  u.hash = "";
  return u.toString().replace(/\/+$/, "");
}

/**
 * The `connection` block of an export: the endpoint (and OAuth2 token URL) it was read from, where
 * they are not the vendor's defaults, so that `orgform drift` of the export reads the same account
 * (a Cloudomation workspace, a self-hosted AIA Engine, the emulator). Undefined when both are the
 * defaults. Never a credential: URLs lose user info and query string.
 */
export function exportedConnection(backend: BackendName, endpoint: string, tokenUrl: string | undefined): ConnectionSettings | undefined {
  const defaults = capabilitiesOf(backend).connection;
  const same = (a: string, b: string | null | undefined) => typeof b === "string" && publicUrl(a) === publicUrl(b);
  const out: ConnectionSettings = {};
  if (!same(endpoint, defaults.defaultEndpoint)) out.endpoint = publicUrl(endpoint);
  if (tokenUrl !== undefined && !same(tokenUrl, defaults.defaultTokenUrl)) out.tokenUrl = publicUrl(tokenUrl);
  return Object.keys(out).length ? out : undefined;
}

/** The desired-state document (plain data, in the order it is written) of a snapshot. */
export function exportDocument(snapshot: LiveSnapshot, options: ExportOptions): Record<string, unknown>[] {
  const { backend } = options;
  const caps = capabilitiesOf(backend);
  const orgSchema = schemaFor(backend, "organization");
  const profileSchema = caps.profile.supported && hasSchema(backend, "profile") ? schemaFor(backend, "profile") : undefined;
  const memberSchema = caps.members.supported && hasSchema(backend, "member") ? schemaFor(backend, "member") : undefined;
  const keys = assignKeys(snapshot.organizations);
  return snapshot.organizations.map((live) => {
    const o = live.organization;
    const projection = projectForExport(o.fields, orgSchema, { omitNull: true });
    const fields = declarable(orgSchema, projection.declared);
    const entry: Record<string, unknown> = { key: keys.get(o.id)! };
    Object.assign(entry, fields.declared);
    const parentKey = o.parentId !== null ? keys.get(o.parentId) : undefined;
    if (parentKey && caps.hierarchy.supported) entry.parent = parentKey;
    entry.adopt = caps.organization.adopt.byId ? { id: o.id } : { name: o.name };
    const status: Record<string, unknown> = { ...projection.readOnly };
    if (Object.keys(fields.undeclarable).length) status.undeclarable = fields.undeclarable;
    if (profileSchema && live.profile && Object.keys(live.profile).length > 0) {
      const p = projectForExport(live.profile, profileSchema, { omitNull: true });
      const pf = declarable(profileSchema, p.declared);
      if (Object.keys(pf.declared).length) entry.profile = pf.declared;
      const profileStatus = { ...p.readOnly, ...(Object.keys(pf.undeclarable).length ? { undeclarable: pf.undeclarable } : {}) };
      if (Object.keys(profileStatus).length) status.profile = profileStatus;
    }
    if (memberSchema && live.members) {
      // The planner's inverse: each member as the declaration that matches it (none for an inactive membership).
      const rules = memberRules(memberSchema);
      entry.members = { mode: "authoritative", items: live.members.flatMap((m) => declarationOf(rules, liveMemberOf(rules, m)) ?? []) };
      const memberStatus = live.members
        .map((m) => ({ email: m.email, ...projectForExport(m.fields, memberSchema, { omitNull: true }).readOnly }))
        .filter((m) => Object.keys(m).length > 1);
      if (memberStatus.length) status.members = memberStatus;
    }
    if (Object.keys(status).length) entry.status = status;
    return entry;
  });
}

/** Small mappings written on one line (`adopt: { id: … }`, each member). */
function flowSmallMaps(node: Node | null | undefined, parentKey?: string): void {
  if (isMap(node)) {
    if (parentKey === "adopt" || parentKey === "member") node.flow = true;
    for (const pair of node.items) {
      const key = String((pair.key as { value?: unknown })?.value ?? "");
      flowSmallMaps(pair.value as Node, key);
    }
  } else if (isSeq(node)) {
    for (const item of node.items) flowSmallMaps(item as Node, parentKey === "items" ? "member" : undefined);
  }
}

/** One YAML text: a header comment, `backend`, `authoritative` when set, and the organizations. */
export function renderExport(organizations: Record<string, unknown>[], options: ExportOptions & { header?: string }): string {
  const data: Record<string, unknown> = { backend: options.backend };
  if (options.connection) data.connection = { ...options.connection };
  if (options.authoritative) data.authoritative = true;
  data.organizations = organizations;
  const doc = new YAML.Document(data);
  flowSmallMaps(doc.contents as Node);
  const header = [
    `# Exported by \`orgform export\` from ${capabilitiesOf(options.backend).displayName} (${options.backend}): ${organizations.length} organization${organizations.length === 1 ? "" : "s"}.`,
    "# Every organization is adopted by id; status blocks are what the API reports and are ignored on apply.",
    ...(options.header ? [options.header] : []),
  ];
  return `${header.join("\n")}\n${doc.toString({ lineWidth: 0 })}`;
}

/**
 * `--split-by-org`: one file per root organization of the snapshot (its whole subtree), named by
 * its key, each naming the backend; `authoritative` rides in every file when set.
 */
export function splitByRoot(organizations: Record<string, unknown>[]): Map<string, Record<string, unknown>[]> {
  const files = new Map<string, Record<string, unknown>[]>();
  const fileOf = new Map<string, string>();
  for (const entry of organizations) {
    const key = String(entry.key);
    const parent = typeof entry.parent === "string" ? fileOf.get(entry.parent) : undefined;
    const file = parent ?? `${key}.yaml`;
    fileOf.set(key, file);
    if (!files.has(file)) files.set(file, []);
    files.get(file)!.push(entry);
  }
  return files;
}

// Member assignments of one organization: OrganizationMembers (the set, `additive` or
// `authoritative`) and OrganizationMember (one assignment, for users' own programs).
import { capabilitiesOf } from "../../core/capabilities";
import { diffFields } from "../../core/diff";
import { OrgformError, isOrgformError } from "../../core/errors";
import { isAdminRole, memberRoles, roleOrDefault } from "../../core/roles";
import { schemaFor, validateDeclared } from "../../core/schema";
import { unusableBackend } from "../../backends";
import type { BackendName } from "../../core/backends";
import { hasMembers, hasRoles, type Fields, type FullBackend, type MemberAssignment, type ObservedMember, type RoleInfo } from "../../backends/types";
import { cachedBackendFor, setting, type ConnectionInputs } from "../runtime";
import { checkMemberGuards, guardSettings, type MemberPlan } from "../../gitops/guards";
import { changedUnlessUnknown, checkFailures, type CheckFailure } from "./common";

export type MembersMode = "additive" | "authoritative";

export interface MembersInputs extends ConnectionInputs {
  organizationId: string;
  mode: MembersMode;
  members: MemberAssignment[];
  /** The fewest administrators the declared members must keep (`members.minAdmins`). */
  minAdmins?: number;
  /**
   * Sensitive import-only member fields (schema `x-sensitive`, e.g. `initialPassword`) by email: a
   * Pulumi secret input, used only when the adapter creates a user; never in outputs, never diffed.
   */
  memberSecrets?: Record<string, Fields>;
}

export interface MembersOutputs extends Omit<MembersInputs, "memberSecrets"> {
  /** Every member the API listed at the last read or write (email, role, id). */
  live: { email: string; role: string; id: string }[];
}

const sameEmail = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** The same rules as `orgform validate`: the member schema (email format, role values), then duplicates. */
export function checkAssignments(backend: BackendName, members: MemberAssignment[], prefix: string): CheckFailure[] {
  const caps = capabilitiesOf(backend);
  if (!caps.members.supported) return [{ property: prefix, reason: `${caps.displayName} has no organization members` }];
  const schema = schemaFor(backend, "member");
  const failures: CheckFailure[] = [];
  const seen = new Set<string>();
  members.forEach((m, i) => {
    // A role left out is the schema's default, or a missing-required problem where it has none.
    const declared = m.role !== undefined ? { email: m.email, role: m.role } : { email: m.email };
    failures.push(...checkFailures(`${prefix}[${i}]`, validateDeclared(schema, declared)));
    const key = String(m.email).toLowerCase();
    if (seen.has(key)) failures.push({ property: `${prefix}[${i}].email`, reason: `${m.email} is listed twice` });
    seen.add(key);
  });
  return failures;
}

/**
 * The sensitive fields against the member schema: only its sensitive import-only fields, of declared
 * members, strings within its length bounds. Reasons never hold a value.
 */
export function checkMemberSecrets(backend: BackendName, members: MemberAssignment[], secrets: unknown): CheckFailure[] {
  if (secrets === undefined || secrets === null) return [];
  if (typeof secrets !== "object" || Array.isArray(secrets)) return [{ property: "memberSecrets", reason: "memberSecrets must be a mapping of email to fields" }];
  const schema = schemaFor(backend, "member");
  const allowed = schema.fields.filter((f) => f.sensitive && f.access === "import-only");
  const failures: CheckFailure[] = [];
  for (const [email, fields] of Object.entries(secrets as Record<string, unknown>)) {
    const at = `memberSecrets[${JSON.stringify(email)}]`;
    if (!members.some((m) => sameEmail(String(m.email), email))) failures.push({ property: at, reason: `${email} is not one of the declared members` });
    if (typeof fields !== "object" || fields === null || Array.isArray(fields)) {
      failures.push({ property: at, reason: "must be a mapping of sensitive member fields" });
      continue;
    }
    for (const [name, value] of Object.entries(fields as Record<string, unknown>)) {
      const spec = allowed.find((f) => f.name === name);
      if (!spec) {
        failures.push({ property: `${at}.${name}`, reason: `${name} is not a sensitive field of ${backend} members${allowed.length ? ` (they have ${allowed.map((f) => f.name).join(", ")})` : ""}` });
        continue;
      }
      const min = typeof spec.json.minLength === "number" ? spec.json.minLength : 1;
      const max = typeof spec.json.maxLength === "number" ? spec.json.maxLength : Infinity;
      if (typeof value !== "string") failures.push({ property: `${at}.${name}`, reason: `${name} must be a string` });
      else if ([...value].length < min || [...value].length > max) {
        failures.push({ property: `${at}.${name}`, reason: `${name} must be ${max === Infinity ? `at least ${min}` : `${min} to ${max}`} characters long` });
      }
    }
  }
  return failures;
}

export function check(news: MembersInputs): CheckFailure[] {
  const unusable = unusableBackend(news.backend);
  if (unusable) return [{ property: "backend", reason: unusable }];
  const failures = checkAssignments(news.backend as BackendName, news.members ?? [], "members");
  failures.push(...checkMemberSecrets(news.backend as BackendName, news.members ?? [], news.memberSecrets));
  if (news.mode !== "additive" && news.mode !== "authoritative") failures.push({ property: "mode", reason: `mode must be "additive" or "authoritative"` });
  if (news.minAdmins !== undefined && !(Number.isInteger(news.minAdmins) && news.minAdmins >= 0)) {
    failures.push({ property: "minAdmins", reason: "minAdmins must be a whole number, 0 or more" });
  }
  return failures;
}

async function memberApi(inputs: ConnectionInputs) {
  const backend = await cachedBackendFor(inputs);
  if (!hasMembers(backend)) throw new OrgformError("UNSUPPORTED", `the ${inputs.backend} backend has no organization members`);
  return backend;
}

function roleOf(backend: BackendName, m: MemberAssignment): string {
  return roleOrDefault(backend, m.role) ?? "";
}

const liveView = (members: ObservedMember[]) => members.map((m) => ({ email: m.email, role: m.role, id: m.id }));

/**
 * Where roles belong to each organization (the member schema's `role` has no `enum`), every
 * declared role must be one of that organization's roles: checked live, before any member is
 * touched, so an unknown role fails with the roles the organization has and changes nothing.
 */
async function checkRolesLive(api: FullBackend, backend: BackendName, orgId: string, declared: MemberAssignment[]): Promise<RoleInfo[] | undefined> {
  if (memberRoles(backend).values || !hasRoles(api)) return undefined;
  const roles = await api.listRoles(orgId);
  const known = new Set(roles.map((r) => r.name.toLowerCase()));
  const unknown = [...new Set(declared.map((m) => roleOf(backend, m)).filter((r) => !known.has(r.toLowerCase())))];
  if (unknown.length === 0) return roles;
  throw new OrgformError(
    "VALIDATION",
    `organization ${orgId} has no role ${unknown.map((r) => JSON.stringify(r)).join(", ")}: its roles are ${roles.map((r) => r.name).join(", ")}`,
  );
}

/**
 * `members.minAdmins` against the declared roles. `orgform validate` checks it where roles are a
 * fixed set; where they belong to each organization only the live roles tell who administers.
 */
function checkMinAdmins(inputs: MembersInputs, isAdmin: (role: string) => boolean): void {
  if (inputs.minAdmins === undefined) return;
  const admins = inputs.members.filter((m) => isAdmin(roleOf(inputs.backend as BackendName, m))).length;
  if (admins >= inputs.minAdmins) return;
  throw new OrgformError(
    "VALIDATION",
    `the members declared for organization ${inputs.organizationId} keep ${admins} administrator${admins === 1 ? "" : "s"}, fewer than minAdmins ${inputs.minAdmins}; nothing was changed`,
  );
}

/**
 * Brings the organization's members to the declaration; returns the members as they end up. The
 * whole change is planned first and checked by the guard rails (a share of the members, the last
 * administrator) before the first write.
 */
async function reconcile(inputs: MembersInputs, previouslyManaged: MemberAssignment[] = []): Promise<ObservedMember[]> {
  const api = await memberApi(inputs);
  const backend = inputs.backend as BackendName;
  const liveRoles = await checkRolesLive(api, backend, inputs.organizationId, inputs.members);
  const isAdmin = liveRoles
    ? (role: string) => liveRoles.some((r) => r.administrator && r.name.toLowerCase() === role.toLowerCase())
    : (role: string) => isAdminRole(backend, role);
  checkMinAdmins(inputs, isAdmin);
  const live = await api.listMembers(inputs.organizationId);
  const plan: MemberPlan & { ids: Map<string, string> } = { live: live.map((m) => ({ email: m.email, role: m.role })), add: [], setRole: [], remove: [], ids: new Map() };
  for (const want of inputs.members) {
    const role = roleOf(backend, want);
    const have = live.find((m) => sameEmail(m.email, want.email));
    if (!have) plan.add.push({ email: want.email, role });
    else if (have.role.toLowerCase() !== role.toLowerCase()) {
      plan.setRole.push({ email: have.email, from: have.role, to: role });
      plan.ids.set(have.email, have.id);
    }
  }
  const declared = (m: ObservedMember) => inputs.members.some((w) => sameEmail(w.email, m.email));
  // authoritative: whoever is not declared goes; additive: only those this resource used to declare.
  const leaving = live.filter(
    (m) => !declared(m) && (inputs.mode === "authoritative" || previouslyManaged.some((p) => sameEmail(p.email, m.email))),
  );
  plan.remove = leaving.map((m) => ({ email: m.email, role: m.role }));
  checkMemberGuards(backend, inputs.organizationId, plan, guardSettings(setting), isAdmin);
  const secretsOf = (email: string): Fields | undefined =>
    Object.entries(inputs.memberSecrets ?? {}).find(([e]) => sameEmail(e, email))?.[1];
  for (const m of plan.add) await api.addMember(inputs.organizationId, m, secretsOf(m.email));
  for (const c of plan.setRole) await api.setMemberRole(inputs.organizationId, plan.ids.get(c.email)!, c.to);
  for (const m of leaving) await removeQuietly(api, inputs.organizationId, m.id);
  return api.listMembers(inputs.organizationId);
}

/** The organization's members, or undefined when the organization itself is gone. */
async function membersOrGone(api: Awaited<ReturnType<typeof memberApi>>, orgId: string): Promise<ObservedMember[] | undefined> {
  try {
    return await api.listMembers(orgId);
  } catch (err) {
    if (isOrgformError(err, "NOT_FOUND")) return undefined;
    throw err;
  }
}

async function removeQuietly(api: Awaited<ReturnType<typeof memberApi>>, orgId: string, memberId: string) {
  try {
    await api.removeMember(orgId, memberId);
  } catch (err) {
    if (!isOrgformError(err, "NOT_FOUND")) throw err;
  }
}

/** Outputs: the inputs without the sensitive fields (they are never read back nor kept beside the outputs). */
const outputsOf = ({ memberSecrets: _secrets, ...inputs }: MembersInputs, live: ObservedMember[]): MembersOutputs => ({ ...inputs, live: liveView(live) });

export async function create(inputs: MembersInputs): Promise<{ id: string; outs: MembersOutputs }> {
  const live = await reconcile(inputs);
  return { id: `${inputs.organizationId}/members`, outs: outputsOf(inputs, live) };
}

/** What differs between the declaration and the members as last seen. */
export function memberChanges(declared: MemberAssignment[], mode: MembersMode, live: MembersOutputs["live"], backend: BackendName): string[] {
  const lines: string[] = [];
  for (const want of declared) {
    const have = live.find((m) => sameEmail(m.email, want.email));
    const role = roleOf(backend, want);
    if (!have) lines.push(`+ ${want.email} (${role})`);
    else if (have.role.toLowerCase() !== role.toLowerCase()) lines.push(`~ ${want.email}: ${have.role} => ${role}`);
  }
  if (mode === "authoritative") {
    for (const m of live) if (!declared.some((w) => sameEmail(w.email, m.email))) lines.push(`- ${m.email} (${m.role})`);
  }
  return lines;
}

export function diff(olds: MembersOutputs, news: MembersInputs) {
  const lines = memberChanges(news.members ?? [], news.mode, olds.live ?? [], news.backend as BackendName);
  // Members no longer declared in additive mode are removed by the update.
  if (news.mode === "additive") {
    for (const old of olds.members ?? []) {
      if (!(news.members ?? []).some((w) => sameEmail(w.email, old.email)) && (olds.live ?? []).some((m) => sameEmail(m.email, old.email))) {
        lines.push(`- ${old.email} (no longer declared)`);
      }
    }
  }
  const replaces = changedUnlessUnknown(olds.organizationId, news.organizationId) ? ["organizationId"] : [];
  return { changes: lines.length > 0 || replaces.length > 0 || olds.mode !== news.mode, replaces, deleteBeforeReplace: true, detail: lines.join("\n") };
}

export async function update(_id: string, olds: MembersOutputs, news: MembersInputs): Promise<{ outs: MembersOutputs }> {
  const live = await reconcile(news, olds.members ?? []);
  return { outs: outputsOf(news, live) };
}

export async function read(id: string, props: MembersOutputs) {
  const live = await membersOrGone(await memberApi(props), props.organizationId);
  if (!live) return { id: "", props: {} };
  const { live: _old, ...inputs } = props;
  // Inputs as they would have to be declared to match what is live.
  const members =
    props.mode === "authoritative"
      ? live.map((m) => ({ email: m.email, role: m.role }))
      : (props.members ?? []).flatMap((w) => {
          const have = live.find((m) => sameEmail(m.email, w.email));
          return have ? [{ email: w.email, role: have.role }] : [];
        });
  return { id, props: { ...props, live: liveView(live) }, inputs: { ...inputs, members } };
}

/**
 * Deleting the member set (its `members` block removed, its organization released or removed, the
 * stack destroyed) releases the members: nobody is removed, so no deletion can go past the guard
 * rails. An organization orgform deletes takes its members with it (organization handler).
 */
export async function remove(_id: string, props: MembersOutputs): Promise<void> {
  const n = (props.live ?? []).length;
  if (n > 0) process.stderr.write(`warning: the members of organization ${props.organizationId} are released from management and left as they are (${n} member${n === 1 ? "" : "s"})\n`);
}

// ---- OrganizationMember: one assignment ----

export interface MemberInputs extends ConnectionInputs, MemberAssignment {
  organizationId: string;
}

export interface MemberOutputs extends MemberInputs {
  memberId: string;
  liveRole: string;
}

export function checkOne(news: MemberInputs): CheckFailure[] {
  const unusable = unusableBackend(news.backend);
  if (unusable) return [{ property: "backend", reason: unusable }];
  return checkAssignments(news.backend as BackendName, [{ email: news.email, role: news.role }], "member").map((f) => ({
    ...f,
    property: f.property.replace(/^member\[0\]\./, ""),
  }));
}

export async function createOne(inputs: MemberInputs): Promise<{ id: string; outs: MemberOutputs }> {
  const api = await memberApi(inputs);
  const role = roleOf(inputs.backend as BackendName, inputs);
  await checkRolesLive(api, inputs.backend as BackendName, inputs.organizationId, [inputs]);
  const live = await api.listMembers(inputs.organizationId);
  const have = live.find((m) => sameEmail(m.email, inputs.email));
  const member = !have
    ? await api.addMember(inputs.organizationId, { email: inputs.email, role })
    : have.role.toLowerCase() === role.toLowerCase()
      ? have
      : await api.setMemberRole(inputs.organizationId, have.id, role);
  return { id: `${inputs.organizationId}/${member.id}`, outs: { ...inputs, memberId: member.id, liveRole: member.role } };
}

/** One assignment: field by field from the member schema, replacement where it says so (the email). */
export function diffOne(olds: MemberOutputs, news: MemberInputs) {
  const backend = news.backend as BackendName;
  const schema = schemaFor(backend, "member");
  const fieldDiff = diffFields(
    { email: news.email, role: roleOf(backend, news) },
    { email: olds.email, role: olds.liveRole ?? olds.role },
    schema,
  );
  // Role names compare case-insensitively (as the API resolves them).
  const changes = fieldDiff.changes.filter((c) => c.field !== "role" || String(c.from).toLowerCase() !== String(c.to).toLowerCase());
  const replaces = changes.filter((c) => c.replace).map((c) => c.field);
  if (changedUnlessUnknown(olds.organizationId, news.organizationId)) replaces.push("organizationId");
  return { changes: changes.length > 0 || replaces.length > 0, replaces, deleteBeforeReplace: true };
}

export async function updateOne(_id: string, olds: MemberOutputs, news: MemberInputs): Promise<{ outs: MemberOutputs }> {
  const api = await memberApi(news);
  const member = await api.setMemberRole(news.organizationId, olds.memberId, roleOf(news.backend as BackendName, news));
  return { outs: { ...news, memberId: member.id, liveRole: member.role } };
}

export async function readOne(id: string, props: MemberOutputs) {
  const live = await membersOrGone(await memberApi(props), props.organizationId);
  if (!live) return { id: "", props: {} };
  const have = live.find((m) => m.id === props.memberId) ?? live.find((m) => sameEmail(m.email, props.email));
  if (!have) return { id: "", props: {} };
  const { memberId: _m, liveRole: _r, ...inputs } = props;
  return { id, props: { ...props, memberId: have.id, liveRole: have.role }, inputs: { ...inputs, role: have.role } };
}

export async function removeOne(_id: string, props: MemberOutputs): Promise<void> {
  const api = await memberApi(props);
  await removeQuietly(api, props.organizationId, props.memberId);
}

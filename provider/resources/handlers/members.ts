// Member assignments of one organization: OrganizationMembers (the set, `additive` or
// `authoritative`) and OrganizationMember (one assignment, for users' own programs).
import { OrgformError, isOrgformError } from "../../core/errors";
import { declarationOf, declaredRole, liveMemberOf, memberRules, planMembers, renderMemberChanges, sameMember, type LiveMember, type MemberChanges, type MemberRules } from "../../core/plan/members";
import { isAdmin, noMemberRoles, sameRole } from "../../core/roles";
import { validateDeclared } from "../../core/schema";
import { unusableBackend } from "../../backends";
import { hasMembers, hasRoles, type Fields, type FullBackend, type MemberAbility, type MemberAssignment, type ObservedMember, type RoleInfo } from "../../backends/types";
import { setting, type ConnectionInputs } from "../runtime";
import { backendContext, openCall, type BackendContext, type CallContext } from "../context";
import { checkMemberGuards, guardSettings } from "../../gitops/guards";
import { changedUnlessUnknown, checkFailures, type CheckFailure } from "./common";

export type { MembersMode } from "../../core/plan/members";
import type { MembersMode } from "../../core/plan/members";

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
  /** Every member the API listed at the last read or write (email, role where members have roles, id, status where the schema has one). */
  live: (LiveMember & { id: string })[];
}

/** The same rules as `orgform validate`: the member schema (email format, role values), then duplicates. */
export function checkAssignments(known: BackendContext, rules: MemberRules | undefined, members: MemberAssignment[], prefix: string): CheckFailure[] {
  const caps = known.capabilities;
  if (!caps.members.supported || !rules) return [{ property: prefix, reason: `${caps.displayName} has no organization members` }];
  const failures: CheckFailure[] = [];
  members.forEach((m, i) => {
    // Members without roles: a declared role is refused in one sentence (a stack of an earlier release carries one).
    if (m.role !== undefined && !rules.role) failures.push({ property: `${prefix}[${i}].role`, reason: noMemberRoles(known.name) });
    // A role left out is the schema's default, or a missing-required problem where it has none.
    const declared = m.role !== undefined && rules.role ? { email: m.email, role: m.role } : { email: m.email };
    failures.push(...checkFailures(`${prefix}[${i}]`, validateDeclared(rules.schema, declared)));
    if (members.slice(0, i).some((earlier) => sameMember(rules, String(earlier.email), String(m.email)))) {
      failures.push({ property: `${prefix}[${i}].email`, reason: `${m.email} is listed twice` });
    }
  });
  return failures;
}

/**
 * The sensitive fields against the member schema: only its sensitive import-only fields, of declared
 * members, strings within its length bounds. Reasons never hold a value.
 */
export function checkMemberSecrets(backend: string, rules: MemberRules, members: MemberAssignment[], secrets: unknown): CheckFailure[] {
  if (secrets === undefined || secrets === null) return [];
  if (typeof secrets !== "object" || Array.isArray(secrets)) return [{ property: "memberSecrets", reason: "memberSecrets must be a mapping of email to fields" }];
  const allowed = rules.schema.fields.filter((f) => f.sensitive && f.access === "import-only");
  const failures: CheckFailure[] = [];
  for (const [email, fields] of Object.entries(secrets as Record<string, unknown>)) {
    const at = `memberSecrets[${JSON.stringify(email)}]`;
    if (!members.some((m) => sameMember(rules, String(m.email), email))) failures.push({ property: at, reason: `${email} is not one of the declared members` });
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
  const known = backendContext(news.backend);
  const rules = rulesIfAny(known);
  const failures = checkAssignments(known, rules, news.members ?? [], "members");
  if (rules) failures.push(...checkMemberSecrets(known.name, rules, news.members ?? [], news.memberSecrets));
  if (news.mode !== "additive" && news.mode !== "authoritative") failures.push({ property: "mode", reason: `mode must be "additive" or "authoritative"` });
  if (news.minAdmins !== undefined && !(Number.isInteger(news.minAdmins) && news.minAdmins >= 0)) {
    failures.push({ property: "minAdmins", reason: "minAdmins must be a whole number, 0 or more" });
  }
  return failures;
}

/** The member schema's rules, read once per call; undefined where the backend has no members. */
function rulesIfAny(known: BackendContext): MemberRules | undefined {
  return known.schemas.member && memberRules(known.schemas.member);
}

/** The member rules of a backend that has members (check refused any other). */
function rulesOf(known: BackendContext): MemberRules {
  const rules = rulesIfAny(known);
  if (!rules) throw new OrgformError("UNSUPPORTED", `the ${known.name} backend has no organization members`);
  return rules;
}

/** A call's adapter as its member calls, with the member rules. */
interface MemberCall {
  api: MemberApi;
  rules: MemberRules;
}

function membersOf(call: CallContext): MemberCall {
  const { api } = call;
  if (!hasMembers(api)) throw new OrgformError("UNSUPPORTED", `the ${call.name} backend has no organization members`);
  return { api, rules: rulesOf(call) };
}

/** The declared members with their roles as the planner fills them (the schema's default where omitted). */
function withRoles(rules: MemberRules, members: MemberAssignment[]): MemberAssignment[] {
  return members.map((m) => {
    const role = declaredRole(rules, m);
    return role !== undefined ? { email: m.email, role } : { email: m.email };
  });
}

const liveView = (rules: MemberRules, members: ObservedMember[]): MembersOutputs["live"] => members.map((m) => ({ ...liveMemberOf(rules, m), id: m.id }));

/**
 * Where roles belong to each organization (the member schema's `role` has no `enum`), every
 * declared role must be one of that organization's roles: checked live, before any member is
 * touched, so an unknown role fails with the roles the organization has and changes nothing.
 */
async function checkRolesLive(api: FullBackend, rules: MemberRules, orgId: string, declared: MemberAssignment[]): Promise<RoleInfo[] | undefined> {
  if (!rules.role || rules.roles.values || !hasRoles(api)) return undefined;
  const roles = await api.listRoles(orgId);
  const wanted = withRoles(rules, declared).map((m) => m.role ?? "");
  const unknown = [...new Set(wanted.filter((r) => !roles.some((known) => sameRole(rules.roles, known.name, r))))];
  if (unknown.length === 0) return roles;
  throw new OrgformError(
    "VALIDATION",
    `organization ${orgId} has no role ${unknown.map((r) => JSON.stringify(r)).join(", ")}: its roles are ${roles.map((r) => r.name).join(", ")}`,
  );
}

/** Who administers: the live roles' own property where roles belong to each organization, else the schema's `x-admin-values`. */
function adminTest(rules: MemberRules, liveRoles: RoleInfo[] | undefined): (role: string | undefined) => boolean {
  return liveRoles
    ? (role) => role !== undefined && liveRoles.some((r) => r.administrator && sameRole(rules.roles, r.name, role))
    : (role) => isAdmin(rules.roles, role);
}

/**
 * `members.minAdmins` against the declared roles. `orgform validate` checks it where roles are a
 * fixed set; where they belong to each organization only the live roles tell who administers.
 * Where members have no roles it cannot apply (validate warns once) and is ignored.
 */
function checkMinAdmins(inputs: MembersInputs, rules: MemberRules, isAdmin: (role: string | undefined) => boolean): void {
  if (inputs.minAdmins === undefined || !rules.role) return;
  const admins = withRoles(rules, inputs.members).filter((m) => isAdmin(m.role)).length;
  if (admins >= inputs.minAdmins) return;
  throw new OrgformError(
    "VALIDATION",
    `the members declared for organization ${inputs.organizationId} keep ${admins} administrator${admins === 1 ? "" : "s"}, fewer than minAdmins ${inputs.minAdmins}; nothing was changed`,
  );
}

type MemberApi = FullBackend & MemberAbility;

/** A role change, where the adapter can make one (members without roles never need it). */
async function setRole(api: MemberApi, orgId: string, memberId: string, role: string): Promise<ObservedMember> {
  if (!api.setMemberRole) throw new OrgformError("UNSUPPORTED", `the ${api.name} backend cannot change a member's role`);
  return api.setMemberRole(orgId, memberId, role);
}

/** Applies a plan the guards let through: adds, re-creations (delete, then add), role changes, removals. */
async function apply(api: MemberApi, orgId: string, plan: MemberChanges, secretsOf: (email: string) => Fields | undefined): Promise<void> {
  for (const m of plan.add) await api.addMember(orgId, m, secretsOf(m.email));
  for (const m of plan.recreate) {
    if (m.id !== undefined) await removeQuietly(api, orgId, m.id);
    await api.addMember(orgId, { email: m.email, ...(m.role !== undefined ? { role: m.role } : {}) }, secretsOf(m.email));
  }
  for (const c of plan.setRole) await setRole(api, orgId, c.id!, c.to);
  for (const m of plan.remove) if (m.id !== undefined) await removeQuietly(api, orgId, m.id);
}

/**
 * Brings the organization's members to the declaration; returns the members as they end up. The
 * whole change is planned first (`planMembers`) and checked by the guard rails (a share of the
 * members, the last administrator) before the first write.
 */
async function reconcile({ api, rules }: MemberCall, inputs: MembersInputs, previouslyDeclared: MemberAssignment[] = []): Promise<ObservedMember[]> {
  const administers = adminTest(rules, await checkRolesLive(api, rules, inputs.organizationId, inputs.members));
  checkMinAdmins(inputs, rules, administers);
  const live = liveView(rules, await api.listMembers(inputs.organizationId));
  const plan = planMembers({ declared: inputs.members, mode: inputs.mode, live, previouslyDeclared }, rules);
  checkMemberGuards(inputs.organizationId, plan, guardSettings(setting), administers);
  const secretsOf = (email: string): Fields | undefined => Object.entries(inputs.memberSecrets ?? {}).find(([e]) => sameMember(rules, e, email))?.[1];
  await apply(api, inputs.organizationId, plan, secretsOf);
  return api.listMembers(inputs.organizationId);
}

/** The organization's members, or undefined when the organization itself is gone. */
async function membersOrGone(api: MemberApi, orgId: string): Promise<ObservedMember[] | undefined> {
  try {
    return await api.listMembers(orgId);
  } catch (err) {
    if (isOrgformError(err, "NOT_FOUND")) return undefined;
    throw err;
  }
}

async function removeQuietly(api: MemberApi, orgId: string, memberId: string) {
  try {
    await api.removeMember(orgId, memberId);
  } catch (err) {
    if (!isOrgformError(err, "NOT_FOUND")) throw err;
  }
}

/** Outputs: the inputs without the sensitive fields (they are never read back nor kept beside the outputs). */
const outputsOf = (rules: MemberRules, { memberSecrets: _secrets, ...inputs }: MembersInputs, live: ObservedMember[]): MembersOutputs => ({
  ...inputs,
  live: liveView(rules, live),
});

export async function create(inputs: MembersInputs): Promise<{ id: string; outs: MembersOutputs }> {
  const members = membersOf(await openCall(inputs));
  const live = await reconcile(members, inputs);
  return { id: `${inputs.organizationId}/members`, outs: outputsOf(members.rules, inputs, live) };
}

/** The planner's answer for the declaration against the members as last seen (the outputs). */
export function memberPlanOf(rules: MemberRules, olds: MembersOutputs, news: MembersInputs): MemberChanges {
  return planMembers(
    {
      declared: news.members ?? [],
      mode: news.mode,
      live: olds.live ?? [],
      previouslyDeclared: olds.members ?? [],
    },
    rules,
  );
}

export function diff(olds: MembersOutputs, news: MembersInputs) {
  const lines = renderMemberChanges(memberPlanOf(rulesOf(backendContext(news.backend)), olds, news));
  const replaces = changedUnlessUnknown(olds.organizationId, news.organizationId) ? ["organizationId"] : [];
  return { changes: lines.length > 0 || replaces.length > 0 || olds.mode !== news.mode, replaces, deleteBeforeReplace: true, detail: lines.join("\n") };
}

export async function update(_id: string, olds: MembersOutputs, news: MembersInputs): Promise<{ outs: MembersOutputs }> {
  const members = membersOf(await openCall(news));
  const live = await reconcile(members, news, olds.members ?? []);
  return { outs: outputsOf(members.rules, news, live) };
}

export async function read(id: string, props: MembersOutputs) {
  const { api, rules } = membersOf(await openCall(props));
  const live = await membersOrGone(api, props.organizationId);
  if (!live) return { id: "", props: {} };
  const seen = liveView(rules, live);
  const { live: _old, ...inputs } = props;
  // Inputs as they would have to be declared to match what is live (the planner's own inverse).
  const members =
    props.mode === "authoritative"
      ? seen.flatMap((m) => declarationOf(rules, m) ?? [])
      : (props.members ?? []).flatMap((w) => {
          const have = seen.find((m) => sameMember(rules, m.email, w.email));
          const declared = have && declarationOf(rules, have);
          return declared ? [{ ...declared, email: w.email }] : [];
        });
  return { id, props: { ...props, live: seen }, inputs: { ...inputs, members } };
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
  /** The role as last seen live; absent where members have no roles. */
  liveRole?: string;
}

export function checkOne(news: MemberInputs): CheckFailure[] {
  const unusable = unusableBackend(news.backend);
  if (unusable) return [{ property: "backend", reason: unusable }];
  const one = news.role !== undefined ? { email: news.email, role: news.role } : { email: news.email };
  const known = backendContext(news.backend);
  return checkAssignments(known, rulesIfAny(known), [one], "member").map((f) => ({
    ...f,
    property: f.property.replace(/^member\[0\]\./, ""),
  }));
}

const memberOutputs = (rules: MemberRules, inputs: MemberInputs, member: ObservedMember): MemberOutputs => ({
  ...inputs,
  memberId: member.id,
  ...(member.role !== undefined && rules.role ? { liveRole: member.role } : {}),
});

export async function createOne(inputs: MemberInputs): Promise<{ id: string; outs: MemberOutputs }> {
  const { api, rules } = membersOf(await openCall(inputs));
  await checkRolesLive(api, rules, inputs.organizationId, [inputs]);
  const observed = await api.listMembers(inputs.organizationId);
  const plan = planMembers({ declared: [inputs], mode: "additive", live: liveView(rules, observed) }, rules);
  await apply(api, inputs.organizationId, plan, () => undefined);
  const changed = plan.hasChanges ? await api.listMembers(inputs.organizationId) : observed;
  const member = changed.find((m) => sameMember(rules, m.email, inputs.email));
  if (!member) throw new OrgformError("NOT_FOUND", `${inputs.email} is not a member of organization ${inputs.organizationId} after adding it`);
  return { id: `${inputs.organizationId}/${member.id}`, outs: memberOutputs(rules, inputs, member) };
}

/** One assignment against itself as last seen: the planner over a set of one. */
function onePlan(rules: MemberRules, olds: MemberOutputs, news: MemberInputs): MemberChanges {
  const last: LiveMember = { email: olds.email, id: olds.memberId, ...((olds.liveRole ?? olds.role) !== undefined ? { role: olds.liveRole ?? olds.role } : {}) };
  return planMembers({ declared: [news], mode: "additive", live: [last] }, rules);
}

/** One assignment: another email is another member (replacement, as the member schema says); a role changes in place. */
export function diffOne(olds: MemberOutputs, news: MemberInputs) {
  const rules = rulesOf(backendContext(news.backend));
  const plan = onePlan(rules, olds, news);
  const replaces = plan.add.length > 0 && rules.email?.replaceOnChange ? ["email"] : [];
  if (changedUnlessUnknown(olds.organizationId, news.organizationId)) replaces.push("organizationId");
  return { changes: plan.hasChanges || replaces.length > 0, replaces, deleteBeforeReplace: true, detail: renderMemberChanges(plan).join("\n") };
}

export async function updateOne(_id: string, olds: MemberOutputs, news: MemberInputs): Promise<{ outs: MemberOutputs }> {
  const { api, rules } = membersOf(await openCall(news));
  const change = onePlan(rules, olds, news).setRole[0];
  const member = change ? await setRole(api, news.organizationId, olds.memberId, change.to) : undefined;
  return { outs: member ? memberOutputs(rules, news, member) : { ...news, memberId: olds.memberId, ...(olds.liveRole !== undefined ? { liveRole: olds.liveRole } : {}) } };
}

export async function readOne(id: string, props: MemberOutputs) {
  const { api, rules } = membersOf(await openCall(props));
  const live = await membersOrGone(api, props.organizationId);
  if (!live) return { id: "", props: {} };
  const have = live.find((m) => m.id === props.memberId) ?? live.find((m) => sameMember(rules, m.email, props.email));
  // An inactive membership is no member: gone from state, so the next update creates (re-creates) it.
  const declared = have && declarationOf(rules, liveMemberOf(rules, have));
  if (!have || !declared) return { id: "", props: {} };
  const { memberId: _m, liveRole: _r, ...inputs } = props;
  return { id, props: memberOutputs(rules, inputs, have), inputs: { ...inputs, ...(declared.role !== undefined ? { role: declared.role } : {}) } };
}

export async function removeOne(_id: string, props: MemberOutputs): Promise<void> {
  const { api } = membersOf(await openCall(props));
  await removeQuietly(api, props.organizationId, props.memberId);
}

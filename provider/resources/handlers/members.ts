// Member assignments of one organization: OrganizationMembers (the set, `additive` or
// `authoritative`) and OrganizationMember (one assignment, for users' own programs).
import { capabilitiesOf } from "../../core/capabilities";
import { diffFields } from "../../core/diff";
import { OrgformError, isOrgformError } from "../../core/errors";
import { roleOrDefault } from "../../core/roles";
import { schemaFor, validateDeclared } from "../../core/schema";
import { unusableBackend } from "../../backends";
import type { BackendName } from "../../core/backends";
import { hasMembers, type MemberAssignment, type ObservedMember } from "../../backends/types";
import { cachedBackendFor, type ConnectionInputs } from "../runtime";
import { checkFailures, type CheckFailure } from "./common";

export type MembersMode = "additive" | "authoritative";

export interface MembersInputs extends ConnectionInputs {
  organizationId: string;
  mode: MembersMode;
  members: MemberAssignment[];
}

export interface MembersOutputs extends MembersInputs {
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

export function check(news: MembersInputs): CheckFailure[] {
  const unusable = unusableBackend(news.backend);
  if (unusable) return [{ property: "backend", reason: unusable }];
  const failures = checkAssignments(news.backend as BackendName, news.members ?? [], "members");
  if (news.mode !== "additive" && news.mode !== "authoritative") failures.push({ property: "mode", reason: `mode must be "additive" or "authoritative"` });
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

/** Brings the organization's members to the declaration; returns the members as they end up. */
async function reconcile(inputs: MembersInputs, previouslyManaged: MemberAssignment[] = []): Promise<ObservedMember[]> {
  const api = await memberApi(inputs);
  const backend = inputs.backend as BackendName;
  const live = await api.listMembers(inputs.organizationId);
  for (const want of inputs.members) {
    const role = roleOf(backend, want);
    const have = live.find((m) => sameEmail(m.email, want.email));
    if (!have) await api.addMember(inputs.organizationId, { email: want.email, role });
    else if (have.role.toLowerCase() !== role.toLowerCase()) await api.setMemberRole(inputs.organizationId, have.id, role);
  }
  const declared = (m: ObservedMember) => inputs.members.some((w) => sameEmail(w.email, m.email));
  // authoritative: whoever is not declared goes; additive: only those this resource used to declare.
  const leaving = live.filter(
    (m) => !declared(m) && (inputs.mode === "authoritative" || previouslyManaged.some((p) => sameEmail(p.email, m.email))),
  );
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

export async function create(inputs: MembersInputs): Promise<{ id: string; outs: MembersOutputs }> {
  const live = await reconcile(inputs);
  return { id: `${inputs.organizationId}/members`, outs: { ...inputs, live: liveView(live) } };
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
  const replaces = olds.organizationId !== news.organizationId ? ["organizationId"] : [];
  return { changes: lines.length > 0 || replaces.length > 0 || olds.mode !== news.mode, replaces, deleteBeforeReplace: true, detail: lines.join("\n") };
}

export async function update(_id: string, olds: MembersOutputs, news: MembersInputs): Promise<{ outs: MembersOutputs }> {
  const live = await reconcile(news, olds.members ?? []);
  return { outs: { ...news, live: liveView(live) } };
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

export async function remove(_id: string, props: MembersOutputs): Promise<void> {
  const api = await memberApi(props);
  const live = await membersOrGone(api, props.organizationId);
  if (!live) return; // the organization is gone, and its members with it
  for (const m of live) {
    if ((props.members ?? []).some((w) => sameEmail(w.email, m.email))) await removeQuietly(api, props.organizationId, m.id);
  }
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
  if (olds.organizationId !== news.organizationId) replaces.push("organizationId");
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

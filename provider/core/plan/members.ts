/**
 * The member planner: the one answer to "what must change for these members to be as declared?".
 * The members handlers (Pulumi diff, create, update), `orgform drift`, `orgform plan` (through the
 * handlers' diff), the guard rails and export all ask it; nothing else compares members.
 *
 * Rules, all read from the backend's member schema (never from its name):
 * - A declared member is matched to a live one by `email`, compared by the email field's rule.
 * - Where the schema has a `role`, an omitted role is its `default`, and roles compare by the role
 *   field's rule (`x-compare: case-insensitive` where the API resolves names so). Where it has no
 *   `role` (members have no roles), a member is its email and a role never differs.
 * - A live member whose status field holds one of its `x-inactive-values` (a `canceled`
 *   membership) is not in force: declared, it is re-created (delete, then add: the API has no
 *   update); undeclared, it is left alone (it grants nothing) and counts for no guard.
 * - `authoritative`: every live member in force that is not declared is removed. `additive`: only
 *   those this set declared before (`previouslyDeclared`, from Pulumi state) and declares no more.
 */
import { diffFields, sameValue } from "../diff";
import { roleRulesOf, type RoleRules } from "../roles";
import type { FieldSpec, ResourceSchema } from "../schema";

export type MembersMode = "additive" | "authoritative";

/** A member as declared: an email, and a role where the backend's members have roles. */
export interface DeclaredMember {
  email: string;
  role?: string;
}

/** A member as last seen live (an adapter's answer, or a members resource's outputs). */
export interface LiveMember {
  email: string;
  role?: string;
  id?: string;
  /** The member schema's status field (the one with `x-inactive-values`), where it has one. */
  status?: string;
}

export interface MembersPlanInput {
  declared: readonly DeclaredMember[];
  mode: MembersMode;
  live: readonly LiveMember[];
  /**
   * The members this set declared at its last update (Pulumi state): in `additive` mode those it
   * declares no more are removed. Absent (drift, a first create): none.
   */
  previouslyDeclared?: readonly { email: string }[];
}

export interface MemberChanges {
  /** The live members in force before the change (inactive ones are not members). */
  live: LiveMember[];
  add: DeclaredMember[];
  setRole: { email: string; id?: string; from: string; to: string }[];
  /** Declared members whose live membership is inactive: deleted, then added again. */
  recreate: { email: string; id?: string; role?: string; status: string }[];
  /** `undeclared`: an authoritative set's member declared nowhere; `no-longer-declared`: an additive set stopped declaring it. */
  remove: (LiveMember & { why: "undeclared" | "no-longer-declared" })[];
  hasChanges: boolean;
}

/** The member schema's comparison rules: read once per call (its context) and handed to every decision about members. */
export interface MemberRules {
  schema: ResourceSchema;
  email?: FieldSpec;
  /** Undefined where members have no roles. */
  role?: FieldSpec;
  /** The roles the schema states: accepted values, default, administrators. */
  roles: RoleRules;
  /** The status field whose values say a membership is not in force, if the schema has one. */
  status?: FieldSpec;
}

export function memberRules(schema: ResourceSchema): MemberRules {
  return {
    schema,
    email: schema.field("email"),
    role: schema.field("role"),
    roles: roleRulesOf(schema),
    status: schema.fields.find((f) => f.inactiveValues.length > 0),
  };
}

/** Whether two emails name the same member (the email field's rule). */
export function sameMember(rules: MemberRules, a: string, b: string): boolean {
  return sameValue(rules.email, a, b);
}

/** Whether a live membership is not in force (its status is one of the schema's inactive values). */
export function isInactive(rules: MemberRules, m: LiveMember): boolean {
  const spec = rules.status;
  return !!spec && m.status !== undefined && spec.inactiveValues.some((v) => sameValue(spec, v, m.status));
}

/** The role a declared member asks for: the declared one, else the schema's default; none without roles. */
export function declaredRole(rules: MemberRules, m: DeclaredMember): string | undefined {
  return rules.role ? (m.role ?? rules.roles.defaultRole) : undefined;
}

/** The live member as the planner sees it, from an adapter's observed member (its fields by schema name). */
export function liveMemberOf(rules: MemberRules, m: { email: string; role?: string; id?: string; fields?: Record<string, unknown> }): LiveMember {
  const status = rules.status ? m.fields?.[rules.status.name] : undefined;
  return {
    email: m.email,
    ...(rules.role && m.role !== undefined ? { role: m.role } : {}),
    ...(m.id !== undefined ? { id: m.id } : {}),
    ...(typeof status === "string" ? { status } : {}),
  };
}

/**
 * The declaration that matches a live member exactly (a refresh's inputs, `orgform export`):
 * its email, and its role where members have roles. Undefined for an inactive membership, which
 * no declaration matches (declaring it re-creates it).
 */
export function declarationOf(rules: MemberRules, m: LiveMember): DeclaredMember | undefined {
  if (isInactive(rules, m)) return undefined;
  return rules.role && m.role !== undefined ? { email: m.email, role: m.role } : { email: m.email };
}

export function planMembers(input: MembersPlanInput, rules: MemberRules): MemberChanges {
  const inForce = input.live.filter((m) => !isInactive(rules, m));
  const changes: MemberChanges = { live: inForce, add: [], setRole: [], recreate: [], remove: [], hasChanges: false };
  for (const want of input.declared) {
    const role = declaredRole(rules, want);
    const wanted: DeclaredMember = role !== undefined ? { email: want.email, role } : { email: want.email };
    const have = inForce.find((m) => sameMember(rules, m.email, want.email));
    if (!have) {
      const inactive = input.live.find((m) => sameMember(rules, m.email, want.email) && isInactive(rules, m));
      if (inactive) changes.recreate.push({ email: inactive.email, ...(inactive.id !== undefined ? { id: inactive.id } : {}), ...(role !== undefined ? { role } : {}), status: inactive.status! });
      else changes.add.push(wanted);
      continue;
    }
    if (rules.role && role !== undefined) {
      const roleDiff = diffFields({ role }, { role: have.role }, rules.schema).changes.find((c) => c.field === "role");
      if (roleDiff) changes.setRole.push({ email: have.email, ...(have.id !== undefined ? { id: have.id } : {}), from: have.role ?? "", to: role });
    }
  }
  const declared = (m: LiveMember) => input.declared.some((w) => sameMember(rules, w.email, m.email));
  for (const m of inForce) {
    if (declared(m)) continue;
    if (input.mode === "authoritative") changes.remove.push({ ...m, why: "undeclared" });
    else if ((input.previouslyDeclared ?? []).some((p) => sameMember(rules, p.email, m.email))) changes.remove.push({ ...m, why: "no-longer-declared" });
  }
  changes.hasChanges = changes.add.length + changes.setRole.length + changes.recreate.length + changes.remove.length > 0;
  return changes;
}

const withRole = (email: string, role: string | undefined) => (role ? `${email} (${role})` : email);

/** One line per change, as `pulumi preview`'s detail and `orgform plan` show them. */
export function renderMemberChanges(changes: MemberChanges): string[] {
  return [
    ...changes.add.map((m) => `+ ${withRole(m.email, m.role)}`),
    ...changes.setRole.map((c) => `~ ${c.email}: ${c.from} => ${c.to}`),
    ...changes.recreate.map((c) => `+- ${withRole(c.email, c.role)}: re-created (its membership is ${c.status})`),
    ...changes.remove.map((m) => (m.why === "undeclared" ? `- ${withRole(m.email, m.role)}` : `- ${m.email} (no longer declared)`)),
  ];
}

// The member planner (provider/core/plan/members.ts): table-driven, over backends chosen by what
// their member schemas say (roles compared case-insensitively, a default role, no roles at all,
// an inactive status), never by name.
import { describe, expect, it } from "vitest";
import { BACKENDS, type BackendName } from "../../../provider/core/backends";
import { capabilitiesOf } from "../../../provider/core/capabilities";
import { declarationOf, memberRules, planMembers, renderMemberChanges, type LiveMember, type MembersPlanInput } from "../../../provider/core/plan/members";
import { isAdminRole, memberRoles } from "../../../provider/core/roles";
import { schemaFor } from "../../../provider/core/schema";

const withMembers = BACKENDS.filter((b) => capabilitiesOf(b).members.supported);
const rulesOf = (b: BackendName) => memberRules(schemaFor(b, "member"));
const CASE_INSENSITIVE_ROLES = withMembers.find((b) => rulesOf(b).role?.caseInsensitive) as BackendName;
const WITH_DEFAULT_ROLE = withMembers.find((b) => memberRoles(b).defaultRole) as BackendName;
const EXACT_ROLES = withMembers.find((b) => rulesOf(b).role && !rulesOf(b).role!.caseInsensitive && memberRoles(b).values) as BackendName;

const [ADMIN, READER] = ["Admin", "Read only"];
const ada = { email: "ada@acme.test", role: ADMIN };
const bob = { email: "bob@acme.test", role: READER };
const live = (...ms: LiveMember[]) => ms.map((m, i) => ({ ...m, id: `m-${i}` }));
const lines = (input: MembersPlanInput, backend = CASE_INSENSITIVE_ROLES) => renderMemberChanges(planMembers(input, rulesOf(backend)));

it("finds the backends these cases need in the member schemas", () => {
  expect([CASE_INSENSITIVE_ROLES, WITH_DEFAULT_ROLE, EXACT_ROLES]).not.toContain(undefined);
});

describe("planMembers", () => {
  it.each([
    { name: "is nothing when every declared member is live with its role", declared: [ada], mode: "additive", live: live(ada), expected: [] },
    { name: "adds a declared member who is not live", declared: [ada, bob], mode: "additive", live: live(ada), expected: [`+ bob@acme.test (${READER})`] },
    { name: "changes a role that differs", declared: [{ ...ada, role: READER }], mode: "additive", live: live(ada), expected: [`~ ada@acme.test: ${ADMIN} => ${READER}`] },
    { name: "compares roles by the role field's rule (x-compare: case-insensitive)", declared: [{ ...ada, role: "admin" }], mode: "additive", live: live(ada), expected: [] },
    { name: "compares emails case-insensitively (format: email)", declared: [{ ...ada, email: "ADA@Acme.Test" }], mode: "authoritative", live: live(ada), expected: [] },
    { name: "removes an extra live member in authoritative mode", declared: [ada], mode: "authoritative", live: live(ada, bob), expected: [`- bob@acme.test (${READER})`] },
    { name: "leaves an extra live member alone in additive mode", declared: [ada], mode: "additive", live: live(ada, bob), expected: [] },
    { name: "removes, in additive mode, a live member it declared before and declares no more", declared: [ada], mode: "additive", live: live(ada, bob), previouslyDeclared: [bob], expected: ["- bob@acme.test (no longer declared)"] },
  ] as ({ name: string; expected: string[] } & MembersPlanInput)[])("$name", ({ expected, name: _n, ...input }) => {
    expect(lines(input)).toEqual(expected);
  });

  it("compares roles exactly where the role field says nothing", () => {
    const role = memberRoles(EXACT_ROLES).values![0];
    expect(lines({ declared: [{ email: "ada@acme.test", role: role.toLowerCase() }], mode: "additive", live: live({ email: "ada@acme.test", role }) }, EXACT_ROLES)).toEqual([
      `~ ada@acme.test: ${role} => ${role.toLowerCase()}`,
    ]);
  });

  it("fills the backend's default role for a member declared without one", () => {
    const role = memberRoles(WITH_DEFAULT_ROLE).defaultRole!;
    const declared = [{ email: "ada@acme.test" }];
    expect(lines({ declared, mode: "authoritative", live: live({ email: "ada@acme.test", role }) }, WITH_DEFAULT_ROLE)).toEqual([]);
    expect(lines({ declared, mode: "authoritative", live: [] }, WITH_DEFAULT_ROLE)).toEqual([`+ ada@acme.test (${role})`]);
  });

  it("lists the live members in force, and the objects it removes among them", () => {
    const plan = planMembers({ declared: [ada], mode: "authoritative", live: live(ada, bob) }, rulesOf(CASE_INSENSITIVE_ROLES));
    expect(plan.live.map((m) => m.email)).toEqual(["ada@acme.test", "bob@acme.test"]);
    expect(plan.remove).toEqual([{ email: "bob@acme.test", role: READER, id: "m-1", why: "undeclared" }]);
    expect(plan.hasChanges).toBe(true);
  });
});

describe("declarationOf", () => {
  it("is what the planner finds no change against", () => {
    const rules = rulesOf(CASE_INSENSITIVE_ROLES);
    const members = live(ada, bob);
    const declared = members.map((m) => declarationOf(rules, m)!);
    expect(planMembers({ declared, mode: "authoritative", live: members }, rules).hasChanges).toBe(false);
  });
});

describe("isAdminRole", () => {
  it("reads x-admin-values by the role field's rule, and nobody administers without a role", () => {
    const [admin] = memberRoles(WITH_DEFAULT_ROLE).adminRoles;
    expect(isAdminRole(WITH_DEFAULT_ROLE, admin)).toBe(true);
    expect(isAdminRole(WITH_DEFAULT_ROLE, undefined)).toBe(false);
  });
});

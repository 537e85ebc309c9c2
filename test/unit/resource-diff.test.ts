// The dynamic resources' pure decisions: `diff` of Organization, OrganizationProfile and
// OrganizationMembers / OrganizationMember, and `check` of Organization. No API is called.
import { implementedVendors } from "../../provider/backends";
import { memberRoles } from "../../provider/core/roles";
import { memberRules } from "../../provider/core/plan/members";
import { describe, expect, it } from "vitest";
import { BACKENDS, type BackendName } from "../../provider/core/backends";
import { capabilitiesOf } from "../../provider/core/capabilities";
import { schemaFor } from "../../provider/core/schema";
import * as organization from "../../provider/resources/handlers/organization";
import * as profile from "../../provider/resources/handlers/profile";
import * as members from "../../provider/resources/handlers/members";
import type { OrganizationInputs, OrganizationOutputs } from "../../provider/resources/handlers/organization";
import type { ProfileInputs, ProfileOutputs } from "../../provider/resources/handlers/profile";
import type { MemberInputs, MemberOutputs, MembersInputs, MembersOutputs } from "../../provider/resources/handlers/members";

/** Table-driven cases named in full (it.each would truncate an interpolated name). */
function each<T extends { name: string }>(table: T[], fn: (c: T) => unknown): void {
  for (const c of table) it(c.name, () => fn(c));
}

// ---- builders ----

/** What Pulumi holds for an organization: declared `Acme` at the root, and that is what is live. */
function anOrganizationState(overrides: Partial<OrganizationOutputs> = {}): OrganizationOutputs {
  return {
    backend: "cloudflare",
    key: "acme",
    owner: "orgform/dev",
    fields: { name: "Acme" },
    parentId: null,
    organizationId: "org-acme",
    live: { name: "Acme" },
    liveParentId: null,
    readOnly: { id: "org-acme", create_time: "2026-01-01T00:00:00.000Z" },
    created: true,
    ...overrides,
  };
}

/** The new declaration: the state's inputs, overridden. */
function aDeclaration(state: OrganizationOutputs, overrides: Partial<OrganizationInputs> = {}): OrganizationInputs {
  const { organizationId: _i, live: _l, liveParentId: _p, readOnly: _r, created: _c, ...inputs } = state;
  return { ...inputs, ...overrides };
}

function aProfileState(overrides: Partial<ProfileOutputs> = {}): ProfileOutputs {
  return {
    backend: "cloudflare",
    organizationId: "org-acme",
    fields: { business_name: "Acme Inc.", business_email: "billing@acme.test" },
    live: { business_name: "Acme Inc.", business_email: "billing@acme.test", business_phone: "+1 555 0100" },
    ...overrides,
  };
}

// A backend whose member roles compare case-insensitively (the role field's `x-compare`), by its schema, not its name.
const ROLE_BACKEND = BACKENDS.find((b) => capabilitiesOf(b).members.supported && memberRules(schemaFor(b, "member")).role?.caseInsensitive) as BackendName;
// Its roles belong to each organization (no enum): any names serve the diff, which calls no API.
const [ADMIN, MEMBER] = ["Admin", "Read only"];

function aMembersState(overrides: Partial<MembersOutputs> = {}): MembersOutputs {
  return {
    backend: ROLE_BACKEND,
    organizationId: "org-acme",
    mode: "additive",
    members: [{ email: "ada@acme.test", role: ADMIN }],
    live: [{ email: "ada@acme.test", role: ADMIN, id: "m-ada" }],
    ...overrides,
  };
}

function aMemberState(overrides: Partial<MemberOutputs> = {}): MemberOutputs {
  return { backend: ROLE_BACKEND, organizationId: "org-acme", email: "ada@acme.test", role: MEMBER, memberId: "m-ada", liveRole: MEMBER, ...overrides };
}

/** Backends chosen by what they can do, not by name. */
const withImportOnlyString = (b: BackendName) =>
  schemaFor(b, "organization").fields.some((f) => f.name === "commit_message" && f.access === "import-only");
const IMPORT_ONLY_BACKEND = BACKENDS.find(withImportOnlyString)!;
// Among vendors with an adapter: the provider refuses the others as not implemented yet.
const CANNOT_CREATE = implementedVendors().find((b) => !capabilitiesOf(b).organization.create);
const NO_HIERARCHY = implementedVendors().find((b) => !capabilitiesOf(b).hierarchy.supported);
const PLANNED = BACKENDS.find((b) => !implementedVendors().includes(b));
const WITH_DEFAULT_ROLE = BACKENDS.find((b) => memberRoles(b).defaultRole)!;
const WITH_REPLACING_FIELD = BACKENDS.find((b) => schemaFor(b, "organization").fields.some((f) => f.replaceOnChange && f.access === "both"))!;

it("finds the backends these cases need in the schemas and capability matrices", () => {
  expect([IMPORT_ONLY_BACKEND, WITH_DEFAULT_ROLE, WITH_REPLACING_FIELD, ROLE_BACKEND]).not.toContain(undefined);
  expect(schemaFor("cloudflare", "organization").field("create_time")?.access).toBe("export-only");
  expect(schemaFor(WITH_REPLACING_FIELD, "organization").field("id")?.replaceOnChange).toBe(true);
});

// ---- Organization ----

describe("Organization diff", () => {
  const cases: { name: string; olds: OrganizationOutputs; news: OrganizationInputs; changes: boolean; replaces?: string[]; detail?: string | RegExp }[] = [
    (() => {
      const olds = anOrganizationState();
      return { name: "is no change when the declaration equals what is live", olds, news: aDeclaration(olds), changes: false, detail: "" };
    })(),
    (() => {
      const olds = anOrganizationState();
      return {
        name: "is an update, not a replacement, when a `both` field changes",
        olds,
        news: aDeclaration(olds, { fields: { name: "Acme Corp" } }),
        changes: true,
        replaces: [],
        detail: '~ name: "Acme" => "Acme Corp"',
      };
    })(),
    (() => {
      const olds = anOrganizationState({ live: { name: "Acme (renamed in the dashboard)" } });
      return {
        name: "is a change when what is live drifted from an unchanged declaration",
        olds,
        news: aDeclaration(olds),
        changes: true,
        replaces: [],
        detail: '~ name: "Acme (renamed in the dashboard)" => "Acme"',
      };
    })(),
    (() => {
      const olds = anOrganizationState({ adopt: { id: "org-acme" }, created: false });
      return {
        name: "is a change, with no field to send, when adopt.deleteOnRemove is switched on (recorded for removal)",
        olds,
        news: aDeclaration(olds, { adopt: { id: "org-acme", deleteOnRemove: true } }),
        changes: true,
        replaces: [],
        detail: "~ adopt.deleteOnRemove: false => true",
      };
    })(),
    (() => {
      const olds = anOrganizationState({ live: { name: "Acme", create_time: "2026-01-01T00:00:00.000Z" } });
      return {
        name: "is never a change when an export-only field differs",
        olds,
        news: aDeclaration(olds, { fields: { name: "Acme", create_time: "2030-01-01T00:00:00.000Z" } }),
        changes: false,
      };
    })(),
    (() => {
      const olds = anOrganizationState({ backend: "cloudomation", fields: { name: "Ops" }, live: { name: "Ops", city: "Vienna", zip: "1010" }, adopt: { id: "o-1" } });
      return { name: "leaves undeclared fields unmanaged, whatever they hold live", olds, news: aDeclaration(olds), changes: false };
    })(),
    (() => {
      const olds = anOrganizationState({ backend: "cloudomation", fields: { name: "Ops" }, live: { name: "Ops", city: "Vienna" }, adopt: { id: "o-1" } });
      return {
        name: "manages a field from the moment it is declared",
        olds,
        news: aDeclaration(olds, { fields: { name: "Ops", city: "Graz" } }),
        changes: true,
        replaces: [],
        detail: '~ city: "Vienna" => "Graz"',
      };
    })(),
    (() => {
      const olds = anOrganizationState({ parentId: "org-a", liveParentId: "org-a" });
      return {
        name: "is a change without replacement when the organization moves to another parent",
        olds,
        news: aDeclaration(olds, { parentId: "org-b" }),
        changes: true,
        replaces: [],
        detail: "~ parent: org-a => org-b",
      };
    })(),
    (() => {
      const olds = anOrganizationState({ parentId: "org-a", liveParentId: "org-a" });
      return { name: "is a change when the organization moves to the root", olds, news: aDeclaration(olds, { parentId: null }), changes: true, replaces: [], detail: "~ parent: org-a => null" };
    })(),
    (() => {
      const olds = anOrganizationState();
      return { name: "treats an absent parentId as the root", olds, news: aDeclaration(olds, { parentId: undefined }), changes: false };
    })(),
    (() => {
      const olds = anOrganizationState({ adopt: { id: "org-acme" }, parentId: undefined, liveParentId: "org-elsewhere", created: false });
      return { name: "leaves the parent of an adopted organization alone when none is declared", olds, news: aDeclaration(olds), changes: false };
    })(),
    (() => {
      // As the release that also modelled the parent as the schema field parent_id wrote it (a
      // child of org-a; parent_id could reach `fields` and `live` through a user's own program).
      const olds = anOrganizationState({
        fields: { name: "Acme", parent_id: "org-a" },
        parentId: "org-a",
        live: { name: "Acme", parent_id: "org-a" },
        liveParentId: "org-a",
        readOnly: { id: "org-acme", parent_name: "A", create_time: "2026-01-01T00:00:00.000Z" },
      });
      return {
        name: "is no change against a state written while the parent was also the field parent_id",
        olds,
        news: aDeclaration(olds, { fields: { name: "Acme" } }),
        changes: false,
        detail: "",
      };
    })(),
    (() => {
      const olds = anOrganizationState({ fields: { name: "Acme", parent_id: "org-a" }, parentId: "org-a", live: { name: "Acme", parent_id: "org-a" }, liveParentId: "org-a" });
      return {
        name: "sees a move against such a state by the parent alone",
        olds,
        news: aDeclaration(olds, { fields: { name: "Acme" }, parentId: "org-b" }),
        changes: true,
        replaces: [],
        detail: "~ parent: org-a => org-b",
      };
    })(),
    (() => {
      const olds = anOrganizationState();
      return {
        name: "replaces the organization when its backend changes",
        olds,
        news: aDeclaration(olds, { backend: WITH_REPLACING_FIELD }),
        changes: true,
        replaces: ["backend"],
      };
    })(),
    (() => {
      const olds = anOrganizationState({
        backend: WITH_REPLACING_FIELD,
        fields: { name: "ml", id: "6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b" },
        live: { name: "ml", id: "6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b" },
      });
      return {
        name: "replaces the organization when a replace-on-change field changes",
        olds,
        news: aDeclaration(olds, { fields: { name: "ml", id: "0c7f1e8e-2b2a-4a4e-9b8e-3f1c2d4e5a6b" } }),
        changes: true,
        replaces: ["fields.id"],
        detail: /\(forces replacement\)/,
      };
    })(),
    (() => {
      const olds = anOrganizationState({ backend: IMPORT_ONLY_BACKEND, fields: { name: "Ops", commit_message: "first" }, live: { name: "Ops" }, adopt: { id: "o-1" } });
      return {
        name: "is a change when an import-only field differs from its previous declaration",
        olds,
        news: aDeclaration(olds, { fields: { name: "Ops", commit_message: "second" } }),
        changes: true,
        replaces: [],
        detail: '~ commit_message: "first" => "second" (import-only)',
      };
    })(),
    (() => {
      const olds = anOrganizationState({ backend: IMPORT_ONLY_BACKEND, fields: { name: "Ops" }, live: { name: "Ops" }, adopt: { id: "o-1" } });
      return {
        name: "is a change when an import-only field is declared for the first time",
        olds,
        news: aDeclaration(olds, { fields: { name: "Ops", commit_message: "first" } }),
        changes: true,
        detail: '+ commit_message: "first" (import-only)',
      };
    })(),
    (() => {
      const olds = anOrganizationState({
        backend: IMPORT_ONLY_BACKEND,
        fields: { name: "Ops", commit_message: "first" },
        live: { name: "Ops", commit_message: "whatever the API says" },
        adopt: { id: "o-1" },
      });
      return { name: "never compares an import-only field with what is live", olds, news: aDeclaration(olds), changes: false };
    })(),
  ];

  each(cases, ({ olds, news, changes, replaces, detail }) => {
    const answer = organization.diff(olds, news);
    expect(answer.changes).toBe(changes);
    if (replaces) expect(answer.replaces).toEqual(replaces);
    if (!changes) expect(answer.replaces).toEqual([]);
    if (typeof detail === "string") expect(answer.detail).toBe(detail);
    else if (detail) expect(answer.detail).toMatch(detail);
  });

  const uniqueSiblings = BACKENDS.find((b) => capabilitiesOf(b).organization.nameUniqueness.scope === "siblings")!;
  const duplicateNames = BACKENDS.find((b) => capabilitiesOf(b).organization.nameUniqueness.scope === "none")!;
  each([
    { name: "deletes before replacing where names are unique (the replacement would clash with the old name)", backend: uniqueSiblings, deleteBeforeReplace: true },
    { name: "creates the replacement first where names need not be unique", backend: duplicateNames, deleteBeforeReplace: false },
  ], ({ backend, deleteBeforeReplace }) => {
    const olds = anOrganizationState({ backend, adopt: { id: "org-acme" } });
    expect(organization.diff(olds, aDeclaration(olds)).deleteBeforeReplace).toBe(deleteBeforeReplace);
  });
});

describe("Organization check", () => {
  each([
    {
      name: "refuses an unknown backend in one sentence, without throwing",
      news: { backend: "acme-cloud", key: "ops", owner: "o/s", fields: { name: "Ops" } },
      failures: [{ property: "backend", reason: expect.stringMatching(/^unknown backend "acme-cloud": expected one of cloudflare, /) }],
    },
    ...(PLANNED
      ? [
          {
            name: "refuses a backend whose adapter is not built yet, saying so in one sentence",
            news: { backend: PLANNED, key: "ops", owner: "o/s", fields: { name: "Ops" } },
            failures: [{ property: "backend", reason: expect.stringMatching(/is not implemented yet in this version of orgform/) }],
          },
        ]
      : []),
    {
      name: "refuses an organization the backend cannot create unless it is adopted",
      news: { backend: CANNOT_CREATE, key: "ops", owner: "o/s", fields: { name: "Ops" } },
      failures: [{ property: "adopt", reason: expect.stringMatching(/cannot be created: declare adopt: \{id: \.\.\.\} or adopt: \{name: \.\.\.\}/) }],
    },
    {
      name: "accepts an adopted organization the backend cannot create",
      news: { backend: CANNOT_CREATE, key: "ops", owner: "o/s", fields: { name: "Ops" }, adopt: { name: "Ops" } },
      failures: [],
    },
    {
      name: "refuses a nested organization on a backend without hierarchy",
      news: { backend: NO_HIERARCHY, key: "team", owner: "o/s", fields: { name: "Team" }, parentId: "org-parent", adopt: { id: "o-1" } },
      failures: [{ property: "parentId", reason: expect.stringMatching(/has no organization hierarchy/) }],
    },
    {
      name: "accepts a nested organization on a backend with hierarchy",
      news: { backend: "cloudflare", key: "team", owner: "o/s", fields: { name: "Team" }, parentId: "org-parent" },
      failures: [],
    },
    {
      name: "refuses a declared export-only field, naming it",
      news: { backend: "cloudflare", key: "acme", owner: "o/s", fields: { name: "Acme", create_time: "2026-01-01T00:00:00Z" } },
      failures: [{ property: "fields.create_time", reason: expect.any(String) }],
    },
    {
      name: "refuses an organization without its required name unless it is adopted",
      news: { backend: "cloudflare", key: "acme", owner: "o/s", fields: {} },
      failures: [{ property: expect.stringMatching(/^fields/), reason: expect.stringMatching(/name/) }],
    },
  ].filter((c) => c.news.backend !== undefined) as { name: string; news: OrganizationInputs; failures: unknown[] }[], ({ news, failures }) => {
    expect(organization.check(news)).toEqual(failures);
  });
});

// ---- OrganizationProfile ----

describe("OrganizationProfile diff", () => {
  each([
    { name: "is no change when the declared fields equal what is live", news: {}, changes: false, detail: "(no changes)" },
    {
      name: "is an update when a declared field changes",
      news: { fields: { business_name: "Acme Corp.", business_email: "billing@acme.test" } },
      changes: true,
      detail: '~ business_name: "Acme Inc." => "Acme Corp."',
    },
    {
      name: "compares email fields case-insensitively",
      news: { fields: { business_name: "Acme Inc.", business_email: "Billing@ACME.test" } },
      changes: false,
    },
    {
      name: "leaves an undeclared profile field unmanaged (business_phone is live, not declared)",
      news: { fields: { business_name: "Acme Inc." } },
      changes: false,
    },
    {
      name: "is a change when a newly declared field is not live",
      news: { fields: { business_name: "Acme Inc.", business_address: "1 Main Street" } },
      changes: true,
      detail: '+ business_address: "1 Main Street"',
    },
    { name: "replaces the profile when it moves to another organization", news: { organizationId: "org-other" }, changes: true, replaces: ["organizationId"] },
  ] as { name: string; news: Partial<ProfileInputs>; changes: boolean; replaces?: string[]; detail?: string }[], ({ news, changes, replaces, detail }) => {
    const olds = aProfileState();
    const { live: _live, ...inputs } = olds;
    const answer = profile.diff(olds, { ...inputs, ...news });
    expect(answer.changes).toBe(changes);
    expect(answer.replaces).toEqual(replaces ?? []);
    expect(answer.deleteBeforeReplace).toBe(false);
    if (detail) expect(answer.detail).toBe(detail);
  });
});

// ---- OrganizationMembers ----

describe("OrganizationMembers diff", () => {
  const bobLive = { email: "bob@acme.test", role: MEMBER, id: "m-bob" };
  each([
    { name: "is no change when the declaration is live", olds: aMembersState(), news: {}, changes: false, detail: "" },
    {
      name: "is a change in authoritative mode when someone undeclared is a member",
      olds: aMembersState({ mode: "authoritative", live: [...aMembersState().live, bobLive] }),
      news: {},
      changes: true,
      detail: `- bob@acme.test (${MEMBER})`,
    },
    {
      name: "is no change in additive mode when someone undeclared is a member",
      olds: aMembersState({ live: [...aMembersState().live, bobLive] }),
      news: {},
      changes: false,
    },
    {
      name: "is a change in additive mode when a member is no longer declared (this resource added them)",
      olds: aMembersState({ members: [{ email: "ada@acme.test", role: ADMIN }, { email: "bob@acme.test", role: MEMBER }], live: [...aMembersState().live, bobLive] }),
      news: { members: [{ email: "ada@acme.test", role: ADMIN }] },
      changes: true,
      detail: "- bob@acme.test (no longer declared)",
    },
    {
      name: "is no change in additive mode when a member no longer declared has already left",
      olds: aMembersState({ members: [{ email: "ada@acme.test", role: ADMIN }, { email: "bob@acme.test", role: MEMBER }] }),
      news: { members: [{ email: "ada@acme.test", role: ADMIN }] },
      changes: false,
    },
    { name: "is a change when a declared role differs from the live one", olds: aMembersState(), news: { members: [{ email: "ada@acme.test", role: MEMBER }] }, changes: true },
    { name: "is no change when only the role's case differs", olds: aMembersState(), news: { members: [{ email: "ada@acme.test", role: ADMIN.toLowerCase() }] }, changes: false },
    { name: "is a change when the mode changes", olds: aMembersState(), news: { mode: "authoritative" }, changes: true, detail: "" },
    { name: "replaces the set when it moves to another organization", olds: aMembersState(), news: { organizationId: "org-other" }, changes: true, replaces: ["organizationId"] },
  ] as { name: string; olds: MembersOutputs; news: Partial<MembersInputs>; changes: boolean; replaces?: string[]; detail?: string }[], ({ olds, news, changes, replaces, detail }) => {
      const { live: _live, ...inputs } = olds;
      const answer = members.diff(olds, { ...inputs, ...news });
      expect(answer.changes).toBe(changes);
      expect(answer.replaces).toEqual(replaces ?? []);
      if (detail !== undefined) expect(answer.detail).toBe(detail);
    },
  );
});

describe("OrganizationMember diff (one assignment)", () => {
  each([
    { name: "is no change when the role is live", olds: aMemberState(), news: {}, changes: false, replaces: [] },
    { name: "is an update, not a replacement, when the role changes", olds: aMemberState(), news: { role: ADMIN }, changes: true, replaces: [] },
    { name: "compares roles case-insensitively", olds: aMemberState(), news: { role: MEMBER.toUpperCase() }, changes: false, replaces: [] },
    { name: "is a change when the live role drifted from an unchanged declaration", olds: aMemberState({ liveRole: ADMIN }), news: {}, changes: true, replaces: [] },
    { name: "falls back to the declared role when no live role was recorded", olds: aMemberState({ liveRole: undefined as unknown as string }), news: {}, changes: false, replaces: [] },
    { name: "compares emails case-insensitively", olds: aMemberState(), news: { email: "Ada@ACME.test" }, changes: false, replaces: [] },
    { name: "replaces the assignment when the email changes", olds: aMemberState(), news: { email: "grace@acme.test" }, changes: true, replaces: ["email"] },
    { name: "replaces the assignment when it moves to another organization", olds: aMemberState(), news: { organizationId: "org-other" }, changes: true, replaces: ["organizationId"] },
  ] as { name: string; olds: MemberOutputs; news: Partial<MemberInputs>; changes: boolean; replaces: string[] }[], ({ olds, news, changes, replaces }) => {
    const { memberId: _m, liveRole: _r, ...inputs } = olds;
    expect(members.diffOne(olds, { ...inputs, ...news })).toMatchObject({ changes, replaces, deleteBeforeReplace: true });
  });
});

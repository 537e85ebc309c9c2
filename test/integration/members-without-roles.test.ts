// Members without roles, for every backend whose member schema has no `role` (capabilities.json
// `members.roles: false`), through the real handlers against the emulator over HTTP: a member is an
// email; a membership that is not in force (the status field's `x-inactive-values`, a canceled
// one) is re-created; a stack written by the previous release, whose member sets carry roles,
// converges or is told in one sentence what to change; and the adapter never reads a 404 that is
// not the vendor's own not-found as "gone".
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { StartedEmulator } from "../../emulator";
import { implementedVendors, openBackend } from "../../provider/backends";
import { hasMembers } from "../../provider/backends/types";
import type { BackendName } from "../../provider/core/backends";
import { capabilitiesOf, membersHaveRoles } from "../../provider/core/capabilities";
import { memberRules } from "../../provider/core/plan/members";
import { schemaFor } from "../../provider/core/schema";
import * as members from "../../provider/resources/handlers/members";
import { emulatorCredentials } from "../../scripts/emulator-credentials";
import { seedAccount } from "../support/accounts";
import { useEmulatorEnv } from "../support/emulator-env";

const ROLELESS = implementedVendors().filter((b) => capabilitiesOf(b).members.supported && !membersHaveRoles(b));

it("finds a backend whose members have no roles, by its capability matrix", () => {
  expect(ROLELESS.length).toBeGreaterThan(0);
});

describe.each(ROLELESS)("members without roles on %s", (backend: BackendName) => {
  const emulator = useEmulatorEnv(backend);
  let emu: StartedEmulator;
  let seq = 0;
  const rules = memberRules(schemaFor(backend, "member"));
  const inactive = rules.status?.inactiveValues[0];

  beforeAll(() => {
    emu = emulator();
  });

  const api = () => {
    const b = openBackend({ backend, endpoint: emu.baseUrls[backend], credentials: emulatorCredentials(backend, emu).credentials, sources: {} }, `roleless-${backend}`);
    if (!hasMembers(b)) throw new Error(`${backend} promises members`);
    return b;
  };

  async function anOrganization(emails: string[]): Promise<string> {
    const name = `Roleless ${++seq}`;
    await seedAccount(emu, backend, [{ name, members: emails.map((email) => ({ email })) }]);
    const [org] = await api().findOrganizations({ name });
    return org.id;
  }

  /** Members as the previous release's state holds them: a role in the inputs and in `live`. */
  async function anOldStack(emails: string[]): Promise<members.MembersOutputs> {
    const organizationId = await anOrganization(emails);
    const live = await api().listMembers(organizationId);
    return {
      backend,
      organizationId,
      mode: "authoritative",
      members: emails.map((email) => ({ email, role: "Administrator" })),
      live: live.map((m) => ({ email: m.email, role: "Administrator", id: m.id })),
    } as members.MembersOutputs;
  }

  beforeEach(() => {
    delete process.env.ORGFORM_MAX_MEMBER_REMOVAL_SHARE;
  });

  it("adds members as emails and reads them back without a role", async () => {
    const organizationId = await anOrganization([]);
    const { outs } = await members.create({ backend, organizationId, mode: "authoritative", members: [{ email: "ada@roleless.example" }] });
    expect(outs.live.map((m) => [m.email, m.role])).toEqual([["ada@roleless.example", undefined]]);
    const { inputs } = (await members.read("x", outs)) as { inputs: members.MembersInputs };
    expect(inputs.members).toEqual([{ email: "ada@roleless.example" }]);
    expect(members.diff(outs, { ...inputs }).changes).toBe(false);
  });

  it("refuses a declared role in one sentence (check), naming the property", () => {
    const failures = members.check({ backend, organizationId: "x", mode: "additive", members: [{ email: "ada@roleless.example", role: "Administrator" }] });
    expect(failures).toEqual([{ property: "members[0].role", reason: `${capabilitiesOf(backend).displayName} members have no roles (a member is an email): remove role` }]);
  });

  it("converges a stack of the previous release whose member set carries roles: no change once the roles are gone from the declaration", async () => {
    const olds = await anOldStack(["ada@old.example", "bob@old.example"]);
    const news: members.MembersInputs = { backend, organizationId: olds.organizationId, mode: "authoritative", members: olds.members.map((m) => ({ email: m.email })) };
    expect(members.check(news)).toEqual([]);
    const answer = members.diff(olds, news);
    expect(answer).toMatchObject({ changes: false, replaces: [] });
    // A refresh rewrites the old outputs in the new shape; the update (if the engine asks) writes nothing.
    const read = (await members.read("x", olds)) as { props: members.MembersOutputs; inputs: members.MembersInputs };
    expect(read.props.live.every((m) => m.role === undefined)).toBe(true);
    expect(read.inputs.members).toEqual([{ email: "ada@old.example" }, { email: "bob@old.example" }]);
    const before = await api().listMembers(olds.organizationId);
    const { outs } = await members.update("x", olds, news);
    expect(outs.live.map((m) => m.id).sort()).toEqual(before.map((m) => m.id).sort());
  });

  it("tells a previous release's stack that still declares roles what to change, in one sentence, and never crashes", async () => {
    const olds = await anOldStack(["ada@old2.example"]);
    const { live: _l, ...oldInputs } = olds;
    expect(members.check(oldInputs)).toEqual([{ property: "members[0].role", reason: expect.stringMatching(/members have no roles \(a member is an email\): remove role$/) }]);
    expect(() => members.diff(olds, oldInputs)).not.toThrow();
    // The same for one OrganizationMember of that release.
    const one: members.MemberOutputs = { backend, organizationId: olds.organizationId, email: "ada@old2.example", role: "Member", memberId: olds.live[0].id, liveRole: "Member" };
    expect(members.diffOne(one, { backend, organizationId: one.organizationId, email: one.email })).toMatchObject({ changes: false, replaces: [] });
    expect(members.checkOne({ backend, organizationId: one.organizationId, email: one.email, role: "Member" })[0]?.property).toBe("role");
  });

  if (inactive !== undefined) it("re-creates a declared member whose membership is not in force (delete, then add), and leaves an undeclared one alone", async () => {
    const organizationId = await anOrganization(["ada@cancel.example"]);
    const b = api();
    const [ada] = await b.listMembers(organizationId);
    // Canceled out of band: the API has no update, so the membership is deleted and added again canceled.
    await b.removeMember(organizationId, ada.id);
    const status = String(inactive);
    const res = await fetch(`${emu.baseUrls[backend]}/organizations/${organizationId}/members`, {
      method: "POST",
      headers: { authorization: `Bearer ${emu.credentials.apiToken}`, "content-type": "application/json" },
      body: JSON.stringify({ member: { user: { email: "ada@cancel.example" }, status } }),
    });
    expect(res.status).toBe(200);
    await fetch(`${emu.baseUrls[backend]}/organizations/${organizationId}/members`, {
      method: "POST",
      headers: { authorization: `Bearer ${emu.credentials.apiToken}`, "content-type": "application/json" },
      body: JSON.stringify({ member: { user: { email: "gone@cancel.example" }, status } }),
    });
    const olds: members.MembersOutputs = { backend, organizationId, mode: "authoritative", members: [{ email: "ada@cancel.example" }], live: [] };
    const { props } = (await members.read("x", olds)) as { props: members.MembersOutputs };
    const news: members.MembersInputs = { backend, organizationId, mode: "authoritative", members: [{ email: "ada@cancel.example" }] };
    const answer = members.diff(props, news);
    expect(answer.changes).toBe(true);
    expect(answer.detail).toBe(`+- ada@cancel.example: re-created (its membership is ${status})`);
    const { outs } = await members.update("x", props, news);
    const byEmail = new Map(outs.live.map((m) => [m.email, m.status]));
    expect(byEmail.get("ada@cancel.example")).not.toBe(status);
    // Not in force and declared nowhere: grants nothing, so even an authoritative set leaves it.
    expect(byEmail.get("gone@cancel.example")).toBe(status);
    expect(members.diff(outs, news).changes).toBe(false);
  });

  it("never takes a 404 that is not the vendor's not-found for the organization as 'gone'", async () => {
    const organizationId = await anOrganization(["ada@route.example"]);
    // The right credentials, a wrong base path: every route is one the API does not have.
    const wrong = openBackend(
      { backend, endpoint: `${emu.baseUrls[backend]}/no-such-prefix`, credentials: emulatorCredentials(backend, emu).credentials, sources: {} },
      `roleless-wrong-${backend}`,
    );
    const err = await wrong.listMembers!(organizationId).then(
      () => undefined,
      (e: unknown) => e as { code?: string; message?: string },
    );
    expect(err?.code).toBeDefined();
    expect(err?.code).not.toBe("NOT_FOUND");
    // Its own not-found for an organization that does not exist is NOT_FOUND.
    const gone = await api().listMembers("0".repeat(32)).then(
      () => undefined,
      (e: unknown) => e as { code?: string },
    );
    expect(gone?.code).toBe("NOT_FOUND");
  });
});

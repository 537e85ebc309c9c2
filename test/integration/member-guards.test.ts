// Guard rails of the members handler, for every registered backend with members, against the
// emulator over real HTTP: the handler is what a plain `pulumi up` runs, so the guards hold there.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { StartedEmulator } from "../../emulator";
import { implementedVendors } from "../../provider/backends";
import type { BackendName } from "../../provider/core/backends";
import { capabilitiesOf } from "../../provider/core/capabilities";
import * as members from "../../provider/resources/handlers/members";
import { useEmulatorEnv } from "../support/emulator-env";
import { hasFixedRoles, hasMemberRoles, liveRoles, rolesOf, seedAccount, someMembers } from "../support/accounts";

const WITH_MEMBERS = implementedVendors().filter((b) => capabilitiesOf(b).members.supported);
const GUARD_ENV = ["ORGFORM_MAX_MEMBER_REMOVAL_SHARE", "ORGFORM_ALLOW_REMOVING_LAST_ADMIN"];

describe.each(WITH_MEMBERS)("member guard rails on %s", (backend: BackendName) => {
  const emulator = useEmulatorEnv(backend);
  let emu: StartedEmulator;
  let seq = 0;

  beforeAll(() => {
    emu = emulator();
  });
  afterEach(() => GUARD_ENV.forEach((k) => delete process.env[k]));

  /**
   * An organization seeded with `count` members (the first an administrator), its member set as
   * Pulumi holds it, and its roles (the schema's, or the organization's own where roles are per organization).
   */
  async function aMemberSet(count: number) {
    const name = `Guarded ${++seq}`;
    const [org] = await seedAccount(emu, backend, [{ name, members: someMembers(backend, name, count)! }]);
    const seeded = org.members!;
    const state: any = await (await fetch(`${emu.url}/_admin/state?backend=${backend}`, { headers: { authorization: `Bearer ${emu.credentials.adminToken}` } })).json();
    const organizationId = (state.organizations as { id: string; name: string }[]).find((o) => o.name === name)!.id;
    // Where members have roles, the first seeded member is an administrator.
    const roles = hasMemberRoles(backend) ? await liveRoles(emu, backend, organizationId) : undefined;
    if (roles) expect(seeded[0].role).toBe(roles.admin);
    const inputs: members.MembersInputs = { backend, organizationId, mode: "authoritative", members: seeded.map((m) => (m.role !== undefined ? { email: m.email, role: m.role } : { email: m.email })) };
    const { outs } = await members.create(inputs);
    expect(outs.live).toHaveLength(count);
    return { inputs, outs, seeded, organizationId, roles };
  }
  const liveOf = async (outs: members.MembersOutputs) => ((await members.read("x", outs)).props as members.MembersOutputs).live;
  const liveEmails = async (outs: members.MembersOutputs) => (await liveOf(outs)).map((m) => m.email).sort();

  it("refuses to remove more than 25% of an organization's members in one update, naming the counts and the setting, and changes nothing", async () => {
    const { inputs, outs, seeded } = await aMemberSet(4);
    const news = { ...inputs, members: seeded.slice(0, 2) };
    await expect(members.update("x", outs, news)).rejects.toThrow(
      /refusing to remove 2 of the 4 members of organization \S+ \(50%\) in one update: more than the 25% allowed\. Nothing was changed\. .*pulumi config set orgform:maxMemberRemovalShare 0\.5.*ORGFORM_MAX_MEMBER_REMOVAL_SHARE/,
    );
    expect(await liveEmails(outs)).toEqual(seeded.map((m) => m.email).sort());
  });

  it("removes at most the share the setting allows", async () => {
    const { inputs, outs, seeded } = await aMemberSet(4);
    process.env.ORGFORM_MAX_MEMBER_REMOVAL_SHARE = "50%";
    const { outs: after } = await members.update("x", outs, { ...inputs, members: seeded.slice(0, 2) });
    expect(after.live.map((m) => m.email).sort()).toEqual(seeded.slice(0, 2).map((m) => m.email).sort());
  });

  it("removes one member of four (25%) without any setting", async () => {
    const { inputs, outs, seeded } = await aMemberSet(4);
    const { outs: after } = await members.update("x", outs, { ...inputs, members: seeded.slice(0, 3) });
    expect(after.live).toHaveLength(3);
  });

  it("treats an empty authoritative list as removing every member: the guards refuse it until both settings allow it", async () => {
    const { inputs, outs } = await aMemberSet(2);
    const empty = { ...inputs, members: [] };
    await expect(members.update("x", outs, empty)).rejects.toThrow(/refusing to remove 2 of the 2 members/);
    process.env.ORGFORM_MAX_MEMBER_REMOVAL_SHARE = "1";
    // Where members have no roles nobody administers: the last-administrator guard cannot apply.
    if (hasMemberRoles(backend)) {
      await expect(members.update("x", outs, empty)).rejects.toThrow(/refusing to leave organization \S+ without an administrator: this update removes or demotes all 1 of its administrators.*orgform:allowRemovingLastAdmin true/);
      process.env.ORGFORM_ALLOW_REMOVING_LAST_ADMIN = "true";
    }
    const { outs: after } = await members.update("x", outs, empty);
    expect(after.live).toEqual([]);
  });

  // Where roles belong to each organization, every one has an administrator role and another (the vendor's standard roles).
  if (hasMemberRoles(backend) && !(hasFixedRoles(backend) && rolesOf(backend).admin === rolesOf(backend).other)) it("refuses to demote the last administrator (where members have roles)", async () => {
    const { inputs, outs, seeded, roles: maybe } = await aMemberSet(3);
    const roles = maybe!;
    expect(roles.other).not.toBe(roles.admin);
    const demoted = seeded.map((m) => ({ ...m, role: roles.other }));
    await expect(members.update("x", outs, { ...inputs, members: demoted })).rejects.toThrow(/without an administrator/);
    expect((await liveOf(outs)).find((m) => m.email === seeded[0].email)!.role).toBe(seeded[0].role);
  });

  it("guards the members an additive set stops declaring as well", async () => {
    const { inputs, outs, seeded } = await aMemberSet(3);
    const additive = { ...inputs, mode: "additive" as const };
    await expect(members.update("x", { ...outs, mode: "additive" }, { ...additive, members: seeded.slice(0, 1) })).rejects.toThrow(/refusing to remove 2 of the 3 members/);
  });

  it("releases the members when the member set is deleted: nobody is removed", async () => {
    const { outs, seeded } = await aMemberSet(3);
    await members.remove("x", outs);
    expect(await liveEmails(outs)).toEqual(seeded.map((m) => m.email).sort());
  });

  it("names a bad setting instead of guessing", async () => {
    const { inputs, outs, seeded } = await aMemberSet(2);
    process.env.ORGFORM_MAX_MEMBER_REMOVAL_SHARE = "lots";
    await expect(members.update("x", outs, { ...inputs, members: seeded.slice(0, 1) })).rejects.toThrow(/orgform:maxMemberRemovalShare \/ ORGFORM_MAX_MEMBER_REMOVAL_SHARE must be a share between 0 and 1/);
  });
});

// The deployment cache (provider/backends/deployment-cache.ts) through the resource handlers, as
// one deployment of the engine calls them, against the emulator over HTTP, for every backend with
// an adapter. API calls are counted by the emulator (`/_admin/counters`), never by our own code.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type StartedEmulator } from "../../emulator";
import { implementedVendors } from "../../provider/backends";
import { hasBulkReads, hasMembers, hasProfiles, hasRoles } from "../../provider/backends/types";
import { STACK_CONFIG } from "../../provider/config/connection";
import type { BackendName } from "../../provider/core/backends";
import { capabilitiesOf } from "../../provider/core/capabilities";
import { memberRoles } from "../../provider/core/roles";
import { schemaFor } from "../../provider/core/schema";
import * as members from "../../provider/resources/handlers/members";
import * as organization from "../../provider/resources/handlers/organization";
import * as profile from "../../provider/resources/handlers/profile";
import { identityFor } from "../../provider/resources/handlers/organization";
import { openCall } from "../../provider/resources/context";
import { backendFor, configure, resetDeploymentCaches } from "../../provider/resources/runtime";
import { emulatorCredentials } from "../../scripts/emulator-credentials";
import { validValues } from "../support/values";
import { ADMIN, call } from "./helpers";

let emu: StartedEmulator;
beforeAll(async () => {
  emu = await startEmulator({ port: 0, host: "127.0.0.1", db: ":memory:" });
});
afterAll(async () => {
  await emu?.close();
  configure({ get: () => undefined });
  resetDeploymentCaches();
});

const admin = async (method: string, route: string, body?: unknown) =>
  (await call(`${emu.url}/_admin`, method, route, { auth: { bearer: ADMIN }, body })).body;
const calls = async (backend: BackendName): Promise<number> => (await admin("GET", "/counters")).dialects[backend]?.total ?? 0;

/** The stack config a deployment hands the providers: the emulator's credential, plus `extra`. */
function deployWith(backend: BackendName, extra: Record<string, string> = {}): void {
  const values: Record<string, string> = { ...extra };
  for (const [part, value] of Object.entries(emulatorCredentials(backend, emu).credentials)) {
    if (part !== "method") values[STACK_CONFIG[part as keyof typeof STACK_CONFIG]] = String(value);
  }
  configure({ get: (key) => values[key] });
  // A new deployment is a new process of the provider: nothing listed by an earlier one is kept.
  resetDeploymentCaches();
}

describe.each(implementedVendors())("bulk reads over %s", (backend) => {
  const caps = capabilitiesOf(backend);
  const connection = () => ({ backend, endpoint: emu.baseUrls[backend]! });
  const ORGS = 4;
  const PER_ORG = 3;
  let bulk = false;
  let created: { org: organization.OrganizationOutputs; id: string; profile?: profile.ProfileOutputs; members?: members.MembersOutputs }[] = [];

  /**
   * Builder: declared organization fields, the schema's required strings filled. Where an owner
   * may create only so many organizations, each gets an owner of its own.
   */
  const orgFields = (name: string) => {
    const schema = schemaFor(backend, "organization");
    const fields: Record<string, unknown> = { name };
    for (const f of schema.fields) {
      if (f.required && !(f.name in fields)) fields[f.name] = validValues(f)[0];
    }
    const { createsPerOwner, ownerField } = caps.organization;
    if (createsPerOwner !== null && ownerField) fields[ownerField] = validValues(schema.field(ownerField)!)[0];
    return fields;
  };
  /** Seeds organizations of these names through /_admin (the common seed shape), for vendors that cannot create. */
  const seed = async (names: string[]) => {
    const res = await call(`${emu.url}/_admin`, "POST", "/seed", { auth: { bearer: ADMIN }, body: { [backend]: { organizations: names.map((name) => ({ name })) } } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  };
  /** The roles a member can have: the schema's enum, or (roles per organization) the organization's own. */
  const rolesOf = async (orgId: string): Promise<string[]> => {
    const fixed = memberRoles(backend).values;
    if (fixed) return [...fixed];
    const api = await backendFor(connection());
    const names = hasRoles(api) ? (await api.listRoles(orgId)).map((r) => r.name) : [];
    if (names.length === 0) throw new Error(`${backend} has members but no roles: neither an enum in its member schema nor a RoleAbility`);
    return names;
  };
  const assignments = async (i: number, orgId: string) => {
    // Members without roles: a member is an email.
    if (!memberRoles(backend).hasRoles) return Array.from({ length: PER_ORG }, (_, m) => ({ email: `m${m}@bulk-${i}.example` }));
    const roles = await rolesOf(orgId);
    return Array.from({ length: PER_ORG }, (_, m) => ({ email: `m${m}@bulk-${i}.example`, role: roles[m % roles.length]! }));
  };
  const profileFields = () => {
    const f = schemaFor(backend, "profile").fields.find((x) => x.access === "both" && x.type === "string" && !x.format)!;
    return { [f.name]: String(validValues(f)[0]) };
  };

  beforeAll(async () => {
    deployWith(backend);
    bulk = hasBulkReads((await openCall(connection())).api.api);
    created = [];
    const name = (i: number) => `Bulk Reads ${backend} ${i}`;
    // A vendor that cannot create: its organizations exist (seeded) and are adopted by name.
    if (!caps.organization.create) await seed(Array.from({ length: ORGS }, (_, i) => name(i)));
    for (let i = 0; i < ORGS; i++) {
      const inputs: organization.OrganizationInputs = {
        ...connection(),
        key: `bulk-${i}`,
        owner: "bulk/test",
        fields: orgFields(name(i)),
        parentId: null,
        ...(caps.organization.create ? {} : { adopt: { name: name(i) } }),
      };
      const { id, outs } = await organization.create(inputs);
      const entry: (typeof created)[number] = { org: outs, id };
      if (caps.profile.supported) entry.profile = (await profile.create({ ...connection(), organizationId: id, fields: profileFields() })).outs;
      if (caps.members.supported) {
        entry.members = (await members.create({ ...connection(), organizationId: id, mode: "authoritative", members: await assignments(i, id) })).outs;
      }
      created.push(entry);
    }
  });

  beforeEach(async () => {
    await admin("DELETE", "/counters");
  });

  /**
   * A refresh as the engine runs it: every resource read, in no order the provider can count on.
   * Here profiles and member sets before any organization, the order that once cost a call each.
   */
  const refresh = async () => [
    ...(await Promise.all(
      created.flatMap((c) => [
        ...(c.profile ? [profile.read(`${c.id}/profile`, c.profile)] : []),
        ...(c.members ? [members.read(`${c.id}/members`, c.members)] : []),
      ]),
    )),
    ...(await Promise.all(created.map((c) => organization.read(c.id, c.org)))),
  ];

  it("offers exactly the abilities of the adapter it wraps", async () => {
    const cached = (await openCall(connection())).api;
    expect([hasProfiles(cached), hasMembers(cached), hasRoles(cached)]).toEqual([hasProfiles(cached.api), hasMembers(cached.api), hasRoles(cached.api)]);
  });

  it("refreshes every organization, profile and member set with one list of the organizations and one member list per organization", async () => {
    deployWith(backend);
    const answers = await refresh();
    expect(answers.every((a) => a.id !== "")).toBe(true);
    // A vendor without bulk reads costs what it did before: one call per organization (and profile) read.
    const pages = Math.ceil((ORGS + 1) / (caps.pagination.maxPageSize ?? 1)); // every organization the credential sees
    const unlisted = ORGS * (caps.profile.supported ? 2 : 1);
    const floor = (bulk ? pages : unlisted) + (caps.members.supported ? ORGS : 0);
    expect(await calls(backend)).toBeLessThanOrEqual(floor);
    // A second refresh in the same deployment asks nothing more: member lists are kept by every
    // vendor; organizations (and profiles) by a vendor with bulk reads, read again by one without.
    await refresh();
    expect(await calls(backend)).toBeLessThanOrEqual(floor + (bulk ? 0 : unlisted));
  });

  it("reads each resource on its own when bulk reads are off (orgform:bulkReads false)", async () => {
    deployWith(backend, { [STACK_CONFIG.bulkReads]: "false" });
    await refresh();
    // One call per resource read: organization, profile, member set.
    const resources = ORGS * (1 + (caps.profile.supported ? 1 : 0) + (caps.members.supported ? 1 : 0));
    expect(await calls(backend)).toBeGreaterThanOrEqual(resources);
  });

  it("serves reads after our own writes as the writes left things, without reading again", async () => {
    // This case removes 1 of PER_ORG members on purpose: past the member guard rail's default share.
    deployWith(backend, { [STACK_CONFIG.maxMemberRemovalShare]: "1" });
    await refresh();
    const c = created[0];
    await admin("DELETE", "/requests");
    if (caps.members.supported) {
      // The last member goes (the first, an administrator where roles cycle from the admin role, stays).
      const fewer = { ...c.members!, members: c.members!.members.slice(0, -1) };
      const { outs } = await members.update(`${c.id}/members`, c.members!, fewer);
      expect(outs.live.map((m) => m.email).sort()).toEqual(fewer.members.map((m) => m.email).sort());
      const read = await members.read(`${c.id}/members`, outs);
      expect(read.inputs!.members.map((m) => m.email).sort()).toEqual(fewer.members.map((m) => m.email).sort());
      c.members = outs;
    }
    const renamed = { ...stripOuts(c.org), fields: { ...c.org.fields, name: `${c.org.fields.name} renamed` } };
    const { outs } = await organization.update(c.id, c.org, renamed);
    const read = await organization.read(c.id, outs);
    expect(read.inputs!.fields.name).toBe(renamed.fields.name);
    c.org = outs;
    // Only the writes themselves (and what the vendor's verb needs to make them) reached the API;
    // without bulk reads the organization's read after its update is one read of its own; where
    // roles belong to each organization, a member update lists them once to check the declared ones.
    const journal = (await admin("GET", `/requests?dialect=${backend}`)).requests as { method: string }[];
    const liveRoles = caps.members.supported && !memberRoles(backend).values && hasRoles((await openCall(connection())).api) ? 1 : 0;
    const needed = (caps.organization.update.semantics === "replace" ? 1 : 0) + (bulk ? 0 : 1) + liveRoles;
    expect(journal.filter((r) => r.method === "GET").length).toBeLessThanOrEqual(needed);
  });

  it("sees in the next deployment what another client changed, and drops what is gone", async () => {
    // Another client: the adapter itself, past this deployment's cache.
    const other = await backendFor(connection());
    const c = created[1];
    if (caps.members.supported) await other.removeMember!(c.id, c.members!.live[0]!.id);
    // Made by another client: created, or (a vendor that cannot create) seeded, as it would exist.
    const doomedName = `Bulk Reads ${backend} doomed`;
    let doomed: { id: string };
    if (caps.organization.create) doomed = await other.createOrganization(orgFields(doomedName), null, identityFor({ owner: "bulk/test", key: "doomed" }));
    else {
      await seed([doomedName]);
      [doomed] = await other.findOrganizations({ name: doomedName });
    }
    deployWith(backend);
    if (caps.members.supported) {
      const read = await members.read(`${c.id}/members`, c.members!);
      expect(read.inputs!.members).toHaveLength(PER_ORG - 1);
    }
    expect((await organization.read(doomed.id, { ...c.org, organizationId: doomed.id })).id).toBe(doomed.id);
    // Gone before the next deployment lists: not in its list, and the API confirms it is gone.
    // A vendor whose organizations no client can delete: one that never existed is as gone.
    const goneId = caps.organization.delete.supported ? doomed.id : randomUUID();
    if (caps.organization.delete.supported) await other.deleteOrganization(doomed.id);
    deployWith(backend);
    await refresh();
    expect((await organization.read(goneId, { ...c.org, organizationId: goneId })).id).toBe("");
  });
});

function stripOuts(o: organization.OrganizationOutputs): organization.OrganizationInputs {
  const { organizationId: _a, live: _b, liveParentId: _c, readOnly: _d, created: _e, ...inputs } = o;
  return inputs;
}

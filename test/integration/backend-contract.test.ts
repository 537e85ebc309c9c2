// The Backend contract (provider/backends/types.ts), proven for every backend that has an adapter,
// against the emulator over real HTTP on 127.0.0.1. New adapters join automatically: the list is
// the registry's implemented vendors. What a backend lacks (hierarchy, profile, members) gets no
// test, decided by reading its capability matrix and schemas, never its name (no skipped tests).
import { randomUUID } from "node:crypto";
import { ADMIN, call, rejection } from "./helpers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type StartedEmulator } from "../../emulator";
import { implementedVendors, openBackend } from "../../provider/backends";
import { hasMembers, hasProfiles, hasRoles, type CreateIdentity, type Fields, type FullBackend, type ObservedOrganization } from "../../provider/backends/types";
import type { Connection } from "../../provider/config/connection";
import type { BackendName } from "../../provider/core/backends";
import { capabilitiesOf } from "../../provider/core/capabilities";
import { memberRoles } from "../../provider/core/roles";
import { schemaFor } from "../../provider/core/schema";
import { identityFor } from "../../provider/resources/handlers/organization";
import { emulatorCredentials } from "../../scripts/emulator-credentials";
import { validValues } from "../support/values";

/** Every backend with an adapter in the registry. */
const ADAPTED: BackendName[] = implementedVendors();

/** Table-driven cases named in full (it.each would truncate and quote interpolated values). */
function each<T>(table: T[], name: (c: T) => string, fn: (c: T) => Promise<void>): void {
  for (const c of table) it(name(c), () => fn(c));
}

let emu: StartedEmulator;
beforeAll(async () => {
  emu = await startEmulator({ port: 0, host: "127.0.0.1", db: ":memory:" });
});
afterAll(async () => {
  await emu?.close();
});

it("has at least one backend adapter to hold to the contract", () => {
  expect(ADAPTED.length).toBeGreaterThan(0);
});

function open(backend: BackendName): FullBackend {
  const endpoint = emu.baseUrls[backend];
  if (!endpoint) throw new Error(`the emulator has no dialect for ${backend}: add one before its adapter joins the contract`);
  const connection: Connection = { backend, endpoint, credentials: emulatorCredentials(backend, emu).credentials, sources: {} };
  return openBackend(connection, `contract-${backend}`);
}

let seq = 0;
/** A name no other case of this file uses. */
const uniqueName = (label: string) => `Contract ${label} ${++seq}`;

/**
 * Builder: the declared fields of an organization, filling the schema's other required strings.
 * Where an owner may create only so many organizations, each gets an owner of its own.
 */
function anOrganization(backend: BackendName, name: string, overrides: Fields = {}): Fields {
  const schema = schemaFor(backend, "organization");
  const fields: Fields = { name };
  for (const f of schema.fields) {
    if (f.required && !(f.name in fields) && f.type === "string") {
      fields[f.name] = name.toLowerCase().replace(/[^a-z0-9]+/g, "-");
    }
  }
  const { createsPerOwner, ownerField } = capabilitiesOf(backend).organization;
  if (createsPerOwner !== null && ownerField) fields[ownerField] = validValues(schema.field(ownerField)!)[0];
  return { ...fields, ...overrides };
}

/** The identity of a create labelled `label` (its marker, its client-chosen id). */
const IDENTITY = (label: string): CreateIdentity => identityFor({ owner: "contract/test", key: label });
const MARKER = (label: string) => IDENTITY(label).marker;

/** Seeds organizations of these names through /_admin (the common seed shape), for vendors that cannot create. */
async function seedOrganizations(backend: BackendName, names: string[]): Promise<void> {
  const res = await call(emu.url + "/_admin", "POST", "/seed", { auth: { bearer: ADMIN }, body: { [backend]: { organizations: names.map((name) => ({ name })) } } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

describe.each(ADAPTED)("the %s backend", (backendName) => {
  const caps = capabilitiesOf(backendName);
  const fixedRoles = memberRoles(backendName).values;
  let backend: FullBackend;
  /** Two roles a member of this organization can have: the schema's, or (roles per organization) the organization's own. */
  const withRoles = memberRoles(backendName).hasRoles;
  /** A new member of this organization: an email, with its first role where members have roles. */
  async function aMember(orgId: string, email: string): Promise<{ email: string; role?: string }> {
    return withRoles ? { email, role: (await rolesOf(orgId))[0] } : { email };
  }
  async function rolesOf(orgId: string): Promise<[string, string]> {
    const names = fixedRoles ? [...fixedRoles] : hasRoles(backend) ? (await backend.listRoles(orgId)).map((r) => r.name) : [];
    if (names.length === 0) throw new Error(`${backendName} has members but no roles: neither an enum in its member schema nor a RoleAbility`);
    return [names[0], names[1] ?? names[0]];
  }
  beforeAll(() => {
    backend = open(backendName);
  });

  /** An organization with these declared fields: created, or (a vendor that cannot create) seeded and then updated to them. */
  const make = async (declared: Fields, parentId: string | null, identity: CreateIdentity): Promise<ObservedOrganization> => {
    if (caps.organization.create) return backend.createOrganization(declared, parentId, identity);
    await seedOrganizations(backendName, [String(declared.name)]);
    const [seeded] = await backend.findOrganizations({ name: String(declared.name) });
    return backend.updateOrganization(seeded.id, declared, parentId);
  };
  const create = (label: string, parentId: string | null = null, overrides: Fields = {}): Promise<ObservedOrganization> =>
    make(anOrganization(backendName, uniqueName(label), overrides), parentId, IDENTITY(label));
  /** The id of an organization that does not exist: one deleted, or (a vendor that cannot delete) one never made. */
  const goneId = async (label: string): Promise<string> => {
    if (!caps.organization.delete.supported) return randomUUID();
    const gone = await create(label);
    await backend.deleteOrganization(gone.id);
    return gone.id;
  };

  it("offers exactly the abilities its capability matrix promises", () => {
    expect(backend.name).toBe(backendName);
    expect(hasProfiles(backend)).toBe(caps.profile.supported);
    expect(hasMembers(backend)).toBe(caps.members.supported);
  });

  describe("organizations", () => {
    it("answers absent (undefined) for an organization that does not exist", async () => {
      await expect(backend.getOrganization(await goneId("ghost"))).resolves.toBeUndefined();
    });

    it("round-trips the declared fields through create and get", async () => {
      const declared = anOrganization(backendName, uniqueName("round trip"));
      const created = await make(declared, null, IDENTITY("round-trip"));
      expect(created.name).toBe(declared.name);
      expect(created.parentId).toBeNull();
      const got = await backend.getOrganization(created.id);
      expect(got).toBeDefined();
      expect(got!.id).toBe(created.id);
      expect(got!.parentId).toBeNull();
      // Import-only fields are sent and never read back.
      const readBack = Object.entries(declared).filter(([field]) => schemaFor(backendName, "organization").field(field)?.access !== "import-only");
      for (const [field, value] of readBack) expect(got!.fields[field], field).toEqual(value);
    });

    it("recognises what a create committed by its duplicate guard, as its capability matrix allows", async () => {
      const guard = backend.duplicateGuard;
      const o = caps.organization;
      // The guard must be one the vendor can keep: a client-chosen id, a name it keeps unique, or a marker.
      if (guard === "client-id") expect(o.clientChosenId).toBe(true);
      if (guard === "natural-key") expect(o.nameUniqueness.scope).not.toBe("none");
      if (guard === "none") {
        expect(o.clientChosenId).toBe(false);
        return;
      }
      const name = uniqueName("marked");
      const declared = anOrganization(backendName, name);
      const created = await backend.createOrganization(declared, null, IDENTITY("marked"));
      expect((await backend.findCreated(declared, null, IDENTITY("marked")))?.id).toBe(created.id);
      if (guard !== "natural-key") expect(await backend.findCreated(declared, null, IDENTITY("someone else"))).toBeUndefined();
      if (guard === "marker") {
        expect(created.marker).toBe(MARKER("marked"));
        expect((await backend.getOrganization(created.id))!.marker).toBe(MARKER("marked"));
        const found = await backend.findOrganizations({ name });
        expect(found.map((o) => [o.id, o.marker])).toEqual([[created.id, MARKER("marked")]]);
      }
    });

    it("keeps undeclared state when it updates a declared field", async () => {
      const org = await create("rename me");
      const profile = hasProfiles(backend) ? await backend.putProfile(org.id, { business_name: "Kept Ltd" }) : undefined;
      const newName = uniqueName("renamed");
      const updated = await backend.updateOrganization(org.id, { ...anOrganization(backendName, org.name), name: newName }, undefined);
      expect(updated.name).toBe(newName);
      const got = (await backend.getOrganization(org.id))!;
      expect(got.name).toBe(newName);
      expect(got.parentId).toBe(org.parentId);
      // The ownership marker and (where the vendor keeps one) the profile survive the update.
      expect(got.marker).toBe(org.marker);
      if (hasProfiles(backend)) expect(await backend.getProfile(org.id)).toEqual(profile);
    });

    if (!caps.organization.delete.supported) it("refuses to delete an organization the vendor cannot delete, which stays", async () => {
      const org = await create("undeletable");
      expect((await rejection(backend.deleteOrganization(org.id))).code).toBe("UNSUPPORTED");
      expect(await backend.getOrganization(org.id)).toBeDefined();
    });

    if (!caps.organization.create) it("refuses to create an organization the vendor cannot create", async () => {
      const name = uniqueName("uncreatable");
      expect((await rejection(backend.createOrganization(anOrganization(backendName, name), null, IDENTITY("uncreatable")))).code).toBe("UNSUPPORTED");
      expect(await backend.findOrganizations({ name })).toEqual([]);
    });

    if (caps.organization.delete.supported) it("succeeds when it deletes an organization that is already gone", async () => {
      const org = await create("delete twice");
      await backend.deleteOrganization(org.id);
      await expect(backend.deleteOrganization(org.id)).resolves.toBeUndefined();
      await expect(backend.getOrganization(org.id)).resolves.toBeUndefined();
    });

    it("refuses to update an organization that does not exist with NOT_FOUND", async () => {
      const err = await rejection(backend.updateOrganization(await goneId("update gone"), anOrganization(backendName, uniqueName("update gone")), undefined));
      expect(err.code).toBe("NOT_FOUND");
    });
  });

  describe("finding organizations across more than one page", () => {
    // More organizations than the vendor's largest page, so that no page size fits them all.
    const COUNT = Math.max(caps.pagination.maxPageSize ?? 50, 50) + 1;
    const prefix = `Paged ${Date.now().toString(36)}`;
    let root: ObservedOrganization;
    let children: ObservedOrganization[];
    /** The organization whose name is exactly `prefix` (every other name contains it): created last. */
    let exact: ObservedOrganization;

    beforeAll(async () => {
      if (!caps.organization.create) {
        // Seeded in one go: a vendor that cannot create has no hierarchy to build either.
        await seedOrganizations(backendName, [`${prefix} root`, ...Array.from({ length: COUNT - 1 }, (_, i) => `${prefix} ${String(i + 1).padStart(3, "0")}`), prefix]);
        [exact] = await backend.findOrganizations({ name: prefix });
        children = [exact];
        return;
      }
      const hierarchy = caps.hierarchy.supported;
      root = await backend.createOrganization(anOrganization(backendName, `${prefix} root`), null, IDENTITY("paged-root"));
      const parentId = hierarchy ? root.id : null;
      children = [];
      for (let i = 1; i < COUNT; i += 10) {
        const batch = Array.from({ length: Math.min(10, COUNT - i) }, (_, k) =>
          backend.createOrganization(anOrganization(backendName, `${prefix} ${String(i + k).padStart(3, "0")}`), parentId, IDENTITY(`paged-${i + k}`)),
        );
        children.push(...(await Promise.all(batch)));
      }
      exact = await backend.createOrganization(anOrganization(backendName, prefix), parentId, IDENTITY("paged-exact"));
      children.push(exact);
    });

    each([
      { query: "its exact name", q: () => ({ name: prefix }) },
      { query: "its exact name in another case", q: () => ({ name: caps.organization.nameUniqueness.caseInsensitive ? prefix.toUpperCase() : prefix }) },
    ], (c) => `finds only the organization with ${c.query}, on the last page of many that contain it`, async ({ q }) => {
      const found = await backend.findOrganizations(q());
      expect(found.map((o) => o.id)).toEqual([exact.id]);
      if (backend.duplicateGuard === "marker") expect(found[0].marker).toBe(MARKER("paged-exact"));
    });

    if (caps.hierarchy.supported) it("finds every child of a parent", async () => {
      const found = await backend.findOrganizations({ parentId: root.id });
      expect(found).toHaveLength(children.length);
      expect(new Set(found.map((o) => o.id))).toEqual(new Set(children.map((c) => c.id)));
      expect(found.every((o) => o.parentId === root.id)).toBe(true);
    });

    if (caps.hierarchy.supported) it("finds by exact name and parent together", async () => {
      expect((await backend.findOrganizations({ name: prefix, parentId: root.id })).map((o) => o.id)).toEqual([exact.id]);
      expect(await backend.findOrganizations({ name: prefix, parentId: null })).toEqual([]);
    });

    if (caps.hierarchy.supported) it("finds root organizations with parentId null, and no children among them", async () => {
      const roots = await backend.findOrganizations({ parentId: null });
      const ids = new Set(roots.map((o) => o.id));
      expect(ids.has(root.id)).toBe(true);
      expect(children.some((c) => ids.has(c.id))).toBe(false);
      expect(roots.every((o) => o.parentId === null)).toBe(true);
    });
  });

  if (caps.hierarchy.supported) describe("hierarchy", () => {
    it("moves an organization to another parent, and back to the root", async () => {
      const a = await create("parent a");
      const b = await create("parent b");
      const child = await create("moving child", a.id);
      expect(child.parentId).toBe(a.id);

      const moved = await backend.updateOrganization(child.id, anOrganization(backendName, child.name), b.id);
      expect(moved.parentId).toBe(b.id);
      expect((await backend.getOrganization(child.id))!.parentId).toBe(b.id);
      expect((await backend.findOrganizations({ parentId: b.id })).map((o) => o.id)).toEqual([child.id]);
      expect(await backend.findOrganizations({ parentId: a.id })).toEqual([]);

      await backend.updateOrganization(child.id, anOrganization(backendName, child.name), null);
      expect((await backend.getOrganization(child.id))!.parentId).toBeNull();
    });

    it("keeps the parent when an update leaves it undefined", async () => {
      const parent = await create("steady parent");
      const child = await create("steady child", parent.id);
      await backend.updateOrganization(child.id, anOrganization(backendName, uniqueName("steady renamed")), undefined);
      expect((await backend.getOrganization(child.id))!.parentId).toBe(parent.id);
    });
  });

  {
    const cases = [
      {
        what: "a sub-organization",
        when: caps.hierarchy.supported && caps.organization.delete.preconditions.includes("no-sub-organizations"),
        fill: async (org: ObservedOrganization) => void (await create("blocking child", org.id)),
        reason: /sub-organization/i,
      },
      {
        what: "a member",
        when: caps.members.supported && caps.organization.delete.preconditions.includes("no-members"),
        fill: async (org: ObservedOrganization) => {
          if (!hasMembers(backend)) throw new Error("no members");
          await backend.addMember(org.id, await aMember(org.id, "blocker@contract.test"));
        },
        reason: /member/i,
      },
      {
        what: "an active subscription",
        when: caps.organization.delete.preconditions.includes("no-active-subscription"),
        // Subscriptions are billing, never an API write: the emulator's seed sets one (by id, in place).
        fill: async (org: ObservedOrganization) => {
          const res = await fetch(`${emu.url}/_admin/seed`, {
            method: "POST",
            headers: { authorization: `Bearer ${emu.credentials.adminToken}`, "content-type": "application/json" },
            body: JSON.stringify({ [backendName]: { organizations: [{ id: org.id, name: org.name, has_active_subscription: true }] } }),
          });
          expect(res.status).toBe(201);
        },
        reason: /subscription/i,
      },
    ];
    // A vendor that cannot delete, or deletes without preconditions, has no refused delete to show.
    if (caps.organization.delete.supported && cases.some((c) => c.when)) describe("refused deletes surface the vendor's reason", () => {
      each(cases.filter((c) => c.when), (c) => `refuses to delete an organization that still has ${c.what}, saying why`, async ({ fill, reason }) => {
        const org = await create("not empty");
        await fill(org);
        const err = await rejection(backend.deleteOrganization(org.id));
        expect(err.code).toBe("CONFLICT");
        expect(err.message).toMatch(reason);
        expect(err.message).toContain(org.id);
        expect(await backend.getOrganization(org.id)).toBeDefined();
      });
    });
  }

  if (caps.profile.supported) describe("profile", () => {
    const profiles = () => {
      if (!hasProfiles(backend)) throw new Error(`${backendName} promises a profile but has no ProfileAbility`);
      return backend;
    };

    it("keeps undeclared profile fields when it puts declared ones", async () => {
      const org = await create("profiled");
      const before = (await profiles().getProfile(org.id))!;
      expect(before).toBeDefined();
      // Two declarable fields the marker does not live in, each given a valid value from the schema.
      const fields = schemaFor(backendName, "profile").fields.filter((f) => f.access === "both" && !String(before[f.name] ?? "").startsWith("orgform:"));
      const [first, second, third] = fields;
      const [a, b, c] = [first, second, third].map((f) => validValues(f)[0]);
      await profiles().putProfile(org.id, { [first.name]: a, [second.name]: b });
      const put = await profiles().putProfile(org.id, { [third.name]: c });
      const expected = { ...before, [first.name]: a, [second.name]: b, [third.name]: c };
      expect(put).toEqual(expected);
      expect(await profiles().getProfile(org.id)).toEqual(expected);
      // The ownership marker lives beside the profile: it survives profile writes.
      expect((await backend.getOrganization(org.id))!.marker).toBe(org.marker);
    });

    it("answers absent for the profile of an organization that does not exist", async () => {
      const org = await create("profile gone");
      await backend.deleteOrganization(org.id);
      await expect(profiles().getProfile(org.id)).resolves.toBeUndefined();
      const field = schemaFor(backendName, "profile").fields.find((f) => f.access === "both")!;
      expect((await rejection(profiles().putProfile(org.id, { [field.name]: validValues(field)[0] }))).code).toBe("NOT_FOUND");
    });
  });

  if (caps.members.supported) describe("members", () => {
    const members = () => {
      if (!hasMembers(backend)) throw new Error(`${backendName} promises members but has no MemberAbility`);
      return backend;
    };
    if (!withRoles) it("adds, lists and removes a member (members without roles: an email)", async () => {
      const org = await create("members");
      const added = await members().addMember(org.id, { email: "ada@contract.test" });
      expect(added).toMatchObject({ email: "ada@contract.test" });
      expect(added.role).toBeUndefined();
      expect((await members().listMembers(org.id)).map((m) => [m.id, m.email])).toEqual([[added.id, "ada@contract.test"]]);
      expect(members().setMemberRole).toBeUndefined();
      await members().removeMember(org.id, added.id);
      expect(await members().listMembers(org.id)).toEqual([]);
      await expect(members().removeMember(org.id, added.id)).resolves.toBeUndefined();
    });

    if (withRoles) it("adds, lists, changes the role of and removes a member", async () => {
      const org = await create("members");
      const [firstRole, secondRole] = await rolesOf(org.id);
      const added = await members().addMember(org.id, { email: "ada@contract.test", role: firstRole });
      expect(added).toMatchObject({ email: "ada@contract.test", role: firstRole });
      expect((await members().listMembers(org.id)).map((m) => [m.id, m.email, m.role])).toEqual([[added.id, "ada@contract.test", firstRole]]);

      const changed = await members().setMemberRole!(org.id, added.id, secondRole);
      expect(changed).toMatchObject({ id: added.id, role: secondRole });
      expect((await members().listMembers(org.id)).map((m) => m.role)).toEqual([secondRole]);

      await members().removeMember(org.id, added.id);
      expect(await members().listMembers(org.id)).toEqual([]);
      // Removing a member that is already gone succeeds.
      await expect(members().removeMember(org.id, added.id)).resolves.toBeUndefined();
    });

    each([
      { how: "the same email" + (withRoles ? " and role" : ""), email: "grace@contract.test", second: false },
      { how: "the email in another case", email: "GRACE@Contract.Test", second: false },
      ...(withRoles ? [{ how: "the same email with another role (the role is changed)", email: "grace@contract.test", second: true }] : []),
    ], (c) => `does not duplicate a member added again with ${c.how}`, async ({ email, second }) => {
      const org = await create("member twice");
      const [firstRole, secondRole] = withRoles ? await rolesOf(org.id) : [undefined, undefined];
      const role = second ? secondRole : firstRole;
      const first = await members().addMember(org.id, { email: "grace@contract.test", ...(firstRole ? { role: firstRole } : {}) });
      const again = await members().addMember(org.id, { email, ...(role ? { role } : {}) });
      expect(again.id).toBe(first.id);
      const listed = await members().listMembers(org.id);
      expect(listed).toHaveLength(1);
      expect(listed[0].role?.toLowerCase()).toBe(role?.toLowerCase());
    });

    it("lists several members whatever the page size", async () => {
      const org = await create("many members");
      const emails = Array.from({ length: 12 }, (_, i) => `m${i}@contract.test`);
      for (const email of emails) await members().addMember(org.id, await aMember(org.id, email));
      expect((await members().listMembers(org.id)).map((m) => m.email).sort()).toEqual([...emails].sort());
    });

    if (withRoles) it("refuses a role the vendor does not have, naming the roles it has", async () => {
      const org = await create("bad role");
      const [firstRole] = await rolesOf(org.id);
      const err = await rejection(members().addMember(org.id, { email: "x@contract.test", role: "Overlord" }));
      expect(err.code).toBe("VALIDATION");
      expect(err.message).toContain(firstRole);
    });

    it("throws NOT_FOUND when it lists the members of an organization that does not exist", async () => {
      expect((await rejection(members().listMembers(await goneId("members gone")))).code).toBe("NOT_FOUND");
    });
  });
});

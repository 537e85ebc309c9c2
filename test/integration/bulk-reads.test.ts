// The deployment cache (provider/backends/deployment-cache.ts) through the resource handlers, as
// one deployment of the engine calls them, against the emulator over HTTP, for every backend with
// an adapter. API calls are counted by the emulator (`/_admin/counters`), never by our own code.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type StartedEmulator } from "../../emulator";
import { implementedVendors } from "../../provider/backends";
import { hasBulkReads } from "../../provider/backends/types";
import { STACK_CONFIG } from "../../provider/config/connection";
import type { BackendName } from "../../provider/core/backends";
import { capabilitiesOf } from "../../provider/core/capabilities";
import { memberRoles } from "../../provider/core/roles";
import { schemaFor } from "../../provider/core/schema";
import * as members from "../../provider/resources/handlers/members";
import * as organization from "../../provider/resources/handlers/organization";
import * as profile from "../../provider/resources/handlers/profile";
import { identityFor } from "../../provider/resources/handlers/organization";
import { backendFor, cachedBackendFor, configure, resetDeploymentCaches } from "../../provider/resources/runtime";
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

  /** Builder: declared organization fields, the schema's required strings filled. */
  const orgFields = (name: string) => {
    const fields: Record<string, unknown> = { name };
    for (const f of schemaFor(backend, "organization").fields) {
      if (f.required && !(f.name in fields) && f.name !== "parent_id") fields[f.name] = validValues(f)[0];
    }
    return fields;
  };
  const roles = memberRoles(backend);
  const assignments = (i: number) =>
    Array.from({ length: PER_ORG }, (_, m) => ({ email: `m${m}@bulk-${i}.example`, role: roles.values?.[m % roles.values.length] ?? roles.defaultRole ?? "" }));
  const profileFields = () => {
    const f = schemaFor(backend, "profile").fields.find((x) => x.access === "both" && x.type === "string" && !x.format)!;
    return { [f.name]: String(validValues(f)[0]) };
  };

  beforeAll(async () => {
    deployWith(backend);
    bulk = hasBulkReads((await cachedBackendFor(connection())).api);
    created = [];
    for (let i = 0; i < ORGS; i++) {
      const inputs: organization.OrganizationInputs = { ...connection(), key: `bulk-${i}`, owner: "bulk/test", fields: orgFields(`Bulk Reads ${backend} ${i}`), parentId: null };
      const { id, outs } = await organization.create(inputs);
      const entry: (typeof created)[number] = { org: outs, id };
      if (caps.profile.supported) entry.profile = (await profile.create({ ...connection(), organizationId: id, fields: profileFields() })).outs;
      if (caps.members.supported) {
        entry.members = (await members.create({ ...connection(), organizationId: id, mode: "authoritative", members: assignments(i) })).outs;
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

  it("refreshes every organization, profile and member set with one list of the organizations and one member list per organization", async () => {
    deployWith(backend);
    const answers = await refresh();
    expect(answers.every((a) => a.id !== "")).toBe(true);
    // A vendor without bulk reads costs what it did before: one call per resource read.
    const pages = Math.ceil((ORGS + 1) / (caps.pagination.maxPageSize ?? 1)); // every organization the credential sees
    const floor = (bulk ? pages : ORGS) + (caps.members.supported ? ORGS : 0);
    expect(await calls(backend)).toBeLessThanOrEqual(floor);
    // A second refresh in the same deployment asks nothing more.
    await refresh();
    expect(await calls(backend)).toBeLessThanOrEqual(floor);
  });

  it("reads each resource on its own when bulk reads are off (orgform:bulkReads false)", async () => {
    deployWith(backend, { [STACK_CONFIG.bulkReads]: "false" });
    await refresh();
    expect(await calls(backend)).toBeGreaterThanOrEqual(ORGS * 2);
  });

  it("serves reads after our own writes as the writes left things, without reading again", async () => {
    deployWith(backend);
    await refresh();
    const c = created[0];
    await admin("DELETE", "/requests");
    if (caps.members.supported) {
      const fewer = { ...c.members!, members: c.members!.members.slice(1) };
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
    // Only the writes themselves (and what the vendor's verb needs to make them) reached the API.
    const journal = (await admin("GET", `/requests?dialect=${backend}`)).requests as { method: string }[];
    expect(journal.filter((r) => r.method === "GET").length).toBeLessThanOrEqual(caps.organization.update.semantics === "replace" ? 1 : 0);
  });

  it("sees in the next deployment what another client changed, and drops what is gone", async () => {
    // Another client: the adapter itself, past this deployment's cache.
    const other = await backendFor(connection());
    const c = created[1];
    if (caps.members.supported) await other.removeMember!(c.id, c.members!.live[0]!.id);
    const doomed = await other.createOrganization(orgFields(`Bulk Reads ${backend} doomed`), null, identityFor({ owner: "bulk/test", key: "doomed" }));
    deployWith(backend);
    if (caps.members.supported) {
      const read = await members.read(`${c.id}/members`, c.members!);
      expect(read.inputs!.members).toHaveLength(PER_ORG - 1);
    }
    expect((await organization.read(doomed.id, { ...c.org, organizationId: doomed.id })).id).toBe(doomed.id);
    // Gone before the next deployment lists: not in its list, and the API confirms it is gone.
    await other.deleteOrganization(doomed.id);
    deployWith(backend);
    await refresh();
    expect((await organization.read(doomed.id, { ...c.org, organizationId: doomed.id })).id).toBe("");
  });
});

function stripOuts(o: organization.OrganizationOutputs): organization.OrganizationInputs {
  const { organizationId: _a, live: _b, liveParentId: _c, readOnly: _d, created: _e, ...inputs } = o;
  return inputs;
}

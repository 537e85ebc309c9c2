// Adding a member through faults, for every backend with members: a POST that failed before the
// server did anything is sent again, one that committed and then failed is found, never added
// twice. Checked in the emulator's database (`/_admin/state`), not in what the adapter says.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type StartedEmulator } from "../../emulator";
import { implementedVendors, openBackend } from "../../provider/backends";
import { hasMembers, hasRoles, type FullBackend } from "../../provider/backends/types";
import type { BackendName } from "../../provider/core/backends";
import { capabilitiesOf } from "../../provider/core/capabilities";
import { memberRoles } from "../../provider/core/roles";
import { schemaFor } from "../../provider/core/schema";
import { identityFor } from "../../provider/resources/handlers/organization";
import { emulatorCredentials } from "../../scripts/emulator-credentials";
import { validValues } from "../support/values";
import { ADMIN, call } from "./helpers";

let emu: StartedEmulator;
beforeAll(async () => {
  emu = await startEmulator({ port: 0, host: "127.0.0.1", db: ":memory:" });
});
afterAll(async () => emu?.close());

const admin = async (method: string, route: string, body?: unknown) =>
  (await call(`${emu.url}/_admin`, method, route, { auth: { bearer: ADMIN }, body })).body;

const WITH_MEMBERS = implementedVendors().filter((b) => capabilitiesOf(b).members.supported);

describe.each(WITH_MEMBERS)("adding a %s member through faults", (backend: BackendName) => {
  let api: FullBackend;
  let orgId: string;

  beforeAll(async () => {
    api = openBackend(
      { backend, endpoint: emu.baseUrls[backend]!, credentials: emulatorCredentials(backend, emu).credentials, sources: {}, concurrency: 4 },
      `member-faults-${backend}`,
    );
    const fields: Record<string, unknown> = { name: `Member Faults ${backend}` };
    for (const f of schemaFor(backend, "organization").fields) {
      if (f.required && !(f.name in fields)) fields[f.name] = validValues(f)[0];
    }
    orgId = (await api.createOrganization(fields, null, identityFor({ owner: "member/faults", key: backend }))).id;
  });

  let liveRole: string | undefined;
  /** A role a member can have: the schema's default or first, or (roles per organization) one of the organization's own; none without roles. */
  const role = async (): Promise<string | undefined> => {
    const { defaultRole, values, hasRoles: withRoles } = memberRoles(backend);
    if (!withRoles) return undefined; // members without roles: a member is an email
    liveRole ??= defaultRole ?? values?.[0] ?? (hasRoles(api) ? (await api.listRoles(orgId))[0]?.name : undefined);
    if (!liveRole) throw new Error(`${backend} has members but no roles: neither an enum in its member schema nor a RoleAbility`);
    return liveRole;
  };
  const stored = async (email: string) =>
    ((await admin("GET", `/state?backend=${backend}`)).members as { org_id: string; email: string }[]).filter(
      (m) => m.org_id === orgId && m.email.toLowerCase() === email,
    );

  it.each([
    ["answered 503 before the server did anything", "error=1:503"],
    ["reset before the server did anything", "reset=1"],
    ["committed, then answered 502", "commit-then-fail=1:502"],
    ["committed, then reset", "commit-then-fail=1:reset"],
  ])("adds it exactly once when the POST is %s", async (what, fault) => {
    if (!hasMembers(api)) throw new Error(`${backend} declares members but its adapter has none`);
    const email = `${what.split(" ")[0]}.${fault.replace(/[^a-z0-9]/gi, "")}@faults.example`.toLowerCase();
    const r = await role();
    const assignment = r !== undefined ? { email, role: r } : { email };
    await admin("PUT", "/faults", { spec: `dialect=${backend},method=POST,${fault},count=1` });
    try {
      const added = await api.addMember(orgId, assignment);
      expect(added.email.toLowerCase()).toBe(email);
    } finally {
      await admin("DELETE", "/faults");
    }
    expect(await stored(email)).toHaveLength(1);
  });
});

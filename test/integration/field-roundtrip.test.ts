// The generated round trip: for every backend with an adapter, every declarable field of every
// kind (organization, profile, member) gets a valid value from its schema and goes through
// create -> read -> no diff -> update to another valid value -> read -> no diff, against the
// emulator over HTTP. `export-only` fields are never sent; `import-only` fields are sent (the
// emulator's request journal shows them) and never cause a diff. A field added to a schema is
// then sent, read back and tested with no other change. Setup reads the capability matrix: a
// vendor that cannot create gets its organization seeded through /_admin.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type StartedEmulator } from "../../emulator";
import type { JournalEntry } from "../../emulator/journal";
import { implementedVendors, openBackend } from "../../provider/backends";
import { hasMembers, hasProfiles, hasRoles, type Fields, type FullBackend, type ObservedOrganization } from "../../provider/backends/types";
import type { BackendName } from "../../provider/core/backends";
import { capabilitiesOf } from "../../provider/core/capabilities";
import { diffFields, renderDiff } from "../../provider/core/diff";
import { memberRoles } from "../../provider/core/roles";
import { hasSchema, schemaFor, type FieldSpec, type ResourceSchema } from "../../provider/core/schema";
import { readAt } from "../../provider/core/wire";
import { identityFor } from "../../provider/resources/handlers/organization";
import { emulatorCredentials } from "../../scripts/emulator-credentials";
import { validValues } from "../support/values";

/** Fields a user declares on this kind (the parent is structure, not a field). */
function declarable(schema: ResourceSchema): FieldSpec[] {
  return schema.fields.filter((f) => f.access === "both" || f.access === "import-only");
}

/** One valid value per declarable field (`variant` 0 or 1); the name made unique. */
function valuesFor(schema: ResourceSchema, variant: 0 | 1, unique: string): Fields {
  const out: Fields = {};
  for (const f of declarable(schema)) {
    const values = validValues(f);
    out[f.name] = f.name === "name" && f.type === "string" ? `${unique} ${variant}` : values[Math.min(variant, values.length - 1)];
  }
  return out;
}

/**
 * Fields whose second value can be applied in place (a replace-on-change field would mean another
 * object); a create-only field keeps its first value, as the vendor cannot change it.
 */
function updatable(schema: ResourceSchema, first: Fields): Fields {
  const second = valuesFor(schema, 1, String(first.name ?? "Round trip").replace(/ 0$/, ""));
  return Object.fromEntries(
    declarable(schema)
      .filter((f) => !f.replaceOnChange)
      .map((f) => [f.name, f.createOnly ? first[f.name] : second[f.name]]),
  );
}

function expectNoDiff(declared: Fields, observed: Fields | undefined, schema: ResourceSchema): void {
  const diff = diffFields(declared, observed, schema);
  expect(diff.hasChanges, `${schema.backend} ${schema.kind} differs after a round trip:\n${renderDiff(diff)}`).toBe(false);
}

describe.each(implementedVendors())("every declarable field of %s", (backendName: BackendName) => {
  const caps = capabilitiesOf(backendName);
  const orgSchema = schemaFor(backendName, "organization");
  let emu: StartedEmulator;
  let backend: FullBackend;
  let since = 0;

  /** The bodies the backend sent since the last call, as the emulator's journal recorded them. */
  async function sentBodies(): Promise<JournalEntry[]> {
    const res = await fetch(`${emu.url}/_admin/requests?dialect=${backendName}&after=${since}`, {
      headers: { authorization: `Bearer ${emu.credentials.adminToken}` },
    });
    const body = (await res.json()) as { last_seq: number; requests: JournalEntry[] };
    since = body.last_seq;
    return body.requests.filter((r) => r.method !== "GET" && r.body !== null);
  }

  /** No write carried an export-only field; every import-only field declared was in some write. */
  async function expectWire(schema: ResourceSchema, declared: Fields): Promise<void> {
    const writes = await sentBodies();
    expect(writes.length, "the round trip wrote nothing").toBeGreaterThan(0);
    for (const w of writes) {
      // The object's own id addresses it (in the URL of a REST call, in the request message of an
      // RPC such as AIA Engine's UpdateOrg{id, ...}): sending it is not writing it.
      for (const f of schema.fields.filter((x) => x.access === "export-only" && x.name !== "id")) {
        expect(readAt(w.body, f.wire), `${f.name} (export-only) was sent in ${w.method} ${w.url}`).toBeUndefined();
      }
    }
    for (const f of schema.fields.filter((x) => x.access === "import-only" && declared[x.name] !== undefined)) {
      expect(writes.some((w) => JSON.stringify(readAt(w.body, f.wire)) === JSON.stringify(declared[f.name])), `${f.name} (import-only) was never sent`).toBe(true);
    }
  }

  beforeAll(async () => {
    emu = await startEmulator({ port: 0, db: ":memory:" });
    backend = openBackend({ backend: backendName, endpoint: emu.baseUrls[backendName], credentials: emulatorCredentials(backendName, emu).credentials, sources: {} }, `roundtrip-${backendName}`);
  });
  afterAll(async () => {
    await emu?.close();
  });

  /** An organization to work on: created with every declarable field, or seeded where the vendor cannot create. */
  async function anOrganization(label: string): Promise<{ org: ObservedOrganization; declared: Fields }> {
    const declared = valuesFor(orgSchema, 0, `Round trip ${label}`);
    if (caps.organization.create) {
      const org = await backend.createOrganization(declared, null, identityFor({ owner: "roundtrip/test", key: label }));
      return { org, declared };
    }
    const name = String(declared.name);
    const seeded = await fetch(`${emu.url}/_admin/seed`, {
      method: "POST",
      headers: { authorization: `Bearer ${emu.credentials.adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ [backendName]: { organizations: [{ name }] } }),
    });
    expect(seeded.status).toBe(201);
    const [org] = await backend.findOrganizations({ name });
    return { org: await backend.updateOrganization(org.id, declared, undefined), declared };
  }

  it(`organization: ${declarable(orgSchema).map((f) => `${f.name} (${f.access})`).join(", ")}`, async () => {
    await sentBodies();
    const { org, declared } = await anOrganization("organization");
    expectNoDiff(declared, (await backend.getOrganization(org.id))?.fields, orgSchema);
    await expectWire(orgSchema, declared);

    const next = updatable(orgSchema, declared);
    await backend.updateOrganization(org.id, next, undefined);
    expectNoDiff(next, (await backend.getOrganization(org.id))?.fields, orgSchema);
    // Import-only fields are compared with their previous declaration only: never with what is live.
    const importOnly = Object.fromEntries(orgSchema.fields.filter((f) => f.access === "import-only").map((f) => [f.name, next[f.name]]));
    expect(diffFields(next, (await backend.getOrganization(org.id))?.fields, orgSchema, { previousImportOnly: importOnly }).hasChanges).toBe(false);
    await expectWire(orgSchema, next);
  });

  if (caps.profile.supported) it("profile: every declarable field", async () => {
    const schema = schemaFor(backendName, "profile");
    if (!hasProfiles(backend)) throw new Error(`${backendName} promises a profile but has no ProfileAbility`);
    const { org } = await anOrganization("profile");
    await sentBodies();
    const first = valuesFor(schema, 0, "Profile");
    await backend.putProfile(org.id, first);
    expectNoDiff(first, await backend.getProfile(org.id), schema);
    await expectWire(schema, first);
    const second = updatable(schema, first);
    await backend.putProfile(org.id, second);
    expectNoDiff(second, await backend.getProfile(org.id), schema);
    await expectWire(schema, second);
  });

  if (caps.members.supported && hasSchema(backendName, "member")) it("member: email and every role value (where members have roles)", async () => {
    const schema = schemaFor(backendName, "member");
    if (!hasMembers(backend)) throw new Error(`${backendName} promises members but has no MemberAbility`);
    const { org } = await anOrganization("member");
    const email = String(validValues(schema.field("email")!)[0]);
    if (!schema.field("role")) {
      // Members without roles: a member is its email.
      const member = await backend.addMember(org.id, { email });
      const listed = (await backend.listMembers(org.id)).find((m) => m.id === member.id);
      expectNoDiff({ email }, listed && { ...listed.fields, email: listed.email }, schema);
      return;
    }
    // Roles of the schema, or (roles per organization) every role the organization has.
    const roles = memberRoles(backendName).values ?? (hasRoles(backend) ? (await backend.listRoles(org.id)).map((r) => r.name) : undefined);
    expect(roles?.length, `${backendName}: members need roles, from the schema's enum or a RoleAbility`).toBeGreaterThan(0);
    let member = await backend.addMember(org.id, { email, role: roles![0] });
    for (const role of roles!) {
      member = await backend.setMemberRole!(org.id, member.id, role);
      const listed = (await backend.listMembers(org.id)).find((m) => m.id === member.id);
      expectNoDiff({ email, role }, listed && { ...listed.fields, email: listed.email, role: listed.role }, schema);
    }
  });
});

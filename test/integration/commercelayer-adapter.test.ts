// What the Commerce Layer adapter does beyond the generic contract, against the emulator over HTTP:
// the vendor's refusals reach the caller as one sentence with the vendor's reason (never a
// credential), the ownership marker lives in metadata's reserved key and survives updates of
// metadata, a create-only field is never sent in an update, and roles come from each organization.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type StartedEmulator } from "../../emulator";
import { openBackend } from "../../provider/backends";
import { withDeploymentCache } from "../../provider/backends/deployment-cache";
import type { FullBackend } from "../../provider/backends/types";
import type { Connection } from "../../provider/config/connection";
import { identityFor } from "../../provider/resources/handlers/organization";
import { emulatorCredentials } from "../../scripts/emulator-credentials";
import { ADMIN, rejection } from "./helpers";

let emu: StartedEmulator;
let backend: FullBackend;
const identity = (key: string) => identityFor({ owner: "adapter/test", key });

function connection(overrides: Partial<Connection> = {}): Connection {
  return { backend: "commercelayer", endpoint: emu.baseUrls.commercelayer, credentials: emulatorCredentials("commercelayer", emu).credentials, sources: {}, ...overrides };
}

async function journal(): Promise<{ method: string; url: string; body: any }[]> {
  const res = await fetch(`${emu.url}/_admin/requests?dialect=commercelayer`, { headers: { authorization: `Bearer ${ADMIN}` } });
  return ((await res.json()) as { requests: { method: string; url: string; body: any }[] }).requests;
}

async function liveMetadata(id: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${emu.url}/_admin/state?backend=commercelayer`, { headers: { authorization: `Bearer ${ADMIN}` } });
  const state = (await res.json()) as { organizations: { id: string; document: { attributes: { metadata: Record<string, unknown> } } }[] };
  return state.organizations.find((o) => o.id === id)!.document.attributes.metadata;
}

beforeAll(async () => {
  emu = await startEmulator({ port: 0, host: "127.0.0.1", db: ":memory:" });
  backend = openBackend(connection(), "commercelayer-adapter");
});
afterAll(async () => {
  await emu?.close();
});

describe("the Commerce Layer adapter", () => {
  it("fails with AUTH naming the auth API's reason, never the secret, when the client is refused", async () => {
    const good = emulatorCredentials("commercelayer", emu).credentials;
    if (good.method !== "oauth2-client-credentials") throw new Error("Commerce Layer takes OAuth2 client credentials");
    const wrong = openBackend(connection({ credentials: { ...good, clientSecret: "not-the-secret-7c1" } }), "commercelayer-adapter-wrong");
    const err = await rejection(wrong.getOrganization("nOsUcHoRgz"));
    expect((err as { code?: string }).code).toBe("AUTH");
    expect(err.message).toContain("HTTP 401: invalid_client (Client authentication failed");
    expect(err.message + JSON.stringify(err)).not.toContain("not-the-secret-7c1");
  });

  it("keeps its marker in metadata's reserved key, out of the fields it reports, through metadata updates", async () => {
    const org = await backend.createOrganization({ name: "Marker Brand", metadata: { tier: "gold" } }, null, identity("marker"));
    expect(org.marker).toBe(identity("marker").marker);
    expect(org.fields.metadata).toEqual({ tier: "gold" });
    const updated = await backend.updateOrganization(org.id, { metadata: { tier: "silver" } }, undefined);
    expect(updated.fields.metadata).toEqual({ tier: "silver" });
    expect(await liveMetadata(org.id)).toEqual({ tier: "silver", orgform_marker: identity("marker").marker });
    expect((await backend.findCreated({ name: "Marker Brand" }, null, identity("marker")))?.id).toBe(org.id);
  });

  it("never sends a create-only field in an update, and sends nothing when nothing else is declared", async () => {
    const org = await backend.createOrganization({ name: "Region Brand", region: "us-east-1" }, null, identity("region"));
    const before = (await journal()).length;
    await backend.updateOrganization(org.id, { region: "us-east-1" }, undefined);
    await backend.updateOrganization(org.id, { region: "us-east-1", gtm_id: "GTM-1" }, undefined);
    const writes = (await journal()).slice(before).filter((r) => r.method === "PATCH");
    expect(writes.map((w) => w.body.data.attributes)).toEqual([{ gtm_id: "GTM-1" }]);
  });

  const refusals = [
    {
      what: "a name whose slug another organization has",
      act: async () => {
        await backend.createOrganization({ name: "Slug Brand" }, null, identity("slug-1"));
        return backend.createOrganization({ name: "slug brand!" }, null, identity("slug-2"));
      },
      code: "VALIDATION",
      reason: /HTTP 422: VALIDATION_ERROR name - has already been taken/,
    },
    {
      what: "a colour that is not HEX",
      act: () => backend.createOrganization({ name: "Colour Brand", primary_color: "green" }, null, identity("colour")),
      code: "VALIDATION",
      reason: /primary_color - is invalid/,
    },
    {
      what: "a role the organization does not have",
      act: async () => {
        const org = await backend.createOrganization({ name: "Role Brand" }, null, identity("role"));
        return backend.addMember!(org.id, { email: "x@role.example", role: "Owner" });
      },
      code: "VALIDATION",
      reason: /has no role "Owner" \(its roles: Admin, Read only\)/,
    },
    {
      what: "deleting an organization, which the API cannot do",
      act: async () => backend.deleteOrganization((await backend.createOrganization({ name: "Kept Brand" }, null, identity("kept"))).id),
      code: "UNSUPPORTED",
      reason: /cannot be deleted: the provisioning API has no delete for organizations/,
    },
  ];
  for (const r of refusals) {
    it(`refuses ${r.what} in one sentence with the reason`, async () => {
      const err = await rejection(r.act());
      expect(err.code).toBe(r.code);
      expect(err.message).toMatch(r.reason);
      expect(err.message).not.toMatch(/\n|at .*\.ts:\d+/);
    });
  }

  it("fails with AUTH, without the secret, when the client credentials are wrong", async () => {
    const creds = emulatorCredentials("commercelayer", emu).credentials;
    const wrong = openBackend(connection({ credentials: { ...creds, clientSecret: "wrong-secret-9f8e7d" } as typeof creds }), "commercelayer-wrong");
    const err = await rejection(wrong.findOrganizations({}));
    expect(err.code).toBe("AUTH");
    expect(err.message).not.toContain("wrong-secret-9f8e7d");
  });

  it("lists each organization's roles with whether they make administrators, custom ones included", async () => {
    await fetch(`${emu.url}/_admin/seed`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
      body: JSON.stringify({ commercelayer: { organizations: [{ name: "Custom Roles Brand", roles: ["Merchandiser"] }] } }),
    });
    const [org] = await backend.findOrganizations({ name: "custom roles brand" });
    expect(await backend.listRoles!(org.id)).toEqual([
      { name: "Admin", administrator: true },
      { name: "Read only", administrator: false },
      { name: "Merchandiser", administrator: false },
    ]);
    const member = await backend.addMember!(org.id, { email: "buyer@custom.example", role: "merchandiser" });
    expect((await backend.listMembers!(org.id)).map((m) => [m.id, m.role])).toEqual([[member.id, "Merchandiser"]]);
  });

  it("onboards an organization and its members without listing roles or memberships: the create's answer includes both", async () => {
    const cached = withDeploymentCache(openBackend(connection(), "commercelayer-onboard"));
    await fetch(`${emu.url}/_admin/requests`, { method: "DELETE", headers: { authorization: `Bearer ${ADMIN}` } });
    const org = await cached.createOrganization({ name: "Onboarded Brand" }, null, identity("onboard"));
    expect(Object.keys(org)).not.toContain("created"); // what the answer told stays in the deployment
    // What the members handler asks before adding: the organization's roles and its members.
    expect(await cached.listRoles!(org.id)).toEqual([
      { name: "Admin", administrator: true },
      { name: "Read only", administrator: false },
    ]);
    expect(await cached.listMembers!(org.id)).toEqual([]);
    await cached.addMember!(org.id, { email: "first@onboarded.example", role: "Admin" });
    await cached.addMember!(org.id, { email: "second@onboarded.example", role: "read only" });
    const sent = (await journal()).filter((r) => !r.url.includes("/oauth/")).map((r) => `${r.method} ${decodeURIComponent(r.url.replace(/^.*\/api/, ""))}`);
    expect(sent).toEqual(["POST /organizations?include=roles,memberships", "POST /memberships", "POST /memberships"]);
    // The next deployment reads them from the API, as they are.
    const fresh = withDeploymentCache(openBackend(connection(), "commercelayer-onboard-2"));
    expect((await fresh.listMembers!(org.id)).map((m) => [m.email, m.role])).toEqual([
      ["first@onboarded.example", "Admin"],
      ["second@onboarded.example", "Read only"],
    ]);
  });
});

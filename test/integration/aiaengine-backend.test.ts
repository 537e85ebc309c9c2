// The AIA Engine adapter against its dialect over HTTP: what the generic contract cannot say about
// this vendor. Users are platform users added by id (AddOrgUser for an existing one, found by its
// email; CreateOrgUser for a new email, never a password), external users are left alone, UpdateOrg
// replaces so undeclared fields are sent back live, names are not unique, what an ambiguous write
// did is recovered or refused, and an answer that is not AIA Engine's is never read as one.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { openBackend } from "../../provider/backends";
import { isOrgformError } from "../../provider/core/errors";
import type { FullBackend, MemberAbility } from "../../provider/backends/types";
import { hasMembers } from "../../provider/backends/types";
import { identityFor } from "../../provider/resources/handlers/organization";
import { emulatorCredentials } from "../../scripts/emulator-credentials";
import { rejection, startTestEmulator, type TestEmulator } from "./helpers";

let emu: TestEmulator;
let backend: FullBackend;

interface Sent {
  method: string;
  url: string;
  body: any;
  status: number | string;
}
async function sent(): Promise<Sent[]> {
  return (await emu.admin("GET", "/requests?dialect=aiaengine")).body.requests.filter((r: Sent) => r.method !== "GET");
}
const ORG = "/aiaengine.api.org.OrgService";
/** The procedures sent for one organization, with their statuses ({id} for its id). */
const callsFor = async (id: string) =>
  (await sent()).filter((r) => JSON.stringify(r.body ?? {}).includes(id)).map((r) => `${r.url.replace(ORG, "").replace("/aiaengine.api.user.UserService", "")} ${r.status}`);
const members = () => {
  if (!hasMembers(backend)) throw new Error("aiaengine promises members");
  return backend;
};
const identity = (key: string) => identityFor({ owner: "aiaengine/test", key });

beforeAll(async () => {
  emu = await startTestEmulator({
    seed: {
      aiaengine: {
        users: [{ email: "existing@acme.example", name: "Existing" }],
        organizations: [{ name: "With guests", members: [{ email: "lead@acme.example", role: "OrgOwner" }, { email: "guest@partner.example", external: true }] }],
      },
    },
  });
  backend = openBackend(
    { backend: "aiaengine", endpoint: emu.baseUrls.aiaengine, credentials: emulatorCredentials("aiaengine", emu).credentials, sources: {} },
    "aiaengine-backend-test",
  );
});
afterAll(async () => {
  await emu.close();
});
beforeEach(async () => {
  await emu.admin("DELETE", "/faults");
  await emu.admin("DELETE", "/requests");
});

describe("the AIA Engine adapter", () => {
  it("creates a new email with create_user and adds an existing platform user with add_user: one call each once the email is known, never sending a password", async () => {
    // A fresh adapter: it has seen no platform user yet.
    const fresh = openBackend(
      { backend: "aiaengine", endpoint: emu.baseUrls.aiaengine, credentials: emulatorCredentials("aiaengine", emu).credentials, sources: {} },
      "aiaengine-backend-users",
    ) as typeof backend & MemberAbility;
    const org = await fresh.createOrganization({ name: "Users" }, null, identity("users"));
    const existing = await fresh.addMember(org.id, { email: "existing@acme.example", role: "OrgEditor" });
    const created = await fresh.addMember(org.id, { email: "new.person@acme.example", role: "OrgViewer" });
    expect(existing.fields).toMatchObject({ name: "Existing", role: "OrgEditor", external: false });
    expect(created.fields).toMatchObject({ name: "new.person", email: "new.person@acme.example", role: "OrgViewer" });
    // An email not seen here: CreateOrgUser first (in onboarding most are new); the platform's user
    // answers already_exists, then ListUsers finds its id and AddOrgUser adds it by that id.
    expect(await callsFor(org.id)).toEqual(["/CreateOrgUser 409", "/AddOrgUser 200", "/CreateOrgUser 200"]);
    const journal = (await emu.admin("GET", "/requests?dialect=aiaengine")).body.requests as Sent[];
    expect(journal.filter((r) => r.url.startsWith("/aiaengine.api.user.UserService/ListUsers?")).map((r) => r.method)).toEqual(["GET"]);
    // Both are known platform users now: in another organization each costs one AddOrgUser, by id.
    const other = await fresh.createOrganization({ name: "Users Too" }, null, identity("users-too"));
    await emu.admin("DELETE", "/requests");
    await fresh.addMember(other.id, { email: "existing@acme.example", role: "OrgViewer" });
    await fresh.addMember(other.id, { email: "New.Person@acme.example", role: "OrgViewer" });
    expect(await callsFor(other.id)).toEqual(["/AddOrgUser 200", "/AddOrgUser 200"]);
    expect((await sent()).map((r) => r.body.user_id)).toEqual([existing.id, created.id]);
    expect(JSON.stringify(await sent())).not.toMatch(/password/);
  });

  it("adds one new email declared in two organizations at once: the second create_user finds the user made by the first and falls back to add_user", async () => {
    const first = await backend.createOrganization({ name: "Race A" }, null, identity("race-a"));
    const second = await backend.createOrganization({ name: "Race B" }, null, identity("race-b"));
    // Neither email is known: both send create_user at once; the second lands after the first committed.
    await emu.admin("PUT", "/faults", {
      spec: "latency=150ms,dialect=aiaengine,path=/aiaengine.api.org.OrgService/CreateOrgUser,count=1;latency=600ms,dialect=aiaengine,path=/aiaengine.api.org.OrgService/CreateOrgUser,count=1",
    });
    const [a, b] = await Promise.all([
      members().addMember(first.id, { email: "both@acme.example", role: "OrgEditor" }),
      members().addMember(second.id, { email: "both@acme.example", role: "OrgViewer" }),
    ]);
    expect([a.role, b.role]).toEqual(["OrgEditor", "OrgViewer"]);
    expect(await callsFor(second.id)).toEqual(["/CreateOrgUser 409", "/AddOrgUser 200"]);
    expect((await members().listMembers(second.id)).map((m) => `${m.email} ${m.role}`)).toEqual(["both@acme.example OrgViewer"]);
  });

  it("lists the organization's users without its external users, whom it leaves alone", async () => {
    const org = (await backend.findOrganizations({ name: "With guests" }))[0];
    expect((await members().listMembers(org.id)).map((m) => `${m.email} ${m.role}`)).toEqual(["lead@acme.example OrgOwner"]);
  });

  it("recovers an add that committed and then failed, without adding the user twice", async () => {
    const org = await backend.createOrganization({ name: "Flaky add" }, null, identity("flaky-add"));
    await emu.admin("PUT", "/faults", { spec: "commit-then-fail=1:502,dialect=aiaengine,path=/aiaengine.api.org.OrgService/AddOrgUser,count=1" });
    const added = await members().addMember(org.id, { email: "existing@acme.example", role: "OrgOwner" });
    expect(added).toMatchObject({ email: "existing@acme.example", role: "OrgOwner" });
    expect((await members().listMembers(org.id)).map((m) => m.email)).toEqual(["existing@acme.example"]);
  });

  it("renames with only the name declared, sending the live description and logo back (update replaces them)", async () => {
    const org = await backend.createOrganization({ name: "Keep", description: "kept", logo_url: "https://logo.example/k.png" }, null, identity("keep"));
    await emu.admin("DELETE", "/requests");
    const renamed = await backend.updateOrganization(org.id, { name: "Kept" }, undefined);
    expect(renamed.fields).toMatchObject({ name: "Kept", description: "kept", logo_url: "https://logo.example/k.png" });
    expect((await sent()).filter((r) => r.url.endsWith("/UpdateOrg")).map((r) => r.body)).toEqual([
      { id: org.id, name: "Kept", description: "kept", logo_url: "https://logo.example/k.png" },
    ]);
  });

  it("finds every organization of a name, compared exactly: names are not unique", async () => {
    await backend.createOrganization({ name: "Twin" }, null, identity("twin-1"));
    await backend.createOrganization({ name: "Twin" }, null, identity("twin-2"));
    expect(await backend.findOrganizations({ name: "Twin" })).toHaveLength(2);
    expect(await backend.findOrganizations({ name: "twin" })).toHaveLength(0);
    expect(await backend.findOrganizations({ name: "Twin", parentId: "00000000-0000-4000-8000-000000000000" })).toEqual([]);
  });

  it("fails an ambiguous create with AMBIGUOUS after one request, never a second", async () => {
    await emu.admin("PUT", "/faults", { spec: "commit-then-fail=1:502,dialect=aiaengine,path=/aiaengine.api.org.OrgService/CreateOrg,count=1" });
    const err = await rejection(backend.createOrganization({ name: "Once" }, null, identity("once")));
    expect(err.code).toBe("AMBIGUOUS");
    expect((await sent()).filter((r) => r.url.endsWith("/CreateOrg"))).toHaveLength(1);
    expect(await backend.findOrganizations({ name: "Once" })).toHaveLength(1);
  });

  it("refuses to delete an organization with an active subscription in one sentence with the vendor's reason", async () => {
    const org = await backend.createOrganization({ name: "Subscribed" }, null, identity("subscribed"));
    await emu.admin("POST", "/seed", { aiaengine: { organizations: [{ id: org.id, name: "Subscribed", has_active_subscription: true }] } });
    const err = await rejection(backend.deleteOrganization(org.id));
    expect(err.code).toBe("CONFLICT");
    expect(err.message.replaceAll(org.id, "<id>")).toMatchInlineSnapshot(
      `"cannot delete AIA Engine organization <id>: organization <id> has an active subscription: only an organization without active subscriptions can be deleted"`,
    );
    expect(await backend.getOrganization(org.id)).toBeDefined();
  });

  it("creates with a declared logo by CreateOrg{name, description}, then UpdateOrg", async () => {
    const org = await backend.createOrganization({ name: "Logo", description: "d", logo_url: "https://logo.example/l.png" }, null, identity("logo"));
    expect(org.fields).toMatchObject({ name: "Logo", description: "d", logo_url: "https://logo.example/l.png" });
    expect((await sent()).map((r) => `${r.url.replace(ORG, "")} ${JSON.stringify(r.body)}`)).toEqual([
      `/CreateOrg {"name":"Logo","description":"d"}`,
      `/UpdateOrg {"id":"${org.id}","name":"Logo","description":"d","logo_url":"https://logo.example/l.png"}`,
    ]);
  });

  it("answers absent only on the vendor's not_found: a 404 of a wrong endpoint is an error naming what came back", async () => {
    const A_UUID = "00000000-0000-4000-8000-000000000000";
    expect(await backend.getOrganization(A_UUID)).toBeUndefined();
    const wrong = openBackend(
      { backend: "aiaengine", endpoint: emu.baseUrls.aiaengine + "/v2", credentials: emulatorCredentials("aiaengine", emu).credentials, sources: {} },
      "aiaengine-backend-wrong-path",
    );
    const err = await rejection(wrong.getOrganization(A_UUID));
    // The one protocol check (provider/http/protocol.ts): the endpoint, the status, the content type, the first bytes.
    expect(isOrgformError(err, "PROTOCOL")).toBe(true);
    expect(err.message).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/aiaengine\/v2\/aiaengine\.api\.org\.OrgService\/GetOrg answered HTTP 404 \(application\/json; charset=utf-8\) .*no such route.*unimplemented/);
  });
});

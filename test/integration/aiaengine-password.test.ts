// A user-chosen initial password for a new AIA Engine user, through the members handler (what a
// `pulumi up` runs) against the emulator over HTTP: sent by create_user only, never by add_user,
// never in outputs, never a cause of a diff; the emulator keeps only its digest.
import { beforeEach, describe, expect, it } from "vitest";
import { passwordMatches } from "../../emulator/dialects/aiaengine/wire";
import * as members from "../../provider/resources/handlers/members";
import { useEmulatorEnv } from "../support/emulator-env";

const PASSWORD = "initial-Secret-4711";
const OTHER = "another-Secret-0815";

const emulator = useEmulatorEnv("aiaengine", { aiaengine: { users: [{ email: "existing@acme.example", name: "Existing" }], organizations: [{ name: "Passwords" }, { name: "Generated" }, { name: "Refused" }] } });

interface Sent {
  method: string;
  url: string;
  body: any;
  status: number | string;
}
const admin = async (method: string, path: string) =>
  (await fetch(`${emulator().url}/_admin${path}`, { method, headers: { authorization: `Bearer ${emulator().credentials.adminToken}` } })).json() as Promise<any>;
const posts = async (): Promise<Sent[]> => (await admin("GET", "/requests?dialect=aiaengine")).requests.filter((r: Sent) => r.method !== "GET");

async function anOrganization(name: string): Promise<string> {
  const state = await admin("GET", "/state?backend=aiaengine");
  return (state.organizations as { id: string; name: string }[]).find((o) => o.name === name)!.id;
}

beforeEach(async () => {
  await admin("DELETE", "/requests");
});

describe("an initial password for a new AIA Engine user", () => {
  it("is sent by create_user only, kept by the emulator as a digest, and is in no output", async () => {
    const organizationId = await anOrganization("Passwords");
    const inputs: members.MembersInputs = {
      backend: "aiaengine",
      organizationId,
      mode: "additive",
      members: [
        { email: "existing@acme.example", role: "OrgEditor" },
        { email: "new.person@acme.example", role: "OrgViewer" },
      ],
      // Declared for both: the existing platform user (not seen yet by this process) gets
      // CreateOrgUser's already_exists, which applies nothing, then AddOrgUser by its id, which takes no password.
      memberSecrets: { "existing@acme.example": { initialPassword: OTHER }, "New.Person@acme.example": { initialPassword: PASSWORD } },
    };
    expect(members.check(inputs)).toEqual([]);
    const { outs } = await members.create(inputs);
    expect(outs.live.map((m) => m.email).sort()).toEqual(["existing@acme.example", "new.person@acme.example"]);

    const sent = await posts();
    const addUser = sent.filter((r) => r.url.endsWith("/AddOrgUser"));
    const createUser = sent.filter((r) => r.url.endsWith("/CreateOrgUser"));
    const existingId = outs.live.find((m) => m.email === "existing@acme.example")!.id;
    expect(addUser.map((r) => r.body.user_id)).toEqual([existingId]);
    for (const r of addUser) expect(r.body).not.toHaveProperty("password");
    const byEmail = new Map(createUser.map((r) => [r.body.email, r]));
    expect(byEmail.get("new.person@acme.example")).toMatchObject({ status: 200, body: { name: "new.person", email: "new.person@acme.example", password: PASSWORD, role: "OrgViewer" } });
    expect(byEmail.get("existing@acme.example")).toMatchObject({ status: 409 });
    // The existing user's declared password went only into the create the API refused.
    expect(sent.filter((r) => JSON.stringify(r).includes(OTHER)).map((r) => `${r.url} ${r.status}`)).toEqual(["/aiaengine.api.org.OrgService/CreateOrgUser 409"]);

    expect(passwordMatches(emulator().store, "new.person@acme.example", PASSWORD)).toBe(true);
    expect(passwordMatches(emulator().store, "existing@acme.example", OTHER)).toBe(false);

    // Never in outputs, nor in what a refresh reads back.
    expect(outs).not.toHaveProperty("memberSecrets");
    const read = await members.read(`${organizationId}/members`, outs);
    for (const text of [JSON.stringify(outs), JSON.stringify(read)]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(OTHER);
    }

    // Never a cause of a diff: another password, or none, changes nothing and sends nothing.
    for (const memberSecrets of [{ "new.person@acme.example": { initialPassword: OTHER } }, undefined]) {
      const news = { ...inputs, memberSecrets };
      expect(members.diff(outs, news).changes).toBe(false);
    }
    await admin("DELETE", "/requests");
    const { outs: after } = await members.update(`${organizationId}/members`, outs, { ...inputs, memberSecrets: { "new.person@acme.example": { initialPassword: OTHER } } });
    expect(await posts()).toEqual([]);
    expect(JSON.stringify(after)).not.toContain(OTHER);
    expect(passwordMatches(emulator().store, "new.person@acme.example", PASSWORD)).toBe(true);
  });

  it("without one, create_user sends no password (the API generates it)", async () => {
    const organizationId = await anOrganization("Generated");
    await members.create({ backend: "aiaengine", organizationId, mode: "additive", members: [{ email: "generated@acme.example", role: "OrgViewer" }] });
    const createUser = (await posts()).filter((r) => r.url.endsWith("/CreateOrgUser"));
    expect(createUser).toHaveLength(1);
    expect(createUser[0]!.body).not.toHaveProperty("password");
  });

  it("check refuses what the member schema does not allow, never echoing a value", async () => {
    const organizationId = await anOrganization("Refused");
    const base: members.MembersInputs = { backend: "aiaengine", organizationId, mode: "additive", members: [{ email: "ada@acme.example", role: "OrgViewer" }] };
    const failures = members.check({
      ...base,
      memberSecrets: { "ada@acme.example": { initialPassword: "short", password: PASSWORD }, "nobody@acme.example": { initialPassword: PASSWORD } },
    });
    expect(failures.map((f) => f.property).sort()).toEqual([
      'memberSecrets["ada@acme.example"].initialPassword',
      'memberSecrets["ada@acme.example"].password',
      'memberSecrets["nobody@acme.example"]',
    ]);
    const text = JSON.stringify(failures);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain("short\"");
    expect(members.check({ ...base, backend: "cloudflare", members: [{ email: "ada@acme.example" }], memberSecrets: { "ada@acme.example": { initialPassword: PASSWORD } } })).toEqual([
      { property: 'memberSecrets["ada@acme.example"].initialPassword', reason: "initialPassword is not a sensitive field of cloudflare members" },
    ]);
  });
});

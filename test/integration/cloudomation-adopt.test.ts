import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type StartedEmulator } from "../../emulator";
import { check, create, type OrganizationInputs } from "../../provider/resources/handlers/organization";
import { ADMIN, call, rejection } from "./helpers";

/**
 * How the Organization handler takes over a Cloudomation organization, against the emulator over
 * HTTP with session logins read from the environment as the provider reads them: by id, by name
 * (refused when the name is shared), and `adopt: {}` (the one organization the credential's
 * workspace sees; refused when it sees several). Without adopt, `check` refuses before any call.
 */
const USER = { user_name: "initech-admin", password: "initech-password-7" };
let emu: StartedEmulator;
const ids: Record<string, string> = {};
const saved = { user: process.env.CLOUDOMATION_USER_NAME, password: process.env.CLOUDOMATION_PASSWORD, endpoint: process.env.ORGFORM_ENDPOINT };

function loginAs(userName: string, password: string): void {
  process.env.CLOUDOMATION_USER_NAME = userName;
  process.env.CLOUDOMATION_PASSWORD = password;
}

const inputs = (adopt: OrganizationInputs["adopt"], fields: Record<string, unknown> = {}): OrganizationInputs => ({
  backend: "cloudomation",
  endpoint: emu.baseUrls.cloudomation,
  key: "workspace",
  owner: "adopt/test",
  fields,
  ...(adopt ? { adopt } : {}),
});

beforeAll(async () => {
  delete process.env.ORGFORM_ENDPOINT;
  emu = await startEmulator({ port: 0, db: ":memory:" });
  const seeded = await call(emu.url + "/_admin", "POST", "/seed", {
    auth: { bearer: ADMIN },
    body: { cloudomation: { organizations: [{ name: "Initech", users: [USER] }, { name: "Twins" }, { name: "Twins", id: "7a1d3f0e-5b2c-4d6e-8f90-123456789abc" }] } },
  });
  [ids.initech, ids.twinA, ids.twinB] = seeded.body.organizations.map((o: { id: string }) => o.id);
});
afterEach(() => loginAs(emu.credentials.userName, emu.credentials.password));
afterAll(async () => {
  for (const [k, v] of [["CLOUDOMATION_USER_NAME", saved.user], ["CLOUDOMATION_PASSWORD", saved.password], ["ORGFORM_ENDPOINT", saved.endpoint]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await emu?.close();
});

describe("adopting a Cloudomation organization", () => {
  it("refuses one without adopt in check, before any call", () => {
    expect(check(inputs(undefined, { name: "New" }))).toEqual([
      { property: "adopt", reason: "Cloudomation Engine organizations cannot be created: declare adopt: {id: ...} or adopt: {name: ...} (or adopt: {}, the one organization the credential sees) to manage an existing one" },
    ]);
  });

  it("takes the workspace's only organization with adopt: {}, and converges the declared fields", async () => {
    loginAs(USER.user_name, USER.password);
    const { id, outs } = await create(inputs({}, { city: "Austin" }));
    expect(id).toBe(ids.initech);
    expect(outs.live).toMatchObject({ name: "Initech", city: "Austin" });
    expect(outs.created).toBe(false);
  });

  it("refuses adopt: {} for a credential that sees several organizations, naming them", async () => {
    loginAs(emu.credentials.userName, emu.credentials.password);
    const err = await rejection(create(inputs({})));
    expect(err.code).toBe("CONFLICT");
    expect(err.message).toBe(`cannot adopt organization workspace: the credential sees 3 Cloudomation Engine organizations, not one (ids ${ids.initech}, ${ids.twinA}, ${ids.twinB}); adopt one by id`);
  });

  it("refuses a name two organizations share, and takes either by id", async () => {
    const err = await rejection(create(inputs({ name: "Twins" })));
    expect(err.code).toBe("CONFLICT");
    expect(err.message).toMatch(/2 organizations are named "Twins" .*adopt one by id/);
    expect((await create(inputs({ id: ids.twinB }, { description: "the second" }))).outs.live).toMatchObject({ name: "Twins", description: "the second" });
  });
});

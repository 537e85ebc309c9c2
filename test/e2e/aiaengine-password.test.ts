// A user-chosen initial password for new AIA Engine users, end to end with the real engine: one
// from an environment variable, one from a secret stack config key. `pulumi up` creates the users
// with them (create_user only; the emulator keeps digests), and neither password is in the state
// files, the stack export, the stack config file or anything the CLI printed. A changed password
// is no change; an unset variable or a plain (not secret) config value fails before any request.
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { passwordMatches } from "../../emulator/dialects/aiaengine/wire";
import { SECRETS, orgformProject, readTree, type OrgformProject } from "./orgform-harness";
import type { RunResult } from "./harness";

const ENV_PASSWORD = "e2e-Initial-Env-5e2b91";
const CONFIG_PASSWORD = "e2e-Initial-Config-0c7d44";
const PLAIN_PASSWORD = "e2e-Plain-Config-99aa31";
const output = (r: RunResult) => r.stdout + r.stderr;

const config = `backend: aiaengine
organizations:
  - key: lab
    name: Password Lab
    members:
      mode: authoritative
      items:
        - { email: lead@acme.example, role: OrgOwner, initialPassword: { env: ORGFORM_E2E_LEAD_PASSWORD } }
        - { email: ada@acme.example, initialPassword: { config: adaPassword } }
        - { email: existing@acme.example, role: OrgEditor, initialPassword: { env: ORGFORM_E2E_LEAD_PASSWORD } }
`;

describe("AIA Engine initial passwords through pulumi", { timeout: 300_000 }, () => {
  let p: OrgformProject;
  const printed: string[] = [];
  const run = async (args: string[], fails = false) => {
    const r = await p.ws.pulumi(args);
    printed.push(output(r));
    if (fails) expect(r.code, output(r)).not.toBe(0);
    else expect(r.code, output(r)).toBe(0);
    return r;
  };

  beforeAll(async () => {
    p = await orgformProject("aiaengine-password", config, {
      backend: "aiaengine",
      emulator: { seed: { aiaengine: { users: [{ email: "existing@acme.example", name: "Existing" }] } } },
    });
    p.ws.env.ORGFORM_E2E_LEAD_PASSWORD = ENV_PASSWORD;
    await p.ws.pulumiOk(["config", "set", "--secret", "adaPassword", CONFIG_PASSWORD]);
  }, 120_000);
  afterAll(async () => p?.close());

  it("creates the new users with their passwords, by create_user only", async () => {
    await run(["up", "--yes", "--skip-preview"]);
    expect(passwordMatches(p.emulator.store, "lead@acme.example", ENV_PASSWORD)).toBe(true);
    expect(passwordMatches(p.emulator.store, "ada@acme.example", CONFIG_PASSWORD)).toBe(true);
    // existing@ is a platform user already: CreateOrgUser is refused (already_exists, nothing
    // applied), then AddOrgUser by its id, which takes no password, adds it.
    expect(passwordMatches(p.emulator.store, "existing@acme.example", ENV_PASSWORD)).toBe(false);
    const { requests } = await p.admin("GET", "/requests?dialect=aiaengine");
    const writes = (requests as { method: string; url: string; body: any; status: number }[]).filter((r) => r.method === "POST" && r.url.endsWith("OrgUser"));
    const existingId = (await p.api("POST", "/aiaengine.api.user.UserService/ListUsers", { email: "existing@acme.example" })).users[0].id;
    const added = writes.filter((w) => w.url.endsWith("/AddOrgUser"));
    for (const r of added) expect(r.body).not.toHaveProperty("password");
    expect(added.map((w) => `${w.body.user_id} ${w.status}`)).toEqual([`${existingId} 200`]);
    expect(
      writes
        .filter((w) => w.url.endsWith("/CreateOrgUser"))
        .map((w) => `${w.body.email} ${w.body.password === ENV_PASSWORD ? "env" : w.body.password === CONFIG_PASSWORD ? "config" : "?"} ${w.status}`)
        .sort(),
    ).toEqual(["ada@acme.example config 200", "existing@acme.example env 409", "lead@acme.example env 200"]);
  });

  it("a changed password is no change: a refreshing preview expects none", async () => {
    p.ws.env.ORGFORM_E2E_LEAD_PASSWORD = `${ENV_PASSWORD}-rotated`;
    await run(["preview", "--refresh", "--expect-no-changes"]);
    p.ws.env.ORGFORM_E2E_LEAD_PASSWORD = ENV_PASSWORD;
  });

  it("an unset variable fails before any request, where it is referenced", async () => {
    delete p.ws.env.ORGFORM_E2E_LEAD_PASSWORD;
    await p.admin("DELETE", "/requests");
    const r = await run(["preview"], true);
    expect((await p.admin("GET", "/requests?dialect=aiaengine")).requests).toEqual([]);
    expect(output(r)).toMatch(/orgs\.yaml:8:\d+: error\[unset-secret-reference\] organizations\[0\]\.members\.items\[0\]\.initialPassword\.env: environment variable ORGFORM_E2E_LEAD_PASSWORD/);
    p.ws.env.ORGFORM_E2E_LEAD_PASSWORD = ENV_PASSWORD;
  });

  it("a stack config value that is not a secret is refused", async () => {
    // --plaintext: the CLI would otherwise keep an existing secret a secret.
    await p.ws.pulumiOk(["config", "set", "--plaintext", "adaPassword", PLAIN_PASSWORD]);
    const r = await run(["preview"], true);
    expect(output(r)).toMatch(/orgs\.yaml:9:\d+: stack config aiaengine-password:adaPassword \(initialPassword of ada@acme\.example\) is not a secret: set it again with pulumi config set --secret/);
    expect(output(r)).not.toContain(PLAIN_PASSWORD);
    await p.ws.pulumiOk(["config", "set", "--secret", "adaPassword", CONFIG_PASSWORD]);
    await run(["preview", "--expect-no-changes"]);
  });

  it("no password is in the state, the stack export, the stack config file or the CLI output", async () => {
    const exported = (await p.ws.pulumiOk(["stack", "export"])).stdout;
    // Held as a secret input only; the member list itself stays readable (not a secret), no output holds a password.
    const resources = JSON.parse(exported).deployment.resources as { type: string; inputs: any; outputs: any }[];
    const set = resources.find((r) => r.type.endsWith("OrganizationMembers"))!;
    expect(set.inputs.memberSecrets).toHaveProperty("ciphertext");
    expect(set.outputs).not.toHaveProperty("memberSecrets");
    expect(Array.isArray(set.outputs.members)).toBe(true);
    const stackFile = fs.readFileSync(path.join(p.ws.dir, "Pulumi.e2e.yaml"), "utf8");
    expect(stackFile).toContain("secure:");
    const everything = [readTree(p.stateDir), exported, stackFile, ...printed].join("\n");
    for (const secret of [ENV_PASSWORD, CONFIG_PASSWORD, ...SECRETS]) expect(everything).not.toContain(secret);
  });
});

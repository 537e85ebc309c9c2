// `orgform drift` names who changed a drifted organization and when, read from the vendor's audit
// log (AuditAbility; Cloudflare's GET …/logs/audit): another credential (a named token the emulator
// mints) renames an organization behind the config's back, and the report names that token.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type StartedEmulator } from "../../emulator";
import type { DriftReport } from "../../provider/gitops/drift";
import { emulatorCredentialEnv } from "../../scripts/emulator-credentials";
import { runOrgform } from "../support/cli";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "orgform-drift-actor-"));
let emu: StartedEmulator;
let env: NodeJS.ProcessEnv;
let orgId: string;
const config = path.join(tmp, "orgform.yaml");
const ACTOR = "Mallory's laptop";

async function admin(method: string, route: string, body?: unknown): Promise<any> {
  const res = await fetch(`${emu.url}/_admin${route}`, {
    method,
    headers: { authorization: `Bearer ${emu.credentials.adminToken}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return res.json();
}

beforeAll(async () => {
  emu = await startEmulator({ port: 0, db: ":memory:" });
  const seeded = await admin("POST", "/seed", { cloudflare: { organizations: [{ name: "Acme" }, { name: "Globex" }] } });
  orgId = seeded.organizations[0].id;
  env = { ...process.env, ...emulatorCredentialEnv("cloudflare", emu), ORGFORM_ENDPOINT: emu.baseUrls.cloudflare };
  const exported = await runOrgform(["export", "--backend", "cloudflare", "--out", config], { env });
  expect(exported.code, exported.stderr).toBe(0);
  // The second credential: a token scoped to Acme, with a name, renames it.
  const minted = await admin("POST", "/tokens", { org_id: orgId, name: ACTOR });
  const renamed = await fetch(`${emu.baseUrls.cloudflare}/organizations/${orgId}`, {
    method: "PUT",
    headers: { authorization: `Bearer ${minted.token}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "Acme (renamed by hand)" }),
  });
  expect(renamed.status).toBe(200);
});
afterAll(async () => {
  await emu?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe("orgform drift names who changed a drifted organization", () => {
  it("in JSON: lastChange {actor, via, time, action, resource} on the changed organization only", async () => {
    const run = await runOrgform(["drift", "--config", config, "--format", "json"], { env });
    expect(run.code, run.stderr).toBe(2);
    const report = JSON.parse(run.stdout) as DriftReport;
    const acme = report.organizations.find((o) => o.id === orgId)!;
    expect(acme.state).toBe("changed");
    expect(acme.lastChange).toMatchObject({ actor: ACTOR, via: "api_token", action: "update", resource: "organization" });
    expect(Date.now() - Date.parse(acme.lastChange!.time)).toBeLessThan(10 * 60_000);
    const globex = report.organizations.find((o) => o.name === "Globex")!;
    expect(globex.state).toBe("in-sync");
    expect(globex).not.toHaveProperty("lastChange");
  });

  it("in text: a line under the organization", async () => {
    const run = await runOrgform(["drift", "--config", config, "--quiet"], { env });
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(new RegExp(`last changed by ${ACTOR} \\(api_token\\) at \\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z: update organization`));
  });

  it("in Markdown: a \"changed by\" column and the line in the details", async () => {
    const run = await runOrgform(["drift", "--config", config, "--format", "markdown", "--quiet"], { env });
    expect(run.code).toBe(2);
    expect(run.stdout).toContain("| organization | id | state | fields | profile | members | changed by |");
    expect(run.stdout).toContain(`| ${ACTOR}, `);
    expect(run.stdout).toContain(`last changed by ${ACTOR} (api_token)`);
  });
});

// Cloudflare's official Go SDK (github.com/cloudflare/cloudflare-go/v7 v7.9.0, pinned with its go.sum
// in test/clients/cloudflare-go) against the emulator: the suite builds the small program there and
// runs it. It calls every organizations method the SDK has (organizations, profile, members,
// accounts, billable usage, audit log) and checks each answer for every field the SDK marks
// required and every enum value it knows; it fails if the emulator accepts a member `roles` field
// or a member update. Go is on every machine the suite runs on (README.md).
import { execFile } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestEmulator, type TestEmulator } from "./helpers";

const run = promisify(execFile);
const PROGRAM = join(__dirname, "..", "clients", "cloudflare-go");

let emu: TestEmulator;
let dir: string;
let binary: string;
let buildSeconds: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "orgform-cloudflare-go-"));
  binary = join(dir, "cloudflare-go");
  const started = Date.now();
  // -mod=readonly: the pinned go.sum is the only source of truth; a module not in it is an error.
  await run("go", ["build", "-mod=readonly", "-o", binary, "."], { cwd: PROGRAM, env: { ...process.env, GOFLAGS: "-mod=readonly" }, maxBuffer: 16 * 1024 * 1024 });
  buildSeconds = (Date.now() - started) / 1000;
  emu = await startTestEmulator();
}, 1_500_000); // a cold Go build on a loaded 2-core machine took about 13 min
afterAll(async () => {
  await emu?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function runProgram(env: Record<string, string>, base = emu.cf): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await run(binary, [base], { env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, out: stdout };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, out: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}

describe("the official Go SDK (cloudflare-go v7.9.0) against the emulator", () => {
  it("answers every organizations, profile, members, accounts, billable-usage and audit-log call with every field the SDK requires", async () => {
    const today = new Date().toISOString().slice(0, 10);
    const seeded = await emu.admin("POST", "/seed", {
      cloudflare: {
        organizations: [
          {
            name: "Go Accounts",
            accounts: [
              { id: "go-acc-1", name: "Go Production", type: "enterprise", usage: [{ day: today, metric: "workers_standard_requests", quantity: 42, unit: "Requests" }] },
              "go-acc-2",
            ],
          },
        ],
      },
    });
    expect(seeded.status).toBe(201);
    const { code, out } = await runProgram({ CF_API_TOKEN: emu.credentials.apiToken, CF_ACCOUNTS_ORG: seeded.body.organizations[0].id });
    // Every call the program makes, by name: a call dropped from the program fails here too.
    for (const call of [
      "Organizations.New (root)", "Organizations.New (child, with parent and profile)", "Organizations.Get",
      "Organizations.Update (name only: parent and profile kept)", "Organizations.List (id repeated, name.startsWith)",
      "Organizations.ListAutoPaging (parent.id=null)", "OrganizationProfile.Update", "OrganizationProfile.Get",
      "Members.New (no status: active)", "Members.New (status canceled)", "Members.List (status repeated, user.email ends with)",
      "Members.ListAutoPaging", "Members.Get", "Members.New with a roles field is refused (400)",
      "a member update (PUT) is refused (405)", "a member update (PATCH) is refused (405)", "organizations/{id}/roles does not exist (404)",
      "Organizations.List (containing.user)", "Members.Delete", "OrganizationAccounts.Get", "Billing.Usage.Get",
      "Logs.Audit.List", "Logs.Audit.ListAutoPaging (limit 2, action_type.not)", "Logs.Audit.History",
      "Organizations.Delete (child)", "Organizations.Delete (root)", "Organizations.Get of a deleted organization is a 404",
    ]) {
      expect(out).toContain(`ok   ${call}\n`);
    }
    expect(out, out).not.toContain("FAIL");
    expect(code, out).toBe(0);
    expect(out).toContain("all passed");
    console.log(`cloudflare-go: built in ${buildSeconds.toFixed(1)} s`);
  });

  it("fails, naming each call, against a server that accepts everything (a member's roles, a member update) and answers too little", async () => {
    // Not Cloudflare: every request answers 200 with an envelope whose result is `{id}` only.
    const server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ success: true, errors: [], messages: [], result: { id: "0".repeat(32) }, result_info: {} }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const { code, out } = await runProgram({ CF_API_TOKEN: "t", CF_ACCOUNTS_ORG: "x" }, `http://127.0.0.1:${port}/client/v4`);
      expect(code).toBe(1);
      expect(out).toContain("FAIL Members.New with a roles field is refused (400)");
      expect(out).toContain("FAIL a member update (PUT) is refused (405)");
      expect(out).toMatch(/FAIL Organizations\.New \(root\)\n\s+result\.create_time: required by the SDK, missing from the answer/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

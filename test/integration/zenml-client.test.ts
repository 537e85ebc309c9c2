// ZenML's own Pro client (PyPI zenml 0.98.0, pinned in test/clients/requirements.txt) against the
// emulator: test/clients/zenml_pro.py calls every method of `zenml.login.pro` that touches
// organizations, workspaces or logging in, and checks the answers with the client's own pydantic
// models and exception mapping. The venv comes from scripts/ensure-python-clients (created once per
// machine, then cached).
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type StartedEmulator } from "../../emulator";

const root = join(__dirname, "..", "..");
let emu: StartedEmulator;
let python: string;
let configDir: string;

interface Call {
  call: string;
  ok: boolean;
  detail: string;
}

beforeAll(async () => {
  // Seconds: about 100 the first time on a machine (the venv is created from PyPI), 0.03 afterwards.
  python = execFileSync(join(root, "scripts", "ensure-python-clients"), { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], timeout: 600_000 }).trim();
  configDir = mkdtempSync(join(tmpdir(), "orgform-zenml-client-"));
  emu = await startEmulator({
    port: 0,
    db: ":memory:",
    seed: {
      zenml: {
        organizations: [
          {
            name: "Seeded Org",
            id: "5e0c1a2b-3c4d-4e5f-8a6b-7c8d9e0f1a2b",
            service_accounts: [{ name: "ci-bot", api_key: "ZENPROKEY_client-test-bot" }],
            workspaces: [
              { name: "ml-prod", status: "available" },
              { name: "ml-old", status: "deactivated", version: null, url: null },
            ],
          },
        ],
      },
      tokens: [{ token: "zenml-scoped-token", backend: "zenml", org_id: "5e0c1a2b-3c4d-4e5f-8a6b-7c8d9e0f1a2b" }],
    },
  });
}, 600_000);

afterAll(async () => {
  await emu?.close();
  if (configDir) rmSync(configDir, { recursive: true, force: true });
});

/** Runs the program without blocking this process (the emulator answers from it). */
function runClient(args: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      python,
      [join(root, "test", "clients", "zenml_pro.py"), JSON.stringify(args)],
      {
        timeout: 120_000,
        // The client's credentials store lives in ZENML_CONFIG_PATH: a fresh one, never the user's.
        env: { PATH: process.env.PATH, HOME: configDir, ZENML_CONFIG_PATH: configDir, ZENML_ANALYTICS_OPT_IN: "false", ZENML_LOGGING_VERBOSITY: "ERROR" },
      },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("ZenML's own Pro client against the emulator", () => {
  it("logs in with an API key and client credentials, reads, writes and is refused as ZenML refuses", async () => {
    const client = emu.credentials.oauthClients[0]!;
    const result = await runClient({
      url: emu.baseUrls.zenml!,
      apiKey: emu.credentials.apiToken,
      botKey: "ZENPROKEY_client-test-bot",
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      scopedToken: "zenml-scoped-token",
      scopedOrgId: "5e0c1a2b-3c4d-4e5f-8a6b-7c8d9e0f1a2b",
    });
    const lastLine = result.stdout.trim().split("\n").pop() ?? "";
    let calls: Call[];
    try {
      calls = (JSON.parse(lastLine) as { calls: Call[] }).calls;
    } catch {
      throw new Error(`the client program printed no result (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
    }
    const failed = calls.filter((c) => !c.ok).map((c) => `${c.call}: ${c.detail}`);
    expect(failed).toEqual([]);
    expect(result.code).toBe(0);
    // Every call the program makes ran (a call silently dropped from the program fails here).
    expect(calls.map((c) => c.call)).toEqual([
      "ZenMLProClient.fetch_api_token (POST /auth/login password=<key>)",
      "ZenMLProClient.fetch_api_token with a wrong key -> CredentialsNotValid",
      "ZenMLProClient.fetch_api_token with a service account's key; its create -> IllegalOperationError",
      "OAuth2 client credentials at /auth/login (ZenML server's cloud_utils request)",
      "ZenMLProClient.authenticate (credentials store API key -> token)",
      "ZenMLProClient._create_resource (POST /organizations)",
      "OrganizationClient.get by id",
      "OrganizationClient.get by name",
      "OrganizationClient.list (offset, limit)",
      "ZenMLProClient.patch (PATCH /organizations/{id})",
      "ZenMLProClient._update_resource (PUT) -> MethodNotAllowedError",
      "OrganizationClient.get of an unknown id -> KeyError",
      "WorkspaceClient.list and get (filters; WorkspaceStatus values)",
      "WorkspaceClient.get of an unknown id -> KeyError",
      "DELETE own organization with a scoped token -> IllegalOperationError",
      "ZenMLProClient._delete_resource (DELETE /organizations/{id})",
    ]);
    // The refusals are the exceptions ZenML's mapping makes of the server's answers.
    const detail = Object.fromEntries(calls.map((c) => [c.call, c.detail]));
    expect(detail["ZenMLProClient._update_resource (PUT) -> MethodNotAllowedError"]).toMatch(/^MethodNotAllowedError: Method Not Allowed/);
    expect(detail["ZenMLProClient.fetch_api_token with a wrong key -> CredentialsNotValid"]).toMatch(/^CredentialsNotValid: /);
    expect(detail["DELETE own organization with a scoped token -> IllegalOperationError"]).toMatch(/^IllegalOperationError: .*scoped/);
  }, 180_000);
});

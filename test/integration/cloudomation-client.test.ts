import { execFile, execFileSync } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type StartedEmulator } from "../../emulator";
import { ADMIN, call } from "./helpers";

/**
 * Cloudomation's own client of the workspace REST API, PyPI devstack-cli 12.0.1 (pinned in
 * test/clients/requirements.txt, installed by scripts/ensure-python-clients), against the
 * emulator: its connection code (`GET alive`, `POST auth/login`) and the record calls it makes,
 * sent to organization records through its own session (test/clients/cloudomation_devstack.py).
 */
const ROOT = join(__dirname, "..", "..");
const USER = { user_name: "devstack-user", password: "devstack-password-3" };
const ORG = "DevStack Co";
let emu: StartedEmulator;
let python: string;

beforeAll(async () => {
  python = execFileSync(join(ROOT, "scripts", "ensure-python-clients"), { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
  emu = await startEmulator({ port: 0, db: ":memory:" });
  const seeded = await call(emu.url + "/_admin", "POST", "/seed", { auth: { bearer: ADMIN }, body: { cloudomation: { organizations: [{ name: ORG, users: [USER] }, { name: "Someone Else" }] } } });
  expect(seeded.status).toBe(201);
}, 600_000);
afterAll(async () => {
  await emu?.close();
});

interface Report {
  checks: { call: string; ok: boolean; detail: string }[];
}

/** The report line the program prints last (the client logs to stdout before it). */
function reportOf(stdout: string): Report {
  const line = stdout.split("\n").find((l) => l.startsWith("ORGFORM-REPORT "));
  if (!line) throw new Error(`no report from the client program:\n${stdout.slice(-2000)}`);
  return JSON.parse(line.slice("ORGFORM-REPORT ".length)) as Report;
}

async function runClient(): Promise<{ code: number; report: Report; stderr: string; stdout: string }> {
  // aiohttp's cookie jar keeps no cookie from a host given as an IP address: the client reaches
  // a workspace by name, so the emulator is named localhost here.
  const workspace = emu.baseUrls.cloudomation.replace("127.0.0.1", "localhost").replace(/\/api\/latest$/, "");
  const env = { ...process.env, DEVSTACK_CLI_PASSWORD: USER.password, NO_PROXY: "localhost,127.0.0.1", no_proxy: "localhost,127.0.0.1" };
  try {
    const { stdout, stderr } = await promisify(execFile)(python, [join(ROOT, "test", "clients", "cloudomation_devstack.py"), workspace, USER.user_name, ORG], { env, timeout: 120_000 });
    return { code: 0, report: reportOf(stdout), stderr, stdout };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    if (!e.stdout) throw err;
    return { code: e.code ?? -1, report: reportOf(e.stdout), stderr: e.stderr ?? "", stdout: e.stdout };
  }
}

describe("devstack-cli 12.0.1 against the Cloudomation dialect", () => {
  it("connects (alive, login), and every record call it makes is answered as it reads it", async () => {
    const { code, report, stderr, stdout } = await runClient();
    const failed = report.checks.filter((c) => !c.ok);
    expect(failed, stdout + stderr).toEqual([]);
    expect(code).toBe(0);
    expect(report.checks.map((c) => c.call)).toEqual([
      "GET organization before login: 401 in the vendor's error shape",
      "devstack-cli _check_config: GET alive, POST auth/login (the client's own code)",
      "login answer read as the client reads it: user_info['identity_id'], user_info['name']",
      "GET organization?filter={field, op, value}&plain=true: a list of records",
      'GET organization?filter={"and": [...]}&plain=true',
      "GET organization?filter=...&fields=name,id&plain=True: only those fields",
      "GET organization/<name>?by=name: (await response.json())['organization']",
      "PATCH organization/<id> {json}: 200",
      "POST organization?plain=true: 405 in the vendor's error shape",
      "DELETE organization/<id>?permanently=true&wait=false: 405 in the vendor's error shape",
      "GET organization?filter on a field organizations lack: 400 in the vendor's error shape",
      "devstack-cli _check_config with a wrong password: login refused with 401",
    ]);
    // The emulator saw the client's calls: its session reached the organization routes.
    const journal = (await call(emu.url + "/_admin", "GET", "/requests?dialect=cloudomation", { auth: { bearer: ADMIN } })).body.requests as { method: string; url: string; status: number }[];
    expect(journal.filter((r) => r.method === "PATCH").map((r) => r.status)).toEqual([200]);
    expect(JSON.stringify(journal)).not.toContain(USER.password);
  }, 180_000);
});

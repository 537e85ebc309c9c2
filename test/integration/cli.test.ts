import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call } from "./helpers";

/**
 * `orgform emulator` as a user runs it: `bin/orgform.js` spawned as a process (over the dist/ that
 * `npm ci` builds through `prepare`, and `npm test` through `pretest`), started with --port 0,
 * stopped with SIGTERM / SIGINT.
 */
const root = resolve(__dirname, "../..");
const bin = join(root, "bin", "orgform.js");
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "orgform-cli-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Running {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  exited: Promise<number | null>;
}

function launch(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, [bin, "emulator", ...args], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  return new Promise((resolveLaunch, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      stdout += d.toString();
      // The banner ends with the admin line.
      const m = /listening on (http:\/\/\S+)/.exec(stdout);
      if (m && stdout.includes("/_admin  (")) resolveLaunch({ child, url: m[1], stdout: () => stdout, exited });
    });
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("exit", (code) => reject(new Error(`emulator exited with ${code}: ${stderr}`)));
  });
}

describe("orgform emulator (CLI)", () => {
  it("prints the base URL and credentials, serves, and keeps its data across a SIGTERM restart", async () => {
    const db = join(dir, "state", "emulator.db");
    const seed = join(dir, "seed.yaml");
    writeFileSync(seed, "cloudflare:\n  organizations:\n    - name: Seeded\n");
    const first = await launch(["--port", "0", "--db", db, "--seed", seed]);
    const text = first.stdout();
    expect(text).toContain(`cloudflare     ${first.url}/cloudflare/client/v4`);
    expect(text).toContain("Authorization: Bearer orgform-emulator-token");
    expect(text).toContain("X-Auth-Email: emulator@orgform.local  X-Auth-Key: orgform-emulator-key");
    expect(text).toContain(`${first.url}/_admin  (Authorization: Bearer orgform-admin-token)`);
    expect(text).toContain("seeded         1 organizations");
    const created = await call(`${first.url}/cloudflare/client/v4`, "POST", "/organizations", { body: { name: "Made by a client" } });
    expect(created.status).toBe(200);
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    expect(first.stdout()).toContain("SIGTERM, shutting down");

    const second = await launch(["--port", "0", "--db", db]);
    const list = await call(`${second.url}/cloudflare/client/v4`, "GET", "/organizations");
    expect(list.body.result.map((o: any) => o.name)).toEqual(["Seeded", "Made by a client"]);
    second.child.kill("SIGINT");
    expect(await second.exited).toBe(0);
  }, 30_000);

  it("takes credentials, a rate limit and faults from flags", async () => {
    const run = await launch(["--port", "0", "--db", ":memory:", "--api-token", "my-token-123", "--admin-token", "my-admin-123", "--rate-limit", "1/s", "--faults", "latency=1ms", "--fault-seed", "5"]);
    try {
      expect(run.stdout()).toContain("Authorization: Bearer my-token-123");
      const base = `${run.url}/cloudflare/client/v4`;
      expect((await call(base, "GET", "/organizations", { auth: { bearer: "my-token-123" } })).status).toBe(200);
      expect((await call(base, "GET", "/organizations", { auth: { bearer: "my-token-123" } })).status).toBe(429);
      // Configured credentials replace every default: the published key pair is not accepted, nor shown.
      expect(run.stdout()).toContain("as configured; no default is accepted");
      expect(run.stdout()).not.toContain("orgform-emulator-key");
      const keyPair = await call(base, "GET", "/organizations", { auth: { email: "emulator@orgform.local", key: "orgform-emulator-key" } });
      expect(keyPair.status).toBe(401);
      expect(keyPair.body.errors[0].code).toBe(10000);
      const faults = await call(`${run.url}/_admin`, "GET", "/faults", { auth: { bearer: "my-admin-123" } });
      expect(faults.body).toMatchObject({ seed: 5, rules: [{ latency_ms: 1 }] });
    } finally {
      run.child.kill("SIGTERM");
      await run.exited;
    }
  }, 30_000);

  it("refuses a malformed fault spec before starting", async () => {
    await expect(launch(["--port", "0", "--db", ":memory:", "--faults", "explode=1"])).rejects.toThrow(/unknown fault item/);
  });

  it("refuses a latency longer than a timer holds before starting", async () => {
    await expect(launch(["--port", "0", "--db", ":memory:", "--faults", "latency=2147483648ms"])).rejects.toThrow(/at most 2147483647 ms/);
  });

  it("logs requests with --log, never a token of a URL", async () => {
    const run = await launch(["--port", "0", "--db", ":memory:", "--log"]);
    try {
      const admin = `${run.url}/_admin`;
      const seeded = await call(admin, "POST", "/seed", {
        auth: { bearer: "orgform-admin-token" },
        body: { cloudflare: { organizations: [{ name: "Logged" }] }, tokens: [{ token: "cli-log-secret-token", backend: "cloudflare", org_path: ["Logged"] }] },
      });
      expect(seeded.status).toBe(201);
      expect((await call(admin, "DELETE", "/tokens/cli-log-secret-token", { auth: { bearer: "orgform-admin-token" } })).status).toBe(200);
      // The log line of the last answer comes when the child writes it: waited for, not guessed (a loaded machine is slow).
      for (let waited = 0; !run.stdout().includes("/_admin/tokens/") && waited < 10_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
      expect(run.stdout()).toContain('"url":"/_admin/tokens/<redacted>"');
      expect(run.stdout()).not.toContain("cli-log-secret-token");
    } finally {
      run.child.kill("SIGTERM");
      await run.exited;
    }
  }, 30_000);
});

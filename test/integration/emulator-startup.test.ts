// The emulator at start-up: a database it cannot write is refused in one sentence (SQLite would
// open it read-only without a word, and every write would answer 500), and a scoped token never
// equals the full-access user's password (its holder could log in as that user).
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startEmulator } from "../../emulator";
import { orgformBin } from "../support/cli";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "orgform-emulator-startup-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/**
 * `orgform emulator` as a user who may read but not write the database. Root writes any file
 * whatever its mode, so as root the emulator runs as `nobody` (setpriv); otherwise as this user.
 */
function startAsReader(db: string): { status: number | null; stdout: string; stderr: string; error?: Error } {
  const asRoot = process.getuid?.() === 0;
  const [cmd, args] = asRoot
    ? ["setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, orgformBin, "emulator", "--port", "0", "--db", db]]
    : [process.execPath, [orgformBin, "emulator", "--port", "0", "--db", db]];
  // A regression starts the server, which never exits: the timeout ends it and the test fails.
  const run = spawnSync(cmd as string, args as string[], { encoding: "utf8", timeout: 20_000, killSignal: "SIGKILL" });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, ...(run.error ? { error: run.error } : {}) };
}

describe("orgform emulator on a database it cannot write", () => {
  it("refuses to start, in one sentence, instead of answering every write 500", async () => {
    const dir = path.join(tmp, "readonly");
    fs.mkdirSync(dir);
    fs.chmodSync(tmp, 0o755); // (mkdtemp makes it private to this user)
    fs.chmodSync(dir, 0o777); // the directory is writable: only the file is not
    const db = path.join(dir, "emulator.db");
    const emu = await startEmulator({ port: 0, db });
    await emu.close();
    fs.chmodSync(db, 0o444);
    const run = startAsReader(db);
    expect(run.error, `the emulator started on a read-only database:\n${run.stdout}`).toBeUndefined();
    expect(run.status).toBe(1);
    expect(run.stdout).not.toContain("listening");
    expect(run.stderr).toBe(`orgform: the emulator database ${db} cannot be written (a read-only file, directory or mount): make it writable, or start with another --db\n`);
  }, 30_000);
});

describe("scoped tokens", () => {
  it("are never minted equal to the full-access user's password, through the admin API or a seed", async () => {
    const password = "session-password-4d2f9e";
    const emu = await startEmulator({ port: 0, db: ":memory:", credentials: { password } });
    try {
      const admin = (route: string, body: unknown) =>
        fetch(`${emu.url}/_admin${route}`, {
          method: "POST",
          headers: { authorization: `Bearer ${emu.credentials.adminToken}`, "content-type": "application/json" },
          body: JSON.stringify(body),
        });
      const seeded = await admin("/seed", { version: 1, cloudflare: { organizations: [{ name: "Scoped Org" }] } });
      expect(seeded.status).toBe(201);
      const orgId = ((await seeded.json()) as { organizations: Array<{ id: string }> }).organizations[0]!.id;

      const minted = await admin("/tokens", { org_id: orgId, token: password });
      expect(minted.status).toBe(400);
      expect(((await minted.json()) as { error: { message: string } }).error.message).toContain("the full-access user's password");

      const bySeed = await admin("/seed", { version: 1, tokens: [{ token: password, backend: "cloudflare", org_id: orgId }] });
      expect(bySeed.status).toBe(400);
      const listed = await fetch(`${emu.url}/_admin/tokens`, { headers: { authorization: `Bearer ${emu.credentials.adminToken}` } });
      expect(JSON.stringify(await listed.json())).not.toContain(password);

      // Another token is still minted.
      expect((await admin("/tokens", { org_id: orgId, token: "scoped-token-8c1e" })).status).toBe(201);
    } finally {
      await emu.close();
    }
  });
});

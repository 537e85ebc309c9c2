import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MIGRATIONS } from "../../emulator/migrations";
import { Store } from "../../emulator/store";
import { aProfile, startTestEmulator } from "./helpers";

let dir: string;
let db: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "orgform-emulator-"));
  db = join(dir, "nested", "emulator.db");
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("persistence", () => {
  it("keeps organizations, profiles, members and scoped tokens across a restart", async () => {
    const first = await startTestEmulator({ db });
    const root = await first.org({ name: "Acme", profile: aProfile() });
    const child = await first.org({ name: "Acme EU", parent: root.id });
    const member = await first.addMember(root.id, "ada@acme.test");
    const token = (await first.admin("POST", "/tokens", { org_id: child.id, ttl_seconds: 3600 })).body.token;
    const before = (await first.admin("GET", "/state")).body;
    await first.close();

    const second = await startTestEmulator({ db });
    try {
      expect((await second.admin("GET", "/state")).body).toEqual(before);
      expect((await second.api("GET", `/organizations/${root.id}`)).body.result).toEqual(root);
      expect((await second.api("GET", `/organizations/${root.id}/members/${member.body.result.id}`)).body.result).toEqual(member.body.result);
      const scoped = await second.api("GET", "/organizations", { auth: { bearer: token } });
      expect(scoped.body.result.map((o: any) => o.id)).toEqual([child.id]);
      // Creation order (and so pagination) continues after the restart.
      await second.org({ name: "Zeta" });
      const all = await second.api("GET", "/organizations");
      expect(all.body.result.map((o: any) => o.name)).toEqual(["Acme", "Acme EU", "Zeta"]);
    } finally {
      await second.close();
    }
  });

  it("loses no acknowledged write when closed while requests are in flight", async () => {
    const emu = await startTestEmulator({ db, faults: "latency=0-40ms" });
    const attempts = Array.from({ length: 40 }, (_, i) => emu.api("POST", "/organizations", { body: { name: `Org ${i}` } }).catch(() => undefined));
    // Close once the server is handling some of them (held in the injected latency).
    while (emu.runtime.counters.snapshot().total < 10) await new Promise((r) => setTimeout(r, 1));
    await emu.close();
    const answers = await Promise.all(attempts);
    const acknowledged = answers.filter((a) => a?.status === 200).map((a) => a!.body.result.id as string);
    expect(acknowledged.length).toBeGreaterThan(0);

    const again = await startTestEmulator({ db });
    try {
      const stored = (await again.admin("GET", "/state")).body.organizations.map((o: any) => o.id);
      for (const id of acknowledged) expect(stored).toContain(id);
    } finally {
      await again.close();
    }
  });

  it("migrates a Cloudflare database of the earlier design: member roles dropped, pending/accepted -> active, meta.flags -> tenant_flags", async () => {
    const first = await startTestEmulator({ db });
    const org = await first.org({ name: "Acme" });
    const member = (await first.addMember(org.id, "ada@acme.test")).body.result;
    await first.close();
    // Rewrite the rows as the earlier emulator stored them, and forget that the dialect migrated them.
    const raw = new Database(db);
    raw.prepare("UPDATE members SET document = ? WHERE id = ?").run(JSON.stringify({ roles: ["r1"], status: "pending", user_id: member.user.id }), member.id);
    raw.prepare("UPDATE organizations SET document = ? WHERE id = ?").run(JSON.stringify({ meta: { flags: { account_creation: "disabled", sub_org_creation: "enabled" }, managed_by: "partner" } }), org.id);
    raw.prepare("DELETE FROM dialect_migrations WHERE dialect = 'cloudflare'").run();
    raw.close();
    const second = await startTestEmulator({ db });
    try {
      const m = (await second.api("GET", `/organizations/${org.id}/members/${member.id}`)).body.result;
      expect(m).toEqual({ ...member, status: "active" });
      const o = (await second.api("GET", `/organizations/${org.id}`)).body.result;
      expect(o.meta).toMatchObject({ managed_by: "partner", tenant_flags: { account_creation: "disabled", sub_org_creation: "enabled", member_management: "enabled" } });
      expect(o.meta).not.toHaveProperty("flags");
    } finally {
      await second.close();
    }
  });

  it("records the schema version and refuses a database from a newer emulator", () => {
    const store = new Store({ path: db });
    expect(store.schemaVersion).toBe(MIGRATIONS[MIGRATIONS.length - 1].version);
    store.close();
    const raw = new Database(db);
    raw.pragma("user_version = 999");
    raw.close();
    expect(() => new Store({ path: db })).toThrow(/schema version 999, newer than this emulator knows/);
  });

  it("uses WAL on a file database", () => {
    const store = new Store({ path: db });
    store.close();
    const raw = new Database(db);
    expect(raw.pragma("journal_mode", { simple: true })).toBe("wal");
    raw.close();
  });

  it("keeps a :memory: database to itself", async () => {
    const a = await startTestEmulator({ db: ":memory:" });
    const b = await startTestEmulator({ db: ":memory:" });
    try {
      await a.org({ name: "Only in A" });
      expect((await b.api("GET", "/organizations")).body.result).toEqual([]);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

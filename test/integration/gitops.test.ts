// `orgform export` and `orgform drift` for every registered backend, against the emulator over
// real HTTP, the CLI spawned as a user runs it. What a backend lacks (hierarchy, profile, members,
// create) is read from its capability matrix and schemas, never its name.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type StartedEmulator } from "../../emulator";
import { implementedVendors } from "../../provider/backends";
import type { BackendName } from "../../provider/core/backends";
import { capabilitiesOf } from "../../provider/core/capabilities";
import { schemaFor } from "../../provider/core/schema";
import { loadConfig } from "../../provider/config/load";
import { parentKeyOf } from "../../provider/config/model";
import { ORGANIZATION_KEYS } from "../../provider/config/structure";
import { DRIFT_REPORT_VERSION, type DriftReport } from "../../provider/gitops/drift";
import { isSecretPart } from "../../provider/core/credential-kinds";
import { emulatorCredentialEnv, emulatorCredentials } from "../../scripts/emulator-credentials";
import { accountSize, anAccount, aProfile, countOrganizations, hasMemberRoles, liveRoles, seedAccount } from "../support/accounts";
import { runOrgform, type CliResult } from "../support/cli";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "orgform-gitops-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe.each(implementedVendors())("GitOps commands on %s", (backend: BackendName) => {
  const caps = capabilitiesOf(backend);
  const size = accountSize(backend);
  const account = anAccount(backend, size);
  let emu: StartedEmulator;
  let env: NodeJS.ProcessEnv;
  const dir = path.join(tmp, backend);
  const exported = path.join(dir, "exported.yaml");
  const orgform = (...args: string[]): Promise<CliResult> => runOrgform(args, { env });

  beforeAll(async () => {
    fs.mkdirSync(dir, { recursive: true });
    emu = await startEmulator({ port: 0, db: ":memory:" });
    await seedAccount(emu, backend, account);
    env = { ...process.env, ...emulatorCredentialEnv(backend, emu), ORGFORM_ENDPOINT: emu.baseUrls[backend] };
  });
  afterAll(async () => emu?.close());

  async function writesSince(seq: number): Promise<string[]> {
    const res = await fetch(`${emu.url}/_admin/requests?dialect=${backend}&after=${seq}&limit=2000`, { headers: { authorization: `Bearer ${emu.credentials.adminToken}` } });
    const journal = (await res.json()) as { requests: { method: string; url: string }[] };
    return journal.requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.url}`);
  }
  async function lastSeq(): Promise<number> {
    const res = await fetch(`${emu.url}/_admin/requests?dialect=${backend}&limit=1`, { headers: { authorization: `Bearer ${emu.credentials.adminToken}` } });
    return ((await res.json()) as { last_seq: number }).last_seq;
  }

  describe("export", () => {
    it(`writes every one of the ${size} seeded organizations, adopted by id, as a config validate accepts, sending no write`, async () => {
      expect(countOrganizations(account)).toBe(size);
      const before = await lastSeq();
      const run = await orgform("export", "--backend", backend, "--out", exported);
      expect(run.code, run.stderr).toBe(0);
      expect(await writesSince(before)).toEqual([]);
      const { config, diagnostics } = loadConfig(exported);
      expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      expect(config!.organizations).toHaveLength(size);
      expect(config!.authoritative).toBe(true);
      expect(config!.organizations.every((o) => o.adopt && (o.adopt.id || o.adopt.name))).toBe(true);
      if (caps.hierarchy.supported) expect(config!.organizations.filter((o) => o.parent).length).toBeGreaterThan(0);
      if (caps.profile.supported) expect(config!.organizations.filter((o) => o.profile).length).toBeGreaterThan(0);
      if (caps.members.supported) expect(config!.organizations.flatMap((o) => o.members?.items ?? []).length).toBeGreaterThan(0);
      // Parents come before their children, and every key is unique.
      const keys = config!.organizations.map((o) => o.key);
      expect(new Set(keys).size).toBe(keys.length);
      config!.organizations.forEach((o, i) => o.parent && expect(keys.indexOf(parentKeyOf(o)!)).toBeLessThan(i));
    });

    it("prints plain progress lines on stderr when it is not a terminal, and nothing but the config on stdout", async () => {
      const run = await orgform("export", "--backend", backend);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toContain(`export: reading profiles and members ${size}/${size}`);
      expect(run.stdout.startsWith("# Exported by `orgform export`")).toBe(true);
    });

    it("gives a byte-identical file when the unchanged account is exported again", async () => {
      const again = await orgform("export", "--backend", backend);
      expect(again.stdout).toBe(fs.readFileSync(exported, "utf8"));
    });

    it("keeps export-only fields under status and never writes import-only, neither or volatile fields", () => {
      const doc = YAML.parse(fs.readFileSync(exported, "utf8"));
      const schema = schemaFor(backend, "organization");
      for (const entry of doc.organizations) {
        for (const field of Object.keys(entry)) {
          if ((ORGANIZATION_KEYS as readonly string[]).includes(field)) continue; // key, parent, profile, members, adopt, status
          const spec = schema.field(field);
          if (spec) expect(spec.access, `${field} declared`).toBe("both");
        }
        for (const field of Object.keys(entry.status ?? {})) {
          const spec = schema.field(field);
          if (spec) {
            expect(spec.access).toBe("export-only");
            expect(spec.volatile).toBe(false);
          }
        }
      }
    });

    it("--split-by-org writes one file per root organization, and the directory is the same config", async () => {
      const out = path.join(dir, "split");
      const run = await orgform("export", "--backend", backend, "--split-by-org", "--out", out, "--quiet");
      expect(run.code, run.stderr).toBe(0);
      expect(fs.readdirSync(out)).toHaveLength(account.length);
      const { config } = loadConfig(out);
      expect(config!.organizations.map((o) => o.key).sort()).toEqual(loadConfig(exported).config!.organizations.map((o) => o.key).sort());
    });

    it("--org exports one organization and everything below it, not authoritative over the account", async () => {
      const first = account[0];
      const run = await orgform("export", "--backend", backend, "--org", first.name, "--quiet");
      expect(run.code, run.stderr).toBe(0);
      const doc = YAML.parse(run.stdout);
      expect(doc.authoritative).toBeUndefined();
      expect(doc.organizations).toHaveLength(countOrganizations([first]));
      expect(doc.organizations[0].parent).toBeUndefined();
    });

    it("refuses an --org that names no organization, writing nothing", async () => {
      const run = await orgform("export", "--backend", backend, "--org", "No Such Organization", "--quiet");
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('no organization has the id or name "No Such Organization"');
      expect(run.stdout).toBe("");
    });
  });

  describe("drift", () => {
    it("finds no drift right after an export (exit 0)", async () => {
      const run = await orgform("drift", "--config", exported, "--quiet");
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(run.stdout).toContain(`no drift: ${backend}, ${size} organization${size === 1 ? "" : "s"} declared: ${size} in sync`);
    });

    /** Writes a config, checks that validate accepts it, and runs `orgform drift --format json` on it. */
    async function driftJson(name: string, config: Record<string, unknown>): Promise<{ run: CliResult; report: DriftReport }> {
      const file = path.join(dir, name);
      fs.writeFileSync(file, YAML.stringify(config));
      expect(loadConfig(file).diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      const run = await orgform("drift", "--config", file, "--format", "json");
      return { run, report: JSON.parse(run.stdout || "null") as DriftReport };
    }

    // Each kind of drift the vendor can have: an unmanaged organization only where the credential
    // sees more than the declared ones, a missing one beside the others only where a config may
    // declare one more (visiblePerCredential), else in a config of its own.
    it("reports each kind of drift in the JSON shape, and exits 2", async () => {
      const doc = YAML.parse(fs.readFileSync(exported, "utf8"));
      const orgs = doc.organizations as Record<string, any>[];
      const [changed, ...rest] = orgs.filter((o) => !o.parent);
      const unmanaged: Record<string, any> | undefined = rest[rest.length - 1];
      changed.name = `${changed.name} Renamed`;
      if (changed.profile) {
        const field = Object.keys(changed.profile)[0];
        changed.profile[field] = aProfile(backend, 0)![field] === changed.profile[field] ? aProfile(backend, 1)![field] : aProfile(backend, 0)![field];
      }
      // The organization's own roles where roles belong to each organization, else the schema's.
      // Members without roles: emails only (no role to change).
      const roles = changed.members && hasMemberRoles(backend) ? await liveRoles(emu, backend, changed.adopt.id) : undefined;
      if (changed.members) {
        const items = changed.members.items as { email: string; role?: string }[];
        const gone = items.pop()!; // live, now declared nowhere
        if (roles) items[0].role = items[0].role === roles.admin ? roles.other : roles.admin;
        items.push(roles ? { email: "newcomer@drift.example", role: roles.other } : { email: "newcomer@drift.example" });
        expect(gone.email).toBeTruthy();
      }
      const moved = orgs.find((o) => o.parent && o.parent !== changed.key);
      if (moved) moved.parent = changed.key;
      const ghost = caps.organization.create ? { key: "ghost", name: "Ghost Organization" } : { key: "ghost", adopt: { name: "Ghost Organization" } };
      const removed = (o: Record<string, any>): boolean => !!unmanaged && (o === unmanaged || (!!o.parent && removed(orgs.find((p) => p.key === o.parent)!)));
      const declared = orgs.filter((o) => !removed(o));
      const limit = caps.organization.visiblePerCredential;
      const ghostFits = limit === null || declared.length < limit;

      const { run, report } = await driftJson("drifted.yaml", { ...doc, organizations: ghostFits ? [...declared, ghost] : declared });
      expect(run.code, run.stderr).toBe(2);
      expect(report.version).toBe(DRIFT_REPORT_VERSION);
      expect(report.drift).toBe(true);
      const byKey = (k: string | null) => report.organizations.find((o) => o.key === k)!;
      expect(byKey(changed.key).state).toBe("changed");
      expect(byKey(changed.key).fields).toContainEqual({ field: "name", kind: "update", live: changed.name.replace(/ Renamed$/, ""), declared: changed.name });
      if (changed.profile) expect(byKey(changed.key).profile).toHaveLength(1);
      if (changed.members) {
        const m = byKey(changed.key).members!;
        expect(m.missing).toEqual([roles ? { email: "newcomer@drift.example", role: roles.other } : { email: "newcomer@drift.example" }]);
        expect(m.unmanaged).toHaveLength(1);
        expect(m.wrongRole).toHaveLength(!roles || roles.admin === roles.other ? 0 : 1);
      }
      if (moved) expect(byKey(moved.key).parent).toEqual({ live: expect.any(String), declared: changed.adopt.id });
      const unmanagedIds = report.organizations.filter((o) => o.state === "unmanaged").map((o) => o.id);
      if (unmanaged) expect(unmanagedIds).toContain(unmanaged.adopt.id);
      else expect(size).toBe(declared.length); // the credential sees no organization beyond the declared ones
      expect(report.summary.unmanaged).toBe(unmanagedIds.length);

      if (ghostFits) expect(byKey("ghost").state).toBe("missing");
      else {
        const alone = await driftJson("missing.yaml", { backend, organizations: [ghost] });
        expect(alone.run.code, alone.run.stderr).toBe(2);
        expect(alone.report.organizations.map((o) => [o.key, o.state, o.id])).toEqual([["ghost", "missing", null]]);
        expect(alone.report.summary).toMatchObject({ declared: 1, missing: 1 });
      }
    });

    it("counts live organizations declared nowhere as drift only where the config is authoritative", async () => {
      const doc = YAML.parse(fs.readFileSync(exported, "utf8"));
      const keep = (doc.organizations as Record<string, any>[]).filter((o) => o.key === doc.organizations[0].key || o.parent === undefined).slice(0, 1);
      const file = path.join(dir, "partial.yaml");
      fs.writeFileSync(file, YAML.stringify({ backend, organizations: keep }));
      const run = await orgform("drift", "--config", file, "--quiet");
      expect(run.code, run.stdout + run.stderr).toBe(0);
      if (size > 1) expect(run.stdout).toContain(`${size - 1} live but undeclared (not drift: the config is not authoritative)`);
      else expect(run.stdout).toBe(`no drift: ${backend}, 1 organization declared: 1 in sync, 0 changed, 0 missing\n`); // the one organization the credential sees
    });

    it.each([
      ["an invalid config", (file: string) => fs.writeFileSync(file, `backend: ${backend}\norganizations:\n  - key: 1 bad key\n`), {}, "is invalid; nothing was sent"],
      ["an API that cannot be reached", (file: string) => fs.copyFileSync(exported, file), { ORGFORM_ENDPOINT: "http://127.0.0.1:9/api" }, "orgform drift:"],
      // Each vendor words its refusal its own way: one line naming the command, whatever it says.
      ["a credential the API refuses", (file: string) => fs.copyFileSync(exported, file), "wrong-credential", /^orgform drift: [^\n]+\n$/],
    ] as const)("exits 1, neither drift nor no drift, on %s", async (_what, prepare, extraEnv, message: string | RegExp) => {
      const file = path.join(dir, "error.yaml");
      prepare(file);
      const overrides: NodeJS.ProcessEnv = {};
      if (extraEnv === "wrong-credential") {
        // The secret parts of the credential are wrong (a user name or client id may be named, a secret never).
        const { method } = emulatorCredentials(backend, emu);
        for (const [part, variable] of Object.entries(method.env)) if (variable && isSecretPart(part)) overrides[variable] = "wrong-credential-value";
        expect(Object.keys(overrides).length).toBeGreaterThan(0);
      }
      else Object.assign(overrides, extraEnv);
      const run = await runOrgform(["drift", "--config", file, "--quiet"], { env: { ...env, ...overrides } });
      expect(run.code).toBe(1);
      expect(run.stdout).toBe("");
      if (typeof message === "string") expect(run.stderr).toContain(message);
      else expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toContain("wrong-credential-value");
      expect(run.stderr).not.toMatch(/\n\s+at /); // one sentence, no stack trace
    }, 60_000);
  });
});

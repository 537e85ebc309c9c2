// A `pulumi up` killed mid-run (SIGKILL to the CLI, its language host and the provider: nothing
// gets to clean up), then exactly the README's recovery steps: it converges, nothing is created
// twice, nothing is lost. Writes that were in flight when the processes died may have committed
// without Pulumi recording them: each vendor's duplicate guard finds those organizations (an
// ownership marker, a client-chosen id), the member lists the members. Run on every backend whose
// capability matrix lets it create organizations.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stackYaml } from "../../bench/stack-config";
import { implementedVendors } from "../../provider/backends";
import type { BackendName } from "../../provider/core/backends";
import { capabilitiesOf } from "../../provider/core/capabilities";
import { liveState, orgformProject, type OrgformProject } from "./orgform-harness";

const ORGS = 12;
const MEMBERS = 2;
const ENGINE_MINUTES = 10 * 60_000;
/** Where roles belong to each organization (no fixed set in the member schema): the standard roles a new Commerce Layer organization has. */
const ORGANIZATION_ROLES = ["Admin", "Read only"];

/**
 * Backends whose capability matrix lets them create organizations and recognise what a dead create
 * committed (an ownership marker, a client-chosen id, unique names). Where nothing tells (AIA
 * Engine), the recovery `up` refuses each such organization by design, naming it to adopt: that
 * path is the SIGKILL case of test/e2e/aiaengine-lifecycle.test.ts.
 */
const CREATING = implementedVendors().filter((b) => {
  const org = capabilitiesOf(b).organization;
  return org.create && (org.ownershipMarker !== undefined || org.clientChosenId || org.nameUniqueness.scope !== "none");
});

/**
 * `ORGS` organizations this stack creates (never adopts), with members where the backend has
 * them. Where one owner may create only so many (ZenML: one), each declares its own owner.
 */
function creatingStack(backend: BackendName): string {
  const org = capabilitiesOf(backend).organization;
  if (org.createsPerOwner === null) return stackYaml({ backend, orgs: ORGS, membersPerOrg: MEMBERS, roles: ORGANIZATION_ROLES });
  const lines = [`backend: ${backend}`, "organizations:"];
  for (let i = 0; i < ORGS; i++) {
    const n = String(i).padStart(5, "0");
    lines.push(`  - key: org-${n}`, `    name: ORG ${n}`, `    ${org.ownerField}: 00000000-0000-4000-8000-${String(i + 1).padStart(12, "0")}`);
  }
  return `${lines.join("\n")}\n`;
}

/** Starts `pulumi up` in its own process group and kills the whole group once `until` holds. */
async function upKilledWhen(p: OrgformProject, until: () => Promise<boolean>): Promise<string> {
  // Two operations at a time: with Pulumi's default of 8 in flight, twelve one-request creates
  // (ZenML) all commit before a kill can land between them.
  const child = spawn("pulumi", ["up", "--yes", "--skip-preview", "--non-interactive", "--parallel", "2"], {
    cwd: p.ws.dir,
    env: p.ws.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.on("close", () => resolve()));
  for (let i = 0; i < 1200 && child.exitCode === null; i++) {
    if (await until()) break;
    await sleep(100);
  }
  if (child.exitCode !== null) throw new Error(`pulumi up ended before it could be interrupted:\n${output}`);
  process.kill(-child.pid!, "SIGKILL");
  await exited;
  return output;
}

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describe.each(CREATING)("an interrupted pulumi up on %s, then the README's recovery steps", (backend: BackendName) => {
  let p: OrgformProject;
  const members = capabilitiesOf(backend).members.supported;

  beforeAll(async () => {
    p = await orgformProject(`interrupted-${backend}`, creatingStack(backend), { backend });
  }, ENGINE_MINUTES);
  afterAll(async () => p?.close());

  it(
    "converges with every organization and member exactly once",
    async () => {
      // Slow writes, so that the kill lands while some are in flight.
      await p.admin("PUT", "/faults", { spec: "latency=400ms,method=POST|PUT|PATCH" });
      const created = async () => (await liveState(p)).organizations.length;
      await upKilledWhen(p, async () => (await created()) >= ORGS / 3);
      // In-flight writes land after the kill: they are what a retry must not repeat.
      await sleep(1000);
      await p.admin("DELETE", "/faults");
      const halfway = await liveState(p);
      expect(halfway.organizations.length).toBeLessThan(ORGS);

      // The recovery README.md documents ("Recovering an interrupted deployment"), step by step.
      // 1. A file backend killed between writing the checkpoint and its metadata leaves an empty
      //    `<stack>.json.attrs` ("failed to load checkpoint: EOF"): remove it.
      for (const f of listFiles(path.join(p.stateDir, ".pulumi", "stacks"))) {
        if (f.endsWith(".json.attrs") && fs.statSync(f).size === 0) fs.rmSync(f);
      }
      // 2. The dead update's lock.
      await p.ws.pulumiOk(["cancel", "--yes"]);
      // 3. Pulumi's pending creates (a create was in flight): dropped, so that `up` creates them;
      //    orgform finds what they committed by the vendor's duplicate guard instead of creating again.
      await p.ws.pulumiOk(["refresh", "--yes", "--skip-preview", "--clear-pending-creates"]);
      const again = await p.ws.pulumi(["up", "--yes", "--skip-preview"]);
      const after = await liveState(p);
      const names = after.organizations.map((o) => o.name);
      // Checked before the exit code: a duplicate is the finding, whatever up then said.
      expect(names.length - new Set(names).size, `organizations created twice: ${names.filter((n, i) => names.indexOf(n) !== i).join(", ")}`).toBe(0);
      expect(again.code, again.stdout + again.stderr).toBe(0);
      expect(after.organizations).toHaveLength(ORGS);
      // What the killed run committed was taken back, not created again: every id it made is still there.
      const ids = new Set(after.organizations.map((o) => o.id));
      expect(halfway.organizations.filter((o) => !ids.has(o.id)).map((o) => o.name)).toEqual([]);
      if (members) {
        const assignments = after.members.map((m) => `${m.org_id}/${m.email.toLowerCase()}`);
        expect(new Set(assignments).size).toBe(assignments.length);
        expect(after.members).toHaveLength(ORGS * MEMBERS);
      }
      await p.ws.pulumiOk(["preview", "--refresh", "--expect-no-changes"]);
    },
    ENGINE_MINUTES,
  );
});

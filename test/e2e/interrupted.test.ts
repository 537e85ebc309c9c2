// A `pulumi up` killed mid-run (SIGKILL to the CLI, its language host and the provider: nothing
// gets to clean up), then `pulumi up` again: it converges, nothing is created twice, nothing is
// lost. Writes that were in flight when the processes died may have committed without Pulumi
// recording them: the ownership marker finds those organizations, the member lists the members.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stackYaml } from "../../bench/stack-config";
import { liveState, orgformProject, type OrgformProject } from "./orgform-harness";

const ORGS = 12;
const MEMBERS = 2;
const ENGINE_MINUTES = 10 * 60_000;

/** Starts `pulumi up` in its own process group and kills the whole group once `until` holds. */
async function upKilledWhen(p: OrgformProject, until: () => Promise<boolean>): Promise<string> {
  const child = spawn("pulumi", ["up", "--yes", "--skip-preview", "--non-interactive"], {
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

describe("an interrupted pulumi up, then pulumi up again", () => {
  let p: OrgformProject;

  beforeAll(async () => {
    p = await orgformProject("interrupted", stackYaml({ backend: "cloudflare", orgs: ORGS, membersPerOrg: MEMBERS }));
  }, ENGINE_MINUTES);
  afterAll(async () => p?.close());

  it(
    "converges with every organization and member exactly once",
    async () => {
      // Slow writes, so that the kill lands while some are in flight.
      await p.admin("PUT", "/faults", { spec: "latency=400ms,method=POST|PUT" });
      const created = async () => (await liveState(p)).organizations.length;
      await upKilledWhen(p, async () => (await created()) >= ORGS / 3);
      // In-flight writes land after the kill: they are what a retry must not repeat.
      await sleep(1000);
      await p.admin("DELETE", "/faults");
      const halfway = await liveState(p);
      expect(halfway.organizations.length).toBeLessThan(ORGS);
      await p.admin("DELETE", "/counters");

      // The recovery README.md documents ("Recovering an interrupted deployment"), step by step.
      // 1. A file backend killed between writing the checkpoint and its metadata leaves an empty
      //    `<stack>.json.attrs` ("failed to load checkpoint: EOF"): remove it.
      for (const f of listFiles(path.join(p.stateDir, ".pulumi", "stacks"))) {
        if (f.endsWith(".json.attrs") && fs.statSync(f).size === 0) fs.rmSync(f);
      }
      // 2. The dead update's lock.
      await p.ws.pulumiOk(["cancel", "--yes"]);
      // 3. Pulumi's pending creates (a create was in flight): dropped, so that `up` creates them;
      //    orgform finds what they committed by its ownership marker instead of creating again.
      await p.ws.pulumiOk(["refresh", "--yes", "--skip-preview", "--clear-pending-creates"]);
      const again = await p.ws.pulumi(["up", "--yes", "--skip-preview"]);
      expect(again.code, again.stdout + again.stderr).toBe(0);
      const { organizations, members } = await liveState(p);
      const names = organizations.map((o) => o.name);
      expect(new Set(names).size).toBe(names.length);
      expect(organizations).toHaveLength(ORGS);
      const assignments = members.map((m) => `${m.org_id}/${m.email}`);
      expect(new Set(assignments).size).toBe(assignments.length);
      expect(members).toHaveLength(ORGS * MEMBERS);
      // Not even attempted twice: what the killed run committed was taken back, not sent again
      // (the emulator's name uniqueness would have refused a second one; here none was asked).
      const posts = (await p.admin("GET", "/counters")).dialects[p.backend].routes["POST /organizations"]?.count ?? 0;
      expect(posts).toBe(ORGS - halfway.organizations.length);
      await p.ws.pulumiOk(["preview", "--refresh", "--expect-no-changes"]);
    },
    ENGINE_MINUTES,
  );
});

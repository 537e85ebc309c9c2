// A wrong endpoint never empties the state and an answer that is not the vendor's is never taken
// as one (issue 23, items 2 and 3), through the real engine and the CLI: a small stack applied on
// the emulator, then the endpoint pointed at the hostile server (test/support/hostile-server.ts).
// `pulumi refresh` against 404-everywhere fails and keeps every resource; refresh, `orgform export`,
// `orgform drift` and `orgform plan --refresh` against an HTML page each exit 1 within 30 s with one
// line naming the endpoint, no stack trace, no TypeError.
//
// What differs by vendor is whether its adapter recognises its own error shape: every read a
// refresh, an export and a drift make (organizations, profiles, members, a credential exchange),
// on every backend, is held to that in test/integration/hostile-server.test.ts. What is tested
// here, that a failed read keeps the state and reaches the user as one line, is the handlers',
// the engine's and the CLI's, the same for every vendor: it runs once, on a stack with every kind
// of resource (an organization, its profile and its members).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runOrgform } from "../support/cli";
import { startHostileServer, type HostileServer } from "../support/hostile-server";
import type { RunResult } from "./harness";
import { orgformProject, type OrgformProject } from "./orgform-harness";

const backend = "cloudflare";
const DESIRED = `backend: cloudflare
organizations:
  - key: acme
    name: Acme Hostile
    profile: { business_email: legal@acme.example }
    members:
      mode: authoritative
      items:
        - { email: cto@acme.example }
`;

const output = (r: RunResult) => r.stdout + r.stderr;
/** Lines of a Node.js stack trace, or the traces the engine prints from the gRPC layer. */
const TRACE = /^\s+at .+\(.*:\d+:\d+\)|^\s+at \S+:\d+:\d+|google-protobuf|TypeError/m;

let hostile: HostileServer;
beforeAll(async () => {
  hostile = await startHostileServer();
});
afterAll(async () => hostile?.close());

describe("a stack pointed at a server that is not its API", { timeout: 600_000 }, () => {
  let p: OrgformProject;
  let managed: string[];
  const resources = async () =>
    (JSON.parse((await p.ws.pulumiOk(["stack", "export"])).stdout).deployment.resources as { urn: string; type: string }[])
      .filter((r) => r.type.startsWith("pulumi-nodejs:dynamic"))
      .map((r) => r.urn)
      .sort();
  const at = (mode: "html" | "404") => ({ ...p.ws.env, ORGFORM_ENDPOINT: hostile.endpoint(mode) });
  /** One command against the HTML server: exit 1 within 30 s, one line naming the endpoint, no trace. */
  const expectOneLineError = (r: RunResult, seconds: number, oneLine = true) => {
    const endpoint = hostile.endpoint("html");
    expect(r.code, output(r)).toBe(1);
    expect(seconds, output(r)).toBeLessThan(30);
    expect(output(r)).toContain(endpoint);
    expect(output(r)).not.toMatch(TRACE);
    if (oneLine) expect(r.stderr.trim().split("\n"), r.stderr).toHaveLength(1);
  };
  const timed = async (run: () => Promise<RunResult>) => {
    const started = Date.now();
    const r = await run();
    return { r, seconds: (Date.now() - started) / 1000 };
  };

  beforeAll(async () => {
    p = await orgformProject(`hostile-${backend}`, DESIRED, { backend });
    await p.ws.pulumiOk(["up", "--yes", "--skip-preview"]);
    managed = await resources();
  }, 300_000);
  afterAll(async () => p?.close());

  it("keeps every resource in state when refresh meets 404 on every route (not the vendor's error shape)", async () => {
    expect(managed.map((urn) => urn.replace(/^.*::/, ""))).toEqual(["acme", "acme-members", "acme-profile"]);
    const r = await p.ws.pulumi(["refresh", "--yes", "--skip-preview"], { env: at("404") });
    expect(r.code, output(r)).not.toBe(0);
    expect(output(r)).toContain(hostile.endpoint("404"));
    expect(output(r)).not.toMatch(/ deleted \(|\d+ deleted/);
    expect(await resources()).toEqual(managed);
  });

  it("fails refresh against an HTML page with the endpoint named and no stack trace, state unchanged", async () => {
    const { r, seconds } = await timed(() => p.ws.pulumi(["refresh", "--yes", "--skip-preview"], { env: at("html") }));
    expectOneLineError(r, seconds, false);
    expect(await resources()).toEqual(managed);
  });

  it("fails orgform export against an HTML page: exit 1, one line, nothing exported", async () => {
    const { r, seconds } = await timed(() => runOrgform(["export", "--backend", backend, "--quiet"], { env: at("html"), cwd: p.ws.dir }));
    expectOneLineError(r, seconds);
    expect(r.stdout).toBe("");
  });

  it("fails orgform drift against an HTML page with exit 1 (an error), never 2 (drift)", async () => {
    const { r, seconds } = await timed(() => runOrgform(["drift", "--config", p.configFile, "--quiet"], { env: at("html"), cwd: p.ws.dir }));
    expectOneLineError(r, seconds);
  });

  it("fails orgform plan --refresh against an HTML page with exit 1 and the endpoint named", async () => {
    const { r, seconds } = await timed(() => runOrgform(["plan", "--stack", "e2e", "--cwd", p.ws.dir, "--refresh"], { env: at("html"), cwd: p.ws.dir }));
    expectOneLineError(r, seconds);
  });

  it("still reads everything from the right endpoint afterwards, a retry shown as a diagnostic: a refreshing preview has no changes", async () => {
    // The first read meets a 502: retried, and told in one line that the engine shows.
    await p.admin("PUT", "/faults", { spec: `error=1:502,count=1,method=GET,dialect=${backend}` });
    const r = await p.ws.pulumiOk(["preview", "--refresh", "--expect-no-changes"]);
    await p.admin("DELETE", "/faults");
    expect(output(r)).not.toMatch(/\+ \d+ to create/);
    expect(output(r)).toMatch(/warning: GET http:\/\/127\.0\.0\.1:\d+\/\S+: HTTP 502; attempt 1 of \d+ failed, retrying in \d+\.\d s/);
  });
});

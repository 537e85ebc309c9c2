// The way users consume orgform: a GitOps repository outside this one that installs the packed
// package and holds only Pulumi.yaml, the YAML desired state and a three-line program.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type StartedEmulator } from "../../emulator";
import { makeTempDir, repoRoot, workspace, type RunResult, type Workspace } from "./harness";
import { readTree } from "./orgform-harness";

const TOKEN = "gitops-credential-93b0e1f7a2c4d856";
const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8"));

describe("a GitOps repository that installs the packed orgform", () => {
  let emulator: StartedEmulator;
  let ws: Workspace;
  let root: string;
  const printed: RunResult[] = [];

  beforeAll(async () => {
    root = makeTempDir("gitops");
    const repo = path.join(root, "repo");
    fs.mkdirSync(path.join(repo, "orgs"), { recursive: true });
    // --ignore-scripts: `prepare` would rebuild dist/ (pretest built it) while files running
    // beside this one load it.
    const tarball = execFileSync("npm", ["pack", "--silent", "--ignore-scripts", "--pack-destination", root], { cwd: repoRoot, encoding: "utf8" }).trim().split("\n").pop()!;
    fs.writeFileSync(
      path.join(repo, "package.json"),
      JSON.stringify(
        {
          name: "acme-orgs",
          private: true,
          dependencies: { orgform: `file:${path.join(root, tarball)}`, "@pulumi/pulumi": pkg.devDependencies["@pulumi/pulumi"] },
        },
        null,
        2,
      ),
    );
    // Mostly from npm's cache: the registry has served nearly all of these to this machine already.
    // Install scripts stay off, as npm 11 leaves them for a project that has not approved them:
    // the provider needs none (only the emulator's SQLite does).
    execFileSync("npm", ["install", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: repo, stdio: "inherit" });
    fs.writeFileSync(path.join(repo, "Pulumi.yaml"), "name: acme-orgs\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.js\n");
    fs.writeFileSync(
      path.join(repo, "index.js"),
      'const orgform = require("orgform");\nexports.organizations = orgform.outputsOf(orgform.declareOrganizations(orgform.loadDesiredState("orgs")));\n',
    );
    for (const f of fs.readdirSync(path.join(repoRoot, "examples", "quickstart"))) {
      fs.copyFileSync(path.join(repoRoot, "examples", "quickstart", f), path.join(repo, "orgs", f));
    }
    emulator = await startEmulator({ port: 0, db: ":memory:", credentials: { apiToken: TOKEN } });
    ws = workspace(repo, { ORGFORM_ENDPOINT: emulator.baseUrls.cloudflare });
    await ws.pulumiOk(["stack", "init", "prod"]);
    // The credential lives in the stack config, encrypted: what a GitOps repo commits.
    await ws.pulumiOk(["config", "set", "--secret", "orgform:token", TOKEN]);
  }, 240_000);
  afterAll(async () => emulator?.close());

  it("holds nothing but Pulumi.yaml, the YAML, a short program and what npm installed", () => {
    const files = fs.readdirSync(ws.dir).filter((f) => f !== "node_modules").sort();
    expect(files).toEqual(["Pulumi.prod.yaml", "Pulumi.yaml", "index.js", "orgs", "package-lock.json", "package.json"]);
    expect(fs.readFileSync(path.join(ws.dir, "index.js"), "utf8").trim().split("\n").length).toBeLessThanOrEqual(3);
    // The installed orgform is the packed copy, not a link back to this repository.
    expect(fs.lstatSync(path.join(ws.dir, "node_modules", "orgform")).isSymbolicLink()).toBe(false);
  });

  it("creates the organizations with pulumi up", async () => {
    printed.push(await ws.pulumiOk(["up", "--yes", "--skip-preview"]));
    const res = await fetch(`${emulator.url}/_admin/state?backend=cloudflare`, { headers: { authorization: `Bearer ${emulator.credentials.adminToken}` } });
    const state = (await res.json()) as { organizations: { name: string }[] };
    expect(state.organizations.map((o) => o.name).sort()).toEqual(["Acme Americas", "Acme Europe", "Acme Group"]);
  });

  it("previews no changes right after", async () => {
    printed.push(await ws.pulumiOk(["preview", "--expect-no-changes"]));
    printed.push(await ws.pulumiOk(["preview", "--refresh", "--expect-no-changes"]));
  });

  it("keeps the stack-config credential out of state and output", () => {
    const state = readTree(path.join(root, "state"));
    expect(state).toContain("orgform:Organization");
    expect(state).not.toContain(TOKEN);
    expect(printed.map((r) => r.stdout + r.stderr).join("\n")).not.toContain(TOKEN);
  });
});

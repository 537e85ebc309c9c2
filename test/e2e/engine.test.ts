// The engine bootstrap, proven by the smallest end-to-end run: real `pulumi` CLI, real Node.js
// language host, a dynamic resource whose provider writes a file. A preview with no changes and a
// convergence by `up --refresh` are what every orgform end-to-end file asks of the same engine.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { linkPulumiSdk, makeTempDir, repoRoot, workspace, type Workspace } from "./harness";

const fixture = path.join(__dirname, "fixtures", "engine-smoke");

/** Compiles the fixture with tsc ahead of time and lays it out as an installed project. */
function buildProject(root: string): string {
  const build = path.join(root, "build");
  execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", fixture, "--outDir", build], {
    cwd: repoRoot,
    stdio: "inherit",
  });
  const project = path.join(root, "project");
  const providerPkg = path.join(project, "node_modules", "engine-smoke-provider");
  fs.mkdirSync(providerPkg, { recursive: true });
  fs.copyFileSync(path.join(build, "program", "index.js"), path.join(project, "index.js"));
  fs.copyFileSync(path.join(build, "provider", "index.js"), path.join(providerPkg, "index.js"));
  fs.writeFileSync(path.join(providerPkg, "package.json"), JSON.stringify({ name: "engine-smoke-provider", main: "index.js" }));
  fs.writeFileSync(
    path.join(project, "package.json"),
    JSON.stringify({ name: "engine-smoke", private: true, main: "index.js" }, null, 2),
  );
  fs.writeFileSync(
    path.join(project, "Pulumi.yaml"),
    "name: engine-smoke\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.js\n",
  );
  linkPulumiSdk(project);
  return project;
}

describe("the Pulumi engine on this machine", () => {
  let ws: Workspace;
  let target: string;
  let notePath: string;

  beforeAll(async () => {
    const root = makeTempDir("engine");
    target = path.join(root, "target");
    fs.mkdirSync(target);
    notePath = path.join(target, "note.txt");
    ws = workspace(buildProject(root));
    await ws.pulumiOk(["login", `file://${path.join(root, "state")}`]);
    await ws.pulumiOk(["stack", "init", "smoke"]);
    await ws.pulumiOk(["config", "set", "dir", target]);
    await ws.pulumiOk(["config", "set", "content", "hello"]);
  });

  it("reports the release we build", async () => {
    const r = await ws.pulumiOk(["version"]);
    expect(r.stdout.trim()).toMatch(/^v3\.\d+\.\d+/);
  });

  it("creates the file with pulumi up", async () => {
    await ws.pulumiOk(["up", "--yes", "--skip-preview"]);
    expect(fs.readFileSync(notePath, "utf8")).toBe("hello");
    const out = await ws.pulumiOk(["stack", "output", "path"]);
    expect(out.stdout.trim()).toBe(notePath);
  });

  it("updates the file in place when an input changes", async () => {
    await ws.pulumiOk(["config", "set", "content", "hello again"]);
    const r = await ws.pulumiOk(["up", "--yes", "--skip-preview"]);
    expect(r.stdout).toMatch(/1 updated/);
    expect(fs.readFileSync(notePath, "utf8")).toBe("hello again");
  });

  it("fails a refreshing preview when the file changed out of band", async () => {
    fs.writeFileSync(notePath, "edited by hand");
    const r = await ws.pulumi(["preview", "--refresh", "--expect-no-changes"]);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/orgform:SmokeFile/);
    // A plain preview (no refresh) knows nothing of the edit: the engine compares with state only.
    await ws.pulumiOk(["preview", "--expect-no-changes"]);
  });

  it("removes the file with pulumi destroy", async () => {
    await ws.pulumiOk(["destroy", "--yes", "--skip-preview"]);
    expect(fs.existsSync(notePath)).toBe(false);
    const state = await ws.pulumiOk(["stack", "export"]);
    expect(JSON.parse(state.stdout).deployment.resources ?? []).toHaveLength(0);
  });
});

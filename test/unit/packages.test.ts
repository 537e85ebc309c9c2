// Two packages in one repository: the provider (root `orgform`) and the emulator (`@orgform/emulator`
// in emulator/). A GitOps repository installs the provider alone, so the provider never depends on
// the emulator's server or store, and the CLI finds the emulator by package name, or says how to
// install it (provider/cli/emulator.ts).
import * as fs from "node:fs";
import { builtinModules, createRequire } from "node:module";
import * as path from "node:path";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import * as emulatorFolder from "../../emulator";
import * as emulatorApp from "../../emulator/app";
import { EMULATOR_MISSING, EMULATOR_PACKAGE, loadEmulator, registerEmulatorCommand } from "../../provider/cli/emulator";
import { packageRoot } from "../../provider/core/paths";

const root = packageRoot();

interface Manifest {
  name: string;
  dependencies: Record<string, string>;
  peerDependencies?: Record<string, string>;
  files: string[];
  exports: Record<string, unknown>;
  workspaces?: string[];
}
const manifest = (dir: string) => JSON.parse(fs.readFileSync(path.join(root, dir, "package.json"), "utf8")) as Manifest;
const provider = manifest(".");
const emulator = manifest("emulator");

/** The packages (by name) each .ts source file below `dir` imports, builtins left out. */
function importsBelow(dir: string): Array<{ file: string; pkg: string }> {
  const out: Array<{ file: string; pkg: string }> = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== "dist" && e.name !== "node_modules") walk(full);
      } else if (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) {
        for (const m of fs.readFileSync(full, "utf8").matchAll(/\b(?:from|import|import\(|require\()\s*["']([^"'.\s][^"'\s]*)["']/g)) {
          const pkg = m[1].split("/").slice(0, m[1].startsWith("@") ? 2 : 1).join("/");
          if (!pkg.startsWith("node:") && !builtinModules.includes(pkg)) out.push({ file: path.relative(root, full), pkg });
        }
      }
    }
  };
  walk(path.join(root, dir));
  return out;
}

describe("the package split", () => {
  it("keeps the emulator a workspace of its own, whose code imports only its own dependencies", () => {
    expect(emulator.name).toBe(EMULATOR_PACKAGE);
    expect(provider.workspaces).toEqual(["emulator"]);
    const undeclared = importsBelow("emulator").filter(({ pkg }) => !(pkg in emulator.dependencies));
    expect(undeclared).toEqual([]);
    expect(Object.keys(emulator.dependencies)).toEqual(expect.arrayContaining(["fastify", "better-sqlite3"]));
  });

  it("runs the emulator's TypeScript source in tests, not its build (vitest.config.mts)", () => {
    expect(emulatorFolder.startEmulator).toBe(emulatorApp.startEmulator);
  });

  it("ships the provider without the emulator: no server, no SQLite binding, no dist/emulator", () => {
    expect(Object.keys(provider.dependencies)).not.toContain("fastify");
    expect(Object.keys(provider.dependencies)).not.toContain("better-sqlite3");
    expect(Object.keys(provider.dependencies)).not.toContain(EMULATOR_PACKAGE);
    expect(provider.files.filter((f) => f.includes("emulator"))).toEqual([]);
    expect(Object.entries(provider.exports).filter(([k, v]) => `${k} ${JSON.stringify(v)}`.includes("emulator"))).toEqual([]);
    // What the provider's code imports, a consumer gets from the provider's own dependencies.
    const runtime = { ...provider.dependencies, ...provider.peerDependencies };
    expect(importsBelow("provider").filter(({ pkg }) => !(pkg in runtime))).toEqual([]);
  });
});

describe("loadEmulator", () => {
  const notFound = (id: string): never => {
    throw Object.assign(new Error(`Cannot find module '${id}'`), { code: "MODULE_NOT_FOUND" });
  };

  it("answers the install sentence when the package does not resolve", () => {
    expect(loadEmulator(notFound, () => ({}))).toEqual({ ok: false, message: EMULATOR_MISSING });
    expect(EMULATOR_MISSING).toBe(
      "the emulator is a separate package, @orgform/emulator, not installed here: run `npm install --save-dev @orgform/emulator` in this project.",
    );
  });

  it("lets any other failure through with its own message (a broken install is not a missing one)", () => {
    const denied = (): never => {
      throw Object.assign(new Error("EACCES: permission denied"), { code: "EACCES" });
    };
    expect(() => loadEmulator(denied, () => ({}))).toThrow("EACCES: permission denied");
    expect(() => loadEmulator(() => "/x/index.js", () => ({}))).toThrow(`${EMULATOR_PACKAGE} at /x/index.js exports no registerEmulator`);
  });

  it("registers the package's own command when it resolves (this repository's workspace)", () => {
    const req = createRequire(path.join(root, "provider", "cli", "index.ts"));
    const loaded = loadEmulator(req.resolve, req);
    expect(loaded.ok).toBe(true);
    const program = new Command("orgform");
    registerEmulatorCommand(program, loaded);
    const command = program.commands.find((c) => c.name() === "emulator");
    expect(command?.options.map((o) => o.long)).toContain("--faults");
  });

  it("registers a stand-in `emulator` command that fails with the sentence when it does not", async () => {
    const program = new Command("orgform").exitOverride();
    registerEmulatorCommand(program, loadEmulator(notFound, () => ({})));
    expect(program.commands.map((c) => c.name())).toEqual(["emulator"]);
    await expect(program.parseAsync(["node", "orgform", "emulator", "--port", "0", "--db", "x.db"])).rejects.toThrow(EMULATOR_MISSING);
  });
});

// The program behind the root Pulumi.yaml: the YAML desired state named by stack config
// `orgform:config` (default examples/quickstart) becomes orgform resources.
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { declareOrganizations, loadDesiredState, outputsOf } from "./declare";

/**
 * The directory holding Pulumi.yaml. The language host may start the program in the directory of
 * `main` (here dist/provider/program), so relative paths are taken from the project, not the cwd.
 */
function projectRoot(): string {
  const hasProject = (dir: string) => fs.existsSync(path.join(dir, "Pulumi.yaml")) || fs.existsSync(path.join(dir, "Pulumi.yml"));
  // Newer language hosts tell the root; older ones (and ours, see scripts/pulumi-engine) do not.
  const fromEngine = pulumi.runtime.getRootDirectory();
  if (fromEngine && path.isAbsolute(fromEngine) && hasProject(fromEngine)) return fromEngine;
  for (let dir = process.cwd(); ; dir = path.dirname(dir)) {
    if (hasProject(dir)) return dir;
    if (path.dirname(dir) === dir) return process.cwd();
  }
}

const config = new pulumi.Config("orgform");
const desired = loadDesiredState(path.resolve(projectRoot(), config.get("config") ?? "examples/quickstart"));

export const backend = desired.backend;
export const organizations = outputsOf(declareOrganizations(desired));

import * as fs from "node:fs";
import * as path from "node:path";
import { packageRoot } from "../../provider/core/paths";

/** Every *.yaml under examples/ (recursively). */
export function exampleFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      // emulator-seeds/ holds seed documents for `npm start`, ci/ CI workflows: not desired state.
      if (entry.isDirectory()) {
        if (entry.name !== "emulator-seeds" && entry.name !== "ci") walk(full);
      }
      else if (/\.ya?ml$/.test(entry.name) && entry.name !== "Pulumi.yaml" && !entry.name.startsWith("Pulumi.")) out.push(full);
    }
  };
  walk(path.join(packageRoot(), "examples"));
  return out.sort();
}

/** The example configs: each quickstart directory is one config, each backend file another. */
export function exampleConfigs(): string[] {
  const root = path.join(packageRoot(), "examples");
  const configs: string[] = [];
  const quickstart = path.join(root, "quickstart");
  const backends = path.join(root, "backends");
  // A missing folder fails here rather than leaving its examples silently untested.
  for (const dir of [quickstart, backends]) if (!fs.existsSync(dir)) throw new Error(`example folder ${path.relative(packageRoot(), dir)} not found (looked at ${dir})`);
  configs.push(quickstart);
  for (const f of fs.readdirSync(backends).sort()) if (/\.ya?ml$/.test(f)) configs.push(path.join(backends, f));
  return configs;
}

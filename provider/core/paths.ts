import * as fs from "node:fs";
import * as path from "node:path";

let cachedRoot: string | undefined;

/**
 * The orgform package root: the nearest ancestor of this file holding a package.json named
 * "orgform". Works from `provider/core` (vitest, ts sources) and `dist/provider/core` (compiled).
 */
export function packageRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = __dirname;
  for (;;) {
    const candidate = path.join(dir, "package.json");
    if (fs.existsSync(candidate)) {
      try {
        const pkg = JSON.parse(fs.readFileSync(candidate, "utf8")) as { name?: string };
        if (pkg.name === "orgform") {
          cachedRoot = dir;
          return dir;
        }
      } catch {
        // not ours; keep walking
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the orgform package root above ${__dirname}`);
    dir = parent;
  }
}

/** Absolute path of the `schemas/` directory shipped with the package. */
export function schemasDir(): string {
  return path.join(packageRoot(), "schemas");
}

// The `__provider` text every orgform resource carries in state, loaded the way Pulumi's Node.js
// dynamic provider loads it (`require-from-string`, then `handler()`), from the repository root as
// the project directory: the text of this version, and the closure that the previous version
// serialized into existing stacks' state, which must keep working after an upgrade.
import * as fs from "node:fs";
import * as path from "node:path";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { providerSource, type HandlersModule } from "../../../provider/resources/provider";

const repoRoot = path.resolve(__dirname, "../../..");
// The SDK's own loader, as its dynamic provider (cmd/dynamic-provider) requires it.
const requireFromString = createRequire(require.resolve("@pulumi/pulumi/package.json"))("require-from-string") as (code: string) => {
  handler: () => Record<string, (...args: unknown[]) => Promise<any>>;
};
const handlersModules: HandlersModule[] = [
  "provider/resources/handlers/organization",
  "provider/resources/handlers/profile",
  "provider/resources/handlers/members",
  "provider/resources/handlers/member",
];
const methods = ["configure", "check", "diff", "create", "read", "update", "delete"];

/** `check` of an input naming no backend orgform has: answered with a failure, never thrown. */
async function checkUnknownBackend(provider: Record<string, (...args: unknown[]) => Promise<any>>) {
  return provider.check({}, { backend: "no-such-vendor", fields: {} });
}

describe("the serialized provider in state", () => {
  it("is one line per resource type that loads the installed package by name, holding no path", () => {
    for (const handlers of handlersModules) {
      const text = providerSource(handlers);
      expect(text.length).toBeLessThan(300);
      expect(text.split("\n")).toHaveLength(1);
      expect(text).not.toContain(repoRoot);
      expect(text).toContain(`("orgform/provider/resources/provider").hostedProvider("${handlers}")`);
    }
  });

  it("loads, as the dynamic provider loads it, into the provider of its type: the same object for every resource", async () => {
    expect(process.cwd()).toBe(repoRoot); // the project directory the engine starts the provider in
    for (const handlers of handlersModules) {
      const provider = requireFromString(providerSource(handlers)).handler();
      expect(Object.keys(provider).sort()).toEqual([...methods].sort());
      expect(requireFromString(providerSource(handlers)).handler()).toBe(provider);
    }
    const organization = requireFromString(providerSource("provider/resources/handlers/organization")).handler();
    const { inputs, failures } = await checkUnknownBackend(organization);
    expect(inputs.backend).toBe("no-such-vendor");
    expect(failures).toEqual([expect.objectContaining({ property: "backend" })]);
  });

  it("still runs the closure the previous version serialized into existing stacks, with the same answers", async () => {
    const v1 = fs.readFileSync(path.join(repoRoot, "test/fixtures/state/serialized-provider-v1.js.txt"), "utf8");
    expect(v1).toContain('handlers: "provider/resources/handlers/organization"');
    const old = requireFromString(v1).handler();
    expect(Object.keys(old).sort()).toEqual([...methods].sort());
    const current = requireFromString(providerSource("provider/resources/handlers/organization")).handler();
    expect(await checkUnknownBackend(old)).toEqual(await checkUnknownBackend(current));
    const olds = { backend: "cloudflare", key: "acme", fields: { name: "Acme" }, parentId: null, live: { name: "Acme" }, liveParentId: null };
    const news = { ...olds, fields: { name: "Acme Corp" } };
    expect(await old.diff("org-1", olds, news)).toEqual(await current.diff("org-1", olds, news));
    expect((await current.diff("org-1", olds, news)).changes).toBe(true);
  });
});

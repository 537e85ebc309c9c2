import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { runValidate } from "../../../provider/cli/validate";
import { loadConfig, parentKeyOf } from "../../../provider/config";
import { BACKENDS } from "../../../provider/core/backends";
import { packageRoot } from "../../../provider/core/paths";
import { exampleConfigs } from "../examples-list";

const examples = exampleConfigs().map((p) => [path.relative(packageRoot(), p), p] as const);

describe("the examples", () => {
  it.each(examples)("%s validates without diagnostics", (_name, target) => {
    const { config, diagnostics } = loadConfig(target);
    // Only the warning that two stacks adopting one of its organizations could not be told apart, where the backend has no ownership marker.
    expect(diagnostics.filter((d) => d.code !== "unguarded-adoption")).toEqual([]);
    expect(config).toBeDefined();
    expect(runValidate(target).exitCode).toBe(0);
  });

  it("cover every backend", () => {
    const backends = new Set(examples.map(([, p]) => loadConfig(p).config?.backend));
    expect([...backends].sort()).toEqual([...BACKENDS].sort());
  });

  it("include a Cloudflare quickstart with a parent, two sub-organizations, profiles and members (emails: Cloudflare members have no roles)", () => {
    const { config } = loadConfig(path.join(packageRoot(), "examples", "quickstart"));
    expect(config?.backend).toBe("cloudflare");
    const orgs = config!.organizations;
    const root = orgs.filter((o) => !o.parent);
    const children = orgs.filter((o) => parentKeyOf(o) === root[0]?.key);
    expect(root).toHaveLength(1);
    expect(children).toHaveLength(2);
    expect(orgs.every((o) => o.profile !== undefined)).toBe(true);
    const members = orgs.flatMap((o) => o.members?.items ?? []);
    expect(members.length).toBeGreaterThanOrEqual(3);
    expect(members.every((m) => m.role === undefined)).toBe(true);
  });
});

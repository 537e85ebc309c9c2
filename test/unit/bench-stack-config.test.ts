// The benchmarks' and scale tests' desired states (bench/stack-config.ts) for every backend: each
// declares only what the backend's capability matrix has, the loader accepts it as written, and
// sizeOf counts the objects the loaded config holds.
import { describe, expect, it } from "vitest";
import { adoptsOrganizations, maxOrganizations, seedDocument, sizeOf, stackYaml, type StackShape } from "../../bench/stack-config";
import { hasErrors, loadConfigText, renderDiagnostics } from "../../provider/config";
import { BACKENDS, type BackendName } from "../../provider/core/backends";
import { capabilitiesOf } from "../../provider/core/capabilities";
import { memberRoles } from "../../provider/core/roles";

/** Roles where they belong to each organization: any names do for the loader (resolved live). */
const shapeFor = (backend: BackendName, orgs = 12, membersPerOrg = 3): StackShape => ({
  backend,
  orgs: Math.min(orgs, maxOrganizations(backend) ?? orgs),
  membersPerOrg,
  ...(memberRoles(backend).values ? {} : { roles: ["Admin", "Read only"] }),
});

describe.each(BACKENDS)("bench/stack-config on %s", (backend) => {
  const caps = capabilitiesOf(backend);

  it("is a valid desired state that declares only what the backend has, counted by sizeOf", () => {
    const shape = shapeFor(backend);
    const { config, diagnostics } = loadConfigText(stackYaml(shape), "orgs.yaml");
    expect(hasErrors(diagnostics), renderDiagnostics(diagnostics)).toBe(false);
    const orgs = config!.organizations;
    expect(orgs).toHaveLength(shape.orgs);
    expect(orgs.some((o) => o.parent)).toBe(caps.hierarchy.supported && shape.orgs >= 10);
    expect(orgs.filter((o) => o.profile).length).toBe(sizeOf(shape).profiles);
    expect(orgs.flatMap((o) => o.members?.items ?? []).length).toBe(sizeOf(shape).members);
    const size = sizeOf(shape);
    expect(size.objects).toBe(size.organizations + size.profiles + size.members);
    expect(size.members).toBe(caps.members.supported ? shape.orgs * shape.membersPerOrg : 0);
  });

  it("adopts seeded organizations where the backend cannot create them all, each seeded under its own owner where creates are limited per owner", () => {
    const shape = shapeFor(backend);
    const { config } = loadConfigText(stackYaml(shape), "orgs.yaml");
    const adopts = adoptsOrganizations(backend);
    expect(adopts).toBe(!caps.organization.create || caps.organization.createsPerOwner !== null);
    expect(config!.organizations.every((o) => (o.adopt?.name !== undefined) === adopts)).toBe(true);
    const seed = seedDocument(shape) as Record<string, { organizations: Record<string, unknown>[] }> | undefined;
    if (!adopts) return expect(seed).toBeUndefined();
    const seeded = seed![backend]!.organizations;
    expect(seeded.map((o) => o.name)).toEqual(config!.organizations.map((o) => o.adopt!.name));
    const owner = caps.organization.ownerField;
    if (caps.organization.createsPerOwner !== null && owner) expect(new Set(seeded.map((o) => o[owner])).size).toBe(seeded.length);
  });
});

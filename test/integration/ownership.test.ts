// One manager per organization: the Organization handler, against the emulator over HTTP, on
// every backend whose capability matrix names a field for orgform's ownership marker. An
// organization another stack created (its marker) is refused to an adoption before any write,
// naming that stack; `takeOver: true` adopts it and rewrites the marker, after which the first
// stack's adoption is refused in turn. Unmarked organizations are adopted without a write.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type StartedEmulator } from "../../emulator";
import { implementedVendors, openBackend } from "../../provider/backends";
import { resolveConnection } from "../../provider/config/connection";
import type { BackendName } from "../../provider/core/backends";
import { capabilitiesOf } from "../../provider/core/capabilities";
import { isOrgformError } from "../../provider/core/errors";
import { adoptionOwnership } from "../../provider/resources/handlers/ownership";
import { create, type OrganizationInputs } from "../../provider/resources/handlers/organization";
import { emulatorCredentialEnv } from "../../scripts/emulator-credentials";

const MARKED = implementedVendors().filter((b) => capabilitiesOf(b).organization.ownershipMarker);

describe("adoptionOwnership", () => {
  const found = { id: "o1", name: "Acme", marker: "orgform:orgs/prod/acme" };
  it.each([
    ["adopts an organization without a marker", { ...found, marker: undefined }, "orgform:orgs/staging/acme", false, "adopt"],
    ["adopts one carrying this stack's own marker for this key", found, "orgform:orgs/prod/acme", false, "adopt"],
    ["refuses one carrying another stack's marker", found, "orgform:orgs/staging/acme", false, "refuse"],
    ["refuses one carrying this stack's marker for another key (declared twice)", found, "orgform:orgs/prod/acme-2", false, "refuse"],
    ["takes over one carrying another stack's marker when told to", found, "orgform:orgs/staging/acme", true, "take-over"],
    ["writes nothing for takeOver where there is no marker to rewrite", { ...found, marker: undefined }, "orgform:orgs/staging/acme", true, "adopt"],
  ] as const)("%s", (_name, f, ownMarker, takeOver, action) => {
    expect(adoptionOwnership({ key: "acme", found: f, ownMarker, takeOver, adopt: { name: "Acme" } }).action).toBe(action);
  });

  it("names the managing stack and says how to move the organization", () => {
    expect(adoptionOwnership({ key: "acme", found, ownMarker: "orgform:orgs/staging/acme", takeOver: false, adopt: { name: "Acme" } })).toEqual({
      action: "refuse",
      message:
        'cannot adopt organization acme: "Acme" (o1) is managed by stack orgs/prod (as "acme"), whose ownership marker it carries; one organization has one manager, ' +
        "so nothing was written. To move it to this stack, remove it from that stack's config and declare adopt: {name: \"Acme\", takeOver: true} here (orgform then rewrites the marker)",
    });
  });
});

describe("the capability matrix and the adapters agree on the ownership marker", () => {
  it.each(implementedVendors())("%s names a marker field exactly where its adapter guards creates by one and can rewrite it", (backend) => {
    const api = openBackend(resolveConnection({ flags: { backend, endpoint: "http://127.0.0.1:9/x" }, env: { ORGFORM_BACKEND: backend, ...fakeCredentials(backend) } }), "ownership-matrix");
    const marked = !!capabilitiesOf(backend).organization.ownershipMarker;
    expect(api.duplicateGuard === "marker").toBe(marked);
    expect(typeof api.writeMarker === "function").toBe(marked);
  });
});

/** Credentials of the right shape for an adapter that is never called. */
function fakeCredentials(backend: BackendName): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [part, name] of Object.entries(capabilitiesOf(backend).connection.auth[0]!.env)) if (name) env[name] = part.endsWith("Url") ? "http://127.0.0.1:9/token" : `fake-${part}`;
  return env;
}

describe.each(MARKED)("adopting a %s organization another stack manages", (backend: BackendName) => {
  let emu: StartedEmulator;
  const saved = { ...process.env };
  const inputs = (owner: string, adopt?: OrganizationInputs["adopt"]): OrganizationInputs => ({
    backend,
    endpoint: emu.baseUrls[backend],
    key: "acme",
    owner,
    fields: adopt ? {} : { name: `Acme ${backend}` },
    ...(adopt ? { adopt } : {}),
  });
  const admin = async (method: string, route: string) => {
    const res = await fetch(`${emu.url}/_admin${route}`, { method, headers: { authorization: `Bearer ${emu.credentials.adminToken}` } });
    return res.json() as Promise<any>;
  };
  /** Requests that change something, since the journal's `after`. */
  const writesAfter = async (seq: number): Promise<string[]> =>
    (await admin("GET", `/requests?dialect=${backend}&after=${seq}&limit=500`)).requests
      .filter((r: { method: string; url: string }) => r.method !== "GET" && !/token/.test(r.url))
      .map((r: { method: string; url: string }) => `${r.method} ${r.url}`);
  const lastSeq = async (): Promise<number> => (await admin("GET", `/requests?dialect=${backend}&limit=1`)).last_seq;
  const markerOf = async (id: string) => (await openBackend(resolveConnection({ flags: { backend, endpoint: emu.baseUrls[backend] }, env: process.env }), "ownership-read").getOrganization(id))?.marker;
  let id: string;

  beforeAll(async () => {
    emu = await startEmulator({ port: 0, db: ":memory:" });
    delete process.env.ORGFORM_ENDPOINT;
    Object.assign(process.env, emulatorCredentialEnv(backend, emu));
    // Stack orgs/prod creates it: its marker names that stack.
    id = (await create(inputs("orgs/prod"))).id;
  });
  afterAll(async () => {
    process.env = saved;
    await emu?.close();
  });

  it("is refused before any write, naming the stack that manages it", async () => {
    const before = await lastSeq();
    const refused = await create(inputs("orgs/staging", { name: `Acme ${backend}` })).catch((e: unknown) => e);
    expect(isOrgformError(refused, "CONFLICT")).toBe(true);
    expect((refused as Error).message).toContain(`is managed by stack orgs/prod (as "acme")`);
    expect(await writesAfter(before)).toEqual([]);
    expect(await markerOf(id)).toBe("orgform:orgs/prod/acme");
  });

  it("is adopted with takeOver: true, which rewrites the marker; the stack that had it is then refused in turn", async () => {
    const taken = await create(inputs("orgs/staging", { id, takeOver: true }));
    expect(taken.id).toBe(id);
    expect(await markerOf(id)).toBe("orgform:orgs/staging/acme");
    const refused = await create(inputs("orgs/prod", { id })).catch((e: unknown) => e);
    expect((refused as Error).message).toContain("is managed by stack orgs/staging");
  });

  it("is adopted again by the stack whose marker it carries, without a write", async () => {
    const before = await lastSeq();
    expect((await create(inputs("orgs/staging", { id }))).id).toBe(id);
    expect(await writesAfter(before)).toEqual([]);
  });
});

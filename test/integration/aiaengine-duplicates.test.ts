// No organization twice where the vendor cannot recognise what a create committed (issue 23, item
// 1): through the Organization handler (what a `pulumi up` runs) against the AIA Engine dialect over
// HTTP. A create first looks for its name among the organizations the credential sees and refuses,
// saying how to adopt it, unless the declaration sets allowDuplicateName; so a rerun after a create
// that failed once sent (or a run killed mid-create) never sends a second CreateOrg. The decision
// itself is one pure function over capabilities and the duplicate guard, never the vendor's name.
import { beforeEach, describe, expect, it } from "vitest";
import type { DuplicateGuard } from "../../provider/backends/types";
import { capabilitiesOf, type Capabilities } from "../../provider/core/capabilities";
import { nameCheckBeforeCreate, namesMayRepeat } from "../../provider/core/name-check";
import * as organization from "../../provider/resources/handlers/organization";
import { resetDeploymentCaches } from "../../provider/resources/runtime";
import { useEmulatorEnv } from "../support/emulator-env";
import { rejection } from "./helpers";

const emulator = useEmulatorEnv("aiaengine", { aiaengine: { organizations: [{ name: "Someone Else's" }] } });
const CREATE_ORG = "/aiaengine.api.org.OrgService/CreateOrg";

const admin = async (method: string, path: string, body?: unknown) =>
  (await fetch(`${emulator().url}/_admin${path}`, {
    method,
    headers: { authorization: `Bearer ${emulator().credentials.adminToken}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  })).json() as Promise<any>;
const named = async (name: string): Promise<string[]> =>
  ((await admin("GET", "/state?backend=aiaengine")).organizations as { id: string; name: string }[]).filter((o) => o.name === name).map((o) => o.id);
const creates = async (): Promise<number> => (await admin("GET", "/requests?dialect=aiaengine")).requests.filter((r: { url: string }) => r.url === CREATE_ORG).length;

const inputs = (key: string, fields: Record<string, unknown>, extra: Partial<organization.OrganizationInputs> = {}): organization.OrganizationInputs => ({
  backend: "aiaengine",
  key,
  owner: "orgform/duplicates",
  fields,
  ...extra,
});

beforeEach(async () => {
  // Each case is a deployment of its own (the engine starts a provider process per command).
  resetDeploymentCaches();
  await admin("DELETE", "/faults");
  await admin("DELETE", "/requests");
});

describe("an AIA Engine create, where names may repeat and nothing recognises what a create committed", () => {
  it("refuses a name an organization already has, sending no CreateOrg, and says how to adopt it or opt in", async () => {
    const [id] = await named("Someone Else's");
    const err = await rejection(organization.create(inputs("theirs", { name: "Someone Else's" })));
    expect(err.code).toBe("CONFLICT");
    expect(err.message.replaceAll(id, "<id>")).toMatchInlineSnapshot(
      `"cannot create organization theirs: an organization named "Someone Else's" already exists (id <id>), and AIA Engine offers no way to tell whether an earlier run created it. To manage it, add to its declaration: adopt: {id: "<id>"} (or adopt: {name: "Someone Else's"}); to create another organization of the same name, add allowDuplicateName: true"`,
    );
    expect(await creates()).toBe(0);
    expect(await named("Someone Else's")).toEqual([id]);
  });

  it("creates a second organization of that name when the declaration sets allowDuplicateName", async () => {
    const { id } = await organization.create(inputs("twin", { name: "Someone Else's" }, { allowDuplicateName: true }));
    expect(await named("Someone Else's")).toHaveLength(2);
    expect(await named("Someone Else's")).toContain(id);
  });

  it("after a create that committed and then failed, a plain rerun refuses instead of creating it twice; adopting it converges", async () => {
    await admin("PUT", "/faults", { spec: `commit-then-fail=1:502,dialect=aiaengine,path=${CREATE_ORG},count=1` });
    const first = await rejection(organization.create(inputs("fresh", { name: "Fresh Lab", description: "made once" })));
    expect(first.code).toBe("AMBIGUOUS");
    expect(first.message).toMatch(/cannot tell whether organization fresh \("Fresh Lab"\) was created.*a run that finds it refuses to create it a second time/);
    const [id] = await named("Fresh Lab");

    resetDeploymentCaches(); // the rerun: a new provider process
    const rerun = await rejection(organization.create(inputs("fresh", { name: "Fresh Lab", description: "made once" })));
    expect(rerun.code).toBe("CONFLICT");
    expect(rerun.message).toContain(`adopt: {id: "${id}"}`);
    expect(await named("Fresh Lab")).toEqual([id]);
    expect(await creates()).toBe(1);

    const adopted = await organization.create(inputs("fresh", { name: "Fresh Lab", description: "made once" }, { adopt: { id } }));
    expect(adopted.id).toBe(id);
    expect(await named("Fresh Lab")).toEqual([id]);
  });

  it("creates a new name once, and refuses it again within the same deployment (its own create is in the deployment's list)", async () => {
    const { id } = await organization.create(inputs("new", { name: "Brand New" }));
    expect(await named("Brand New")).toEqual([id]);
    const again = await rejection(organization.create(inputs("new-again", { name: "Brand New" })));
    expect(again.code).toBe("CONFLICT");
    expect(await named("Brand New")).toEqual([id]);
  });
});

describe("where a create looks for its name first (one decision, from capabilities and the duplicate guard)", () => {
  const caps = (scope: "siblings" | "global" | "none", create = true): Pick<Capabilities, "organization"> =>
    ({ organization: { create, nameUniqueness: { scope, caseInsensitive: false } } }) as Pick<Capabilities, "organization">;
  const cases: Array<[string, Pick<Capabilities, "organization">, DuplicateGuard, boolean, ReturnType<typeof nameCheckBeforeCreate>]> = [
    ["names unique among siblings: among siblings, whatever the guard", caps("siblings"), "marker", false, "siblings"],
    ["names unique globally: everywhere, even with allowDuplicateName", caps("global"), "client-id", true, "global"],
    ["names may repeat, no guard: every organization the credential sees", caps("none"), "none", false, "visible"],
    ["names may repeat, no guard, allowDuplicateName: nowhere", caps("none"), "none", true, null],
    ["names may repeat, a marker recognises its own: nowhere", caps("none"), "marker", false, null],
    ["names may repeat, a client-chosen id recognises its own: nowhere", caps("none"), "client-id", false, null],
  ];
  for (const [name, c, guard, allow, expected] of cases) {
    it(name, () => expect(nameCheckBeforeCreate(c, guard, allow)).toBe(expected));
  }

  it("offers allowDuplicateName where a vendor creates organizations whose names may repeat, and nowhere else", () => {
    expect(namesMayRepeat(capabilitiesOf("aiaengine"))).toBe(true);
    expect(namesMayRepeat(capabilitiesOf("cloudflare"))).toBe(false); // names unique among siblings
    expect(namesMayRepeat(capabilitiesOf("cloudomation"))).toBe(false); // organizations cannot be created
  });
});

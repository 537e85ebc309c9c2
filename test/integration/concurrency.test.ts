import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { aProfile, startTestEmulator, type TestEmulator } from "./helpers";

let emu: TestEmulator;
beforeAll(async () => {
  // Random latency makes the requests interleave inside the server.
  emu = await startTestEmulator({ faults: "latency=0-20ms", faultSeed: 9 });
});
afterAll(async () => {
  await emu.close();
});
beforeEach(async () => {
  await emu.admin("POST", "/reset");
  await emu.admin("PUT", "/faults", { spec: "latency=0-20ms", seed: 9 });
});

const state = async () => (await emu.admin("GET", "/state")).body;

describe("concurrent writes", () => {
  it("creates a contested name exactly once: one 200, every other request a 409", async () => {
    const answers = await Promise.all(Array.from({ length: 30 }, () => emu.api("POST", "/organizations", { body: { name: "Contested" } })));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(29);
    expect((await state()).organizations).toHaveLength(1);
  });

  it("keeps every one of many concurrent member additions", async () => {
    const org = await emu.org({ name: "Acme" });
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => emu.addMember(org.id, `u${i}@acme.test`)),
    );
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect((await state()).members).toHaveLength(40);
  });

  it("applies every one of many concurrent updates to one organization, in some order (no lost update)", async () => {
    const org = await emu.org({ name: "Acme" });
    const answers = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        i % 2 === 0
          ? emu.api("PUT", `/organizations/${org.id}`, { body: { name: `Acme ${i}`, profile: aProfile({ business_name: `B${i}` }) } })
          : emu.api("PUT", `/organizations/${org.id}/profile`, { body: aProfile({ business_name: `P${i}` }) }),
      ),
    );
    // A profile PUT answers 204 (no body, as the SDKs read it).
    expect(answers.every((a, i) => a.status === (i % 2 === 0 ? 200 : 204))).toBe(true);
    const stored = (await state()).organizations[0];
    expect(stored.version).toBe(1 + 25);
  });

  it("never leaves a half-done subtree when creates and deletes race", async () => {
    const root = await emu.org({ name: "Root" });
    const children = await Promise.all(Array.from({ length: 10 }, (_, i) => emu.org({ name: `C${i}`, parent: root.id })));
    const answers = await Promise.all([
      ...children.map((c) => emu.api("DELETE", `/organizations/${c.id}`)),
      emu.api("DELETE", `/organizations/${root.id}`),
    ]);
    const rootAnswer = answers[answers.length - 1];
    const orgs = (await state()).organizations;
    if (rootAnswer.status === 200) expect(orgs).toEqual([]);
    else {
      expect(rootAnswer.status).toBe(409);
      expect(orgs.map((o: any) => o.name)).toEqual(["Root"]);
    }
  });
});

import { describe, expect, it } from "vitest";
import { parseFaultSpec } from "../../emulator/faults";
import { codeOf, useTestEmulator } from "./helpers";

const emu = useTestEmulator();

const setFaults = async (spec: string, seed?: number) => {
  const res = await emu.admin("PUT", "/faults", { spec, ...(seed !== undefined ? { seed } : {}) });
  expect(res.status).toBe(200);
  return res.body;
};
const state = async () => (await emu.admin("GET", "/state")).body;

/** Resolves to the error a reset connection gives a fetch client. */
async function resetError(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? String(err);
  }
  throw new Error("the request was answered, not reset");
}

describe("fault injection", () => {
  it("adds latency", async () => {
    await setFaults("latency=150ms");
    const t0 = performance.now();
    const res = await emu.api("GET", "/organizations");
    expect(res.status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
  });

  it("answers a server error in Cloudflare's envelope (503 carries Retry-After)", async () => {
    await setFaults("error=1:503");
    const res = await emu.api("GET", "/organizations");
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ success: false, messages: [], result: null });
    expect(typeof codeOf(res)).toBe("number");
    expect(res.headers.get("retry-after")).toBe("1");
  });

  it("draws errors among 500, 502 and 503 by default", async () => {
    await setFaults("error=1", 7);
    const statuses = new Set<number>();
    for (let i = 0; i < 30; i++) statuses.add((await emu.api("GET", "/organizations")).status);
    expect([...statuses].sort()).toEqual([500, 502, 503]);
  });

  it("resets the connection without an answer", async () => {
    await setFaults("reset=1");
    const code = await resetError(emu.api("GET", "/organizations"));
    expect(code).toMatch(/ECONNRESET|UND_ERR_SOCKET|other side closed|socket/i);
    await emu.admin("DELETE", "/faults");
    expect((await emu.api("GET", "/organizations")).status).toBe(200);
  });

  it("commit-then-fail: the write happens, the answer is a 500", async () => {
    await setFaults("commit-then-fail=1");
    const res = await emu.api("POST", "/organizations", { body: { name: "Acme" } });
    expect(res.status).toBe(500);
    expect(res.body.success).toBe(false);
    expect((await state()).organizations.map((o: any) => o.name)).toEqual(["Acme"]);
    // A naive client retrying the POST now meets the name it already created.
    await emu.admin("DELETE", "/faults");
    const retry = await emu.api("POST", "/organizations", { body: { name: "Acme" } });
    expect(retry.status).toBe(409);
  });

  it("commit-then-fail:reset: the write happens, the connection is reset", async () => {
    await setFaults("commit-then-fail=1:reset");
    await resetError(emu.api("POST", "/organizations", { body: { name: "Acme" } }));
    expect((await state()).organizations.map((o: any) => o.name)).toEqual(["Acme"]);
  });

  it("commit-then-fail leaves reads and refused writes alone, and count limits it", async () => {
    await setFaults("commit-then-fail=1,count=1");
    expect((await emu.api("GET", "/organizations")).status).toBe(200);
    expect((await emu.api("POST", "/organizations", { body: {} })).status).toBe(400);
    expect((await emu.api("POST", "/organizations", { body: { name: "A" } })).status).toBe(500);
    expect((await emu.api("POST", "/organizations", { body: { name: "B" } })).status).toBe(200);
    const faults = (await emu.admin("GET", "/faults")).body;
    expect(faults.injected.commit_then_fail).toBe(1);
    expect(faults.rules[0].count).toBe(0);
  });

  it("applies a rule only to its methods and paths", async () => {
    const org = await emu.org({ name: "Acme" });
    await setFaults("error=1:502,method=PUT,path=/organizations/");
    expect((await emu.api("GET", `/organizations/${org.id}`)).status).toBe(200);
    expect((await emu.api("POST", "/organizations", { body: { name: "B" } })).status).toBe(200);
    expect((await emu.api("PUT", `/organizations/${org.id}`, { body: { name: "C" } })).status).toBe(502);
  });

  it("never touches the admin API", async () => {
    await setFaults("error=1,reset=1");
    expect((await emu.admin("GET", "/state")).status).toBe(200);
  });

  it("is deterministic for a seed and differs across seeds", async () => {
    const run = async (seed: number): Promise<number[]> => {
      await setFaults("error=0.5:503", seed);
      const out: number[] = [];
      for (let i = 0; i < 24; i++) out.push((await emu.api("GET", "/organizations")).status);
      return out;
    };
    const a = await run(42);
    const b = await run(42);
    const c = await run(43);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a).toContain(503);
    expect(a).toContain(200);
  });

  it("takes the rules in JSON form too and reports them back", async () => {
    const res = await emu.admin("PUT", "/faults", { rules: [{ dialect: "cloudflare", methods: ["POST"], error: 1, error_statuses: [500], count: 2 }], seed: 3 });
    expect(res.body).toEqual({
      seed: 3,
      rules: [{ dialect: "cloudflare", methods: ["POST"], error: 1, error_statuses: [500], count: 2 }],
      injected: { latency: 0, error: 0, reset: 0, commit_then_fail: 0 },
    });
  });

  it("counts injected faults and reset connections", async () => {
    await setFaults("reset=1,count=1");
    await resetError(emu.api("GET", "/organizations"));
    const counters = (await emu.admin("GET", "/counters")).body;
    expect(counters.faults.reset).toBe(1);
    expect(counters.dialects.cloudflare.routes["GET /organizations"].statuses).toEqual({ reset: 1 });
  });

  const badSpecs: Record<string, string> = {
    "an unknown item": "explode=1",
    "a probability above 1": "error=2",
    "a status that is not a server error": "error=0.5:404",
    "a malformed latency": "latency=fast",
    "an item without a value": "reset",
  };
  for (const [name, spec] of Object.entries(badSpecs)) {
    it(`rejects a spec with ${name}`, async () => {
      expect(() => parseFaultSpec(spec)).toThrow();
      const res = await emu.admin("PUT", "/faults", { spec });
      expect(res.status).toBe(400);
    });
  }

  it("parses the documented example spec", () => {
    expect(parseFaultSpec("latency=50ms,error=0.1,reset=0.05,commit-then-fail=0.2")).toEqual([
      { latencyMs: [50, 50], error: { probability: 0.1, statuses: [500, 502, 503] }, reset: 0.05, commitThenFail: { probability: 0.2, status: 500 } },
    ]);
    expect(parseFaultSpec("latency=20-80ms;dialect=cloudflare,method=POST|put,commit-then-fail=1:reset,count=1")).toEqual([
      { latencyMs: [20, 80] },
      { dialect: "cloudflare", methods: ["POST", "PUT"], commitThenFail: { probability: 1, status: "reset" }, remaining: 1 },
    ]);
  });
});

// The client-side limiter (provider/http/pacing.ts): requests in flight, order, rate and the
// shared pause after a 429. Its work against a rate-limited API is in
// test/integration/provider-rate-limit.test.ts; here only what it hands out, and when.
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { Pacer, pacerFor } from "../../provider/http/pacing";

/** Runs `count` jobs through the pacer, each holding its slot `holdMs`; returns when each started and how many overlapped at most. */
async function through(pacer: Pacer, count: number, holdMs: number) {
  const t0 = Date.now();
  let inFlight = 0;
  let most = 0;
  const started: number[] = [];
  const order: number[] = [];
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const release = await pacer.acquire();
      order.push(i);
      started.push(Date.now() - t0);
      most = Math.max(most, ++inFlight);
      await sleep(holdMs);
      inFlight -= 1;
      release();
    }),
  );
  return { most, started, order };
}

describe("the pacer of one endpoint and credential", () => {
  it("never lets more requests be in flight than its concurrency", async () => {
    const { most } = await through(new Pacer({ concurrency: 3 }), 12, 10);
    expect(most).toBe(3);
  });

  it("hands out turns first come, first served", async () => {
    const { order } = await through(new Pacer({ concurrency: 1 }), 8, 1);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it("allows a burst of one second's worth, then one request per 1/rate", async () => {
    // Lower bounds only: a loaded machine can make anything later, never earlier.
    const { started } = await through(new Pacer({ ratePerSecond: 20 }), 24, 0);
    // 20 tokens up front; the 4 after them need 4 more, one per 50 ms.
    expect(started[23]).toBeGreaterThanOrEqual(180);
  });

  it("makes every waiting request wait out a 429's pause, and resumes at the rate, not in a burst", async () => {
    const pacer = new Pacer({ ratePerSecond: 50 });
    pacer.pause(200);
    const { started } = await through(pacer, 5, 0);
    expect(Math.min(...started)).toBeGreaterThanOrEqual(195);
    // One token per 20 ms after the pause: the fifth starts about 80 ms after it ended.
    expect(Math.max(...started)).toBeGreaterThanOrEqual(270);
  });

  it("is one per endpoint, credential and settings for the whole process", () => {
    expect(pacerFor("https://api.example|k1", { ratePerSecond: 5 })).toBe(pacerFor("https://api.example|k1", { ratePerSecond: 5 }));
    expect(pacerFor("https://api.example|k1", { ratePerSecond: 5 })).not.toBe(pacerFor("https://api.example|k2", { ratePerSecond: 5 }));
    expect(pacerFor("https://api.example|k1", { ratePerSecond: 5 })).not.toBe(pacerFor("https://api.example|k1", { ratePerSecond: 9 }));
  });
});

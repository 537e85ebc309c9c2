import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Clock, codeOf, startTestEmulator, type TestEmulator } from "./helpers";

let emu: TestEmulator;
const clock = new Clock();
const keyPair = { email: "emulator@orgform.local", key: "orgform-emulator-key" };

beforeAll(async () => {
  emu = await startTestEmulator({ now: clock.now, rateLimit: "2/s" });
});
afterAll(async () => {
  await emu.close();
});
beforeEach(async () => {
  await emu.admin("POST", "/reset");
  clock.advance(10);
});

describe("rate limiting per credential (token bucket)", () => {
  it("answers 429 with code 971, Retry-After and Cloudflare's Ratelimit headers once the bucket is empty", async () => {
    const first = await emu.api("GET", "/organizations");
    expect(first.status).toBe(200);
    expect(first.headers.get("ratelimit")).toBe('"default";r=1;t=1');
    expect(first.headers.get("ratelimit-policy")).toBe('"burst";q=2;w=1');
    expect((await emu.api("GET", "/organizations")).status).toBe(200);
    const limited = await emu.api("GET", "/organizations");
    expect(limited.status).toBe(429);
    expect(codeOf(limited)).toBe(971);
    expect(limited.body).toMatchObject({ success: false, result: null });
    expect(limited.headers.get("retry-after")).toBe("1");
    expect(limited.headers.get("ratelimit")).toBe('"default";r=0;t=1');
  });

  it("refills with time", async () => {
    await emu.api("GET", "/organizations");
    await emu.api("GET", "/organizations");
    expect((await emu.api("GET", "/organizations")).status).toBe(429);
    clock.advance(0.5);
    expect((await emu.api("GET", "/organizations")).status).toBe(200);
    expect((await emu.api("GET", "/organizations")).status).toBe(429);
  });

  it("keeps one bucket per credential", async () => {
    await emu.api("GET", "/organizations");
    await emu.api("GET", "/organizations");
    expect((await emu.api("GET", "/organizations")).status).toBe(429);
    expect((await emu.api("GET", "/organizations", { auth: keyPair })).status).toBe(200);
  });

  it("does not let unauthenticated requests spend a credential's tokens", async () => {
    for (let i = 0; i < 5; i++) expect((await emu.api("GET", "/organizations", { auth: null })).status).toBe(401);
    expect((await emu.api("GET", "/organizations")).status).toBe(200);
  });

  it("is switched at run time through the admin API, per dialect or globally, and off", async () => {
    const put = await emu.admin("PUT", "/rate-limit", { rate_per_second: 1, burst: 1, dialect: "cloudflare" });
    expect(put.body).toEqual({ global: { rate_per_second: 2, burst: 2 }, dialects: { cloudflare: { rate_per_second: 1, burst: 1 } } });
    expect((await emu.api("GET", "/organizations")).status).toBe(200);
    expect((await emu.api("GET", "/organizations")).status).toBe(429);
    await emu.admin("PUT", "/rate-limit", { spec: "100/s" });
    expect((await emu.api("GET", "/organizations")).status).toBe(200);
    const off = await emu.admin("DELETE", "/rate-limit");
    expect(off.body.global).toBeNull();
    const free = await emu.api("GET", "/organizations");
    expect(free.headers.get("ratelimit")).toBeNull();
  });

  it("restores the start-up limit on reset", async () => {
    await emu.admin("DELETE", "/rate-limit");
    await emu.admin("POST", "/reset");
    expect((await emu.admin("GET", "/rate-limit")).body.global).toEqual({ rate_per_second: 2, burst: 2 });
  });

  it("counts refused requests", async () => {
    await emu.admin("DELETE", "/counters");
    for (let i = 0; i < 4; i++) await emu.api("GET", "/organizations");
    const counters = (await emu.admin("GET", "/counters")).body;
    expect(counters.rate_limited).toBe(2);
    expect(counters.dialects.cloudflare.routes["GET /organizations"].statuses).toEqual({ 200: 2, 429: 2 });
  });

  it("rejects a malformed limit on the admin API", async () => {
    const res = await emu.admin("PUT", "/rate-limit", { spec: "fast" });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("VALIDATION");
  });
});

// `orgform:rateLimit` (stack config) reaches the provider's HTTP client through the same path a
// deployment takes: the dynamic providers' `configure` hands the stack config to the runtime, which
// resolves the connection with it. Observed through the emulator, not a clock: against an API that
// allows a burst of 2 at 5 requests a second, paced requests are never answered 429.
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { startEmulator, type StartedEmulator } from "../../emulator";
import { backendFor, configure } from "../../provider/resources/runtime";
import { ADMIN, call } from "./helpers";

let emu: StartedEmulator;
let orgId: string;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, db: ":memory:", seed: { cloudflare: { organizations: [{ name: "Paced" }] } } });
  orgId = emu.seeded!.organizations[0].id;
});
afterAll(async () => {
  await emu?.close();
  configure({ get: () => undefined });
});
beforeEach(async () => {
  await call(`${emu.url}/_admin`, "PUT", "/rate-limit", { auth: { bearer: ADMIN }, body: { rate_per_second: 5, burst: 2 } });
  await call(`${emu.url}/_admin`, "DELETE", "/counters", { auth: { bearer: ADMIN } });
});

const stack = (values: Record<string, string>) => ({ get: (key: string) => values[key] });
const rateLimited = async () => (await call(`${emu.url}/_admin`, "GET", "/counters", { auth: { bearer: ADMIN } })).body.rate_limited as number;

async function eightReads(): Promise<void> {
  const backend = await backendFor({ backend: "cloudflare", endpoint: emu.baseUrls.cloudflare });
  const found = await Promise.all(Array.from({ length: 8 }, () => backend.getOrganization(orgId)));
  expect(found.every((o) => o?.id === orgId)).toBe(true);
}

it("meets the API's limit (429s, retried) when the stack sets no rate", async () => {
  configure(stack({ "orgform:token": emu.credentials.apiToken }));
  await eightReads();
  expect(await rateLimited()).toBeGreaterThan(0);
});

it("paces requests at orgform:rateLimit from stack config, so the API never answers 429", async () => {
  configure(stack({ "orgform:token": emu.credentials.apiToken, "orgform:rateLimit": "2" }));
  await eightReads();
  expect(await rateLimited()).toBe(0);
});

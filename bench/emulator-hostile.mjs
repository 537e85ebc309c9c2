#!/usr/bin/env node
// How long the emulator takes to answer hostile requests (issue 16): every one is answered, in the
// dialect's shape, in time bounded by its size (the body limit is 1 MiB, Node's header limit
// 16 KiB). Starts the compiled emulator in this process on 127.0.0.1, sends each request over real
// HTTP (or a raw socket where fetch would refuse to send it) `--runs` times, and prints a Markdown
// table (bench/README.md). Only loopback traffic; a bounded number of requests.
//
//   npm run build && node bench/emulator-hostile.mjs [--runs 5]
import { connect } from "node:net";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { startEmulator } = require(join(root, "dist", "emulator", "index.js"));
const runsArg = process.argv.indexOf("--runs");
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;

const emu = await startEmulator({ port: 0, db: ":memory:" });
const port = Number(new URL(emu.url).port);
const cf = emu.baseUrls.cloudflare;
const TOKEN = emu.credentials.apiToken;
const ADMIN = emu.credentials.adminToken;
const auth = { authorization: `Bearer ${TOKEN}` };
const jsonHeaders = { ...auth, "content-type": "application/json" };

function raw(request) {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let data = "";
    socket.on("data", (d) => (data += d.toString("latin1")));
    socket.on("error", reject);
    socket.on("close", () => resolve(Number(/^HTTP\/1\.1 (\d+)/.exec(data)?.[1] ?? 0)));
    socket.end(request);
  });
}

const send = (method, path, body) => async () => (await fetch(cf + path, { method, headers: jsonHeaders, body })).status;
const MiB = 1024 * 1024;
const fill = (bytes, unit) => unit.repeat(Math.floor(bytes / unit.length));

// A token scoped to a root with 10,000 organizations below it (100 x 100).
const seeded = await fetch(`${emu.url}/_admin/seed`, {
  method: "POST",
  headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
  body: JSON.stringify({
    cloudflare: { organizations: [{ name: "Big", children: Array.from({ length: 100 }, (_, i) => ({ name: `Unit ${i}`, children: Array.from({ length: 100 }, (_, j) => ({ name: `Team ${i}-${j}` })) })) }] },
    tokens: [{ token: "bench-scoped-token", backend: "cloudflare", org_path: ["Big"] }],
  }),
});
if (seeded.status !== 201) throw new Error(`seed: ${seeded.status} ${await seeded.text()}`);
const scoped = { authorization: "Bearer bench-scoped-token" };
const seededOrgs = (await seeded.json()).organizations;
const deepest = seededOrgs.find((o) => o.name === "Team 99-99").id;
const unit0 = seededOrgs.find((o) => o.name === "Unit 0").id;

const cases = [
  ["a 1 MiB body of 60,000 escaped surrogate pairs, one lone at the end", () => `{"name":"${fill(MiB - 40, "\\ud83d\\ude00")}\\ud800"}`, 400],
  ["a 1 MiB profile of 60,000 escaped surrogate pairs (valid: parsed, walked, then 404 for a missing id)", () => `{"business_address":"${fill(MiB - 200, "\\ud83d\\ude00")}","business_email":"","business_name":"","business_phone":"","external_metadata":""}`, 404, "PUT", `/organizations/${"0".repeat(32)}/profile`],
  ["a 1 MiB list nested 500,000 deep", () => `${"[".repeat(MiB / 2 - 8)}${"]".repeat(MiB / 2 - 8)}`, 400],
  ["an object of 80,000 unknown keys", () => `{${Array.from({ length: 80_000 }, (_, i) => `"k${i}":1`).join(",")}}`, 400],
  ["a 1 MiB body that is not UTF-8 at its last byte", () => Buffer.concat([Buffer.from(`{"name":"${"a".repeat(MiB - 20)}`), Buffer.from([0xe9, 0x22, 0x7d])]), 400],
  ["a name of 1 MiB ending in a space", () => `{"name":"${"a".repeat(MiB - 20)} "}`, 400],
  ["a name of 1 MiB with a NUL at its end", () => `{"name":"${"a".repeat(MiB - 24)}\\u0000"}`, 400],
].map(([name, make, expected, method = "POST", path = "/organizations"]) => {
  const body = make();
  return [name, send(method, path, body), expected, Buffer.byteLength(body)];
});

cases.push(
  ["a request line of 16 KiB (raw socket)", () => raw(`GET /cloudflare/client/v4/${"a".repeat(16 * 1024)} HTTP/1.1\r\nHost: x\r\n${`Authorization: Bearer ${TOKEN}`}\r\n\r\n`), 414, 16 * 1024],
  ["a malformed escape at the end of an 8 KiB path", async () => (await fetch(`${cf}/organizations/${"a".repeat(8 * 1024)}%E0%A4%A`, { headers: auth })).status, 400, 8 * 1024],
  ["15 KiB of query parameters (1,000 ids)", async () => (await fetch(`${cf}/organizations?${Array.from({ length: 1000 }, (_, i) => `id=${i.toString(16).padStart(12, "0")}`).join("&")}`, { headers: auth })).status, 200, 15 * 1024],
  ["list as a token scoped to 10,000 organizations (first page)", async () => (await fetch(`${cf}/organizations?page_size=50`, { headers: scoped })).status, 200, 0],
  ["one organization by id as a token scoped to 10,000 organizations", async () => (await fetch(`${cf}/organizations/${deepest}`, { headers: scoped })).status, 200, 0],
  ["moving one of 10,000 organizations as a token scoped to them", async () => (await fetch(`${cf}/organizations/${deepest}`, { method: "PUT", headers: { ...scoped, "content-type": "application/json" }, body: JSON.stringify({ name: "Team 99-99", parent: { id: unit0 } }) })).status, 200, 0],
  ["name filter as a token scoped to 10,000 organizations", async () => (await fetch(`${cf}/organizations?name.contains=Team%2099-9`, { headers: scoped })).status, 200, 0],
);

const rows = [];
for (const [name, run, expected, size] of cases) {
  const times = [];
  let status;
  for (let i = 0; i < RUNS; i++) {
    const t = process.hrtime.bigint();
    status = await run();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  rows.push(`| ${name} | ${size ? `${Math.round(size / 1024)} KiB` : ""} | ${Math.min(...times).toFixed(0)} | ${Math.max(...times).toFixed(0)} | ${status}${status === expected ? "" : ` UNEXPECTED (expected ${expected})`} |`);
}
await emu.close();

console.log("| request | size | best ms | worst ms | status |\n| --- | ---: | ---: | ---: | --- |");
console.log(rows.join("\n"));

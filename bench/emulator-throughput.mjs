#!/usr/bin/env node
// Read and write throughput of the emulator's Cloudflare dialect, measured with autocannon.
//
//   npm run build && node bench/emulator-throughput.mjs [--duration 10] [--connections 32] [--db file|memory]
//
// The emulator runs as its own process (`orgform emulator`, the real CLI) on a fresh database in a
// temporary directory; autocannon runs here. Results print as a Markdown table (bench/README.md).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import autocannon from "autocannon";

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith("--") ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const duration = Number(args.duration ?? 10);
const connections = Number(args.connections ?? 32);
const dbKind = args.db ?? "file";
const SEED_ORGS = Number(args.orgs ?? 1000);

const TOKEN = "orgform-emulator-token";
const ADMIN = "orgform-admin-token";
const headers = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };

function startEmulator(db) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, "bin", "orgform.js"), "emulator", "--port", "0", "--db", db], {
      cwd: root,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m && out.includes("/_admin  (")) resolve({ child, url: m[1] });
    });
    child.on("exit", (code) => reject(new Error(`emulator exited with ${code}`)));
  });
}

async function json(url, init) {
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(`${init?.method ?? "GET"} ${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

function run(name, opts) {
  return new Promise((resolve, reject) => {
    autocannon({ connections, duration, headers, ...opts }, (err, r) => {
      if (err) return reject(err);
      resolve({
        name,
        rps: r.requests.average,
        p50: r.latency.p50,
        p99: r.latency.p99,
        total: r.requests.total,
        non2xx: r.non2xx,
        errors: r.errors + r.timeouts,
      });
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), "orgform-bench-"));
const db = dbKind === "memory" ? ":memory:" : join(dir, "emulator.db");
const { child, url } = await startEmulator(db);
const cf = `${url}/cloudflare/client/v4`;
try {
  // A realistic estate: SEED_ORGS organizations in a two-level tree, one member each on the roots.
  const roots = Math.ceil(SEED_ORGS / 10);
  const organizations = Array.from({ length: roots }, (_, r) => ({
    name: `Tenant ${r}`,
    profile: { business_name: `Tenant ${r} Ltd`, external_metadata: `orgform:bench/${r}` },
    members: [{ email: `owner${r}@bench.test` }],
    children: Array.from({ length: 9 }, (_, c) => ({ name: `Tenant ${r} unit ${c}` })),
  }));
  const seeded = await json(`${url}/_admin/seed`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
    body: JSON.stringify({ cloudflare: { organizations } }),
  });
  const target = seeded.organizations[0].id;
  const leaf = seeded.organizations[1].id;

  let n = 0;
  const results = [];
  results.push(await run("GET /organizations/{id}", { url: `${cf}/organizations/${target}` }));
  results.push(await run("GET /organizations?page_size=50", { url: `${cf}/organizations?page_size=50` }));
  results.push(await run("GET /organizations?name.contains=unit 7&parent.id={id}", { url: `${cf}/organizations?name.contains=unit%207&parent.id=${target}` }));
  results.push(
    await run("POST /organizations (unique names)", {
      url: cf,
      requests: [{ method: "POST", path: "/cloudflare/client/v4/organizations", setupRequest: (req) => ({ ...req, body: JSON.stringify({ name: `bench-${process.pid}-${n++}`, parent: { id: leaf } }) }) }],
    }),
  );
  results.push(
    await run("PUT /organizations/{id}/profile", {
      url: `${cf}/organizations/${target}/profile`,
      method: "PUT",
      body: JSON.stringify({ business_name: "Tenant 0 Ltd", external_metadata: "orgform:bench/0" }),
    }),
  );

  const version = (p) => require(join(root, "node_modules", p, "package.json")).version;
  console.log(`\nnode ${process.version}, fastify ${version("fastify")}, better-sqlite3 ${version("better-sqlite3")}, autocannon ${version("autocannon")}`);
  console.log(`${cpus().length} x ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB; db ${dbKind}; ${SEED_ORGS} organizations seeded; ${connections} connections, ${duration} s per row\n`);
  console.log("| request | req/s | p50 ms | p99 ms | requests | non-2xx | errors |");
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const r of results) {
    console.log(`| ${r.name} | ${Math.round(r.rps)} | ${r.p50} | ${r.p99} | ${r.total} | ${r.non2xx} | ${r.errors} |`);
  }
} finally {
  child.kill("SIGTERM");
  await new Promise((r) => child.on("exit", r));
  rmSync(dir, { recursive: true, force: true });
}

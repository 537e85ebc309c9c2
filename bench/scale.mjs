#!/usr/bin/env node
// Issue 15 at scale, one command per benchmark, on the real Pulumi engine against the emulator
// (in this process, `:memory:`), every API call counted by the emulator (`/_admin/counters`).
//
//   npm run build
//   node bench/scale.mjs refresh  [--orgs 500] [--members 20]     calls per managed object: onboarding, refresh, refreshing preview, orgform drift
//   node bench/scale.mjs onboard  [--orgs 1000] [--members 10] [--rate 50]   rate-limited onboarding: wall time against the bound, failures
//   node bench/scale.mjs preview  [--orgs 500] [--members 20] [--runs 3]     orgform preview vs the same number of no-op dynamic resources
//   node bench/scale.mjs faults   [--orgs 200] [--members 10] [--rate 50]    5xx, resets, commit-then-fail and rate limiting: duplicates, missing
//   node bench/scale.mjs validate [--orgs 1000] [--members 10] [--runs 5]    `orgform validate` of the config
//   common: --backend <name> (default: the first with an adapter) --parallel <n> (pulumi --parallel, default 32) --keep (leave the temp dir)
//
// Each prints one Markdown block for bench/README.md. Sizes are flags: at full size these take
// minutes on a shared 2-core machine.
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const { startEmulator } = require(path.join(root, "dist", "emulator", "index.js"));
const { stackYaml, sizeOf, seedDocument, maxOrganizations } = require(path.join(root, "dist", "bench", "stack-config.js"));
const { implementedVendors, openBackend } = require(path.join(root, "dist", "provider", "backends", "index.js"));
const { hasRoles } = require(path.join(root, "dist", "provider", "backends", "types.js"));
const { capabilitiesOf } = require(path.join(root, "dist", "provider", "core", "capabilities.js"));
const { memberRoles } = require(path.join(root, "dist", "provider", "core", "roles.js"));
const { emulatorCredentialEnv, emulatorCredentials } = require(path.join(root, "dist", "scripts", "emulator-credentials.js"));

const [command = "help", ...rest] = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = rest.indexOf(`--${name}`);
  return i >= 0 ? Number(rest[i + 1]) : fallback;
};
const keep = rest.includes("--keep");
const backendArg = rest.indexOf("--backend");
/** The backend measured: `--backend <name>`, else the first with an adapter. */
const BACKEND = backendArg >= 0 ? rest[backendArg + 1] : implementedVendors()[0];
const PARALLEL = flag("parallel", 32);
const API_TOKEN = "bench-token-5c2e9f";
const ADMIN_TOKEN = "bench-admin-token";
const PASSPHRASE = "orgform-bench";

const engineBin = execFileSync(path.join(root, "scripts", "ensure-pulumi"), { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
const pulumiVersion = execFileSync(path.join(engineBin, "pulumi"), ["version"], { encoding: "utf8" }).trim();
const temps = [];

function run(cmd, args, opts) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { ...opts, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, out, seconds: (performance.now() - t0) / 1000 }));
  });
}

/** A Pulumi project in a temp dir, state in a local file backend, with `program` as index.js. */
async function project(name, program, env = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `orgform-bench-${name}-`));
  temps.push(dir);
  const proj = path.join(dir, "project");
  fs.mkdirSync(path.join(proj, "node_modules", "@pulumi"), { recursive: true });
  fs.symlinkSync(root, path.join(proj, "node_modules", "orgform"), "dir");
  fs.symlinkSync(path.join(root, "node_modules", "@pulumi", "pulumi"), path.join(proj, "node_modules", "@pulumi", "pulumi"), "dir");
  fs.writeFileSync(path.join(proj, "Pulumi.yaml"), `name: ${name}\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.js\n`);
  fs.writeFileSync(path.join(proj, "package.json"), JSON.stringify({ name, private: true, main: "index.js" }));
  fs.writeFileSync(path.join(proj, "index.js"), program);
  fs.mkdirSync(path.join(dir, "state"));
  const fullEnv = {
    ...process.env,
    PATH: `${engineBin}${path.delimiter}${process.env.PATH}`,
    PULUMI_HOME: path.join(dir, ".pulumi-home"),
    PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`,
    PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_SKIP_CONFIRMATIONS: "true",
    NO_COLOR: "1",
    ...env,
  };
  const pulumi = (...args) => run("pulumi", [...args, "--non-interactive"], { cwd: proj, env: fullEnv });
  const ok = async (...args) => {
    const r = await pulumi(...args);
    if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${r.code}:\n${r.out.slice(-4000)}`);
    return r;
  };
  await ok("stack", "init", "bench");
  return { dir: proj, env: fullEnv, pulumi, ok };
}

/** An orgform project over a started emulator, its desired state `yaml`. */
async function orgformStack(name, yaml, emu, stackConfig = {}) {
  const p = await project(name, 'module.exports = require("orgform/program");\n', {
    ORGFORM_ENDPOINT: emu.baseUrls[BACKEND],
    ...emulatorCredentialEnv(BACKEND, emu),
  });
  fs.writeFileSync(path.join(p.dir, "orgs.yaml"), yaml);
  await p.ok("config", "set", "orgform:config", "orgs.yaml");
  for (const [k, v] of Object.entries(stackConfig)) await p.ok("config", "set", k, String(v));
  return p;
}

async function emulator(options = {}) {
  return startEmulator({ port: 0, db: ":memory:", credentials: { apiToken: API_TOKEN, adminToken: ADMIN_TOKEN }, ...options });
}

async function admin(emu, method, route, body) {
  const res = await fetch(`${emu.url}/_admin${route}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return text ? JSON.parse(text) : undefined;
}

/** Calls counted since the last reset: total, per route, 429s and faults. */
async function counted(emu) {
  const c = await admin(emu, "GET", "/counters");
  const d = c.dialects[BACKEND] ?? { total: 0, routes: {} };
  const routes = Object.fromEntries(Object.entries(d.routes).map(([k, v]) => [k, v.count]));
  await admin(emu, "DELETE", "/counters");
  return { total: d.total, routes, rateLimited: c.rate_limited, faults: c.faults };
}

/** What the emulator's database holds: duplicates and missing objects against the desired state. */
async function audit(emu, shape) {
  const state = await admin(emu, "GET", `/state?backend=${BACKEND}`);
  const names = state.organizations.map((o) => o.name);
  const assignments = state.members.map((m) => `${m.org_id}/${m.email.toLowerCase()}`);
  const size = sizeOf(shape);
  return {
    organizations: state.organizations.length,
    members: state.members.length,
    duplicateOrganizations: names.length - new Set(names).size,
    duplicateMembers: assignments.length - new Set(assignments).size,
    missingOrganizations: Math.max(0, size.organizations - new Set(names).size),
    missingMembers: Math.max(0, size.members - new Set(assignments).size),
  };
}

/** Calls the vendor's API needs to create a stack: one per organization, profile and member (an adopted organization needs none). */
const neededCalls = (shape) => sizeOf(shape).objects - (seedDocument(shape) ? sizeOf(shape).organizations : 0);

/** The shape in words: "500 organizations with a profile, 10000 members" (what the backend has). */
function shapeText(shape) {
  const size = sizeOf(shape);
  const orgs = `${shape.orgs} ${seedDocument(shape) ? "adopted (seeded) " : ""}organization${shape.orgs === 1 ? "" : "s"}`;
  const parts = [size.profiles ? `${orgs} with a profile` : `${orgs} (no profile)`, size.members ? `${size.members} members` : "no members"];
  return `${parts.join(", ")}: ${size.objects} object${size.objects === 1 ? "" : "s"}`;
}

/**
 * The shape measured for this backend: `orgs` capped at what one credential may see (a config may
 * declare no more), and, where roles belong to each organization, the roles a new one has.
 */
async function benchShape(orgs, membersPerOrg) {
  const max = maxOrganizations(BACKEND);
  const shape = { backend: BACKEND, orgs: max === null ? orgs : Math.min(orgs, max), membersPerOrg };
  if (max !== null && orgs > max) console.error(`${BACKEND}: one credential sees at most ${max} organization(s): measuring ${shape.orgs}, not ${orgs}`);
  if (capabilitiesOf(BACKEND).members.supported && membersPerOrg > 0 && !memberRoles(BACKEND).values) shape.roles = await probeRoles();
  return shape;
}

/** The roles of a new organization, read through the adapter from a throwaway emulator (roles per organization). */
async function probeRoles() {
  const emu = await emulator();
  try {
    const seeded = await admin(emu, "POST", "/seed", { [BACKEND]: { organizations: [{ name: "Role Probe" }] } });
    const api = openBackend({ backend: BACKEND, endpoint: emu.baseUrls[BACKEND], credentials: emulatorCredentials(BACKEND, emu).credentials, sources: {} }, "bench-role-probe");
    if (!hasRoles(api)) throw new Error(`${BACKEND}: the member schema lists no roles, yet the adapter lists none`);
    return (await api.listRoles(seeded.organizations[0].id)).map((r) => r.name);
  } finally {
    await emu.close();
  }
}

/** Puts the organizations a stack adopts into the emulator (those the backend cannot create at this size). */
async function seedAdopted(emu, shape) {
  const doc = seedDocument(shape);
  if (!doc) return 0;
  const seeded = await admin(emu, "POST", "/seed", doc);
  if (seeded?.organizations?.length !== shape.orgs) throw new Error(`seeding ${shape.orgs} organizations answered ${JSON.stringify(seeded).slice(0, 500)}`);
  return shape.orgs;
}
const fmt = (n, d = 3) => (Number.isInteger(n) ? String(n) : n.toFixed(d));
const routesLine = (routes) => Object.entries(routes).map(([k, v]) => `${k} ${v}`).join("; ");

function machine() {
  const cpu = os.cpus()[0]?.model ?? "?";
  const skip = process.env.PULUMI_SKIP_CHECKPOINTS ? `; PULUMI_SKIP_CHECKPOINTS=${process.env.PULUMI_SKIP_CHECKPOINTS}` : "";
  return `Machine: ${os.cpus().length} vCPU ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}; Node ${process.version}; ${pulumiVersion} (pulumi)${skip}; --parallel ${PARALLEL}; load average at start ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}; ${new Date().toISOString()}`;
}

async function refreshBench() {
  const shape = await benchShape(flag("orgs", 500), flag("members", 20));
  const size = sizeOf(shape);
  const emu = await emulator();
  const adopted = await seedAdopted(emu, shape);
  const p = await orgformStack("bench-refresh", stackYaml(shape), emu);
  await counted(emu);
  const up = await p.ok("up", "--yes", "--skip-preview", "--parallel", String(PARALLEL));
  const upCalls = await counted(emu);
  const refresh = await p.ok("refresh", "--yes", "--skip-preview", "--parallel", String(PARALLEL));
  const refreshCalls = await counted(emu);
  const preview = await p.ok("preview", "--refresh", "--expect-no-changes", "--parallel", String(PARALLEL));
  const previewCalls = await counted(emu);
  // The scheduled drift job on the same desired state: the CLI as a user runs it, no Pulumi state.
  const drift = await run(process.execPath, [path.join(root, "bin", "orgform.js"), "drift", "--config", "orgs.yaml", "--quiet"], { cwd: p.dir, env: p.env });
  const driftCalls = await counted(emu);
  const a = await audit(emu, shape);
  const resources = shape.orgs + (size.profiles ? shape.orgs : 0) + (size.members ? shape.orgs : 0);
  console.log(`### Calls per managed object, ${BACKEND} (${shapeText(shape)}, ${resources} Pulumi resources)\n`);
  console.log(machine() + "\n");
  if (shape.roles) console.log(`Member roles given out in turn (the roles a new organization has, read off the API): ${shape.roles.join(", ")}.\n`);
  console.log("| step | API calls | per object | wall s | routes |\n| --- | ---: | ---: | ---: | --- |");
  const needed = neededCalls(shape);
  const upLabel = adopted ? `pulumi up (onboarding by adoption of ${adopted} seeded organization${adopted === 1 ? "" : "s"}, no rate limit)` : "pulumi up (onboarding, no rate limit)";
  const versusNeeded = needed > 0 ? ` (${fmt(upCalls.total / needed)} × needed)` : "";
  console.log(`| ${upLabel} | ${upCalls.total} | ${fmt(upCalls.total / size.objects)}${versusNeeded} | ${fmt(up.seconds, 1)} | ${routesLine(upCalls.routes)} |`);
  console.log(`| pulumi refresh | ${refreshCalls.total} | ${fmt(refreshCalls.total / size.objects, 4)} | ${fmt(refresh.seconds, 1)} | ${routesLine(refreshCalls.routes)} |`);
  console.log(`| pulumi preview --refresh --expect-no-changes | ${previewCalls.total} | ${fmt(previewCalls.total / size.objects, 4)} | ${fmt(preview.seconds, 1)} | ${routesLine(previewCalls.routes)} |`);
  console.log(`| orgform drift (exit ${drift.code}) | ${driftCalls.total} | ${fmt(driftCalls.total / size.objects, 4)} | ${fmt(drift.seconds, 1)} | ${routesLine(driftCalls.routes)} |`);
  console.log(`\nDatabase after: ${JSON.stringify(a)}`);
  if (drift.code !== 0) console.log("\n`orgform drift` on the unchanged stack did not exit 0:\n\n```\n" + drift.out.slice(-3000) + "\n```");
  await emu.close();
  if (drift.code !== 0) process.exitCode = 1;
}

async function onboardBench() {
  const shape = { backend: BACKEND, orgs: flag("orgs", 1000), membersPerOrg: flag("members", 10) };
  const rate = flag("rate", 50);
  const size = sizeOf(shape);
  const emu = await emulator({ rateLimit: { ratePerSecond: rate, burst: rate } });
  const p = await orgformStack("bench-onboard", stackYaml(shape), emu, { "orgform:rateLimit": rate });
  await counted(emu);
  const up = await p.pulumi("up", "--yes", "--skip-preview", "--parallel", String(PARALLEL));
  const calls = await counted(emu);
  const a = await audit(emu, shape);
  // The engine's own share: the same stack again, nothing to change (no API call but none to make).
  const noChange = await p.pulumi("up", "--yes", "--skip-preview", "--parallel", String(PARALLEL));
  const accepted = calls.total - calls.rateLimited;
  const bound = (1.15 * neededCalls(shape)) / rate;
  const failed = (up.out.match(/error:/g) ?? []).length;
  console.log(`### Rate-limited onboarding (${shape.orgs} organizations with a profile, ${size.members} members; emulator and orgform:rateLimit at ${rate}/s)\n`);
  console.log(machine() + "\n");
  console.log("| exit | wall s | bound s (1.15 × needed ÷ rate) | calls (accepted) | needed | 429s | failed resources | duplicates | missing |\n| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  console.log(
    `| ${up.code} | ${fmt(up.seconds, 1)} | ${fmt(bound, 1)} | ${calls.total} (${accepted}) | ${neededCalls(shape)} | ${calls.rateLimited} | ${failed} | ${a.duplicateOrganizations + a.duplicateMembers} | ${a.missingOrganizations + a.missingMembers} |`,
  );
  console.log(`\nRoutes: ${routesLine(calls.routes)}`);
  console.log(`API time at the rate: ${fmt(accepted / rate, 1)} s; the same stack's no-change \`pulumi up\` (engine, program, checks and diffs, no API call): ${fmt(noChange.seconds, 1)} s (exit ${noChange.code}).`);
  console.log(`At Cloudflare's 4/s (1,200 per 5 minutes): ${fmt(accepted / 4 / 60, 1)} min for these ${accepted} calls.`);
  if (up.code !== 0) console.log("\n```\n" + up.out.slice(-3000) + "\n```");
  await emu.close();
}

/**
 * A program of as many dynamic resources as the orgform stack, whose provider does nothing: the
 * same dependency shape (an organization, then its profile and member set from its id, every
 * tenth organization under the one before) and inputs of the same size, so that the ratio is
 * orgform's own cost and not the engine's scheduling of a different graph.
 */
function noopProgram(shape) {
  return `const pulumi = require("@pulumi/pulumi");
const provider = {
  async check(_olds, news) { return { inputs: news }; },
  async diff() { return { changes: false }; },
  async create(inputs) { return { id: inputs.key, outs: { ...inputs, organizationId: inputs.key } }; },
  async read(id, props) { return { id, props }; },
};
const noop = (name, props) => new pulumi.dynamic.Resource(provider, name, { organizationId: undefined, ...props }, {}, "noop");
const orgs = [];
for (let i = 0; i < ${shape.orgs}; i++) {
  const key = "org-" + i;
  const parentId = i % 10 === 9 ? orgs[i - 1].organizationId : null;
  const org = noop(key, { backend: "${BACKEND}", key, owner: "bench/noop", fields: { name: "ORG " + i }, parentId });
  orgs.push(org);
  noop(key + "-profile", { backend: "${BACKEND}", key: key + "-profile", orgId: org.organizationId, fields: { business_name: "ORG " + i + " Ltd" } });
  const members = Array.from({ length: ${shape.membersPerOrg} }, (_, m) => ({ email: "user" + m + "@" + key + ".example", role: "Member" }));
  noop(key + "-members", { backend: "${BACKEND}", key: key + "-members", orgId: org.organizationId, mode: "authoritative", members });
}
`;
}

async function previewBench() {
  const shape = { backend: BACKEND, orgs: flag("orgs", 500), membersPerOrg: flag("members", 20) };
  const runs = flag("runs", 3);
  const emu = await emulator();
  const orgform = await orgformStack("bench-preview", stackYaml(shape), emu);
  await orgform.ok("up", "--yes", "--skip-preview", "--parallel", String(PARALLEL));
  const resources = 3 * shape.orgs;
  const noop = await project("bench-noop", noopProgram(shape));
  await noop.ok("up", "--yes", "--skip-preview", "--parallel", String(PARALLEL));
  await counted(emu);
  const times = { orgform: [], noop: [] };
  // Interleaved, so that the load of a shared machine weighs on both alike.
  for (let i = 0; i < runs; i++) {
    times.orgform.push((await orgform.ok("preview", "--expect-no-changes", "--parallel", String(PARALLEL))).seconds);
    times.noop.push((await noop.ok("preview", "--expect-no-changes", "--parallel", String(PARALLEL))).seconds);
  }
  const calls = await counted(emu);
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`### pulumi preview: orgform (${resources} resources: ${shape.orgs} organizations, profiles, member sets of ${shape.membersPerOrg}) vs ${resources} no-op dynamic resources of the same shape\n`);
  console.log(machine() + "\n");
  console.log("| stack | runs (s) | median s |\n| --- | --- | ---: |");
  console.log(`| orgform | ${times.orgform.map((t) => fmt(t, 1)).join(", ")} | ${fmt(median(times.orgform), 1)} |`);
  console.log(`| no-op | ${times.noop.map((t) => fmt(t, 1)).join(", ")} | ${fmt(median(times.noop), 1)} |`);
  console.log(`\nRatio (medians): ${fmt(median(times.orgform) / median(times.noop), 2)}; API calls during the orgform previews: ${calls.total}`);
  await emu.close();
}

async function faultsBench() {
  const shape = { backend: BACKEND, orgs: flag("orgs", 200), membersPerOrg: flag("members", 10) };
  const rate = flag("rate", 50);
  const spec = `dialect=${BACKEND},error=0.1;dialect=${BACKEND},reset=0.02;dialect=${BACKEND},commit-then-fail=0.02`;
  const emu = await emulator({ rateLimit: { ratePerSecond: rate, burst: rate }, faults: spec, faultSeed: 15 });
  const p = await orgformStack("bench-faults", stackYaml(shape), emu);
  await counted(emu);
  const ups = [];
  // Each run converges further; the run is done when one exits 0.
  for (let i = 0; i < 3; i++) {
    const r = await p.pulumi("up", "--yes", "--skip-preview", "--parallel", String(PARALLEL));
    ups.push(r);
    if (r.code === 0) break;
  }
  const calls = await counted(emu);
  await admin(emu, "DELETE", "/faults");
  const check = await p.pulumi("preview", "--refresh", "--expect-no-changes");
  const a = await audit(emu, shape);
  console.log(`### Fault run (${shape.orgs} organizations with a profile, ${sizeOf(shape).members} members; faults \`${spec}\`, seed 15; emulator rate limit ${rate}/s, no client rate set)\n`);
  console.log(machine() + "\n");
  console.log("| pulumi up runs (exit codes) | wall s | calls | 429s | faults injected | duplicates | missing | no-change preview after |\n| --- | ---: | ---: | ---: | --- | ---: | ---: | --- |");
  console.log(
    `| ${ups.map((u) => u.code).join(", ")} | ${fmt(ups.reduce((s, u) => s + u.seconds, 0), 1)} | ${calls.total} | ${calls.rateLimited} | ${JSON.stringify(calls.faults)} | ${a.duplicateOrganizations + a.duplicateMembers} | ${a.missingOrganizations + a.missingMembers} | exit ${check.code} |`,
  );
  for (const u of ups.filter((x) => x.code !== 0)) console.log("\n```\n" + u.out.slice(-2500) + "\n```");
  await emu.close();
}

async function validateBench() {
  const shape = { backend: BACKEND, orgs: flag("orgs", 1000), membersPerOrg: flag("members", 10) };
  const runs = flag("runs", 5);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "orgform-bench-validate-"));
  temps.push(dir);
  const file = path.join(dir, "orgs.yaml");
  fs.writeFileSync(file, stackYaml(shape));
  const times = [];
  for (let i = 0; i < runs; i++) {
    const r = await run(process.execPath, [path.join(root, "bin", "orgform.js"), "validate", file], { cwd: dir, env: process.env });
    if (r.code !== 0) throw new Error(r.out);
    times.push(r.seconds);
  }
  console.log(`### orgform validate (${shape.orgs} organizations with a profile, ${sizeOf(shape).members} members; ${fs.statSync(file).size} bytes)\n`);
  console.log(machine() + "\n");
  console.log(`Runs (s, the whole process): ${times.map((t) => fmt(t, 2)).join(", ")}; best ${fmt(Math.min(...times), 2)}`);
}

const commands = { refresh: refreshBench, onboard: onboardBench, preview: previewBench, faults: faultsBench, validate: validateBench };
if (!commands[command]) {
  console.error(`usage: node bench/scale.mjs ${Object.keys(commands).join("|")} [options] (see the head of this file)`);
  process.exit(2);
}
try {
  await commands[command]();
} finally {
  if (!keep) for (const t of temps) fs.rmSync(t, { recursive: true, force: true });
}

#!/usr/bin/env node
// Issue 24, "one context per call": what following one create through the provider's code costs.
// Runs the dynamic provider's methods as the engine calls them (`hostedProvider(<handlers>).create`)
// against the emulator (in this process, `:memory:`), with every function of dist/provider/**
// instrumented at load (the TypeScript compiler API adds one call at the top of each body), and
// prints, per create:
//
// - files: the distinct provider files control passes through;
// - re-entries: how often control comes back to a file it had left. Control is observed at each
//   function entry: the caller's file (the first provider frame of the stack below the function)
//   then the function's own file; the sequence of files with repeats in a row collapsed is the
//   path a reader follows, and every element of it naming a file seen earlier is a re-entry
//   (returns included: back in the caller to make its next call);
// - calls back: the calls alone, from one file into another already visited;
// - resolutions: entries of `resolveConnection` (the connection), `schemaFor` (the schema
//   registry, whoever asks: `orgSchema()` helpers, memberRules, roles, planners) and
//   `capabilitiesOf` (the capability matrix), each counted wherever it is called from;
// - requests: HTTP requests sent (`HttpClient.send`).
//
//   npm run build
//   node bench/call-path.mjs [--backend cloudflare] [--trace]   (--trace prints the path itself)
//
// Each create is measured warm (the second of its kind in the process: modules loaded, the backend
// opened), as most creates of a deployment run; the first organization create is shown apart.
import * as fs from "node:fs";
import Module, { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(path.join(root, "package.json"));
const ts = require("typescript");
const providerDist = path.join(root, "dist", "provider") + path.sep;

const args = process.argv.slice(2);
const BACKEND = args.includes("--backend") ? args[args.indexOf("--backend") + 1] : "cloudflare";
const SHOW_TRACE = args.includes("--trace");

/** `dist/provider/a/b.js` -> `provider/a/b.ts` */
const labelOf = (file) => path.relative(path.join(root, "dist"), file).replace(/\.js$/, ".ts");

// ---- instrumentation ----

/** A readable name for a function node: its own name, its class's, or what it is assigned to. */
function nameOf(node, sf) {
  const cls = (n) => (n.parent && ts.isClassLike(n.parent) && n.parent.name ? `${n.parent.name.text}.` : "");
  if ((ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node)) && node.name) return node.name.text;
  if (ts.isMethodDeclaration(node) || ts.isGetAccessor(node) || ts.isSetAccessor(node)) return `${cls(node)}${node.name.getText(sf)}`;
  if (ts.isConstructorDeclaration(node)) return `${cls(node)}constructor`;
  const p = node.parent;
  if (p && ts.isVariableDeclaration(p)) return p.name.getText(sf);
  if (p && ts.isPropertyAssignment(p)) return p.name.getText(sf);
  if (p && ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.EqualsToken) return p.left.getText(sf);
  return `<anonymous:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}>`;
}

/** The module's code with `globalThis.__orgformTrace(file, name)` first in every function body. */
function instrument(code, label) {
  const sf = ts.createSourceFile(label, code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const f = ts.factory;
  const trace = (name) =>
    f.createExpressionStatement(
      f.createCallExpression(f.createPropertyAccessExpression(f.createIdentifier("globalThis"), "__orgformTrace"), undefined, [f.createStringLiteral(label), f.createStringLiteral(name)]),
    );
  const transformer = (ctx) => {
    const visit = (original) => {
      const name = ts.isFunctionLike(original) ? nameOf(original, sf) : undefined;
      const node = ts.visitEachChild(original, visit, ctx);
      if (name === undefined || !node.body) return node;
      const block = (body) => (ts.isBlock(body) ? f.updateBlock(body, [trace(name), ...body.statements]) : f.createBlock([trace(name), f.createReturnStatement(body)], true));
      if (ts.isFunctionDeclaration(node)) return f.updateFunctionDeclaration(node, node.modifiers, node.asteriskToken, node.name, node.typeParameters, node.parameters, node.type, block(node.body));
      if (ts.isFunctionExpression(node)) return f.updateFunctionExpression(node, node.modifiers, node.asteriskToken, node.name, node.typeParameters, node.parameters, node.type, block(node.body));
      if (ts.isArrowFunction(node)) return f.updateArrowFunction(node, node.modifiers, node.typeParameters, node.parameters, node.type, node.equalsGreaterThanToken, block(node.body));
      if (ts.isMethodDeclaration(node)) return f.updateMethodDeclaration(node, node.modifiers, node.asteriskToken, node.name, node.questionToken, node.typeParameters, node.parameters, node.type, block(node.body));
      if (ts.isConstructorDeclaration(node)) return f.updateConstructorDeclaration(node, node.modifiers, node.parameters, block(node.body));
      if (ts.isGetAccessor(node)) return f.updateGetAccessorDeclaration(node, node.modifiers, node.name, node.parameters, node.type, block(node.body));
      if (ts.isSetAccessor(node)) return f.updateSetAccessorDeclaration(node, node.modifiers, node.name, node.parameters, block(node.body));
      return node;
    };
    return (file) => ts.visitNode(file, visit);
  };
  const out = ts.transform(sf, [transformer]);
  return ts.createPrinter().printFile(out.transformed[0]);
}

const loadJs = Module._extensions[".js"];
Module._extensions[".js"] = function (module, filename) {
  if (!filename.startsWith(providerDist)) return loadJs(module, filename);
  module._compile(instrument(fs.readFileSync(filename, "utf8"), labelOf(filename)), filename);
};

// ---- the trace ----

Error.stackTraceLimit = 64;
let events; // undefined: not tracing
const FRAME = /\(?((?:\/|[A-Za-z]:\\)[^()]*?):\d+:\d+\)?$/;

globalThis.__orgformTrace = (file, name) => {
  if (!events) return;
  // Frames: [0] this function, [1] the instrumented function, [2...] its callers.
  const frames = new Error().stack.split("\n").slice(3);
  let caller;
  for (const frame of frames) {
    const m = FRAME.exec(frame.trim());
    if (!m) continue; // `Array.map (<anonymous>)`, `new Promise (<anonymous>)`: look further
    if (m[1].startsWith(providerDist)) caller = labelOf(m[1]);
    break; // a Node internal or a dependency called it: no provider caller
  }
  events.push({ caller, file, name });
};

/** The path as a reader follows it, with its figures. */
function summarize(trace) {
  const pathOfFiles = [];
  const push = (file) => file && pathOfFiles[pathOfFiles.length - 1] !== file && pathOfFiles.push(file);
  for (const e of trace) {
    push(e.caller);
    push(e.file);
  }
  const seen = new Set();
  let reentries = 0;
  for (const file of pathOfFiles) {
    if (seen.has(file)) reentries++;
    seen.add(file);
  }
  // Calls alone (a return to the caller is not counted): calls from another file into a file already visited.
  const entered = new Set();
  let callsBack = 0;
  for (const e of trace) {
    if (e.caller) entered.add(e.caller);
    if (e.caller && e.caller !== e.file && entered.has(e.file)) callsBack++;
    entered.add(e.file);
  }
  const count = (file, name) => trace.filter((e) => e.file === file && e.name === name).length;
  return {
    files: seen.size,
    steps: pathOfFiles.length,
    reentries,
    callsBack,
    connection: count("provider/config/connection.ts", "resolveConnection"),
    schema: count("provider/core/schema.ts", "schemaFor"),
    capabilities: count("provider/core/capabilities.ts", "capabilitiesOf"),
    requests: count("provider/http/client.ts", "HttpClient.send"),
    pathOfFiles,
    fileList: [...seen],
    resolvedBy: trace
      .filter((e) => ["resolveConnection", "schemaFor", "capabilitiesOf"].includes(e.name))
      .map((e) => `${e.name} <- ${e.caller}`),
  };
}

async function measure(label, work) {
  events = [];
  try {
    await work();
  } finally {
    const trace = events;
    events = undefined;
    results.push({ label, ...summarize(trace) });
  }
}

// ---- the scenario ----

const results = [];
const { startEmulator } = require(path.join(root, "emulator", "dist", "index.js"));
const { emulatorCredentialEnv } = require(path.join(root, "dist", "scripts", "emulator-credentials.js"));
const { hostedProvider } = require("orgform/provider/resources/provider");
const { capabilitiesOf } = require("orgform/provider/core/capabilities");
const { memberRoles } = require("orgform/provider/core/roles");
const { openBackend } = require("orgform/provider/backends/index");
const { resolveConnection } = require("orgform/provider/config/connection");

const caps = capabilitiesOf(BACKEND);
if (!caps.organization.create) {
  console.error(`${BACKEND} cannot create organizations: nothing to measure`);
  process.exit(2);
}
const emu = await startEmulator({ port: 0, db: ":memory:" });
Object.assign(process.env, emulatorCredentialEnv(BACKEND, emu), { ORGFORM_ENDPOINT: emu.baseUrls[BACKEND] });
try {
  const organizations = hostedProvider("provider/resources/handlers/organization");
  const memberSets = hostedProvider("provider/resources/handlers/members");
  const oneMember = hostedProvider("provider/resources/handlers/member");
  await organizations.configure({ config: { get: () => undefined } });
  // An owner of its own per organization where the vendor limits creates per owner (ZenML Pro).
  const { createsPerOwner, ownerField } = caps.organization;
  const ownerOf = (n) => (createsPerOwner !== null && ownerField ? { [ownerField]: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}` } : {});
  const org = (n) => ({ backend: BACKEND, key: `bench-${n}`, owner: "bench/dev", fields: { name: `Bench ${n}`, ...ownerOf(n) } });

  let firstId;
  await measure("Organization create (first of the process)", async () => (firstId = (await organizations.create(org(1))).id));
  let orgId;
  let orgOuts;
  await measure("Organization create", async () => ({ id: orgId, outs: orgOuts } = await organizations.create(org(2))));
  await measure("Organization diff (a renamed field)", () => organizations.diff(orgId, orgOuts, { ...org(2), fields: { ...org(2).fields, name: "Bench renamed" } }));
  await measure("Organization read", () => organizations.read(orgId, orgOuts));
  if (caps.organization.adopt.byId) {
    const adopting = { ...org(1), fields: { ...org(1).fields, name: "Bench 1 adopted" }, adopt: { id: firstId } };
    await measure("Organization create, adopting by id (a renamed field)", () => organizations.create(adopting));
  }

  if (caps.members.supported) {
    // A role the organization has: the schema's default, else one of its live roles (no administrator).
    const rules = memberRoles(BACKEND);
    let role = rules.hasRoles ? rules.defaultRole : undefined;
    if (rules.hasRoles && role === undefined) {
      const api = openBackend(resolveConnection({ flags: { backend: BACKEND }, env: process.env }), "bench-roles");
      role = (await api.listRoles(orgId)).find((r) => !r.administrator)?.name;
    }
    const member = (n) => ({ email: `bench-${n}@example.com`, ...(role !== undefined ? { role } : {}) });
    const set = (id, n) => ({ backend: BACKEND, organizationId: id, mode: "additive", members: [member(n)] });
    const first = (await organizations.create(org(3))).id;
    await memberSets.create(set(first, 0)); // warms the member path, as the first member set of a deployment does
    await measure("OrganizationMembers create (one member)", () => memberSets.create(set(orgId, 1)));
    await oneMember.create({ backend: BACKEND, organizationId: first, ...member(2) });
    await measure("OrganizationMember create", () => oneMember.create({ backend: BACKEND, organizationId: orgId, ...member(3) }));
  }
} finally {
  await emu.close();
}

console.log(`Backend ${BACKEND}:\n`);
console.log("| call | files | re-entries | calls back | connection | schema | capabilities | requests |");
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const r of results) console.log(`| ${r.label} | ${r.files} | ${r.reentries} | ${r.callsBack} | ${r.connection} | ${r.schema} | ${r.capabilities} | ${r.requests} |`);
if (SHOW_TRACE) {
  for (const r of results) {
    console.log(`\n${r.label}: ${r.fileList.join(", ")}\n  ${r.pathOfFiles.join(" -> ")}\n  resolved: ${r.resolvedBy.join("; ")}`);
  }
}

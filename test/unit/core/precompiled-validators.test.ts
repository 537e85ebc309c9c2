// The validators the build precompiles (scripts/build-validators.ts) answer as ajv's compiled
// ones do, and the built package uses them: a process that checks a config loads no ajv compiler.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import type { ValidateFunction } from "ajv";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { buildValidatorsCode } from "../../../scripts/build-validators";
import { configStructureSchema } from "../../../provider/config/config-schema";
import { STRUCTURE_VALIDATOR } from "../../../provider/config/stages/structure";
import { exampleConfigs } from "../examples-list";
import {
  PRECOMPILED_VALIDATORS_FILE,
  ajv,
  declaredSchemaOf,
  precompiledValidatorNames,
  schemaFor,
  schemaId,
  schemasFingerprint,
} from "../../../provider/core/schema";

const root = path.join(__dirname, "..", "..", "..");

/** Values of every JSON type and of the shapes the schemas constrain (lengths, formats, enums, lists). */
const PROBES: unknown[] = [
  null,
  0,
  -1,
  1.5,
  2 ** 40,
  "",
  "x",
  "a".repeat(300),
  "not an email",
  "user@example.com",
  "https://example.com/logo.png",
  "2026-01-01T00:00:00Z",
  "00000000-0000-4000-8000-000000000000",
  true,
  [],
  ["a", "a"],
  ["https://a.example", "https://b.example"],
  [{}],
  [{ url: "https://a.example", label: "a" }],
  {},
  { a: 1 },
  { tier: "gold" },
];

function errorsOf(validate: ValidateFunction, value: unknown): unknown {
  validate(value);
  return (validate.errors ?? []).map(({ instancePath, schemaPath, keyword, params }) => ({ instancePath, schemaPath, keyword, params }));
}

/** Expects the precompiled validator to answer every value as the compiled one does; how many both refused. */
function expectSameAnswers(precompiled: ValidateFunction, compiled: ValidateFunction, values: unknown[]): number {
  let rejected = 0;
  for (const value of values) {
    const expected = errorsOf(compiled, value);
    if ((expected as unknown[]).length > 0) rejected++;
    expect(errorsOf(precompiled, value), JSON.stringify(value)).toEqual(expected);
  }
  return rejected;
}

describe("the precompiled validators", () => {
  // Built from the sources here, run as a CommonJS module whose `require` resolves from the
  // package (the generated code requires ajv's run-time helpers and ajv-formats' formats).
  const built: Record<string, ValidateFunction | string> = {};
  new Function("exports", "require", buildValidatorsCode())(built, createRequire(path.join(root, "package.json")));

  it.each(precompiledValidatorNames().map((v) => [v.name, v] as const))("%s answers as ajv's compiled validator does", (name, { backend, kind, variant }) => {
    const schema = schemaFor(backend, kind);
    const precompiled = built[name] as ValidateFunction;
    expect(precompiled).toBeTypeOf("function");
    const compiled = variant === "observed" ? ajv().getSchema(schemaId(backend, kind))! : ajv().compile(declaredSchemaOf(schema, variant === "partial"));
    const fields = variant === "observed" ? schema.fields : schema.fields.filter((f) => f.access === "both" || f.access === "import-only");
    // A value each field accepts alone (one of its enum, or a probe), then each field given every probe in turn.
    const good: Record<string, unknown> = {};
    for (const f of fields) {
      const accepted = [...(f.enum ?? []), ...PROBES].find((probe) => compiled({ [f.name]: probe }) || !(compiled.errors ?? []).some((e) => e.instancePath.startsWith(`/${f.name}`)));
      if (accepted !== undefined) good[f.name] = accepted;
    }
    const cases: unknown[] = [good, {}, null, [], "x", ...PROBES.map((probe) => ({ unknown_field: probe }))];
    for (const f of fields) for (const probe of PROBES) cases.push({ ...good, [f.name]: probe });
    const rejected = expectSameAnswers(precompiled, compiled, cases);
    expect(rejected).toBeGreaterThan(0);
    expect(cases.length - rejected).toBeGreaterThan(0);
  });

  it("include the structure of a desired-state file, which answers as ajv's compiled validator does", () => {
    const precompiled = built[STRUCTURE_VALIDATOR] as ValidateFunction;
    expect(precompiled).toBeTypeOf("function");
    const compiled = ajv().compile(configStructureSchema());
    // Every file of the bad-input corpus that is YAML at all, and every example.
    const dirs = [path.join(root, "test", "fixtures", "config-corpus"), path.join(root, "examples", "backends")];
    const documents = dirs.flatMap((dir) =>
      fs.readdirSync(dir).flatMap((f) => {
        try {
          const document = f.endsWith(".yaml") ? (parse(fs.readFileSync(path.join(dir, f), "utf8"), { logLevel: "error" }) as unknown) : undefined;
          return document !== undefined && JSON.stringify(document) ? [document] : []; // (a recursive alias is no document)
        } catch {
          return [];
        }
      }),
    );
    const rejected = expectSameAnswers(precompiled, compiled, documents);
    expect(rejected).toBeGreaterThan(5);
    expect(documents.length - rejected).toBeGreaterThan(5);
  });

  it("carry the fingerprint of the schema files they were built from", () => {
    expect(built.fingerprint).toBe(schemasFingerprint());
    expect(schemasFingerprint()).toMatch(/^[0-9a-f]{64}$/);
  });

  it("ship with the build and serve a process that validates a config, which loads no ajv compiler", () => {
    // `npm test` builds first (pretest); the built package holds them next to the registry.
    const shipped = path.join(root, "dist", "provider", "core", PRECOMPILED_VALIDATORS_FILE);
    expect(fs.existsSync(shipped)).toBe(true);
    const script = `
      const { loadConfig } = require(${JSON.stringify(path.join(root, "dist", "provider", "config", "load.js"))});
      const files = ${JSON.stringify(exampleConfigs())};
      const errors = files.flatMap((f) => loadConfig(f, { env: {}, unsetEnv: "warning" }).diagnostics.filter((d) => d.severity === "error"));
      const ajvModules = Object.keys(require.cache).filter((k) => /node_modules[\\\\/]ajv[\\\\/]dist[\\\\/](core|2020|compile)/.test(k));
      process.stdout.write(JSON.stringify({ errors: errors.length, ajvModules }));`;
    const out = JSON.parse(execFileSync(process.execPath, ["-e", script], { encoding: "utf8" })) as { errors: number; ajvModules: string[] };
    expect(out).toEqual({ errors: 0, ajvModules: [] });
  });
});

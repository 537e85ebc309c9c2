/**
 * Build step (after tsc): writes ajv's standalone code of every validator the schema registry
 * uses (what each backend's objects may declare, fully or partially, and what the API answers,
 * and the structure of a desired-state file)
 * next to the compiled registry, so that a process checks configs without loading ajv or
 * compiling a schema. The registry uses it only while the schema files are those it was built
 * from (their fingerprint is written with it); otherwise it compiles them as before.
 *
 *   node dist/scripts/build-validators.js
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { _ } from "ajv";
import standaloneCode from "ajv/dist/standalone";
import {
  PRECOMPILED_VALIDATORS_FILE,
  buildAjv,
  declaredSchemaOf,
  precompiledValidatorNames,
  schemaFor,
  schemaId,
  schemasFingerprint,
} from "../provider/core/schema";
import { configStructureSchema } from "../provider/config/config-schema";
import { STRUCTURE_VALIDATOR } from "../provider/config/stages/structure";

export function buildValidatorsCode(): string {
  // The formats come from ajv-formats at run time, as addFormats gives them to ajv.
  const ajv = buildAjv({ checkSchemas: true, extra: { code: { source: true, formats: _`require("ajv-formats/dist/formats").fullFormats` } } });
  const ids: Record<string, string> = {};
  for (const { name, backend, kind, variant } of precompiledValidatorNames()) {
    if (variant === "observed") {
      ids[name] = schemaId(backend, kind);
      continue;
    }
    const id = `https://orgform.dev/validators/${name}`;
    ajv.addSchema({ ...declaredSchemaOf(schemaFor(backend, kind), variant === "partial"), $id: id });
    ids[name] = id;
  }
  // The structure of a desired-state file (provider/config/structure.ts), which the loader checks first.
  const structureId = `https://orgform.dev/validators/${STRUCTURE_VALIDATOR}`;
  ajv.addSchema({ ...configStructureSchema(), $id: structureId });
  ids[STRUCTURE_VALIDATOR] = structureId;
  const code = standaloneCode(ajv, ids);
  // One export per validator name ("full/cloudflare/member", ...), and the fingerprint.
  return `${code}\n// Generated at build time by scripts/build-validators.ts from schemas/: do not edit.\nexports.fingerprint = ${JSON.stringify(schemasFingerprint())};\n`;
}

if (require.main === module) {
  const out = path.join(__dirname, "..", "provider", "core", PRECOMPILED_VALIDATORS_FILE);
  fs.writeFileSync(out, buildValidatorsCode());
  process.stdout.write(`build-validators: ${precompiledValidatorNames().length + 1} validators -> ${path.relative(process.cwd(), out)}\n`);
}

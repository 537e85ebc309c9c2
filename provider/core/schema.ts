/**
 * Schema registry: loads `schemas/<backend>/<kind>.schema.json` (JSON Schema 2020-12, ajv strict,
 * `x-` keywords registered as a vocabulary) and answers what each field is.
 *
 * Access classes (`x-access`):
 * - `both`        declared and read back; compared with the live value (drift).
 * - `export-only` read back, never sent, never a cause of diff; users may not declare it.
 * - `import-only` sent, never read back; a change of the declared value is an update, never drift.
 * - `neither`     never declared, never exported; the provider may use it internally.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { ErrorObject, Options, ValidateFunction } from "ajv";
import type Ajv2020 from "ajv/dist/2020";
import { BACKENDS, BackendName, RESOURCE_KINDS, ResourceKind } from "./backends";
import { schemasDir } from "./paths";
import { suggest } from "./suggest";

export const ACCESS_CLASSES = ["both", "export-only", "import-only", "neither"] as const;
export type Access = (typeof ACCESS_CLASSES)[number];

/** Problem codes produced by schema validation (stable; documented in provider/config/README.md). */
export type ProblemCode =
  | "missing-required"
  | "wrong-type"
  | "invalid-format"
  | "not-allowed-value"
  | "too-short"
  | "too-long"
  | "pattern-mismatch"
  | "out-of-range"
  | "unknown-field"
  | "read-only"
  | "schema-violation";

export interface Problem {
  /** Path inside the validated object, e.g. ["metadata", "tier"]. */
  path: string[];
  code: ProblemCode;
  message: string;
  /** For `unknown-field`: the closest known field name, if any. */
  suggestion?: string;
}

export interface FieldSpec {
  name: string;
  access: Access;
  replaceOnChange: boolean;
  volatile: boolean;
  sensitive: boolean;
  /** Listed in the schema's `required` (needed to create). */
  required: boolean;
  /** Main JSON type ("string", "integer", "number", "boolean", "object", "array"). */
  type: string;
  /** `null` is an accepted value (clears the field where the vendor allows it). */
  nullable: boolean;
  format?: string;
  enum?: readonly unknown[];
  description?: string;
  /**
   * Where the field lives in the vendor's resource object, as JSON pointer segments: the property's
   * `x-wire` pointer, else the schema's `x-wire-base` followed by the field name.
   */
  wire: string[];
  /** Keywords of this property that orgform enforces for its users' safety though the vendor does not state them (`x-client-side`). */
  clientSide: string[];
  /**
   * Set once, at create (`x-create-only`): sent on create only, compared with the live value; a
   * difference is refused (the vendor cannot change it) instead of an update or a replacement.
   */
  createOnly: boolean;
  /**
   * Keys of this object field that are orgform's, not the user's (`x-reserved-keys`, e.g. the
   * ownership marker in a vendor's free-form metadata): written by the adapter, kept on update,
   * and never read back into the field, so diff, export and drift never see them.
   */
  reservedKeys: string[];
  /**
   * Values compare ignoring case: `x-compare: case-insensitive` (a role name the API resolves
   * case-insensitively), or `format: email`. Diff, drift, guards and matching all read this.
   */
  caseInsensitive: boolean;
  /**
   * Values of this export-only field that mean the object is not in force (`x-inactive-values`,
   * e.g. a member whose membership is `canceled`): the planner treats it as absent and re-creates
   * it where it is declared.
   */
  inactiveValues: readonly unknown[];
  /** The property's JSON Schema, as written. */
  json: Record<string, unknown>;
}

export interface ResourceSchema {
  backend: BackendName;
  kind: ResourceKind;
  /** The schema document as loaded. */
  json: Record<string, unknown>;
  fields: FieldSpec[];
  field(name: string): FieldSpec | undefined;
}

/** Keywords of the orgform vocabulary, registered with ajv so that strict mode accepts them. */
export const ORGFORM_KEYWORDS = [
  "x-access",
  "x-replace-on-change",
  "x-volatile",
  "x-sensitive",
  "x-wire",
  "x-wire-base",
  "x-client-side",
  "x-admin-values",
  "x-create-only",
  "x-reserved-keys",
  "x-not-allowed",
  "x-compare",
  "x-inactive-values",
] as const;

let ajvInstance: Ajv2020 | undefined;

/**
 * The shared ajv instance (2020-12, strict, formats, orgform vocabulary, every schema added).
 * It does not check the schema files against the 2020-12 meta-schema: compiling that costs about
 * 0.2 s of every `orgform validate` and every program run, for files that only change with a
 * release; the unit tests build a checking instance (`buildAjv({ checkSchemas: true })`).
 */
export function ajv(): Ajv2020 {
  return (ajvInstance ??= buildAjv({ checkSchemas: false }));
}

/**
 * A new ajv instance with every schema added; `checkSchemas` validates each against the meta-schema
 * and the vocabulary's own; `extra` adds ajv options (the build's standalone code generation).
 */
export function buildAjv(options: { checkSchemas: boolean; extra?: Options }): Ajv2020 {
  // Loaded here, not at the top: a process the precompiled validators serve (below) never loads ajv.
  const { default: Ajv } = require("ajv/dist/2020") as typeof import("ajv/dist/2020");
  const { default: addFormats } = require("ajv-formats") as typeof import("ajv-formats");
  const instance = new Ajv({ strict: true, allErrors: true, allowUnionTypes: true, validateSchema: options.checkSchemas, ...options.extra });
  addFormats(instance);
  instance.addVocabulary([
    { keyword: "x-access", schemaType: "string", metaSchema: { enum: [...ACCESS_CLASSES] } },
    { keyword: "x-replace-on-change", schemaType: "boolean" },
    { keyword: "x-volatile", schemaType: "boolean" },
    { keyword: "x-sensitive", schemaType: "boolean" },
    // JSON pointer (RFC 6901) into the vendor's resource object; `x-wire-base` prefixes every property's default.
    { keyword: "x-wire", schemaType: "string", metaSchema: { type: "string", pattern: "^(/[^/]+)+$" } },
    { keyword: "x-wire-base", schemaType: "string", metaSchema: { type: "string", pattern: "^(/[^/]+)*$" } },
    // Keywords (e.g. "format") orgform adds for its users' safety where the vendor states no such rule.
    { keyword: "x-client-side", schemaType: "array", metaSchema: { type: "array", items: { type: "string" }, uniqueItems: true } },
    // Values of a member's role that make the member an administrator (guard rails).
    { keyword: "x-admin-values", schemaType: "array", metaSchema: { type: "array", uniqueItems: true } },
    // Set at create only; a declared change of it is refused, never applied nor a replacement.
    { keyword: "x-create-only", schemaType: "boolean" },
    // Keys of an object field that belong to orgform (its ownership marker): never the user's.
    { keyword: "x-reserved-keys", schemaType: "array", metaSchema: { type: "array", items: { type: "string", minLength: 1 }, uniqueItems: true } },
    // The vendor's reason why this property takes no value on this kind (Cloudomation: "not allowed for ORGANIZATION").
    { keyword: "x-not-allowed", schemaType: "string" },
    // How values of the property compare (diff, drift, guards, matching): `case-insensitive` where the API resolves names so.
    { keyword: "x-compare", schemaType: "string", metaSchema: { enum: ["exact", "case-insensitive"] } },
    // Values of an export-only status that mean the object is not in force (a canceled membership).
    { keyword: "x-inactive-values", schemaType: "array", metaSchema: { type: "array", minItems: 1, uniqueItems: true } },
  ]);
  const dir = schemasDir();
  for (const backend of BACKENDS) {
    for (const kind of RESOURCE_KINDS) {
      const file = path.join(dir, backend, `${kind}.schema.json`);
      if (fs.existsSync(file)) instance.addSchema(readJson(file));
    }
  }
  return instance;
}

export function readJson(file: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
}

export function schemaId(backend: BackendName, kind: ResourceKind): string {
  return `https://orgform.dev/schemas/${backend}/${kind}.schema.json`;
}

export function schemaFile(backend: BackendName, kind: ResourceKind): string {
  return path.join(schemasDir(), backend, `${kind}.schema.json`);
}

const schemaPresence = new Map<string, boolean>();

/** Whether the backend describes this kind at all (e.g. ZenML has no members); asked for every member a config declares, so the file system is asked once. */
export function hasSchema(backend: BackendName, kind: ResourceKind): boolean {
  const key = `${backend}/${kind}`;
  let present = schemaPresence.get(key);
  if (present === undefined) schemaPresence.set(key, (present = fs.existsSync(schemaFile(backend, kind))));
  return present;
}

/** The kinds the backend has schemas for. */
export function kindsOf(backend: BackendName): ResourceKind[] {
  return RESOURCE_KINDS.filter((kind) => hasSchema(backend, kind));
}

const schemaCache = new Map<string, ResourceSchema>();

/** The schema of one backend's resource kind (cached). Throws if the vendor has no such kind. */
export function schemaFor(backend: BackendName, kind: ResourceKind): ResourceSchema {
  const cacheKey = `${backend}/${kind}`;
  const cached = schemaCache.get(cacheKey);
  if (cached) return cached;
  if (!hasSchema(backend, kind)) {
    throw new Error(`backend ${backend} has no ${kind} schema (schemas/${backend}/${kind}.schema.json)`);
  }
  const json = readJson(schemaFile(backend, kind));
  const fields = fieldsOf(json, `${backend}/${kind}`, typeof json["x-wire-base"] === "string" ? pointerSegments(json["x-wire-base"]) : []);
  const byName = new Map(fields.map((f) => [f.name, f]));
  const schema: ResourceSchema = { backend, kind, json, fields, field: (name) => byName.get(name) };
  schemaCache.set(cacheKey, schema);
  return schema;
}

/** Every schema of one backend: the organization's always, the profile's and the member's where the vendor has them. */
export interface BackendSchemas {
  organization: ResourceSchema;
  profile?: ResourceSchema;
  member?: ResourceSchema;
}

/** A backend's schemas, looked up once by whoever opens a call or an adapter and handed down from there. */
export function schemasOf(backend: BackendName): BackendSchemas {
  return {
    organization: schemaFor(backend, "organization"),
    ...(hasSchema(backend, "profile") ? { profile: schemaFor(backend, "profile") } : {}),
    ...(hasSchema(backend, "member") ? { member: schemaFor(backend, "member") } : {}),
  };
}

/** RFC 6901 pointer -> segments ("" -> []). */
export function pointerSegments(pointer: string): string[] {
  return pointer === "" ? [] : pointer.split("/").slice(1).map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function fieldsOf(json: Record<string, unknown>, label: string, wireBase: string[]): FieldSpec[] {
  const properties = (json.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, prop]) => {
    const access = prop["x-access"];
    if (typeof access !== "string" || !(ACCESS_CLASSES as readonly string[]).includes(access)) {
      throw new Error(`schema ${label}: property ${name} has no valid x-access`);
    }
    const { type, nullable } = typeOf(prop);
    const spec: FieldSpec = {
      name,
      access: access as Access,
      replaceOnChange: prop["x-replace-on-change"] === true,
      volatile: prop["x-volatile"] === true,
      sensitive: prop["x-sensitive"] === true,
      required: required.has(name),
      type,
      nullable,
      wire: typeof prop["x-wire"] === "string" ? pointerSegments(prop["x-wire"]) : [...wireBase, name],
      clientSide: Array.isArray(prop["x-client-side"]) ? (prop["x-client-side"] as string[]) : [],
      createOnly: prop["x-create-only"] === true,
      reservedKeys: Array.isArray(prop["x-reserved-keys"]) ? (prop["x-reserved-keys"] as string[]) : [],
      caseInsensitive: prop["x-compare"] === "case-insensitive" || prop.format === "email",
      inactiveValues: Array.isArray(prop["x-inactive-values"]) ? (prop["x-inactive-values"] as unknown[]) : [],
      json: prop,
    };
    if (typeof prop.format === "string") spec.format = prop.format;
    if (Array.isArray(prop.enum)) spec.enum = prop.enum;
    if (typeof prop.description === "string") spec.description = prop.description;
    return spec;
  });
}

function typeOf(prop: Record<string, unknown>): { type: string; nullable: boolean } {
  const t = prop.type;
  if (typeof t === "string") return { type: t, nullable: t === "null" };
  if (Array.isArray(t)) {
    const nonNull = t.filter((x) => x !== "null") as string[];
    return { type: nonNull[0] ?? "null", nullable: t.includes("null") };
  }
  const variants = (prop.anyOf ?? prop.oneOf) as Record<string, unknown>[] | undefined;
  if (Array.isArray(variants)) {
    let nullable = false;
    let type = "object";
    for (const v of variants) {
      if (v.type === "null") nullable = true;
      else if (typeof v.type === "string") type = v.type;
    }
    return { type, nullable };
  }
  return { type: "object", nullable: false };
}

const declarableCache = new WeakMap<ResourceSchema, FieldSpec[]>();

/** Fields a user may declare: `both` and `import-only` (the same array for each call on a schema: do not change it). */
export function declarableFields(schema: ResourceSchema): FieldSpec[] {
  let fields = declarableCache.get(schema);
  if (!fields) declarableCache.set(schema, (fields = schema.fields.filter((f) => f.access === "both" || f.access === "import-only")));
  return fields;
}

/** Fields read back from the API: `both` and `export-only`. */
export function observedFields(schema: ResourceSchema): FieldSpec[] {
  return schema.fields.filter((f) => f.access === "both" || f.access === "export-only");
}

export interface ValidateDeclaredOptions {
  /**
   * Skip `required` (the object is adopted or updated, not created: missing fields are simply
   * unmanaged). Default false.
   */
  partial?: boolean;
}

const declaredValidators = new Map<string, ValidateFunction>();
const observedValidators = new Map<string, ValidateFunction>();

/**
 * What a declared object of this kind is checked against: the declarable properties (`required`
 * unless `partial`). ajv compares every pair of items for `uniqueItems` (quadratic: 16,000 links
 * took 6 s), so unique lists are checked by `validateDeclared` instead.
 */
export function declaredSchemaOf(schema: ResourceSchema, partial: boolean): Record<string, unknown> {
  const declarable = declarableFields(schema);
  const properties: Record<string, unknown> = {};
  for (const f of declarable) properties[f.name] = uniqueListField(f) ? withoutUniqueItems(f.json) : f.json;
  const required = partial ? [] : declarable.filter((f) => f.required).map((f) => f.name);
  return { type: "object", properties, ...(required.length ? { required } : {}) };
}

/** One validator `scripts/build-validators` precompiles: its name, and what it checks. */
export interface PrecompiledValidator {
  name: string;
  backend: BackendName;
  kind: ResourceKind;
  variant: "full" | "partial" | "observed";
}

export function precompiledValidatorNames(): PrecompiledValidator[] {
  const out: PrecompiledValidator[] = [];
  for (const backend of BACKENDS) {
    for (const kind of kindsOf(backend)) {
      for (const variant of ["full", "partial", "observed"] as const) out.push({ name: `${variant}/${backend}/${kind}`, backend, kind, variant });
    }
  }
  return out;
}

/** One fingerprint of every schema file's text, as the precompiled validators were built from. */
export function schemasFingerprint(): string {
  const hash = createHash("sha256");
  for (const backend of BACKENDS) {
    for (const kind of RESOURCE_KINDS) {
      if (hasSchema(backend, kind)) hash.update(`${backend}/${kind}\u0000${fs.readFileSync(schemaFile(backend, kind), "utf8")}\u0000`);
    }
  }
  return hash.digest("hex");
}

/** The file `scripts/build-validators` writes next to this module's compiled code (dist only). */
export const PRECOMPILED_VALIDATORS_FILE = "precompiled-validators.js";

let precompiled: Record<string, ValidateFunction | string> | null | undefined;

/**
 * The validator of this name as ajv's standalone code, built with the package from the same schema
 * files; null when there is none or the schema files changed since (then ajv compiles it). Compiling
 * costs about 0.05 s of every process (loading ajv, adding the schemas, generating the code), the
 * largest part of a quick `orgform validate` after parsing.
 */
export function precompiledValidator(name: string): ValidateFunction | null {
  if (precompiled === undefined) {
    precompiled = null;
    const file = path.join(__dirname, PRECOMPILED_VALIDATORS_FILE);
    if (fs.existsSync(file)) {
      const built = require(file) as Record<string, ValidateFunction> & { fingerprint: string };
      if (built.fingerprint === schemasFingerprint()) precompiled = built;
    }
  }
  const validate = precompiled?.[name];
  return typeof validate === "function" ? validate : null;
}

/**
 * What a user may declare: every problem at once. Unknown fields are `unknown-field` (with a
 * suggestion), `export-only` / `neither` fields are `read-only`, and the declarable part is checked
 * against the schema (types, formats, lengths, patterns, enums, required unless `partial`).
 */
export function validateDeclared(schema: ResourceSchema, value: unknown, options: ValidateDeclaredOptions = {}): Problem[] {
  if (!isPlainObject(value)) {
    return [{ path: [], code: "wrong-type", message: `must be an object (got ${describeType(value)})` }];
  }
  const problems: Problem[] = [];
  const declarable = declarableFields(schema);
  const declaredPart: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const spec = schema.field(key);
    if (spec && (spec.access === "both" || spec.access === "import-only")) declaredPart[key] = value[key];
    if (!spec) {
      const suggestion = suggest(
        key,
        declarable.map((f) => f.name),
      );
      problems.push({
        path: [key],
        code: "unknown-field",
        message: `unknown field "${key}" for a ${schema.backend} ${schema.kind}` + (suggestion ? `; did you mean "${suggestion}"?` : ""),
        ...(suggestion ? { suggestion } : {}),
      });
    } else if (spec.access === "export-only" || spec.access === "neither") {
      problems.push({
        path: [key],
        code: "read-only",
        message:
          spec.access === "export-only"
            ? `"${key}" is read-only (export-only): it is reported by the API and cannot be declared`
            : `"${key}" is internal to orgform and cannot be declared`,
      });
    }
    const declaredValue = value[key];
    if (spec && isPlainObject(declaredValue)) {
      for (const reserved of spec.reservedKeys) {
        if (Object.prototype.hasOwnProperty.call(declaredValue, reserved)) {
          problems.push({ path: [key, reserved], code: "read-only", message: `"${key}.${reserved}" is reserved for orgform (its ownership marker) and cannot be declared` });
        }
      }
    }
  }
  const key = `${options.partial ? "partial" : "full"}/${schema.backend}/${schema.kind}`;
  let validate = declaredValidators.get(key);
  if (!validate) {
    validate = precompiledValidator(key) ?? ajv().compile(declaredSchemaOf(schema, options.partial === true));
    declaredValidators.set(key, validate);
  }
  validate(declaredPart);
  for (const problem of problemsFromAjv(validate.errors ?? [], declaredPart)) {
    // A property the vendor allows on other kinds only: say so in the vendor's words.
    const reason = problem.path.length === 1 ? schema.field(problem.path[0])?.json["x-not-allowed"] : undefined;
    problems.push(typeof reason === "string" ? { path: problem.path, code: "not-allowed-value", message: `${reason}: leave it out (or declare null)` } : problem);
  }
  for (const f of declarable) {
    const list = declaredPart[f.name];
    if (!uniqueListField(f) || !Array.isArray(list)) continue;
    const first = new Map<string, number>();
    for (let i = 0; i < list.length; i++) {
      const id = canonicalJSON(list[i]);
      const earlier = first.get(id);
      if (earlier === undefined) first.set(id, i);
      else {
        problems.push({ path: [f.name], code: "schema-violation", message: `items ${earlier} and ${i} are the same: each item may appear once` });
        break;
      }
    }
  }
  return problems;
}

function withoutUniqueItems(json: Record<string, unknown>): Record<string, unknown> {
  const { uniqueItems: _checkedSeparately, ...rest } = json;
  return rest;
}

function uniqueListField(f: FieldSpec): boolean {
  return (f.json as { uniqueItems?: unknown }).uniqueItems === true;
}

/** JSON with object keys sorted: equal for values that deep-equal. */
function canonicalJSON(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJSON).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJSON(obj[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** A full object as the API holds it (used by the emulator to validate stored objects). */
export function validateObserved(schema: ResourceSchema, value: unknown): Problem[] {
  const key = `observed/${schema.backend}/${schema.kind}`;
  let validate = observedValidators.get(key);
  if (!validate) {
    validate = precompiledValidator(key) ?? ajv().getSchema(schemaId(schema.backend, schema.kind)) ?? ajv().compile(schema.json);
    observedValidators.set(key, validate);
  }
  validate(value);
  return problemsFromAjv(validate.errors ?? [], value);
}

/** Translates ajv errors into orgform problems with readable messages; one per (path, code). */
export function problemsFromAjv(errors: ErrorObject[], root: unknown): Problem[] {
  const out: Problem[] = [];
  const seen = new Set<string>();
  // anyOf/oneOf wrappers only repeat what their branches said; keep them when nothing else did.
  const hasBranchErrors = errors.some((e) => e.keyword !== "anyOf" && e.keyword !== "oneOf");
  for (const e of errors) {
    if ((e.keyword === "anyOf" || e.keyword === "oneOf") && hasBranchErrors) continue;
    // The `{type: "null"}` branch of a nullable anyOf only repeats that the value is not null.
    if (e.keyword === "type" && (e.params as { type?: unknown }).type === "null" && /\/(anyOf|oneOf)\//.test(e.schemaPath)) {
      const others = errors.some((o) => o !== e && o.keyword !== "anyOf" && o.keyword !== "oneOf" && o.instancePath.startsWith(e.instancePath));
      if (others) continue;
    }
    const base = pointerToPath(e.instancePath);
    let problem: Problem;
    const value = valueAt(root, base);
    const p = e.params as Record<string, unknown>;
    switch (e.keyword) {
      case "required":
        problem = { path: [...base, String(p.missingProperty)], code: "missing-required", message: `"${String(p.missingProperty)}" is required` };
        break;
      case "additionalProperties":
      case "unevaluatedProperties": {
        const extra = String(p.additionalProperty ?? p.unevaluatedProperty);
        problem = { path: [...base, extra], code: "unknown-field", message: `unknown field "${extra}"` };
        break;
      }
      case "type":
        problem = { path: base, code: "wrong-type", message: `must be ${article(String(p.type))} (got ${describeType(value)})` };
        break;
      case "format":
        problem = { path: base, code: "invalid-format", message: `must be a valid ${String(p.format)}` + (typeof value === "string" ? ` (got ${JSON.stringify(truncate(value))})` : "") };
        break;
      case "enum":
        problem = { path: base, code: "not-allowed-value", message: `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}` + ` (got ${JSON.stringify(value)})` };
        break;
      case "const":
        problem = { path: base, code: "not-allowed-value", message: `must be ${JSON.stringify(p.allowedValue)}` };
        break;
      case "minLength":
        problem = { path: base, code: "too-short", message: `must be at least ${String(p.limit)} character${p.limit === 1 ? "" : "s"} long` };
        break;
      case "maxLength":
        problem = { path: base, code: "too-long", message: `must be at most ${String(p.limit)} characters long (got ${typeof value === "string" ? [...value].length : "?"})` };
        break;
      case "pattern":
        problem = { path: base, code: "pattern-mismatch", message: `must match ${String(p.pattern)}` + (typeof value === "string" ? ` (got ${JSON.stringify(truncate(value))})` : "") };
        break;
      case "minimum":
      case "maximum":
      case "exclusiveMinimum":
      case "exclusiveMaximum":
      case "minItems":
      case "maxItems":
      case "minProperties":
      case "maxProperties":
        problem = { path: base, code: "out-of-range", message: e.message ?? "out of range" };
        break;
      default:
        problem = { path: base, code: "schema-violation", message: e.message ?? `violates ${e.keyword}` };
    }
    const dedupe = `${problem.path.join("\u0000")}|${problem.code}`;
    if (seen.has(dedupe)) continue;
    seen.add(dedupe);
    out.push(problem);
  }
  return out;
}

function pointerToPath(pointer: string): string[] {
  if (!pointer) return [];
  return pointer
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function valueAt(root: unknown, p: string[]): unknown {
  let cur: unknown = root;
  for (const seg of p) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

function truncate(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function article(type: string): string {
  const words = type.split(",").map((t) => (t === "null" ? "null" : /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`));
  return words.join(" or ");
}

export function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (value === undefined) return "nothing";
  const t = typeof value;
  if (t === "number") return Number.isInteger(value) ? "an integer" : "a number";
  return /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

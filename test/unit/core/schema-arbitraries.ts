// fast-check arbitraries generated from the real schemas (schemas/<backend>/<kind>.schema.json): a
// value of each property as its JSON Schema allows it (types, enums, formats, patterns, lengths,
// nested objects and arrays, `$ref`), so the property tests run on what a user could declare and
// what a vendor could return, never on made-up schemas.
import fc from "fast-check";
import { BACKENDS } from "../../../provider/core/backends";
import { kindsOf, schemaFor, type Access, type FieldSpec, type ResourceSchema } from "../../../provider/core/schema";

type Json = Record<string, unknown>;

/** Every backend's every kind, as the provider loads them. */
export const SCHEMAS: ResourceSchema[] = BACKENDS.flatMap((backend) => kindsOf(backend).map((kind) => schemaFor(backend, kind)));

/** `it.each` rows: one per schema. */
export const schemaRows = (filter: (s: ResourceSchema) => boolean = () => true): [string, ResourceSchema][] =>
  SCHEMAS.filter(filter).map((s) => [`${s.backend}/${s.kind}`, s]);

/** Whether the schema says the field's values compare ignoring case (`format: email`, `x-compare: case-insensitive`). */
export const comparesIgnoringCase = (spec: FieldSpec): boolean => spec.format === "email" || spec.json["x-compare"] === "case-insensitive";

/** The value as JSON carries it (plain objects, no -0): what a YAML file or an HTTP answer can hold. */
export const asJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** Keys of free-form objects: short strings, and names of Object.prototype's members (own keys only must count). */
const freeKey = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom("toString", "constructor", "valueOf", "hasOwnProperty"));

/** Any JSON value, shallow, with the awkward keys above. */
export const anyJson: fc.Arbitrary<unknown> = fc
  .letrec((tie) => ({
    value: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      fc.constant(null),
      fc.boolean(),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.string({ maxLength: 8 }),
      fc.array(tie("value"), { maxLength: 4 }),
      fc.dictionary(freeKey, tie("value"), { maxKeys: 4 }),
    ),
  }))
  .value.map(asJson);

function resolveRef(ref: string): Json {
  const target = SCHEMAS.find((s) => s.json.$id === ref);
  if (!target) throw new Error(`test arbitraries: unknown $ref ${ref}`);
  return target.json;
}

/** A string as `prop` allows it: format, pattern, lengths (counted in code points, as ajv does). */
function stringOf(prop: Json): fc.Arbitrary<string> {
  switch (prop.format) {
    case "email":
      return fc.stringMatching(/^[A-Za-z0-9]{1,8}(\.[A-Za-z0-9]{1,4})?@[A-Za-z0-9]{1,8}\.[A-Za-z]{2,4}$/);
    case "uri":
      return fc.webUrl();
    case "uuid":
      return fc.uuid();
    case "date-time":
      return fc.date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2099-12-31T23:59:59Z"), noInvalidDate: true }).map((d) => d.toISOString());
  }
  if (typeof prop.pattern === "string") return fc.stringMatching(new RegExp(prop.pattern));
  const minLength = typeof prop.minLength === "number" ? prop.minLength : 0;
  const maxLength = Math.max(minLength, Math.min(typeof prop.maxLength === "number" ? prop.maxLength : 16, 16));
  return fc.oneof(fc.string({ minLength, maxLength }), fc.string({ minLength, maxLength, unit: "binary" }));
}

function typed(type: string, prop: Json): fc.Arbitrary<unknown> {
  switch (type) {
    case "null":
      return fc.constant(null);
    case "boolean":
      return fc.boolean();
    case "integer":
      return fc.integer({ min: typeof prop.minimum === "number" ? prop.minimum : -1_000_000, max: 1_000_000_000 });
    case "number":
      return fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }));
    case "string":
      return stringOf(prop);
    case "array": {
      const items = prop.items && typeof prop.items === "object" ? valueOf(prop.items as Json) : anyJson;
      return prop.uniqueItems === true ? fc.uniqueArray(items, { maxLength: 4, selector: (v) => JSON.stringify(v) }) : fc.array(items, { maxLength: 4 });
    }
    case "object":
      return objectOf(prop);
    default:
      throw new Error(`test arbitraries: type ${type} not handled`);
  }
}

/** An object as `prop` allows it: its properties (required ones always), and extra keys where allowed. */
function objectOf(prop: Json, leaveOut: readonly string[] = []): fc.Arbitrary<Json> {
  const properties = (prop.properties ?? {}) as Record<string, Json>;
  const required = ((prop.required ?? []) as string[]).filter((k) => k in properties);
  const known = fc.record(Object.fromEntries(Object.entries(properties).map(([k, p]) => [k, valueOf(p)])), { requiredKeys: required });
  const extra = prop.additionalProperties;
  if (extra === false) return known;
  const extraValue = extra && typeof extra === "object" ? valueOf(extra as Json) : anyJson;
  const extraKey = freeKey.filter((k) => !(k in properties) && !leaveOut.includes(k));
  return fc.tuple(fc.dictionary(extraKey, extraValue, { maxKeys: 3 }), known).map(([more, base]) => ({ ...more, ...base }));
}

/** A value the property's JSON Schema accepts. */
export function valueOf(prop: Json): fc.Arbitrary<unknown> {
  if (typeof prop.$ref === "string") return valueOf(resolveRef(prop.$ref));
  const variants = (prop.anyOf ?? prop.oneOf) as Json[] | undefined;
  if (Array.isArray(variants)) return fc.oneof(...variants.map(valueOf));
  if ("const" in prop) return fc.constant(prop.const);
  if (Array.isArray(prop.enum)) return fc.constantFrom(...(prop.enum as unknown[]));
  const types = typeof prop.type === "string" ? [prop.type] : Array.isArray(prop.type) ? (prop.type as string[]) : null;
  if (!types) return prop.properties ? objectOf(prop) : anyJson;
  return fc.oneof(...types.map((t) => typed(t, prop)));
}

/** A field's value as a user may declare it: an object field never holds orgform's reserved keys. */
export function declaredValueOf(spec: FieldSpec): fc.Arbitrary<unknown> {
  if (spec.reservedKeys.length === 0) return valueOf(spec.json).map(asJson);
  return fc.oneof(...[spec.json.type].flat().map((t) => (t === "object" ? objectOf(spec.json, spec.reservedKeys) : typed(String(t), spec.json)))).map(asJson);
}

/** A field's value as the vendor may hold it: an object field may carry orgform's reserved keys. */
export function liveValueOf(spec: FieldSpec): fc.Arbitrary<unknown> {
  if (spec.reservedKeys.length === 0) return valueOf(spec.json).map(asJson);
  return fc
    .tuple(declaredValueOf(spec), fc.dictionary(fc.constantFrom(...spec.reservedKeys), fc.string({ maxLength: 12 })))
    .map(([value, marker]) => (value !== null && typeof value === "object" && !Array.isArray(value) ? { ...value, ...marker } : value));
}

/**
 * A flat record of the schema's fields of the given access classes, each field present or not
 * (`required`: the schema's required ones always present).
 */
export function recordOf(schema: ResourceSchema, access: readonly Access[], options: { live?: boolean; required?: boolean; all?: boolean } = {}): fc.Arbitrary<Json> {
  const fields = schema.fields.filter((f) => access.includes(f.access));
  const model = Object.fromEntries(fields.map((f) => [f.name, options.live ? liveValueOf(f) : declaredValueOf(f)]));
  const requiredKeys = options.all ? fields.map((f) => f.name) : options.required ? fields.filter((f) => f.required).map((f) => f.name) : [];
  return fc.record(model, { requiredKeys });
}

/** What a user may declare: `both` and `import-only` fields, values the schema accepts. */
export const declaredOf = (schema: ResourceSchema) => recordOf(schema, ["both", "import-only"]);
/** What a vendor may return, flattened: `both`, `export-only` and `neither` fields (the required ones present). */
export const observedOf = (schema: ResourceSchema) => recordOf(schema, ["both", "export-only", "neither"], { live: true, required: true });
/** Anything keyed by the schema's fields, whatever their access: also what a user may not declare. */
export const anyFieldsOf = (schema: ResourceSchema) => recordOf(schema, ["both", "import-only", "export-only", "neither"]);

/** Swaps the case of the ASCII letters at the positions `mask` marks (repeating). */
export function flipAsciiCase(s: string, mask: boolean[]): string {
  return [...s]
    .map((c, i) => (mask.length && mask[i % mask.length] && /[A-Za-z]/.test(c) ? (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()) : c))
    .join("");
}

/** The same value written differently: every object's keys in reverse order, and its null-valued keys left out. */
export function sameValueRewritten(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sameValueRewritten);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== null)
        .reverse()
        .map(([k, v]) => [k, sameValueRewritten(v)]),
    );
  }
  return value;
}

/** Only the entries whose field has one of the access classes (and, optionally, passes `keep`). */
export function pick(schema: ResourceSchema, record: Json, access: readonly Access[], keep: (f: FieldSpec) => boolean = () => true): Json {
  return Object.fromEntries(Object.entries(record).filter(([name]) => {
    const f = schema.field(name);
    return f !== undefined && access.includes(f.access) && keep(f);
  }));
}

// Property-based tests (fast-check) of the comparisons every planner rests on: value equality
// (values.ts), diffFields (diff.ts) and the schema-driven wire round trip (wire.ts), over every
// backend's schemas and arbitrary JSON values.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BACKENDS, RESOURCE_KINDS } from "../../../provider/core/backends";
import { diffFields } from "../../../provider/core/diff";
import { hasSchema, schemaFor, type ResourceSchema } from "../../../provider/core/schema";
import { canonicalJson, deepEqual } from "../../../provider/core/values";
import { fromWire, toWire } from "../../../provider/core/wire";

const RUNS = { numRuns: 200 };
const schemas: ResourceSchema[] = BACKENDS.flatMap((b) => RESOURCE_KINDS.filter((k) => hasSchema(b, k)).map((k) => schemaFor(b, k)));
const json = fc.jsonValue({ maxDepth: 3 });

/** The same value with every object's keys in another order. */
function reordered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reordered);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reordered(v)]));
  return value;
}

/** Arbitrary declarations of a schema's fields of some access classes (a value each, none undefined). */
const declarationOf = (schema: ResourceSchema, access: string[]) =>
  fc.record(Object.fromEntries(schema.fields.filter((f) => access.includes(f.access)).map((f) => [f.name, f.reservedKeys.length ? fc.dictionary(fc.string().filter((k) => !f.reservedKeys.includes(k)), json) : json])), { requiredKeys: [] });

describe("value equality (deepEqual)", () => {
  it("is reflexive and symmetric, and ignores key order", () => {
    fc.assert(
      fc.property(json, json, (a, b) => {
        expect(deepEqual(a, a)).toBe(true);
        expect(deepEqual(a, reordered(a))).toBe(true);
        expect(deepEqual(a, b)).toBe(deepEqual(b, a));
      }),
      RUNS,
    );
  });

  it("agrees with the canonical JSON of values without nulls inside", () => {
    const noNull = fc.jsonValue({ maxDepth: 3 }).filter((v) => !canonicalJson(v).includes("null"));
    fc.assert(
      fc.property(noNull, noNull, (a, b) => {
        expect(deepEqual(a, b)).toBe(canonicalJson(a) === canonicalJson(b));
      }),
      RUNS,
    );
  });

  it("treats absent and null as one value, at the top and inside objects", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), json), fc.string(), (o, k) => {
        expect(deepEqual(null, undefined)).toBe(true);
        expect(deepEqual({ ...o, [k]: null }, Object.fromEntries(Object.entries(o).filter(([key]) => key !== k)))).toBe(true);
      }),
      RUNS,
    );
  });

  it("ignores case only when asked (case-insensitive fields)", () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(deepEqual(s, s.toUpperCase(), { caseInsensitive: true })).toBe(true);
        if (s.toUpperCase() !== s) expect(deepEqual(s, s.toUpperCase())).toBe(false);
      }),
      RUNS,
    );
  });
});

describe("diffFields", () => {
  it.each(schemas.map((s) => [`${s.backend}/${s.kind}`, s] as const))("%s: a declaration applied over any live object leaves no change, and only declared fields ever differ", (_n, schema) => {
    fc.assert(
      fc.property(declarationOf(schema, ["both", "import-only", "export-only", "neither"]), declarationOf(schema, ["both", "export-only", "neither"]), (desired, live) => {
        const diff = diffFields(desired, live, schema);
        for (const c of diff.changes) {
          expect(Object.keys(desired)).toContain(c.field);
          expect(schema.field(c.field)!.access).toBe("both");
        }
        expect(diff.hasChanges).toBe(diff.changes.length > 0);
        expect(diff.replaces.every((f) => schema.field(f)!.replaceOnChange)).toBe(true);
        // What an update writes (the declared both fields) is what the next diff finds equal.
        const applied = { ...live, ...Object.fromEntries(Object.entries(desired).filter(([f]) => schema.field(f)!.access === "both")) };
        expect(diffFields(desired, applied, schema).hasChanges).toBe(false);
        // Import-only fields against their previous declaration: unchanged, no change.
        expect(diffFields(desired, applied, schema, { previousImportOnly: desired }).hasChanges).toBe(false);
      }),
      { numRuns: 50 },
    );
  });
});

describe("the wire round trip", () => {
  it.each(schemas.map((s) => [`${s.backend}/${s.kind}`, s] as const))("%s: fromWire(toWire(fields)) gives back every declared both field", (_n, schema) => {
    fc.assert(
      fc.property(declarationOf(schema, ["both"]), (fields) => {
        const back = fromWire(toWire(fields, schema), schema);
        // Nested pointers share the wire: a field whose pointer lies inside another's value is read back from it.
        const nested = (name: string) => schema.fields.some((o) => o.name !== name && o.access === "both" && o.wire.length < schema.field(name)!.wire.length && o.wire.every((seg, i) => schema.field(name)!.wire[i] === seg));
        for (const [name, value] of Object.entries(fields)) if (!nested(name)) expect(deepEqual(back[name], value), `${name}`).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it.each(schemas.map((s) => [`${s.backend}/${s.kind}`, s] as const))("%s: toWire never sends export-only or neither fields", (_n, schema) => {
    fc.assert(
      fc.property(declarationOf(schema, ["export-only", "neither"]), (fields) => {
        const wire = toWire(fields, schema);
        expect(Object.keys(wire)).toEqual([]);
      }),
      { numRuns: 30 },
    );
  });
});

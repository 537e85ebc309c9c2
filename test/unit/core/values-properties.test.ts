// Property-based tests (fast-check) of value equality (provider/core/values.ts), the one equality
// diff, drift and export rest on; and a check that the schema-driven arbitraries the other property
// files use produce what the schemas accept.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { validateDeclared, validateObserved } from "../../../provider/core/schema";
import { canonicalJson, deepEqual } from "../../../provider/core/values";
import { anyJson, declaredOf, flipAsciiCase, observedOf, sameValueRewritten, schemaRows } from "./schema-arbitraries";

const RUNS = { numRuns: 300 };

/** The value without its null-valued object keys (absent and null are one value). */
function withoutNullKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNullKeys);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, withoutNullKeys(v)]));
  }
  return value;
}

/** Pairs that are often equal: a value with a rewriting of itself, or of a slightly changed copy. */
const pairs = fc.oneof(
  fc.tuple(anyJson, anyJson),
  anyJson.map((a) => [a, sameValueRewritten(a)] as [unknown, unknown]),
  fc.tuple(anyJson, anyJson).map(([a, b]) => [{ k: a, l: [a, b] }, sameValueRewritten({ l: [a, b], k: a, n: null })] as [unknown, unknown]),
);

describe("value equality (deepEqual)", () => {
  it("is reflexive, and symmetric", () => {
    fc.assert(
      fc.property(pairs, ([a, b]) => {
        expect(deepEqual(a, a)).toBe(true);
        expect(deepEqual(a, b)).toBe(deepEqual(b, a));
      }),
      RUNS,
    );
  });

  it("holds exactly when the canonical JSON of the two values, null-valued keys left out, is the same", () => {
    fc.assert(
      fc.property(pairs, ([a, b]) => {
        expect(deepEqual(a, b)).toBe(canonicalJson(withoutNullKeys(a)) === canonicalJson(withoutNullKeys(b)));
      }),
      RUNS,
    );
  });

  it("ignores the order of an object's keys, and treats an absent key as a null one, at any depth", () => {
    fc.assert(
      fc.property(anyJson, fc.string({ maxLength: 4 }), (a, key) => {
        expect(deepEqual(a, sameValueRewritten(a))).toBe(true);
        expect(deepEqual(null, undefined)).toBe(true);
        // A null key added to an object, here and one level down.
        expect(deepEqual({ x: a }, { x: a, [key === "x" ? "y" : key]: null })).toBe(true);
        expect(deepEqual({ [key]: { v: a } }, { [key]: { v: a, w: null } })).toBe(true);
      }),
      RUNS,
    );
  });

  it("keeps the order of an array: two different items swapped make another value", () => {
    fc.assert(
      fc.property(fc.array(anyJson, { minLength: 2, maxLength: 5 }), fc.nat(), fc.nat(), (list, i0, j0) => {
        const i = i0 % list.length;
        const j = j0 % list.length;
        fc.pre(!deepEqual(list[i], list[j]));
        const swapped = [...list];
        [swapped[i], swapped[j]] = [swapped[j], swapped[i]];
        expect(deepEqual(list, swapped)).toBe(false);
        expect(deepEqual(list, list.slice(1))).toBe(false);
      }),
      RUNS,
    );
  });

  it("tells set values from unset: an empty string, list or object, 0 and false are not null", () => {
    fc.assert(
      fc.property(fc.constantFrom("", [], {}, 0, false), fc.constantFrom(null, undefined), (value, unset) => {
        expect(deepEqual(value, unset)).toBe(false);
        expect(deepEqual({ k: value }, {})).toBe(false);
      }),
    );
  });

  it("ignores the case of ASCII letters only when asked, and nothing else", () => {
    fc.assert(
      fc.property(anyJson, fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }), fc.string({ minLength: 1, maxLength: 4 }), (a, mask, tail) => {
        const flip = (v: unknown): unknown =>
          typeof v === "string" ? flipAsciiCase(v, mask) : Array.isArray(v) ? v.map(flip) : v !== null && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, flip(x)])) : v;
        const flipped = flip(a);
        expect(deepEqual(a, flipped, { caseInsensitive: true })).toBe(true);
        expect(deepEqual(a, flipped)).toBe(canonicalJson(a) === canonicalJson(flipped));
        // More than case: still different.
        const text = typeof a === "string" ? a : "x";
        expect(deepEqual(text, text + tail, { caseInsensitive: true })).toBe(false);
      }),
      RUNS,
    );
  });
});

describe("the schema-driven arbitraries produce what the schemas accept", () => {
  it.each(schemaRows())("%s: declarations pass validateDeclared, vendor objects pass validateObserved", (_name, schema) => {
    fc.assert(
      fc.property(declaredOf(schema), observedOf(schema), (declared, observed) => {
        expect(validateDeclared(schema, declared, { partial: true })).toEqual([]);
        expect(validateObserved(schema, observed)).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });
});

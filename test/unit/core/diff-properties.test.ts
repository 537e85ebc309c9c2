// Property-based tests (fast-check) of diffFields (provider/core/diff.ts) over every backend's real
// schemas: declarations and live objects are generated from schemas/<backend>/<kind>.schema.json.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { diffFields, type FieldChange } from "../../../provider/core/diff";
import { deepEqual } from "../../../provider/core/values";
import { anyFieldsOf, comparesIgnoringCase, declaredOf, flipAsciiCase, observedOf, pick, recordOf, sameValueRewritten, schemaRows } from "./schema-arbitraries";

const RUNS = { numRuns: 40 };
const rows = schemaRows();

describe("diffFields", () => {
  it.each(rows)("%s: anything diffed against itself has no changes (key order and null keys aside)", (_n, schema) => {
    fc.assert(
      fc.property(anyFieldsOf(schema), (fields) => {
        expect(diffFields(fields, fields, schema, { previousImportOnly: fields }).changes).toEqual([]);
        const rewritten = sameValueRewritten(fields) as Record<string, unknown>;
        expect(diffFields(fields, rewritten, schema, { previousImportOnly: rewritten }).changes).toEqual([]);
      }),
      RUNS,
    );
  });

  it.each(rows)("%s: only declared fields are compared: live values of undeclared fields change nothing", (_n, schema) => {
    fc.assert(
      fc.property(anyFieldsOf(schema), observedOf(schema), observedOf(schema), anyFieldsOf(schema), (desired, live, other, previous) => {
        const undeclared = Object.fromEntries(Object.entries(other).filter(([k]) => !(k in desired)));
        const diff = diffFields(desired, live, schema);
        expect(diffFields(desired, { ...live, ...undeclared }, schema)).toEqual(diff);
        for (const c of diff.changes) {
          expect(Object.keys(desired)).toContain(c.field);
          expect(c.access).toBe("both");
        }
        // With the previous declaration, import-only fields are compared too, and nothing else.
        for (const c of diffFields(desired, live, schema, { previousImportOnly: previous }).changes) {
          expect(Object.keys(desired)).toContain(c.field);
          expect(["both", "import-only"]).toContain(c.access);
        }
      }),
      RUNS,
    );
  });

  it.each(rows)("%s: a declared field absent from the live object is an add (a declared null is no change)", (_n, schema) => {
    fc.assert(
      fc.property(declaredOf(schema), observedOf(schema), (desired, observed) => {
        const live = Object.fromEntries(Object.entries(observed).filter(([k]) => !(k in desired)));
        const expected: FieldChange[] = schema.fields
          .filter((f) => f.access === "both" && !f.volatile && f.name in desired && desired[f.name] !== null)
          .map((f) => ({ field: f.name, kind: "add", from: null, to: desired[f.name], replace: f.replaceOnChange, access: "both", ...(f.createOnly ? { createOnly: true as const } : {}) }));
        const diff = diffFields(desired, live, schema);
        expect(diff.changes).toEqual(expected);
        expect(diffFields(desired, undefined, schema).changes).toEqual(expected);
        expect(diff.hasChanges).toBe(expected.length > 0);
        expect(diff.replaces).toEqual(expected.filter((c) => c.replace).map((c) => c.field));
        expect(diff.createOnly).toEqual(expected.filter((c) => c.createOnly).map((c) => c.field));
      }),
      RUNS,
    );
  });

  it.each(rows)("%s: export-only, neither and x-volatile fields never change, whatever is declared and live", (_n, schema) => {
    const neverCompared = (f: { access: string; volatile: boolean }) => f.access === "export-only" || f.access === "neither" || f.volatile;
    fc.assert(
      fc.property(anyFieldsOf(schema), recordOf(schema, ["both", "import-only", "export-only", "neither"], { live: true }), anyFieldsOf(schema), (desired, live, previous) => {
        const compared = pick(schema, desired, ["both", "import-only"], (f) => !neverCompared(f));
        for (const options of [{}, { previousImportOnly: previous }]) {
          const diff = diffFields(desired, live, schema, options);
          expect(diff.changes.filter((c) => neverCompared(schema.field(c.field)!))).toEqual([]);
          expect(diffFields(compared, live, schema, options)).toEqual(diff);
        }
      }),
      RUNS,
    );
  });

  it.each(rows)("%s: strings compare ignoring the case of their letters exactly where the schema says so", (_n, schema) => {
    const strings = schema.fields.filter((f) => f.access === "both" && !f.volatile);
    fc.assert(
      fc.property(declaredOf(schema), fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }), (desired, mask) => {
        const live = Object.fromEntries(Object.entries(desired).map(([k, v]) => [k, typeof v === "string" ? flipAsciiCase(v, mask) : v]));
        const changed = diffFields(desired, live, schema).changes.map((c) => c.field);
        const expected = strings.filter((f) => typeof desired[f.name] === "string" && !comparesIgnoringCase(f) && live[f.name] !== desired[f.name]).map((f) => f.name);
        expect(changed).toEqual(expected);
        // Ignoring case is not ignoring the value: another letter is still a change.
        const longer = Object.fromEntries(Object.entries(desired).map(([k, v]) => [k, typeof v === "string" ? `${v}x` : v]));
        expect(diffFields(desired, longer, schema).changes.map((c) => c.field)).toEqual(strings.filter((f) => typeof desired[f.name] === "string").map((f) => f.name));
      }),
      RUNS,
    );
  });

  it.each(rows)("%s: is symmetric: swapping declared and live swaps from and to, add and remove", (_n, schema) => {
    const both = recordOf(schema, ["both"], { all: true });
    fc.assert(
      fc.property(both, both, fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }), (a0, b0, keep) => {
        const names = Object.keys(a0).filter((_k, i) => keep[i % keep.length]);
        const a = Object.fromEntries(names.map((k) => [k, a0[k]]));
        const b = Object.fromEntries(names.map((k) => [k, b0[k]]));
        const flip = { add: "remove", remove: "add", update: "update" } as const;
        const ab = diffFields(a, b, schema);
        const ba = diffFields(b, a, schema);
        expect(ba.changes.map((c) => c.field)).toEqual(ab.changes.map((c) => c.field));
        ab.changes.forEach((c, i) => {
          expect(ba.changes[i].kind).toBe(flip[c.kind]);
          expect(deepEqual(ba.changes[i].from, c.to)).toBe(true);
          expect(deepEqual(ba.changes[i].to, c.from)).toBe(true);
        });
        expect(ba.replaces).toEqual(ab.replaces);
      }),
      RUNS,
    );
  });

  it.each(schemaRows((s) => s.fields.some((f) => f.reservedKeys.length > 0)))("%s: orgform's reserved keys in a live object field are never a change", (_n, schema) => {
    const reserved = schema.fields.filter((f) => f.reservedKeys.length > 0);
    const markers = fc.record(Object.fromEntries(reserved.map((f) => [f.name, fc.dictionary(fc.constantFrom(...f.reservedKeys), fc.string({ maxLength: 12 }), { minKeys: 1 })])));
    fc.assert(
      fc.property(declaredOf(schema), markers, (desired, marker) => {
        const live: Record<string, unknown> = { ...desired };
        for (const f of reserved) {
          const value = desired[f.name];
          live[f.name] = value !== null && typeof value === "object" && !Array.isArray(value) ? { ...value, ...marker[f.name] } : marker[f.name];
        }
        const expected = reserved.filter((f) => f.name in desired && (desired[f.name] === null || typeof desired[f.name] !== "object")).map((f) => f.name);
        expect(diffFields(desired, live, schema).changes.map((c) => c.field)).toEqual(expected);
      }),
      RUNS,
    );
  });

  it.each(rows)("%s: an import-only field changes against its previous declaration only, never against the live object", (_n, schema) => {
    const importOnly = schema.fields.filter((f) => f.access === "import-only");
    fc.assert(
      fc.property(declaredOf(schema), declaredOf(schema), observedOf(schema), (desired, previous, observed) => {
        const live = { ...observed, ...pick(schema, desired, ["both"]) };
        expect(diffFields(desired, live, schema).changes).toEqual([]);
        const changed = diffFields(desired, live, schema, { previousImportOnly: previous }).changes;
        expect(changed.map((c) => c.field)).toEqual(importOnly.filter((f) => f.name in desired && !deepEqual(previous[f.name], desired[f.name])).map((f) => f.name));
        for (const c of changed) expect(c.kind).toBe(c.from === null ? "add" : c.to === null ? "remove" : "update");
      }),
      RUNS,
    );
  });
});

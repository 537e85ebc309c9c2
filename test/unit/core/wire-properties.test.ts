// Property-based tests (fast-check) of the schema-driven wire (provider/core/wire.ts) over every
// backend's real schemas: what is declared comes back from the wire, what the vendor holds is read
// as it is, and an update never sends what the client may not send.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ResourceSchema } from "../../../provider/core/schema";
import { fromWire, readAt, toWire, updateBody, writeAt, type WireObject } from "../../../provider/core/wire";
import { asJson, declaredOf, observedOf, pick, recordOf, schemaRows } from "./schema-arbitraries";

const RUNS = { numRuns: 40 };
const rows = schemaRows();
const SEMANTICS = ["merge", "replace"] as const;

/** The vendor's object holding these flat fields, each at its schema pointer (the test's own placement, one writeAt per field). */
function vendorObject(schema: ResourceSchema, flat: Record<string, unknown>): WireObject {
  const out: WireObject = {};
  for (const f of schema.fields) if (f.name in flat) writeAt(out, f.wire, asJson(flat[f.name]));
  return out;
}

/** The value without orgform's reserved keys (what a read must give back). */
function withoutReserved(schema: ResourceSchema, flat: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(flat).map(([k, v]) => {
      const reserved = schema.field(k)?.reservedKeys ?? [];
      return [k, reserved.length && v !== null && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).filter(([key]) => !reserved.includes(key))) : v];
    }),
  );
}

describe("the wire", () => {
  it.each(rows)("%s: fromWire(toWire(x)) gives back every both field of x, and nothing else", (_n, schema) => {
    fc.assert(
      fc.property(declaredOf(schema), (declared) => {
        expect(fromWire(toWire(declared, schema), schema)).toEqual(pick(schema, declared, ["both"]));
      }),
      RUNS,
    );
  });

  it.each(rows)("%s: fromWire reads every both, export-only and neither field where the schema puts it, never an import-only one nor a reserved key", (_n, schema) => {
    fc.assert(
      fc.property(observedOf(schema), recordOf(schema, ["import-only"]), (observed, importOnly) => {
        const wire = vendorObject(schema, { ...observed, ...importOnly });
        expect(fromWire(wire, schema)).toEqual(withoutReserved(schema, observed));
      }),
      RUNS,
    );
  });

  it.each(rows)("%s: an update never sends an export-only field nor a create-only one, whatever is declared and live", (_n, schema) => {
    const never = schema.fields.filter((f) => f.access === "export-only" || f.createOnly);
    fc.assert(
      fc.property(recordOf(schema, ["both", "import-only", "export-only", "neither"]), observedOf(schema), (declared, observed) => {
        const live = vendorObject(schema, observed);
        for (const semantics of SEMANTICS) {
          // Without the live object only a merge can be built (a replace refuses: see wire's unit tests).
          for (const body of [updateBody(schema, declared, semantics, live), ...(semantics === "merge" ? [updateBody(schema, declared, semantics)] : [])]) {
            for (const f of never) expect(readAt(body, f.wire), `${semantics} sent ${f.name}`).toBeUndefined();
          }
        }
      }),
      RUNS,
    );
  });

  it.each(rows)("%s: a merge update carries the declared fields (create-only ones aside) and nothing of the live object", (_n, schema) => {
    fc.assert(
      fc.property(declaredOf(schema), observedOf(schema), (declared, observed) => {
        for (const live of [undefined, vendorObject(schema, observed)]) {
          const body = updateBody(schema, declared, "merge", live);
          expect(fromWire(body, schema)).toEqual(pick(schema, declared, ["both"], (f) => !f.createOnly));
          for (const f of schema.fields) if (declared[f.name] === undefined) expect(readAt(body, f.wire), `merge sent undeclared ${f.name}`).toBeUndefined();
        }
      }),
      RUNS,
    );
  });

  it.each(rows)("%s: a replace update carries the declared fields over the live writable ones: undeclared live state is sent back as it is", (_n, schema) => {
    fc.assert(
      fc.property(declaredOf(schema), observedOf(schema), (declared, observed) => {
        const body = updateBody(schema, declared, "replace", vendorObject(schema, observed));
        const expected: Record<string, unknown> = {};
        for (const f of schema.fields) {
          if (f.createOnly || f.access === "export-only" || f.access === "import-only") continue;
          if (f.access === "both" && declared[f.name] !== undefined) expected[f.name] = declared[f.name];
          else if (f.name in observed) expected[f.name] = observed[f.name];
        }
        expect(fromWire(body, schema)).toEqual(withoutReserved(schema, expected));
        // Import-only declared fields are sent too (never read back, so looked up directly).
        for (const f of schema.fields) if (f.access === "import-only" && !f.createOnly && declared[f.name] !== undefined) expect(readAt(body, f.wire)).toEqual(declared[f.name]);
      }),
      RUNS,
    );
  });

  it.each(schemaRows((s) => s.fields.some((f) => f.reservedKeys.length > 0)))("%s: an update that sends an object field keeps orgform's reserved keys at their live values", (_n, schema) => {
    const reserved = schema.fields.filter((f) => f.reservedKeys.length > 0);
    fc.assert(
      fc.property(declaredOf(schema), observedOf(schema), (declared, observed) => {
        const live = vendorObject(schema, observed);
        for (const semantics of SEMANTICS) {
          const body = updateBody(schema, declared, semantics, live);
          for (const f of reserved) {
            const was = readAt(live, f.wire) as Record<string, unknown> | undefined;
            const sent = readAt(body, f.wire) as Record<string, unknown> | undefined;
            if (!was || typeof was !== "object" || sent === undefined) continue;
            for (const key of f.reservedKeys) expect(sent[key], `${semantics}: ${f.name}.${key}`).toEqual(was[key]);
          }
        }
      }),
      RUNS,
    );
  });
});

// Valid values for a schema field, generated from the schema itself (examples, enum, format,
// type, lengths): the per-field round trip and the contract suites use them, so a field added to a
// schema is exercised with no other change. A field whose rules cannot be satisfied by these
// generators (a pattern) must carry `examples` in its schema.
import type { FieldSpec } from "../../provider/core/schema";

let counter = 0;
const next = () => ++counter;

function stringFor(spec: FieldSpec, variant: number): string {
  const n = next();
  switch (spec.format) {
    case "email":
      return `user${n}.v${variant}@roundtrip.test`;
    case "uri":
      return `https://example.test/${spec.name}/${n}/v${variant}`;
    case "uuid": {
      const hex = (n * 7919 + variant).toString(16).padStart(12, "0").slice(-12);
      return `00000000-0000-4000-8000-${hex}`;
    }
    case "date-time":
      return new Date(Date.UTC(2025, 0, 1 + variant, 0, 0, n % 60)).toISOString();
  }
  if (spec.json.pattern !== undefined) {
    throw new Error(`field ${spec.name} has a pattern: give it two "examples" in its schema so tests can generate values`);
  }
  const max = typeof spec.json.maxLength === "number" ? spec.json.maxLength : 40;
  const s = `${spec.name} ${n} v${variant}`;
  return s.length > max ? s.slice(s.length - max) : s;
}

/**
 * Two different valid values for a field (the second differs from the first where the schema
 * allows more than one value; `[x]` when only one value is valid).
 */
export function validValues(spec: FieldSpec): unknown[] {
  const examples = spec.json.examples;
  if (Array.isArray(examples) && examples.length > 0) return examples.slice(0, 2);
  if (spec.enum && spec.enum.length > 0) return spec.enum.filter((v) => v !== null).slice(0, 2);
  switch (spec.type) {
    case "string":
      return [stringFor(spec, 1), stringFor(spec, 2)];
    case "integer": {
      const min = typeof spec.json.minimum === "number" ? spec.json.minimum : 0;
      return [min + 1, min + 2];
    }
    case "number":
      return [1.5, 2.5];
    case "boolean":
      return [true, false];
    case "array": {
      const items = (spec.json.items ?? {}) as Record<string, unknown>;
      if (items.type === "object") {
        const props = (items.properties ?? {}) as Record<string, Record<string, unknown>>;
        const one = (v: number) => Object.fromEntries(Object.entries(props).map(([k, p]) => [k, p.format === "uri" ? `https://example.test/${k}/${v}` : `${k} ${v}`]));
        return [[one(1)], [one(2), one(3)]];
      }
      return [["a"], ["b", "c"]];
    }
    case "object":
      return [{ key: `value ${next()}` }, { key: `other ${next()}`, more: 1 }];
    default:
      return [null];
  }
}

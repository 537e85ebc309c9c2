/**
 * Value semantics shared by diff and export.
 *
 * - absent and `null` are the same value ("unset"), at the top level and inside objects;
 * - `""`, `[]` and `{}` are values, distinct from unset;
 * - objects compare by content, key order irrelevant; arrays compare element by element, in order;
 * - strings compare exactly, except fields with `format: email`, which compare case-insensitively.
 */
export function isUnset(value: unknown): boolean {
  return value === undefined || value === null;
}

export function deepEqual(a: unknown, b: unknown, options: { caseInsensitive?: boolean } = {}): boolean {
  if (isUnset(a) && isUnset(b)) return true;
  if (isUnset(a) || isUnset(b)) return false;
  if (typeof a === "string" && typeof b === "string") {
    return options.caseInsensitive ? a.toLowerCase() === b.toLowerCase() : a === b;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => deepEqual(item, b[i], options));
  }
  if (typeof a === "object" && typeof b === "object") {
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
    // Own keys only: a key named like an inherited member ("toString") is absent when not set.
    for (const k of keys) if (!deepEqual(own(ao, k), own(bo, k), options)) return false;
    return true;
  }
  return Object.is(a, b) || a === b;
}

const own = (o: Record<string, unknown>, k: string): unknown => (Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined);

/** JSON with sorted object keys (stable rendering of nested values). */
export function canonicalJson(value: unknown, indent = 2): string {
  return JSON.stringify(sortKeys(value), null, indent) ?? "undefined";
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value as object).sort()) out[k] = sortKeys((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}

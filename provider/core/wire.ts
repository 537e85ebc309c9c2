/**
 * The schema drives the wire: where each field lives in the vendor's resource object comes from
 * the schema (`x-wire` pointers, `x-wire-base`, else the field's own name at the top level), so
 * create and update bodies and the read mapping are built here for every vendor. An adapter's
 * mappers keep only what a schema cannot say (envelopes, ids resolved through another call).
 *
 * - A create body carries every declared `both` and `import-only` field (never `export-only`).
 * - An update with `merge` semantics (PATCH) carries the declared fields only: the vendor keeps
 *   the rest. With `replace` semantics (PUT) it carries the live object without its read-only
 *   parts, overlaid with the declared fields: undeclared state is sent back as it is.
 * - A read takes every `both`, `export-only` and `neither` field the vendor returned;
 *   `import-only` fields are never read back.
 */
import type { ResourceSchema } from "./schema";

export type WireObject = Record<string, unknown>;

const isObject = (v: unknown): v is WireObject => typeof v === "object" && v !== null && !Array.isArray(v);

export function readAt(obj: unknown, path: readonly string[]): unknown {
  let cur: unknown = obj;
  for (const seg of path) {
    if (!isObject(cur)) return undefined;
    cur = cur[seg];
  }
  return cur;
}

export function writeAt(obj: WireObject, path: readonly string[], value: unknown): void {
  let cur = obj;
  for (const seg of path.slice(0, -1)) {
    if (!isObject(cur[seg])) cur[seg] = {};
    cur = cur[seg] as WireObject;
  }
  cur[path[path.length - 1]] = value;
}

function deleteAt(obj: WireObject, path: readonly string[]): void {
  const parent = readAt(obj, path.slice(0, -1));
  if (isObject(parent)) delete parent[path[path.length - 1]];
}

const clone = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));

/** The declared fields (`both`, `import-only`) placed where the vendor expects them. */
export function toWire(fields: Record<string, unknown>, schema: ResourceSchema): WireObject {
  const out: WireObject = {};
  for (const spec of schema.fields) {
    if (spec.access !== "both" && spec.access !== "import-only") continue;
    if (!Object.prototype.hasOwnProperty.call(fields, spec.name) || fields[spec.name] === undefined) continue;
    writeAt(out, spec.wire, clone(fields[spec.name]));
  }
  return out;
}

/** The flat record of what the vendor returned: `both`, `export-only` and `neither` fields present on the wire. */
export function fromWire(wire: unknown, schema: ResourceSchema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const spec of schema.fields) {
    if (spec.access === "import-only") continue;
    const value = readAt(wire, spec.wire);
    if (value !== undefined) out[spec.name] = clone(value);
  }
  return out;
}

/** The live wire object without what the client may not send back (`export-only` fields). */
export function writableWire(live: unknown, schema: ResourceSchema): WireObject {
  const out = isObject(live) ? clone(live) : {};
  for (const spec of schema.fields) if (spec.access === "export-only") deleteAt(out, spec.wire);
  // Containers emptied by the removal (a parent that held only read-only parts) go too.
  for (const spec of schema.fields) {
    if (spec.access !== "export-only" || spec.wire.length < 2) continue;
    const container = spec.wire.slice(0, -1);
    const value = readAt(out, container);
    if (isObject(value) && Object.keys(value).length === 0) deleteAt(out, container);
  }
  return out;
}

/**
 * The body of an update. `merge`: the declared fields only. `replace`: the live object's writable
 * part with the declared fields written over it, each declared field replacing its value whole.
 */
export function updateBody(
  schema: ResourceSchema,
  declared: Record<string, unknown>,
  semantics: "merge" | "replace",
  live?: unknown,
): WireObject {
  const body = toWire(declared, schema);
  if (semantics === "merge") return body;
  const out = writableWire(live, schema);
  for (const spec of schema.fields) {
    if ((spec.access === "both" || spec.access === "import-only") && declared[spec.name] !== undefined) {
      writeAt(out, spec.wire, clone(declared[spec.name]));
    }
  }
  return out;
}

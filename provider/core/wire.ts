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
 * - An `x-create-only` field is sent on create only, never in an update.
 * - The `x-reserved-keys` of an object field (orgform's ownership marker in a vendor's free-form
 *   metadata) are left out of what is read, and an update that sends the field keeps their live
 *   values: the user's declaration never sees nor removes them.
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

/** The flat record of what the vendor returned: `both`, `export-only` and `neither` fields present on the wire (reserved keys left out). */
export function fromWire(wire: unknown, schema: ResourceSchema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const spec of schema.fields) {
    if (spec.access === "import-only") continue;
    const value = readAt(wire, spec.wire);
    if (value === undefined) continue;
    const copy = clone(value);
    if (spec.reservedKeys.length > 0 && isObject(copy)) for (const k of spec.reservedKeys) delete copy[k];
    out[spec.name] = copy;
  }
  return out;
}

/** Writes the live values of every reserved key into the object fields the body carries. */
function keepReservedKeys(body: WireObject, live: unknown, schema: ResourceSchema): void {
  for (const spec of schema.fields) {
    if (spec.reservedKeys.length === 0) continue;
    const sent = readAt(body, spec.wire);
    const was = readAt(live, spec.wire);
    if (!isObject(was) || (sent !== null && !isObject(sent))) continue;
    const kept = Object.fromEntries(spec.reservedKeys.filter((k) => was[k] !== undefined).map((k) => [k, clone(was[k])]));
    if (Object.keys(kept).length > 0) writeAt(body, spec.wire, { ...(isObject(sent) ? sent : {}), ...kept });
  }
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

/** How a vendor applies an update (capabilities.json `update.semantics`, read with `updateSemantics`). */
export type Semantics = "merge" | "replace";

/**
 * Whether the body of an update must be built from the live object: a `replace` update sends
 * every undeclared field back as it is live, and a declared object field with reserved keys keeps
 * their live values. Otherwise an adapter updates without reading first.
 */
export function updateNeedsLive(schema: ResourceSchema, declared: Record<string, unknown>, semantics: Semantics): boolean {
  return semantics === "replace" || schema.fields.some((f) => f.reservedKeys.length > 0 && declared[f.name] !== undefined);
}

/**
 * The body of an update. `merge`: the declared fields only. `replace`: the live object's writable
 * part with the declared fields written over it, each declared field replacing its value whole
 * (without the live object it would reset every undeclared field, so it throws instead).
 * Create-only fields are never sent; reserved keys keep their live values (`live` given).
 */
export function updateBody(
  schema: ResourceSchema,
  declared: Record<string, unknown>,
  semantics: Semantics,
  live?: unknown,
): WireObject {
  if (semantics === "replace" && live === undefined) {
    throw new Error(`a replace update of a ${schema.backend} ${schema.kind} needs the live object: every field it does not send is reset`);
  }
  const updatable = Object.fromEntries(Object.entries(declared).filter(([name]) => !schema.field(name)?.createOnly));
  let out: WireObject;
  if (semantics === "merge") out = toWire(updatable, schema);
  else {
    out = writableWire(live, schema);
    for (const spec of schema.fields) {
      if (spec.createOnly) deleteAt(out, spec.wire);
      else if ((spec.access === "both" || spec.access === "import-only") && declared[spec.name] !== undefined) {
        writeAt(out, spec.wire, clone(declared[spec.name]));
      }
    }
  }
  if (live !== undefined) keepReservedKeys(out, live, schema);
  return out;
}

import { isObject } from "../../json";
import { CloudomationError } from "./envelope";
import { PROPERTIES, type OrgRecord } from "./wire";

/**
 * The query parameters of the workspace REST API as Cloudomation's own client sends them
 * (devstack-cli 12.0.1, cli.py): `filter` (one condition `{field, op, value}` or `{"and": [...]}`),
 * `plain` (`true` / `True`: the bare record or list), `fields` (a comma-separated projection) and
 * `by` (`name`: read a record by its name). Each is a pure function of the raw query.
 */

export type Query = Record<string, unknown>;

export type Filter = { field: string; op: "eq" | "ne" | "like"; value: unknown } | { and: Filter[] } | { or: Filter[] };

const OPS = ["eq", "ne", "like"] as const;
/** How deep `and` / `or` may nest, and how many conditions one filter may hold (our limits). */
const MAX_DEPTH = 8;
const MAX_CONDITIONS = 100;

/** Refuses a parameter the route does not take (the real API's list is unknown: we refuse what we do not serve). */
export function checkParams(q: Query, allowed: readonly string[]): void {
  for (const k of Object.keys(q)) {
    if (!allowed.includes(k)) throw new CloudomationError(400, `unknown query parameter ${k}: expected ${allowed.join(", ")}`);
    if (typeof q[k] !== "string") throw new CloudomationError(400, `query parameter ${k} given more than once`);
  }
}

/** `plain=true|false` in any case (devstack-cli sends both `true` and `True`); absent is false. */
export function plainOf(q: Query): boolean {
  const raw = q.plain;
  if (raw === undefined) return false;
  const v = String(raw).toLowerCase();
  if (v === "true" || v === "1") return true;
  if (v === "false" || v === "0") return false;
  throw new CloudomationError(400, "plain must be true or false");
}

/**
 * What a route answers: the bare record(s) with `plain=true`, else wrapped under the record type,
 * as devstack-cli reads a GET without `plain` (`(await response.json())['object_template']`).
 */
export function shaped(plain: boolean, value: OrgRecord | OrgRecord[]): unknown {
  return plain ? value : { organization: value };
}

/** `fields=a,b,c`: only those properties of each record, in that order; unknown names are a 400. */
export function fieldsOf(q: Query): string[] | undefined {
  if (q.fields === undefined) return undefined;
  const names = String(q.fields)
    .split(",")
    .map((f) => f.trim());
  const unknown = names.filter((f) => !PROPERTIES[f]);
  if (names.length === 0 || unknown.length > 0) throw new CloudomationError(400, `fields: ${unknown.join(", ") || "(empty)"} not a property of ORGANIZATION records`);
  return names;
}

export function project(rec: OrgRecord, fields: string[] | undefined): OrgRecord {
  return fields ? Object.fromEntries(fields.map((f) => [f, rec[f]])) : rec;
}

/** `by=id` (the default) or `by=name`: what the path segment of `GET /organization/{…}` names. */
export function byOf(q: Query): "id" | "name" {
  if (q.by === undefined || q.by === "id") return "id";
  if (q.by === "name") return "name";
  throw new CloudomationError(400, "by must be id or name");
}

/** The `filter` parameter: JSON, one condition or `and` / `or` of filters, every field a property. */
export function parseFilter(raw: unknown): Filter | undefined {
  if (raw === undefined) return undefined;
  let f: unknown;
  try {
    f = JSON.parse(String(raw));
  } catch {
    throw new CloudomationError(400, 'filter must be JSON: {"field", "op", "value"} or {"and": [...]}');
  }
  const count = { n: 0 };
  return toFilter(f, 0, count);
}

function toFilter(f: unknown, depth: number, count: { n: number }): Filter {
  if (depth > MAX_DEPTH) throw new CloudomationError(400, `filter: nested more than ${MAX_DEPTH} levels`);
  if (isObject(f) && ("and" in f || "or" in f)) {
    const [op] = Object.keys(f);
    const list = f[op];
    if (Object.keys(f).length !== 1 || !Array.isArray(list) || list.length === 0) {
      throw new CloudomationError(400, `filter: ${op} takes a non-empty list of filters and nothing else`);
    }
    const parts = list.map((x) => toFilter(x, depth + 1, count));
    return op === "and" ? { and: parts } : { or: parts };
  }
  if (!isObject(f) || typeof f.field !== "string" || !OPS.includes(f.op as (typeof OPS)[number]) || !("value" in f)) {
    throw new CloudomationError(400, 'filter must be {"field": <property>, "op": "eq" | "ne" | "like", "value": …} or {"and": [...]}');
  }
  const extra = Object.keys(f).filter((k) => !["field", "op", "value"].includes(k));
  if (extra.length > 0) throw new CloudomationError(400, `filter: unknown key ${extra[0]}`);
  if (!PROPERTIES[f.field]) throw new CloudomationError(400, `filter: ${f.field} is not a property of ORGANIZATION records`);
  if (f.op === "like" && typeof f.value !== "string") throw new CloudomationError(400, "filter: like takes a string pattern");
  if (++count.n > MAX_CONDITIONS) throw new CloudomationError(400, `filter: more than ${MAX_CONDITIONS} conditions`);
  return { field: f.field, op: f.op as (typeof OPS)[number], value: f.value };
}

export function matches(rec: OrgRecord, f: Filter): boolean {
  if ("and" in f) return f.and.every((x) => matches(rec, x));
  if ("or" in f) return f.or.some((x) => matches(rec, x));
  const v = rec[f.field];
  if (f.op === "eq") return JSON.stringify(v) === JSON.stringify(f.value);
  if (f.op === "ne") return JSON.stringify(v) !== JSON.stringify(f.value);
  if (typeof v !== "string") return false;
  const pattern = String(f.value)
    .split("")
    .map((c) => (c === "%" ? ".*" : c === "_" ? "." : c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${pattern}$`, "s").test(v);
}

/** `limit` / `offset`: integers from 0 to `max`. */
export function intParam(q: Query, name: string, fallback: number, max: number): number {
  const raw = q[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (typeof raw !== "string" || !/^\d+$/.test(raw) || !Number.isInteger(n) || n > max) throw new CloudomationError(400, `${name} must be an integer from 0 to ${max}`);
  return n;
}

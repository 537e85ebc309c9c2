/**
 * `filter[q][<attributes>_<predicate>]` as Commerce Layer reads it: Ransack (the Rails library its
 * API uses; the vendor's "Filtering data" page and the SDK's README show the forms):
 * - a predicate of Ransack's list, with `_any` / `_all` forms taking a comma list (the SDK joins an
 *   array with commas, and allows arrays only for `_any`, `_all`, `_in`, `_not_in_or_null`);
 * - `jcont`, Commerce Layer's JSON containment on JSON attributes (`metadata_jcont={"foo":"bar"}`:
 *   the SDK sends an object value as JSON, and only to `_jcont`);
 * - attributes combined with `_or_` / `_and_` (`updated_at_or_created_at_gt`);
 * - an association's attribute (`organization_name_start` on roles), matching when any related
 *   resource matches, as Ransack's join does.
 * Anything else (an unknown predicate, attribute or association, a scalar predicate on a JSON
 * attribute) is refused (the caller answers 400 naming the parameter): the real API refuses
 * filters it does not know.
 */

/** What one resource type can be filtered by. */
export interface FilterSpec {
  /** Scalar attributes (string, number, boolean, datetime; `id` included). */
  scalars: readonly string[];
  /** JSON attributes: only `jcont` applies. */
  json: readonly string[];
  /** Association name -> resource type. */
  associations: Readonly<Record<string, string>>;
}

type Test = (value: unknown, wanted: string) => boolean;

/** One attribute path: the attribute itself, or an association's. */
export interface AttributePath {
  association?: string;
  attribute: string;
}

export interface Filter {
  /** Ransack's `_or_` / `_and_` combination of the attributes (one of them alone: "or"). */
  combinator: "or" | "and";
  paths: AttributePath[];
  predicate: string;
  value: string;
}

const TRUE = new Set(["true", "t", "1", "yes", "y", "on"]);
const truthy = (s: string): boolean => TRUE.has(s.trim().toLowerCase());
const absent = (v: unknown): boolean => v === null || v === undefined;

function text(v: unknown): string {
  return absent(v) ? "" : typeof v === "string" ? v : JSON.stringify(v);
}

/** Ransack casts the value to the attribute's type: numbers, booleans and times compare as such. */
function order(value: unknown, wanted: string): number | undefined {
  if (absent(value)) return undefined;
  if (typeof value === "number") {
    const w = Number(wanted);
    return Number.isNaN(w) ? undefined : value - w;
  }
  if (typeof value === "boolean") return Number(value) - Number(truthy(wanted));
  const s = text(value);
  const t = Date.parse(s);
  const w = Date.parse(wanted);
  if (/^\d{4}-\d{2}-\d{2}/.test(s) && !Number.isNaN(t) && !Number.isNaN(w)) return t - w;
  return s < wanted ? -1 : s > wanted ? 1 : 0;
}

/** SQL LIKE (`%`, `_`), case-insensitive as Ransack's matchers are on PostgreSQL (ILIKE). */
function like(value: unknown, pattern: string): boolean {
  if (absent(value)) return false;
  const re = pattern
    .toLowerCase()
    .replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
    .replace(/%/g, ".*")
    .replace(/_/g, ".");
  return new RegExp(`^${re}$`, "s").test(text(value).toLowerCase());
}

const contains = (v: unknown, w: string) => !absent(v) && text(v).toLowerCase().includes(w.toLowerCase());
const starts = (v: unknown, w: string) => !absent(v) && text(v).toLowerCase().startsWith(w.toLowerCase());
const ends = (v: unknown, w: string) => !absent(v) && text(v).toLowerCase().endsWith(w.toLowerCase());
const equal = (v: unknown, w: string) => order(v, w) === 0;
const list = (w: string) => w.split(",").map((x) => x.trim());

/** JSON containment (PostgreSQL `@>`): every key and element of `wanted` is in `value`. */
export function jsonContains(value: unknown, wanted: unknown): boolean {
  if (Array.isArray(wanted)) return Array.isArray(value) && wanted.every((w) => value.some((v) => jsonContains(v, w)));
  if (wanted !== null && typeof wanted === "object") {
    return value !== null && typeof value === "object" && !Array.isArray(value) && Object.entries(wanted).every(([k, w]) => jsonContains((value as Record<string, unknown>)[k], w));
  }
  return value === wanted;
}

/** The base predicates on scalar attributes. */
const SCALAR: Record<string, Test> = {
  eq: equal,
  not_eq: (v, w) => !absent(v) && !equal(v, w),
  lt: (v, w) => (order(v, w) ?? 0) < 0 && !absent(v),
  lteq: (v, w) => (order(v, w) ?? 1) <= 0 && !absent(v),
  gt: (v, w) => (order(v, w) ?? 0) > 0,
  gteq: (v, w) => (order(v, w) ?? -1) >= 0,
  matches: like,
  does_not_match: (v, w) => !absent(v) && !like(v, w),
  cont: contains,
  not_cont: (v, w) => !absent(v) && !contains(v, w),
  i_cont: contains,
  not_i_cont: (v, w) => !absent(v) && !contains(v, w),
  start: starts,
  not_start: (v, w) => !absent(v) && !starts(v, w),
  end: ends,
  not_end: (v, w) => !absent(v) && !ends(v, w),
  in: (v, w) => list(w).some((x) => equal(v, x)),
  not_in: (v, w) => !absent(v) && !list(w).some((x) => equal(v, x)),
  in_or_null: (v, w) => absent(v) || list(w).some((x) => equal(v, x)),
  not_in_or_null: (v, w) => absent(v) || !list(w).some((x) => equal(v, x)),
  eq_or_null: (v, w) => absent(v) || equal(v, w),
  not_eq_or_null: (v, w) => absent(v) || !equal(v, w),
  null: (v, w) => absent(v) === truthy(w),
  not_null: (v, w) => !absent(v) === truthy(w),
  present: (v, w) => (!absent(v) && text(v).trim() !== "") === truthy(w),
  blank: (v, w) => (absent(v) || text(v).trim() === "") === truthy(w),
  true: (v, w) => (v === true) === truthy(w),
  false: (v, w) => (v === false) === truthy(w),
  not_true: (v, w) => (v !== true) === truthy(w),
  not_false: (v, w) => (v !== false) === truthy(w),
};

/** Predicates with `_any` / `_all` forms (Ransack's compound predicates). */
const COMPOUNDABLE = ["eq", "not_eq", "lt", "lteq", "gt", "gteq", "matches", "does_not_match", "cont", "not_cont", "i_cont", "not_i_cont", "start", "not_start", "end", "not_end"];

const PREDICATES: Record<string, Test> = { ...SCALAR };
for (const p of COMPOUNDABLE) {
  PREDICATES[`${p}_any`] = (v, w) => list(w).some((x) => SCALAR[p](v, x));
  PREDICATES[`${p}_all`] = (v, w) => list(w).every((x) => SCALAR[p](v, x));
}

/** Longest first, so `not_eq` wins over `eq` and `not_in_or_null` over `in_or_null`. */
const NAMES = [...Object.keys(PREDICATES), "jcont"].sort((a, b) => b.length - a.length);

/** Every attribute path a spec can filter by, JSON ones marked. */
function paths(type: string, specs: Readonly<Record<string, FilterSpec>>): { path: AttributePath; name: string; json: boolean }[] {
  const spec = specs[type];
  const own = (s: FilterSpec, association?: string) => [
    ...s.scalars.map((a) => ({ path: { association, attribute: a }, name: association ? `${association}_${a}` : a, json: false })),
    ...s.json.map((a) => ({ path: { association, attribute: a }, name: association ? `${association}_${a}` : a, json: true })),
  ];
  return [...own(spec), ...Object.entries(spec.associations).flatMap(([assoc, t]) => (specs[t] ? own(specs[t], assoc) : []))];
}

/** Splits `a_or_b` into known attribute paths joined by one combinator; undefined when it is not one. */
function attributes(expr: string, known: { path: AttributePath; name: string; json: boolean }[]): { combinator: "or" | "and"; parts: typeof known } | undefined {
  const walk = (rest: string, combinator: "or" | "and" | undefined): { combinator: "or" | "and"; parts: typeof known } | undefined => {
    // Longest names first: `updated_at` before a shorter name it begins with.
    for (const k of [...known].sort((a, b) => b.name.length - a.name.length)) {
      if (rest === k.name) return { combinator: combinator ?? "or", parts: [k] };
      for (const c of ["or", "and"] as const) {
        if (combinator !== undefined && combinator !== c) continue;
        if (rest.startsWith(`${k.name}_${c}_`)) {
          const tail = walk(rest.slice(k.name.length + c.length + 2), c);
          if (tail) return { combinator: c, parts: [k, ...tail.parts] };
        }
      }
    }
    return undefined;
  };
  return walk(expr, undefined);
}

/** Reads one `filter[q][<key>]` of a list of `type`; why not (a sentence) when the API would not know it. */
export function parseFilter(key: string, value: string, type: string, specs: Readonly<Record<string, FilterSpec>>): Filter | string {
  const known = paths(type, specs);
  for (const predicate of NAMES) {
    if (!key.endsWith(`_${predicate}`)) continue;
    const found = attributes(key.slice(0, -(predicate.length + 1)), known);
    if (!found) continue;
    const json = found.parts.some((p) => p.json);
    if (json !== (predicate === "jcont") || (json && !found.parts.every((p) => p.json))) {
      return `filter ${key}: ${predicate === "jcont" ? "jcont applies to JSON attributes only" : `${predicate} does not apply to a JSON attribute (use jcont)`}`;
    }
    if (predicate === "jcont") {
      try {
        JSON.parse(value);
      } catch {
        return `filter ${key}: the value must be JSON`;
      }
    }
    return { combinator: found.combinator, paths: found.parts.map((p) => p.path), predicate, value };
  }
  return `filter ${key} is not allowed on ${type}`;
}

/** Whether one value (of an attribute or of a related resource's attribute) passes the predicate. */
export function passes(predicate: string, value: unknown, wanted: string): boolean {
  if (predicate === "jcont") return jsonContains(value, JSON.parse(wanted));
  return PREDICATES[predicate](value, wanted);
}


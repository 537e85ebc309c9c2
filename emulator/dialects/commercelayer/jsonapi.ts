import { RequestRefusal, type RefusalReason } from "../../refusals";
import type { FastifyRequest } from "fastify";
import type { DialectAnswer, UnauthenticatedReason } from "../../types";
import { isObject } from "../../json";
import { parseFilter, passes, type Filter, type FilterSpec } from "./ransack";

/**
 * JSON:API as Commerce Layer speaks it (document 001 shows the resource object; the vendor's
 * "Handling errors", "Pagination", "Filtering data", "Sparse fieldsets" and "Including associations"
 * pages and the official @commercelayer/provisioning-sdk 2.10.2 give the rest):
 * - media type `application/vnd.api+json` both ways: a body with another Content-Type is a 415, an
 *   Accept that excludes it a 406;
 * - errors are `{errors: [{title, detail, code, status, source?: {pointer | parameter}, meta?}]}`,
 *   `status` a string, 422 for an invalid attribute with `source.pointer` at `/data/attributes/<x>`;
 * - lists carry `meta: {record_count, page_count}` and `links: {first, prev?, next?, last}`, paged by
 *   `page[number]` / `page[size]` (default 10, at most 25: the SDK's `QueryPageSize` type).
 */

export const MEDIA_TYPE = "application/vnd.api+json";
export const PAGE_SIZE = { default: 10, max: 25 } as const;

export interface ApiErrorItem {
  title: string;
  detail: string;
  code: string;
  status: string;
  source?: { pointer?: string; parameter?: string };
  meta?: Record<string, unknown>;
}

/** An error a handler throws; rendered as a JSON:API error document. */
export class ClError extends Error {
  constructor(
    readonly status: number,
    readonly errors: ApiErrorItem[],
    readonly headers?: Record<string, string>,
  ) {
    super(errors.map((e) => e.detail).join("; "));
    this.name = "ClError";
  }

  static of(status: number, code: string, title: string, detail: string, source?: ApiErrorItem["source"]): ClError {
    return new ClError(status, [{ title, detail, code, status: String(status), ...(source ? { source } : {}) }]);
  }

  answer(): DialectAnswer {
    return failure(this.status, this.errors, this.headers);
  }
}

export function failure(status: number, errors: ApiErrorItem[], headers?: Record<string, string>): DialectAnswer {
  return { status, headers: { "content-type": MEDIA_TYPE, ...headers }, body: { errors } };
}

/** One invalid attribute (422), Rails-style: title is the problem, detail prefixes the attribute. */
export function invalid(attribute: string, problem: string, error: string, where: "attributes" | "relationships" = "attributes"): ApiErrorItem {
  return { title: problem, detail: `${attribute} - ${problem}`, code: "VALIDATION_ERROR", status: "422", source: { pointer: `/data/${where}/${attribute}` }, meta: { error } };
}

export function unprocessable(items: ApiErrorItem[]): ClError {
  return new ClError(422, items);
}

export function badRequest(detail: string, source?: ApiErrorItem["source"], code = "BAD_REQUEST"): ClError {
  return ClError.of(400, code, "Bad request", detail, source);
}

export function notFound(): ClError {
  return ClError.of(404, "RECORD_NOT_FOUND", "Record not found", "The requested resource was not found");
}

export function unauthenticated(reason: UnauthenticatedReason): DialectAnswer {
  const headers = { "www-authenticate": 'Bearer realm="orgform-emulator"' };
  const [code, title, detail] =
    reason === "missing"
      ? ["UNAUTHORIZED", "Unauthorized", "The access token was not present in the request"]
      : reason === "malformed"
        ? ["UNAUTHORIZED", "Unauthorized", "The Authorization header must be Bearer <access token>"]
        : reason === "expired"
          ? ["INVALID_TOKEN", "Invalid token", "The access token you provided has expired"]
          : ["INVALID_TOKEN", "Invalid token", "The access token you provided is invalid"];
  return failure(401, [{ title, detail, code, status: "401" }], headers);
}

export function fault(status: number): DialectAnswer {
  const [code, title] =
    status === 502 ? ["BAD_GATEWAY", "Bad gateway"] : status === 503 ? ["SERVICE_UNAVAILABLE", "Service unavailable"] : status === 504 ? ["GATEWAY_TIMEOUT", "Gateway timeout"] : ["INTERNAL_SERVER_ERROR", "Internal server error"];
  return failure(status, [{ title, detail: "Something went wrong on our end", code, status: String(status) }], status === 503 ? { "retry-after": "1" } : undefined);
}

/** The core's refusals (emulator/refusals.ts) in this API's codes. */
const REFUSALS: Record<RefusalReason, [string, string]> = {
  "malformed-json": ["BAD_REQUEST", "Bad request"],
  "unsupported-media-type": ["UNSUPPORTED_MEDIA_TYPE", "Unsupported media type"],
  "body-too-large": ["PAYLOAD_TOO_LARGE", "Payload too large"],
  "malformed-url": ["BAD_REQUEST", "Bad request"],
  "url-too-long": ["URI_TOO_LONG", "URI too long"],
  "headers-too-large": ["REQUEST_HEADER_FIELDS_TOO_LARGE", "Request header fields too large"],
  "bad-request": ["BAD_REQUEST", "Bad request"],
};

/** Maps whatever a handler or Fastify threw to a JSON:API error document. */
export function fromError(err: unknown): DialectAnswer {
  if (err instanceof ClError) return err.answer();
  if (err instanceof RequestRefusal) {
    const [code, title] = REFUSALS[err.reason];
    return ClError.of(err.statusCode, code, title, err.reason === "unsupported-media-type" ? `The Content-Type header must be ${MEDIA_TYPE}` : err.message).answer();
  }
  const e = err as { statusCode?: number; code?: string; message?: string };
  if (e.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
    return ClError.of(415, "UNSUPPORTED_MEDIA_TYPE", "Unsupported media type", `The Content-Type header must be ${MEDIA_TYPE}`).answer();
  }
  if (e.code === "FST_ERR_CTP_BODY_TOO_LARGE") return ClError.of(413, "PAYLOAD_TOO_LARGE", "Payload too large", "The request body is too large").answer();
  if (e.code === "FST_ERR_CTP_EMPTY_JSON_BODY" || e.code === "FST_ERR_CTP_INVALID_JSON_BODY" || (e.statusCode === 400 && err instanceof SyntaxError)) {
    return badRequest("The request body is not valid JSON").answer();
  }
  if (typeof e.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 500) return ClError.of(e.statusCode, "BAD_REQUEST", "Bad request", e.message ?? "Invalid request").answer();
  // An emulator bug, not an injected fault: say what broke.
  return failure(500, [{ title: "Internal server error", detail: `Internal server error: ${e.message ?? String(err)}`, code: "INTERNAL_SERVER_ERROR", status: "500" }]);
}

/** 406 unless the client accepts the JSON:API media type (or anything). */
export function checkAccept(req: FastifyRequest): void {
  const accept = req.headers.accept;
  if (accept === undefined || accept === "") return;
  const types = String(accept)
    .split(",")
    .map((t) => t.split(";")[0].trim().toLowerCase());
  if (types.some((t) => t === MEDIA_TYPE || t === "*/*" || t === "application/*")) return;
  throw ClError.of(406, "NOT_ACCEPTABLE", "Not acceptable", `The Accept header must be ${MEDIA_TYPE}`);
}

export type Query = Record<string, string | string[] | undefined>;

export function single(q: Query, name: string): string | undefined {
  const v = q[name];
  if (Array.isArray(v)) throw badRequest(`query parameter ${name} is given more than once`, { parameter: name });
  return v;
}


/** A resource object as JSON:API sends it. */
export interface Resource {
  id: string;
  type: string;
  links: { self: string };
  attributes: Record<string, unknown>;
  relationships: Record<string, unknown>;
  meta?: Record<string, unknown>;
}

/** Where this emulator is reached, for `links` (the vendor's own links name its own host). */
export function apiBase(req: FastifyRequest, prefix: string): string {
  return `${req.protocol}://${req.headers.host ?? "127.0.0.1"}${prefix}`;
}

/** A to-one or to-many relationship with its links, and its data when included or asked. */
export function relationship(base: string, type: string, id: string, name: string, data?: unknown): Record<string, unknown> {
  return { links: { self: `${base}/${type}/${id}/relationships/${name}`, related: `${base}/${type}/${id}/${name}` }, ...(data !== undefined ? { data } : {}) };
}

/** The request document's `data` for a write of `type` (and `id` for an update). */
export function requestData(req: FastifyRequest, type: string, id?: string): { attributes: Record<string, unknown>; relationships: Record<string, unknown> } {
  const body = req.body;
  if (!isObject(body) || !isObject(body.data)) throw badRequest("the request body must be a JSON:API document {data: {type, attributes, relationships}}", { pointer: "/data" });
  const data = body.data;
  if (data.type !== type) throw badRequest(`data.type must be "${type}"`, { pointer: "/data/type" });
  if (id !== undefined && data.id !== undefined && data.id !== id) throw badRequest(`data.id must be the id of the URL (${id})`, { pointer: "/data/id" });
  for (const k of Object.keys(data)) {
    if (!["type", "id", "attributes", "relationships", "links", "meta"].includes(k)) throw badRequest(`unknown member "${k}" of data`, { pointer: `/data/${k}` });
  }
  if (data.attributes !== undefined && !isObject(data.attributes)) throw badRequest("data.attributes must be an object", { pointer: "/data/attributes" });
  if (data.relationships !== undefined && !isObject(data.relationships)) throw badRequest("data.relationships must be an object", { pointer: "/data/relationships" });
  return { attributes: (data.attributes as Record<string, unknown>) ?? {}, relationships: (data.relationships as Record<string, unknown>) ?? {} };
}

/** The id of a to-one relationship `{data: {type, id}}` in a request (undefined when absent, null when cleared). */
export function relatedId(relationships: Record<string, unknown>, name: string, type: string): string | null | undefined {
  const rel = relationships[name];
  if (rel === undefined) return undefined;
  if (!isObject(rel) || !("data" in rel)) throw badRequest(`relationships.${name} must be {data: {type, id}}`, { pointer: `/data/relationships/${name}` });
  if (rel.data === null) return null;
  const d = rel.data;
  if (!isObject(d) || d.type !== type || typeof d.id !== "string" || d.id === "") {
    throw badRequest(`relationships.${name}.data must be {type: "${type}", id}`, { pointer: `/data/relationships/${name}/data` });
  }
  return d.id;
}

// ---- lists: paging, filters, sorting, sparse fieldsets ----

/** What a list of one resource type takes: filters (Ransack), sort fields (the SDK's `<X>Sort` types), includes. */
export interface ListSpec extends FilterSpec {
  sortable: readonly string[];
  includable: readonly string[];
}

export interface ListRequest {
  type: string;
  number: number;
  size: number;
  filters: Filter[];
  sort: { attribute: string; desc: boolean }[];
  fields?: string[];
  include: string[];
}

function positive(q: Query, name: string, fallback: number): number {
  const raw = single(q, name);
  if (raw === undefined) return fallback;
  if (!/^[1-9][0-9]*$/.test(raw)) throw badRequest(`${name} must be a positive integer`, { parameter: name });
  return Number(raw);
}

/**
 * Reads `page[number]`, `page[size]`, `filter[q][<attrs>_<predicate>]` (ransack.ts), `sort`,
 * `fields[<type>]` and `include`; anything else is a 400, as are filters the API would not know,
 * attributes the resource cannot be sorted by and associations it cannot include.
 */
export function listRequest(q: Query, type: string, specs: Readonly<Record<string, ListSpec>>): ListRequest {
  const spec = specs[type];
  const out: ListRequest = { type, number: positive(q, "page[number]", 1), size: positive(q, "page[size]", PAGE_SIZE.default), filters: [], sort: [], include: [] };
  if (out.size > PAGE_SIZE.max) throw badRequest(`page[size] must be at most ${PAGE_SIZE.max}`, { parameter: "page[size]" }, "PAGE_SIZE_EXCEEDED");
  for (const name of Object.keys(q)) {
    if (name === "page[number]" || name === "page[size]") continue;
    const filter = /^filter\[q\]\[(.+)\]$/.exec(name);
    if (filter) {
      const parsed = parseFilter(filter[1], single(q, name) ?? "", type, specs);
      if (typeof parsed === "string") throw badRequest(parsed, { parameter: name }, "FILTER_NOT_ALLOWED");
      out.filters.push(parsed);
      continue;
    }
    if (name === "sort") {
      for (const part of (single(q, name) ?? "").split(",").filter(Boolean)) {
        const desc = part.startsWith("-");
        const attribute = desc ? part.slice(1) : part;
        if (!spec.sortable.includes(attribute)) throw badRequest(`sort by ${attribute} is not allowed on ${type}`, { parameter: "sort" }, "SORT_NOT_ALLOWED");
        out.sort.push({ attribute, desc });
      }
      continue;
    }
    if (name === "include") {
      out.include = parseInclude(q, spec.includable, type);
      continue;
    }
    if (name === `fields[${type}]`) {
      out.fields = (single(q, name) ?? "").split(",").filter(Boolean);
      continue;
    }
    if (/^fields\[[a-z_]+\]$/.test(name)) continue; // fieldsets of included types
    throw badRequest(`unknown query parameter ${name}`, { parameter: name }, "PARAMETER_NOT_ALLOWED");
  }
  return out;
}

/** `include` and `fields[...]` only: what a single-resource GET accepts. */
export function retrieveRequest(q: Query, type: string, includable: readonly string[]): { include: string[]; fields?: string[] } {
  const out: { include: string[]; fields?: string[] } = { include: [] };
  for (const name of Object.keys(q)) {
    if (name === "include") out.include = parseInclude(q, includable, type);
    else if (name === `fields[${type}]`) out.fields = (single(q, name) ?? "").split(",").filter(Boolean);
    else if (!/^fields\[[a-z_]+\]$/.test(name)) throw badRequest(`unknown query parameter ${name}`, { parameter: name }, "PARAMETER_NOT_ALLOWED");
  }
  return out;
}

function parseInclude(q: Query, includable: readonly string[], type: string): string[] {
  const list = (single(q, "include") ?? "").split(",").filter(Boolean);
  for (const i of list) if (!includable.includes(i)) throw badRequest(`${i} cannot be included in ${type}`, { parameter: "include" }, "INCLUDE_NOT_ALLOWED");
  return list;
}

function text(v: unknown): string {
  return v === null || v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v);
}

/** The resources an association of `r` names (none, one or many). */
export type Related = (r: Resource, association: string) => Resource[];

const valueOf = (r: Resource, attribute: string): unknown => (attribute === "id" ? r.id : r.attributes[attribute]);

/** Whether a resource passes one filter: over its attributes (`_or_` / `_and_`), or any related resource's. */
function kept(r: Resource, f: Filter, related: Related): boolean {
  const one = (p: Filter["paths"][number]) =>
    p.association === undefined ? passes(f.predicate, valueOf(r, p.attribute), f.value) : related(r, p.association).some((x) => passes(f.predicate, valueOf(x, p.attribute), f.value));
  return f.combinator === "and" ? f.paths.every(one) : f.paths.some(one);
}

/** Filters, sorts (creation order by default) and pages resources; the list document without `included`. */
export function listDocument(all: Resource[], req: ListRequest, selfUrl: string, related: Related): { data: Resource[]; meta: Record<string, number>; links: Record<string, string> } {
  let rows = all.filter((r) => req.filters.every((f) => kept(r, f, related)));
  if (req.sort.length > 0) {
    rows = [...rows].sort((a, b) => {
      for (const s of req.sort) {
        const x = text(s.attribute === "id" ? a.id : a.attributes[s.attribute]);
        const y = text(s.attribute === "id" ? b.id : b.attributes[s.attribute]);
        if (x !== y) return (x < y ? -1 : 1) * (s.desc ? -1 : 1);
      }
      return 0;
    });
  }
  const recordCount = rows.length;
  const pageCount = Math.ceil(recordCount / req.size);
  const page = rows.slice((req.number - 1) * req.size, req.number * req.size);
  const link = (n: number) => {
    const u = new URL(selfUrl);
    u.searchParams.set("page[number]", String(n));
    u.searchParams.set("page[size]", String(req.size));
    return u.toString();
  };
  const links: Record<string, string> = { first: link(1) };
  if (req.number > 1) links.prev = link(Math.min(req.number - 1, Math.max(pageCount, 1)));
  if (req.number < pageCount) links.next = link(req.number + 1);
  links.last = link(Math.max(pageCount, 1));
  return { data: page.map((r) => sparse(r, req.fields)), meta: { record_count: recordCount, page_count: pageCount }, links };
}

/** Sparse fieldset: only the named attributes (and relationships). */
export function sparse(r: Resource, fields: string[] | undefined): Resource {
  if (!fields) return r;
  const pick = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([k]) => fields.includes(k)));
  return { ...r, attributes: pick(r.attributes), relationships: pick(r.relationships) };
}

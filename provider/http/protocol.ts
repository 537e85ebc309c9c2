// No answer taken on trust: what a vendor's answers look like (media type, error body, the fields an
// adapter reads), checked in one place (the HTTP client) before any adapter reads them. An answer
// that is not the vendor's (HTML from a proxy, a 404 from a wrong base path, another JSON shape) is
// one error with code PROTOCOL naming the endpoint, the status, the content type and the first bytes;
// never "gone", "empty" or drift, and never a TypeError deep in a mapper.
import { OrgformError } from "../core/errors";

/** A shape check: undefined when `value` fits, else where and how it does not ("result.id: a number, expected a string"). */
export type Shape = (value: unknown, at: string) => string | undefined;

const kind = (v: unknown): string =>
  v === undefined ? "missing" : v === null ? "null" : Array.isArray(v) ? "an array" : typeof v === "string" ? `a string` : typeof v === "object" ? "an object" : `a ${typeof v}`;
const where = (at: string) => (at === "" ? "the body" : at);
const join = (at: string, key: string | number) => (typeof key === "number" ? `${at}[${key}]` : at === "" ? key : `${at}.${key}`);

/** Small combinators for the fields an adapter reads; anything else in the answer is left alone. */
export const shape = {
  /** Anything (the field is not read). */
  any: (() => undefined) as Shape,
  string: ((v, at) => (typeof v === "string" ? undefined : `${where(at)}: ${kind(v)}, expected a string`)) as Shape,
  number: ((v, at) => (typeof v === "number" ? undefined : `${where(at)}: ${kind(v)}, expected a number`)) as Shape,
  boolean: ((v, at) => (typeof v === "boolean" ? undefined : `${where(at)}: ${kind(v)}, expected a boolean`)) as Shape,
  /** Any JSON object (its fields unchecked). */
  anyObject: ((v, at) => (typeof v === "object" && v !== null && !Array.isArray(v) ? undefined : `${where(at)}: ${kind(v)}, expected an object`)) as Shape,
  optional:
    (s: Shape): Shape =>
    (v, at) =>
      v === undefined ? undefined : s(v, at),
  nullable:
    (s: Shape): Shape =>
    (v, at) =>
      v === null || v === undefined ? undefined : s(v, at),
  array:
    (item: Shape): Shape =>
    (v, at) => {
      if (!Array.isArray(v)) return `${where(at)}: ${kind(v)}, expected an array`;
      for (let i = 0; i < v.length; i++) {
        const problem = item(v[i], join(at, i));
        if (problem) return problem;
      }
      return undefined;
    },
  object:
    (fields: Record<string, Shape>): Shape =>
    (v, at) => {
      if (typeof v !== "object" || v === null || Array.isArray(v)) return `${where(at)}: ${kind(v)}, expected an object`;
      for (const [k, s] of Object.entries(fields)) {
        const problem = s((v as Record<string, unknown>)[k], join(at, k));
        if (problem) return problem;
      }
      return undefined;
    },
  oneOf:
    (...options: Shape[]): Shape =>
    (v, at) => {
      const problems = options.map((s) => s(v, at));
      return problems.every(Boolean) ? problems[0] : undefined;
    },
};

/** What one vendor's answers look like, whatever the route: an adapter's one description of its wire. */
export interface VendorProtocol {
  /** The vendor's display name, for messages ("AIA Engine"). */
  vendor: string;
  /** The media types its JSON answers carry (parameters such as charset ignored). */
  mediaTypes: readonly string[];
  /** The shape of its error bodies (every 4xx it answers). */
  error: Shape;
  /**
   * Whether a 404 in the vendor's error shape says that the object asked for does not exist, as
   * opposed to "no such route" (a wrong base path): only the former is evidence that something is gone.
   */
  notFound(body: unknown): boolean;
}

/** An answer that is not the vendor's: code PROTOCOL, naming the endpoint, status, content type and first bytes. */
export class ProtocolError extends OrgformError {
  constructor(
    readonly endpoint: string,
    readonly status: number,
    problem: string,
    contentType: string | undefined,
    text: string,
  ) {
    super("PROTOCOL", `${endpoint} answered HTTP ${status} (${contentType || "no content type"}) that is not ${problem}: ${firstBytes(text)}; check the endpoint (base URL)`, {
      details: { status },
    });
    this.name = "ProtocolError";
  }
}

/** The start of a body on one line: enough to recognise an HTML page or a proxy's answer. */
export function firstBytes(text: string, max = 120): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat === "") return "(empty body)";
  return JSON.stringify(flat.length > max ? `${flat.slice(0, max)}...` : flat);
}

export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0].trim().toLowerCase();
}

/** What the HTTP client knows of one answer when it checks it. */
export interface RawAnswer {
  status: number;
  contentType?: string;
  text: string;
  /** The body parsed as JSON; undefined when empty or not JSON (see `json`). */
  body: unknown;
  json: boolean;
}

/**
 * The one check of an answer against the vendor's protocol (and, for a 2xx, the shape the request
 * expects): undefined when it fits, else the sentence's middle part ("AIA Engine's answer (...)").
 * Pure: the client turns a problem into a ProtocolError.
 */
export function protocolProblem(protocol: VendorProtocol, answer: RawAnswer, expect?: Shape): string | undefined {
  const ok = answer.status >= 200 && answer.status < 300;
  const empty = answer.text.trim() === "";
  if (empty) {
    // A 2xx without a body (204 of a DELETE) is fine where nothing is expected; an error needs its body.
    if (ok && !expect) return undefined;
    return ok ? `${protocol.vendor}'s answer (an empty body where one was expected)` : `${protocol.vendor}'s error (it has no body)`;
  }
  const media = mediaTypeOf(answer.contentType);
  if (!protocol.mediaTypes.includes(media)) return `${protocol.vendor}'s (${protocol.mediaTypes.join(" or ")})`;
  if (!answer.json) return `${protocol.vendor}'s (the body is not JSON)`;
  if (ok) {
    const problem = expect?.(answer.body, "");
    return problem ? `${protocol.vendor}'s answer (${problem})` : undefined;
  }
  const problem = protocol.error(answer.body, "");
  if (problem) return `${protocol.vendor}'s error (${problem})`;
  if (answer.status === 404 && !protocol.notFound(answer.body)) return `${protocol.vendor}'s "no such object" (no such route: a wrong base path?)`;
  return undefined;
}

/**
 * Guards one paginated read against a server that keeps answering the same page (a repeated cursor,
 * or a page that holds only items already listed while the listing says more follow): an error, never
 * an endless loop.
 */
export class PageProgress {
  private readonly cursors = new Set<string>();
  private readonly seen = new Set<string>();
  constructor(private readonly endpoint: string) {}

  /** Records one page (its items' ids and the cursor of the next page, undefined at the end). */
  next(ids: readonly string[], nextCursor: string | number | undefined): void {
    const fresh = ids.filter((id) => !this.seen.has(id));
    for (const id of ids) this.seen.add(id);
    if (nextCursor === undefined) return;
    const key = String(nextCursor);
    if (this.cursors.has(key) || fresh.length === 0) {
      throw new OrgformError(
        "PROTOCOL",
        `${this.endpoint} answered a page that makes no progress (page ${key} again, or no item not already listed): the listing was stopped; check the endpoint (base URL)`,
      );
    }
    this.cursors.add(key);
  }
}

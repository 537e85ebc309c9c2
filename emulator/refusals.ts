import type { Socket } from "node:net";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Dialect, DialectAnswer } from "./types";

/**
 * Requests the core refuses before any dialect handler sees them, and how each reaches the client:
 * always in the vendor's own error shape (through `dialect.errors.fromError`), never in Fastify's
 * (`FST_ERR_*`) or Node's (a bare 431). Documented in emulator/README.md ("Hostile requests").
 *
 * | reason | status | what |
 * | --- | --- | --- |
 * | `malformed-json` | 400 | not JSON, not UTF-8, or a string with a lone UTF-16 surrogate (`"\ud800"`) |
 * | `unsupported-media-type` | 415 | a body that is not one of the dialect's JSON media types, or a charset other than UTF-8 |
 * | `body-too-large` | 413 | over the body limit (1 MiB) |
 * | `malformed-url` | 400 | a path that is not valid percent-encoding (`%E0%A4%A`) |
 * | `url-too-long` | 414 | a path segment over the router's 100 characters, or a request line over 8 KiB that Node's header limit (16 KiB) cut |
 * | `headers-too-large` | 431 | headers over Node's limit (16 KiB) |
 * | `bad-request` | 400 | anything else Node's HTTP parser refuses |
 */

export type RefusalReason =
  | "malformed-json"
  | "unsupported-media-type"
  | "body-too-large"
  | "malformed-url"
  | "url-too-long"
  | "headers-too-large"
  | "bad-request";

const STATUS: Record<RefusalReason, number> = {
  "malformed-json": 400,
  "unsupported-media-type": 415,
  "body-too-large": 413,
  "malformed-url": 400,
  "url-too-long": 414,
  "headers-too-large": 431,
  "bad-request": 400,
};

/** A request refused by the core; `statusCode` lets a dialect's generic 4xx branch render it too. */
export class RequestRefusal extends Error {
  readonly statusCode: number;
  constructor(
    readonly reason: RefusalReason,
    message: string,
  ) {
    super(message);
    this.name = "RequestRefusal";
    this.statusCode = STATUS[reason];
  }
}

/** Fastify's own errors as refusals (anything else is returned unchanged: a handler's error). */
export function asRefusal(err: unknown): unknown {
  if (err instanceof RequestRefusal) return err;
  const code = (err as { code?: unknown } | null)?.code;
  switch (code) {
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return new RequestRefusal("unsupported-media-type", "the body must be JSON (Content-Type: application/json)");
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new RequestRefusal("body-too-large", "the request body is too large");
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return new RequestRefusal("malformed-json", "the request body is not valid JSON");
    case "FST_ERR_BAD_URL":
      return new RequestRefusal("malformed-url", "the URL is not valid percent-encoding");
    case "FST_ERR_MAX_PARAM_LENGTH":
      return new RequestRefusal("url-too-long", "a segment of the URL is too long");
  }
  if (err instanceof SyntaxError && (err as { statusCode?: number }).statusCode === 400) {
    return new RequestRefusal("malformed-json", "the request body is not valid JSON");
  }
  return err;
}

// ---- JSON bodies ----

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
export const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Only an escape can bring a surrogate into valid UTF-8 text: skip the walk when there is none. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/**
 * How deep a body's lists and objects may nest. JSON.parse takes 100,000 levels, but storing or
 * answering such a value (JSON.stringify recurses) runs out of stack; no vendor's object is
 * near this deep, and a config the loader accepts (64 levels of YAML) stays below it.
 */
export const MAX_JSON_DEPTH = 128;

/** What is wrong with a parsed JSON value, if anything: a lone surrogate in a string or key, or too deep (iterative: no stack to exhaust). */
export function jsonValueProblem(value: unknown, checkSurrogates = true): string | undefined {
  const stack: Array<{ v: unknown; depth: number }> = [{ v: value, depth: 0 }];
  while (stack.length > 0) {
    const { v, depth } = stack.pop()!;
    if (typeof v === "string") {
      if (checkSurrogates && LONE_SURROGATE.test(v)) return SURROGATE_PROBLEM;
    } else if (typeof v === "object" && v !== null) {
      if (depth >= MAX_JSON_DEPTH) return `lists and objects nest deeper than ${MAX_JSON_DEPTH} levels`;
      for (const [k, item] of Object.entries(v)) {
        if (checkSurrogates && !Array.isArray(v) && LONE_SURROGATE.test(k)) return SURROGATE_PROBLEM;
        stack.push({ v: item, depth: depth + 1 });
      }
    }
  }
  return undefined;
}

const SURROGATE_PROBLEM = "a string holds a lone UTF-16 surrogate (\\ud800-\\udfff without its pair)";

type JsonParse = (req: FastifyRequest, body: string, done: (err: Error | null, value?: unknown) => void) => void;

/**
 * The strict JSON body parser of every dialect (and the admin API): UTF-8 only (a charset
 * parameter other than UTF-8 is a 415; bytes that are not UTF-8 a 400 instead of U+FFFD), no lone
 * surrogates (JSON allows `"\ud800"`, but it is no text: stored, it reads back as U+FFFD, and
 * four different names become one), an empty body is no body (common on DELETE); prototype
 * poisoning refused as Fastify does by default.
 */
export function registerJsonParser(app: FastifyInstance, mediaTypes: readonly string[]): void {
  const defaultJson = app.getDefaultJsonParser("error", "error") as unknown as JsonParse;
  for (const type of mediaTypes) if (app.hasContentTypeParser(type)) app.removeContentTypeParser(type);
  app.addContentTypeParser([...mediaTypes], { parseAs: "buffer" }, (req, raw, done) => {
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(String(req.headers["content-type"] ?? ""))?.[1];
    if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
      return done(new RequestRefusal("unsupported-media-type", `the body must be UTF-8 JSON, not ${charset.slice(0, 40)}`), undefined);
    }
    let text: string;
    try {
      text = utf8.decode(raw as Buffer);
    } catch {
      return done(new RequestRefusal("malformed-json", "the request body is not valid UTF-8"), undefined);
    }
    if (text.trim() === "") return done(null, undefined);
    defaultJson(req, text, (err, value) => {
      if (err) return done(new RequestRefusal("malformed-json", "the request body is not valid JSON"), undefined);
      const problem = typeof value === "object" && value !== null ? jsonValueProblem(value, SURROGATE_ESCAPE.test(text)) : undefined;
      if (problem) return done(new RequestRefusal("malformed-json", `the request body is not valid JSON: ${problem}`), undefined);
      done(null, value);
    });
  });
}

/** A body sent in a media type the dialect does not take (checked before routing, so every path answers alike). */
export function mediaTypeRefusal(headers: Record<string, string | string[] | undefined>, jsonMediaTypes: readonly string[]): RequestRefusal | undefined {
  const length = headers["content-length"];
  const hasBody = headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
  if (!hasBody) return undefined;
  const type = String(headers["content-type"] ?? "").split(";", 1)[0]!.trim().toLowerCase();
  if (!jsonMediaTypes.includes(type)) return new RequestRefusal("unsupported-media-type", `the body must be JSON (Content-Type: ${jsonMediaTypes.join(" or ")})`);
  return undefined;
}

// ---- requests refused before routing ----

/** The dialect whose prefix the path is under, if any. */
export function dialectOf(dialects: readonly Dialect[], url: string): Dialect | undefined {
  return dialects.find((d) => url === d.prefix || url.startsWith(`${d.prefix}/`) || url.startsWith(`${d.prefix}?`));
}

/** The answer of the core's own routes (`/`, `/healthz`) and of the admin API to a refused request. */
export function coreAnswer(refusal: RequestRefusal): DialectAnswer {
  return { status: refusal.statusCode, body: { error: { code: "VALIDATION", message: refusal.message } } };
}

/** Writes an answer on a socket Node's HTTP parser gave up on (no request, no reply object), then closes it. */
export function writeRawAnswer(socket: Socket, answer: DialectAnswer): void {
  if (socket.destroyed || !socket.writable) return;
  const body = JSON.stringify(answer.body);
  const headers: Record<string, string> = {
    "content-type": "application/json; charset=utf-8",
    "content-length": String(Buffer.byteLength(body)),
    connection: "close",
    ...answer.headers,
  };
  const head = [`HTTP/1.1 ${answer.status} ${STATUS_TEXT[answer.status] ?? "Error"}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)].join("\r\n");
  socket.end(`${head}\r\n\r\n${body}`);
}

/** The longest request line taken for headers (nginx's default buffer): longer, the URL is the culprit. */
const MAX_REQUEST_LINE = 8 * 1024;

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  413: "Payload Too Large",
  414: "URI Too Long",
  415: "Unsupported Media Type",
  431: "Request Header Fields Too Large",
};

/**
 * What Node's parser refused (`clientError`), as a refusal, and the path the request line named
 * (to find the dialect), read from the raw bytes it had received.
 */
export function clientErrorRefusal(err: { code?: string; rawPacket?: unknown }): { refusal: RequestRefusal; path?: string } {
  // Node hands a Buffer (Fastify's types say its JSON form).
  const raw = err.rawPacket;
  const bytes = Buffer.isBuffer(raw) ? raw : Buffer.from((raw as { data?: number[] } | undefined)?.data ?? []);
  const packet = bytes.subarray(0, 64 * 1024).toString("latin1");
  const path = /^[A-Z]+ (\/\S*)/.exec(packet)?.[1];
  if (err.code === "HPE_HEADER_OVERFLOW") {
    // A request line over 8 KiB (or one that never ended) is a URL too long; else the headers are.
    const lineEnd = packet.search(/\r?\n/);
    return lineEnd < 0 || lineEnd > MAX_REQUEST_LINE
      ? { refusal: new RequestRefusal("url-too-long", "the URL is too long"), path }
      : { refusal: new RequestRefusal("headers-too-large", "the request headers are too large"), path };
  }
  return { refusal: new RequestRefusal("bad-request", "the request is not valid HTTP"), path };
}

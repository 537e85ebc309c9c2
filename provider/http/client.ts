// The one HTTP client every backend adapter uses: timeouts, retries only where they are safe (each
// one told on stderr), Retry-After, pacing per endpoint and credential, and the check of every
// answer against the vendor's protocol (./protocol.ts) before an adapter reads it. It never puts a
// request header (where credentials live) into an error or a log line.
import { request as undiciRequest } from "undici";
import { setTimeout as sleep } from "node:timers/promises";
import { OrgformError } from "../core/errors";
import { pacerFor, type Pacer } from "./pacing";
import { firstBytes, ProtocolError, protocolProblem, type Shape, type VendorProtocol } from "./protocol";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface HttpRequest {
  method: HttpMethod;
  /** Path relative to the client's base URL (leading slash), with its query string. */
  path: string;
  body?: unknown;
  /** A form-encoded body instead of JSON (OAuth2 token requests). */
  form?: Record<string, string>;
  headers?: Record<string, string>;
  /**
   * Whether sending the request twice has the effect of sending it once. GET, PUT and DELETE are;
   * POST is not: after an ambiguous failure (timeout, reset, 5xx) a POST is not retried here but
   * surfaces as `AmbiguousWriteError`, so the caller can look the object up before trying again.
   */
  idempotent?: boolean;
  /** The shape of a 2xx body: the fields the adapter reads (checked with the client's protocol). */
  expect?: Shape;
  /** A 3xx is the vendor's documented answer here (a session login's 302 with Set-Cookie), not a redirect to report. */
  acceptRedirect?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  /** The body as received (for messages about an answer that is not the vendor's). */
  text: string;
}

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** First back-off; doubles each attempt, with jitter. */
  baseDelayMs: number;
  /** Longest single wait, Retry-After included. */
  maxDelayMs: number;
}

export interface HttpClientOptions {
  baseUrl: string;
  /** Headers sent with every request (credentials). Kept out of every error message. */
  headers: () => Record<string, string> | Promise<Record<string, string>>;
  /**
   * Called when the API answers 401: renews what `headers` sends (an expired OAuth2 token, a
   * session) and says whether sending the request once more can help. A 401 is answered before any
   * work, so the retry is safe for every method; it happens at most once per request.
   */
  onUnauthorized?: () => Promise<boolean>;
  /** Per attempt: no answer within it fails (not retried), naming ORGFORM_REQUEST_TIMEOUT / orgform:requestTimeout. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /**
   * What the vendor's answers look like: when given, every answer that is returned is checked
   * (media type, error shape, a 404 that says "no such object", the request's `expect`) and one
   * that is not the vendor's throws a ProtocolError (code PROTOCOL) instead.
   */
  protocol?: VendorProtocol;
  /** Told of each retry (default: one line on stderr, which the engine shows as a diagnostic). */
  onRetry?: (line: string) => void;
  /** Requests per second at most, shared by every client of the same endpoint and credential. */
  ratePerSecond?: number;
  /** Requests in flight at most, shared likewise (default 32). */
  concurrency?: number;
  /** Identifies the credential for pacing without holding it (e.g. a hash). */
  pacingKey?: string;
}

/** A write whose outcome is unknown: the server may or may not have applied it (code AMBIGUOUS). */
export class AmbiguousWriteError extends OrgformError {
  constructor(what: string, cause?: unknown) {
    super("AMBIGUOUS", `${what}: no answer could be trusted (the write may or may not have happened)`, { cause });
    this.name = "AmbiguousWriteError";
  }
}

/** A non-2xx answer that is final for this request. */
export class HttpStatusError extends OrgformError {
  constructor(
    readonly status: number,
    readonly responseBody: unknown,
    what: string,
  ) {
    super(codeForStatus(status), `${what}: HTTP ${status}${describeBody(responseBody)}`);
    this.name = "HttpStatusError";
  }
}

function codeForStatus(status: number): OrgformError["code"] {
  if (status === 401 || status === 403) return "AUTH";
  if (status === 404) return "NOT_FOUND";
  if (status === 409) return "CONFLICT";
  if (status === 429) return "RATE_LIMITED";
  if (status === 400 || status === 422) return "VALIDATION";
  if (status >= 500) return "TRANSIENT";
  return "REFUSED";
}

/** The vendor's own words, kept short: most APIs put them in `errors[].message` or `detail`. */
function describeBody(body: unknown): string {
  if (body === null || body === undefined || body === "") return "";
  if (typeof body === "string") return `: ${firstBytes(body)}`;
  const b = body as Record<string, unknown>;
  const errors = Array.isArray(b.errors) ? b.errors : [];
  const messages = errors
    .map((e) => {
      if (typeof e === "string") return e;
      const o = e as Record<string, unknown>;
      return [o.code, o.message ?? o.detail ?? o.title].filter((x) => x !== undefined).join(" ");
    })
    .filter(Boolean);
  if (messages.length > 0) return `: ${messages.join("; ")}`;
  if (typeof b.detail === "string") return `: ${b.detail}`;
  if (typeof b.message === "string") return `: ${b.message}`;
  return "";
}

const RETRYABLE_STATUS = new Set([500, 502, 503, 504]);
const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseDelayMs: 200, maxDelayMs: 10_000 };

const DEFAULT_CONCURRENCY = 32;

export const DEFAULT_TIMEOUT_MS = 30_000;
/** The setting behind `timeoutMs`, named in every timeout message. */
export const TIMEOUT_SETTING = "ORGFORM_REQUEST_TIMEOUT / orgform:requestTimeout";

/** Where retry lines go unless a client says otherwise: stderr (the CLI's, or the dynamic provider's, which the engine shows). */
let defaultRetryReporter: (line: string) => void = (line) => process.stderr.write(`warning: ${line}\n`);
/** Replaces the default retry reporter (tests); returns the previous one. */
export function setRetryReporter(report: (line: string) => void): (line: string) => void {
  const previous = defaultRetryReporter;
  defaultRetryReporter = report;
  return previous;
}

export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function backoff(policy: RetryPolicy, attempt: number): number {
  const exp = policy.baseDelayMs * 2 ** (attempt - 1);
  return Math.min(policy.maxDelayMs, exp / 2 + Math.random() * (exp / 2));
}

/**
 * How long to wait before the next attempt: the server's Retry-After when it gave one, never less,
 * plus jitter so that the requests it turned away do not all come back at the same instant.
 */
function retryWait(policy: RetryPolicy, attempt: number, retryAfter: string | undefined): number {
  const asked = retryAfterMs(retryAfter);
  if (asked === undefined) return backoff(policy, attempt);
  return Math.min(policy.maxDelayMs, asked + Math.random() * policy.baseDelayMs);
}

/** Errors thrown before the request reached the server: safe to retry even for a POST. */
function neverSent(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "UND_ERR_CONNECT_TIMEOUT";
}

/** No answer within the per-attempt timeout (headers or body). */
function timedOut(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT";
}

/** A TLS or certificate failure (self-signed, expired, wrong host, plain HTTP on a TLS port): retrying cannot help. */
export function tlsFailure(err: unknown): { code: string; message: string } | undefined {
  for (let e = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    const code = typeof e.code === "string" ? e.code : "";
    if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|^ERR_TLS|^ERR_SSL|^EPROTO$/.test(code)) {
      return { code, message: typeof e.message === "string" ? e.message : code };
    }
  }
  return undefined;
}

/** A URL as it may appear in a message: no user info, no query string. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = "";
    u.password = "";
    u.search = "";
    u.hash = "";
    return u.toString().replace(/\/$/, "");
  } catch {
    return url.split("?")[0];
  }
}

export class HttpClient {
  private readonly policy: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly pacer: Pacer;

  constructor(private readonly options: HttpClientOptions) {
    this.policy = { ...DEFAULT_RETRY, ...options.retry };
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.pacer = pacerFor(`${options.baseUrl}|${options.pacingKey ?? ""}`, {
      ratePerSecond: options.ratePerSecond,
      concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
    });
  }

  /** The request's endpoint as messages name it: method and full URL, without query string or user info. */
  endpointOf(req: Pick<HttpRequest, "method" | "path">): string {
    return `${req.method} ${safeUrl(this.options.baseUrl.replace(/\/$/, "") + req.path)}`;
  }

  private retrying(what: string, reason: string, attempt: number, waitMs: number): void {
    (this.options.onRetry ?? defaultRetryReporter)(
      `${what}: ${reason}; attempt ${attempt} of ${this.policy.attempts} failed, retrying in ${(waitMs / 1000).toFixed(1)} s`,
    );
  }

  /**
   * Sends a request; returns any answer below 500 (the caller decides about 4xx), or throws. With a
   * protocol, what it returns is the vendor's: a 404 then says that the object does not exist.
   */
  async send(req: HttpRequest): Promise<HttpResponse> {
    const idempotent = req.idempotent ?? req.method !== "POST";
    const what = `${req.method} ${req.path.split("?")[0]}`;
    const endpoint = this.endpointOf(req);
    let renewed = false;
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= this.policy.attempts;
      // Outside the retry: a credential that cannot be had (a refused token exchange) is final.
      const credentialHeaders = await this.options.headers();
      let res: HttpResponse;
      const release = await this.pacer.acquire();
      try {
        res = await this.once(req, credentialHeaders);
      } catch (err) {
        release();
        // The request could not even be built (e.g. a header value with a line break): nothing was
        // sent, so it is neither ambiguous nor worth retrying. undici names the header, not its value.
        if ((err as { code?: string }).code === "UND_ERR_INVALID_ARG") {
          throw new OrgformError("VALIDATION", `${what}: the request could not be sent (${(err as Error).message})`, { cause: err });
        }
        const tls = tlsFailure(err);
        if (tls) {
          // The handshake failed before any request was sent: not ambiguous, and the same next time.
          throw new OrgformError(
            "TLS",
            `${endpoint}: the TLS connection failed (${tls.code}: ${tls.message}); not retried, a certificate error does not pass by itself: ` +
              `check the endpoint's URL and certificate, or trust its certificate authority with NODE_EXTRA_CA_CERTS`,
            { cause: err },
          );
        }
        const safe = idempotent || neverSent(err);
        if (!safe) throw new AmbiguousWriteError(timedOut(err) ? `${what} (no answer within ${this.timeoutMs / 1000} s, ${TIMEOUT_SETTING})` : what, err);
        if (timedOut(err)) {
          // An endpoint that accepted the connection and never answered will not answer the next attempt either.
          throw new OrgformError(
            "TRANSIENT",
            `${endpoint}: no answer within ${this.timeoutMs / 1000} s (${errName(err)}); not retried: check the endpoint, or allow more time per request with ${TIMEOUT_SETTING} (seconds)`,
            { cause: err },
          );
        }
        if (last) throw new OrgformError("TRANSIENT", `${endpoint}: gave up after ${attempt} attempts (${errName(err)})`, { cause: err });
        const wait = backoff(this.policy, attempt);
        this.retrying(endpoint, errName(err), attempt, wait);
        await sleep(wait);
        continue;
      }
      release();
      if (res.status === 401 && !renewed && this.options.onUnauthorized) {
        renewed = true;
        if (await this.options.onUnauthorized()) {
          attempt -= 1; // a renewed credential is not a retry of a failure
          continue;
        }
      }
      if (res.status === 429) {
        // Rejected before any work was done: safe to retry whatever the method.
        if (last) throw new HttpStatusError(429, res.body, `${what} (rate limited ${attempt} times)`);
        const wait = retryWait(this.policy, attempt, res.headers["retry-after"]);
        // The limit is the credential's: every request of it waits, not only this one.
        this.pacer.pause(wait);
        this.retrying(endpoint, "HTTP 429 (rate limited)", attempt, wait);
        await sleep(wait);
        continue;
      }
      if (RETRYABLE_STATUS.has(res.status)) {
        if (!idempotent) throw new AmbiguousWriteError(`${what} answered ${res.status}`);
        if (last) throw new HttpStatusError(res.status, res.body, `${what} (after ${attempt} attempts)`);
        const wait = retryWait(this.policy, attempt, res.headers["retry-after"]);
        this.retrying(endpoint, `HTTP ${res.status}`, attempt, wait);
        await sleep(wait);
        continue;
      }
      this.check(req, res, endpoint, idempotent);
      return res;
    }
  }

  /** The answer is the vendor's, or this throws (a redirect, another media type or shape, a 404 of no object). */
  private check(req: HttpRequest, res: HttpResponse, endpoint: string, idempotent: boolean): void {
    if (res.status >= 300 && res.status < 400 && !req.acceptRedirect) {
      const to = res.headers.location ? ` to ${safeUrl(res.headers.location)}` : "";
      throw new OrgformError(
        "PROTOCOL",
        `${endpoint} answered a redirect (HTTP ${res.status}${to}), which orgform does not follow: set the endpoint to the API's own URL`,
        { details: { status: res.status } },
      );
    }
    const protocol = this.options.protocol;
    if (!protocol || (res.status >= 300 && res.status < 400)) return;
    const contentType = res.headers["content-type"];
    const problem = protocolProblem(protocol, { status: res.status, contentType, text: res.text, body: res.body, json: typeof res.body !== "string" }, req.expect);
    if (!problem) return;
    const err = new ProtocolError(endpoint, res.status, problem, contentType, res.text);
    // A 2xx to a write that is not the vendor's answer: something took the request, so it may have been applied.
    if (!idempotent && res.status >= 200 && res.status < 300) throw new AmbiguousWriteError(`${endpoint} (${err.message})`, err);
    throw err;
  }

  private async once(req: HttpRequest, credentialHeaders: Record<string, string>): Promise<HttpResponse> {
    const headers: Record<string, string> = {
      accept: "application/json",
      ...credentialHeaders,
      ...req.headers,
    };
    let body: string | undefined;
    if (req.form !== undefined) {
      body = new URLSearchParams(req.form).toString();
      headers["content-type"] = "application/x-www-form-urlencoded";
    } else if (req.body !== undefined) {
      body = JSON.stringify(req.body);
      headers["content-type"] ??= "application/json";
    }
    const res = await undiciRequest(this.options.baseUrl.replace(/\/$/, "") + req.path, {
      method: req.method,
      headers,
      body,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    });
    const text = await res.body.text();
    let parsed: unknown = text;
    if (text.length > 0) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    } else {
      parsed = undefined;
    }
    const flat: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) {
      if (v !== undefined) flat[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : String(v);
    }
    return { status: res.statusCode, headers: flat, body: parsed, text };
  }
}

function errName(err: unknown): string {
  const e = err as { code?: string; message?: string };
  return e.code ?? e.message ?? String(err);
}

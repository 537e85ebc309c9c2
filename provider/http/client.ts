// The one HTTP client every backend adapter uses: timeouts, retries only where they are safe,
// Retry-After, and pacing per endpoint and credential. It never puts a request header (where
// credentials live) into an error or a log line.
import { request as undiciRequest } from "undici";
import { setTimeout as sleep } from "node:timers/promises";
import { OrgformError } from "../core/errors";
import { pacerFor, type Pacer } from "./pacing";

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
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
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
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
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
  if (typeof body === "string") return `: ${body.slice(0, 300)}`;
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

export class HttpClient {
  private readonly policy: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly pacer: Pacer;

  constructor(private readonly options: HttpClientOptions) {
    this.policy = { ...DEFAULT_RETRY, ...options.retry };
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.pacer = pacerFor(`${options.baseUrl}|${options.pacingKey ?? ""}`, {
      ratePerSecond: options.ratePerSecond,
      concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
    });
  }

  /** Sends a request; returns any answer below 500 (the caller decides about 4xx), or throws. */
  async send(req: HttpRequest): Promise<HttpResponse> {
    const idempotent = req.idempotent ?? req.method !== "POST";
    const what = `${req.method} ${req.path.split("?")[0]}`;
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
        const safe = idempotent || neverSent(err);
        if (!safe) throw new AmbiguousWriteError(what, err);
        if (last) throw new OrgformError("TRANSIENT", `${what}: gave up after ${attempt} attempts (${errName(err)})`, { cause: err });
        await sleep(backoff(this.policy, attempt));
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
        await sleep(wait);
        continue;
      }
      if (RETRYABLE_STATUS.has(res.status)) {
        if (!idempotent) throw new AmbiguousWriteError(`${what} answered ${res.status}`);
        if (last) throw new HttpStatusError(res.status, res.body, `${what} (after ${attempt} attempts)`);
        await sleep(retryWait(this.policy, attempt, res.headers["retry-after"]));
        continue;
      }
      return res;
    }
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
    return { status: res.statusCode, headers: flat, body: parsed };
  }
}

function errName(err: unknown): string {
  const e = err as { code?: string; message?: string };
  return e.code ?? e.message ?? String(err);
}

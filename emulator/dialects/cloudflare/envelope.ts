import { RequestRefusal, type RefusalReason } from "../../refusals";
import type { DialectAnswer, UnauthenticatedReason } from "../../types";

/**
 * Cloudflare's v4 envelope `{ success, errors, messages, result, result_info? }` and the error codes
 * this dialect answers with (table in emulator/README.md). Codes 971, 6003, 6007, 6111, 7000, 7001, 7003,
 * 9103, 9106, 9109 and 10000 are the ones Cloudflare's v4 API uses for the same situations; the 1xxx
 * codes are ours (the Organizations document lists none).
 */

export interface CfMessage {
  code: number;
  message: string;
  documentation_url?: string;
  source?: { pointer: string };
}

export const CF = {
  invalid: 1001,
  nameTaken: 1004,
  notEmpty: 1005,
  alreadyMember: 1006,
  noProfile: 1007,
  rateLimited: 971,
  badHeaders: 6003,
  malformedJson: 6007,
  badAuthHeader: 6111,
  noRoute: 7000,
  methodNotAllowed: 7001,
  notFound: 7003,
  badKey: 9103,
  missingAuth: 9106,
  forbidden: 9109,
  authError: 10000,
  internal: 10002,
} as const;

const DOCS = "https://developers.cloudflare.com/fundamentals/organizations/";

/** An error a handler throws; rendered as Cloudflare's failure envelope. */
export class CfError extends Error {
  constructor(
    readonly status: number,
    readonly errors: CfMessage[],
    readonly headers?: Record<string, string>,
  ) {
    super(errors.map((e) => e.message).join("; "));
    this.name = "CfError";
  }

  static of(status: number, code: number, message: string, pointer?: string): CfError {
    return new CfError(status, [{ code, message, ...(pointer !== undefined ? { source: { pointer } } : {}) }]);
  }

  answer(): DialectAnswer {
    return failure(this.status, this.errors, this.headers);
  }
}

export function success(result: unknown, resultInfo?: Record<string, unknown>): Record<string, unknown> {
  return { success: true, errors: [], messages: [], result, ...(resultInfo ? { result_info: resultInfo } : {}) };
}

export function failure(status: number, errors: CfMessage[], headers?: Record<string, string>): DialectAnswer {
  return {
    status,
    headers,
    body: { success: false, errors: errors.map((e) => ({ code: e.code, message: e.message, documentation_url: DOCS, ...(e.source ? { source: e.source } : {}) })), messages: [], result: null },
  };
}

export function notFound(path: string): CfError {
  return CfError.of(404, CF.notFound, `Could not route to ${path}, perhaps your object identifier is invalid?`);
}

export function unauthenticated(reason: UnauthenticatedReason): DialectAnswer {
  const headers = { "www-authenticate": 'Bearer realm="orgform-emulator"' };
  switch (reason) {
    case "missing":
      return failure(401, [{ code: CF.missingAuth, message: "Missing X-Auth-Key, X-Auth-Email or Authorization headers" }], headers);
    case "malformed":
      return failure(401, [{ code: CF.badAuthHeader, message: "Invalid format for Authorization header" }], headers);
    case "expired":
      return failure(401, [{ code: CF.authError, message: "Authentication error: the token has expired" }], headers);
    case "invalid":
      return failure(401, [{ code: CF.authError, message: "Authentication error" }], headers);
  }
}

export function fault(status: number): DialectAnswer {
  const message =
    status === 502 ? "Bad gateway" : status === 503 ? "Service temporarily unavailable" : status === 504 ? "Gateway timeout" : "Internal server error";
  return failure(status, [{ code: status === 500 ? CF.internal : 10000 + status, message }], status === 503 ? { "retry-after": "1" } : undefined);
}

/** The codes of the requests the core refuses before a handler runs (emulator/refusals.ts). */
const REFUSAL_CODES: Record<RefusalReason, number> = {
  "malformed-json": CF.malformedJson,
  "unsupported-media-type": CF.badHeaders,
  "body-too-large": CF.invalid,
  "malformed-url": CF.invalid,
  "url-too-long": CF.invalid,
  "headers-too-large": CF.badHeaders,
  "bad-request": CF.invalid,
};

function refusalMessage(r: RequestRefusal): string {
  switch (r.reason) {
    case "malformed-json":
      return r.message === "the request body is not valid JSON" ? "Malformed JSON in request body" : `Malformed JSON in request body: ${r.message.replace(/^the request body is not valid JSON: /, "")}`;
    case "unsupported-media-type":
      return "Invalid request headers: Content-Type must be application/json";
    case "body-too-large":
      return "Request body too large";
    case "headers-too-large":
      return "Invalid request headers: the request headers are too large";
    default:
      return `Invalid request: ${r.message}`;
  }
}

/** Maps whatever a handler threw, or the core refused, to the envelope. */
export function fromError(err: unknown): DialectAnswer {
  if (err instanceof CfError) return err.answer();
  if (err instanceof RequestRefusal) return failure(err.statusCode, [{ code: REFUSAL_CODES[err.reason], message: refusalMessage(err) }]);
  const e = err as { statusCode?: number; code?: string; message?: string };
  if (typeof e.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 500) {
    return failure(e.statusCode, [{ code: CF.invalid, message: e.message ?? "Invalid request" }]);
  }
  // An emulator bug, not an injected fault: say what broke.
  return failure(500, [{ code: CF.internal, message: `Internal server error: ${e.message ?? String(err)}` }]);
}

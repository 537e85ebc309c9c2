import type { DialectAnswer, UnauthenticatedReason } from "../../types";

/**
 * Cloudflare's v4 envelope `{ success, errors, messages, result, result_info? }` and the error codes
 * this dialect answers with (table in emulator/README.md). Codes 971, 6003, 6007, 6111, 7000, 7003,
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

/** Maps whatever a handler or Fastify threw to the envelope. */
export function fromError(err: unknown): DialectAnswer {
  if (err instanceof CfError) return err.answer();
  const e = err as { statusCode?: number; code?: string; message?: string };
  if (e.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
    return failure(415, [{ code: CF.badHeaders, message: "Invalid request headers: Content-Type must be application/json" }]);
  }
  if (e.code === "FST_ERR_CTP_BODY_TOO_LARGE") return failure(413, [{ code: CF.invalid, message: "Request body too large" }]);
  if (e.code === "FST_ERR_CTP_EMPTY_JSON_BODY" || e.code === "FST_ERR_CTP_INVALID_JSON_BODY" || (e.statusCode === 400 && err instanceof SyntaxError)) {
    return failure(400, [{ code: CF.malformedJson, message: "Malformed JSON in request body" }]);
  }
  if (typeof e.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 500) {
    return failure(e.statusCode, [{ code: CF.invalid, message: e.message ?? "Invalid request" }]);
  }
  // An emulator bug, not an injected fault: say what broke.
  return failure(500, [{ code: CF.internal, message: `Internal server error: ${e.message ?? String(err)}` }]);
}

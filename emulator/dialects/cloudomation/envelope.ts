import type { DialectAnswer, UnauthenticatedReason } from "../../types";
import type { FieldProblem } from "./wire";

/**
 * Error bodies (our design: the document shows none): `{status, error, message, details?}`, where
 * `error` is the HTTP reason phrase, `message` one sentence and `details` one entry per property.
 */

const REASONS: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

export class CloudomationError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: FieldProblem[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }

  answer(): DialectAnswer {
    return failure(this.status, this.message, this.details, this.headers);
  }
}

export function failure(status: number, message: string, details?: FieldProblem[], headers?: Record<string, string>): DialectAnswer {
  return { status, headers, body: { status, error: REASONS[status] ?? "Error", message, ...(details ? { details } : {}) } };
}

export function invalid(problems: FieldProblem[]): CloudomationError {
  return new CloudomationError(400, problems.map((p) => `${p.field} ${p.message}`).join("; "), problems);
}

export function notFound(id: string): CloudomationError {
  return new CloudomationError(404, `organization ${id} not found`);
}

export function unauthenticated(reason: UnauthenticatedReason): DialectAnswer {
  const message = {
    missing: "authentication required: log in at /api/latest/auth/login",
    malformed: "malformed Authorization header",
    invalid: "invalid or unknown session",
    expired: "session expired: log in again",
  }[reason];
  return failure(401, message);
}

export function fault(status: number): DialectAnswer {
  return failure(status, REASONS[status] ?? "server error", undefined, status === 503 ? { "retry-after": "1" } : undefined);
}

export function fromError(err: unknown): DialectAnswer {
  if (err instanceof CloudomationError) return err.answer();
  const e = err as { statusCode?: number; code?: string; message?: string };
  if (e.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") return failure(415, "Content-Type must be application/json");
  if (e.code === "FST_ERR_CTP_BODY_TOO_LARGE") return failure(413, "request body too large");
  if (e.code === "FST_ERR_CTP_INVALID_JSON_BODY" || e.code === "FST_ERR_CTP_EMPTY_JSON_BODY" || (e.statusCode === 400 && err instanceof SyntaxError)) {
    return failure(400, "malformed JSON in request body");
  }
  if (typeof e.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 500) return failure(e.statusCode, e.message ?? "invalid request");
  return failure(500, `internal server error: ${e.message ?? String(err)}`);
}

import type { DialectAnswer, UnauthenticatedReason } from "../../types";

/**
 * AIA Engine's API is gRPC: the guides (docs.aiaengine.com "Organization") call
 * `client.orgs.CreateOrg(org.CreateOrgRequest(...))`. Over HTTP/1.1 JSON this dialect speaks the
 * Connect protocol's unary form of those calls (our design, emulator/README.md), so its errors are
 * Connect's: `{code, message}` with `code` the gRPC status name in snake case and the HTTP status
 * the Connect specification gives each code (connectrpc.com/docs/protocol, "Error codes").
 */
export const CODE = {
  INVALID_ARGUMENT: "invalid_argument",
  NOT_FOUND: "not_found",
  ALREADY_EXISTS: "already_exists",
  PERMISSION_DENIED: "permission_denied",
  RESOURCE_EXHAUSTED: "resource_exhausted",
  FAILED_PRECONDITION: "failed_precondition",
  UNIMPLEMENTED: "unimplemented",
  INTERNAL: "internal",
  UNAVAILABLE: "unavailable",
  UNAUTHENTICATED: "unauthenticated",
} as const;

export type ConnectCode = (typeof CODE)[keyof typeof CODE];

/** The HTTP status of each code (Connect specification). */
const HTTP_STATUS: Record<ConnectCode, number> = {
  invalid_argument: 400,
  not_found: 404,
  already_exists: 409,
  permission_denied: 403,
  resource_exhausted: 429,
  failed_precondition: 400,
  unimplemented: 501,
  internal: 500,
  unavailable: 503,
  unauthenticated: 401,
};

/** An error a handler throws; rendered as a Connect error. */
export class StatusError extends Error {
  constructor(
    readonly code: ConnectCode,
    message: string,
    readonly headers?: Record<string, string>,
    readonly httpStatus = HTTP_STATUS[code],
  ) {
    super(message);
    this.name = "StatusError";
  }

  answer(): DialectAnswer {
    return status(this.httpStatus, this.code, this.message, this.headers);
  }
}

export function status(http: number, code: ConnectCode, message: string, headers?: Record<string, string>): DialectAnswer {
  return { status: http, headers, body: { code, message } };
}

export const invalid = (message: string) => new StatusError(CODE.INVALID_ARGUMENT, message);

export function unauthenticated(reason: UnauthenticatedReason): DialectAnswer {
  const headers = { "www-authenticate": 'Bearer realm="orgform-emulator"' };
  const message = {
    missing: "missing authorization: send Authorization: Bearer <API token>",
    malformed: "malformed authorization header: expected Bearer <API token>",
    expired: "the access token has expired",
    invalid: "invalid API token",
  }[reason];
  return status(401, CODE.UNAUTHENTICATED, message, headers);
}

export function fault(http: number): DialectAnswer {
  if (http === 503) return status(503, CODE.UNAVAILABLE, "the service is currently unavailable", { "retry-after": "1" });
  return status(http, http === 500 ? CODE.INTERNAL : CODE.UNAVAILABLE, http === 500 ? "internal error" : "upstream unavailable");
}

/** Maps whatever a handler or Fastify threw to a Connect error. */
export function fromError(err: unknown): DialectAnswer {
  if (err instanceof StatusError) return err.answer();
  const e = err as { statusCode?: number; code?: string; message?: string };
  if (e.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") return status(415, CODE.INVALID_ARGUMENT, "Content-Type must be application/json");
  if (e.code === "FST_ERR_CTP_BODY_TOO_LARGE") return status(413, CODE.INVALID_ARGUMENT, "request body too large");
  if (e.code === "FST_ERR_CTP_EMPTY_JSON_BODY" || e.code === "FST_ERR_CTP_INVALID_JSON_BODY" || (e.statusCode === 400 && err instanceof SyntaxError)) {
    return status(400, CODE.INVALID_ARGUMENT, "malformed JSON in request body");
  }
  if (typeof e.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 500) return status(e.statusCode, CODE.INVALID_ARGUMENT, e.message ?? "invalid request");
  // An emulator bug, not an injected fault: say what broke.
  return status(500, CODE.INTERNAL, `internal error: ${e.message ?? String(err)}`);
}

import type { DialectAnswer, UnauthenticatedReason } from "../../types";

/**
 * AIA Engine's API is gRPC (`aiaengine.api.org`: `client.orgs.CreateOrg(org.CreateOrgRequest(...))`,
 * docs.aiaengine.com "Organization" guide). Its REST form here is the gRPC-gateway mapping of that
 * service (our design, emulator/README.md): errors are a `google.rpc.Status` as JSON,
 * `{code, message, details}`, with the HTTP status gRPC-gateway gives each code.
 */
export const GRPC = {
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

export type GrpcCode = (typeof GRPC)[keyof typeof GRPC];

/** gRPC-gateway's HTTP status of each code (runtime.HTTPStatusFromCode). */
const HTTP_STATUS: Record<GrpcCode, number> = {
  3: 400,
  5: 404,
  6: 409,
  7: 403,
  8: 429,
  9: 400,
  12: 501,
  13: 500,
  14: 503,
  16: 401,
};

/** An error a handler throws; rendered as a `google.rpc.Status`. */
export class StatusError extends Error {
  constructor(
    readonly code: GrpcCode,
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

export function status(http: number, code: number, message: string, headers?: Record<string, string>): DialectAnswer {
  return { status: http, headers, body: { code, message, details: [] } };
}

export const invalid = (message: string) => new StatusError(GRPC.INVALID_ARGUMENT, message);

export function unauthenticated(reason: UnauthenticatedReason): DialectAnswer {
  const headers = { "www-authenticate": 'Bearer realm="orgform-emulator"' };
  const message = {
    missing: "missing authorization: send Authorization: Bearer <API token>",
    malformed: "malformed authorization header: expected Bearer <API token>",
    expired: "the access token has expired",
    invalid: "invalid API token",
  }[reason];
  return status(401, GRPC.UNAUTHENTICATED, message, headers);
}

export function fault(http: number): DialectAnswer {
  if (http === 503) return status(503, GRPC.UNAVAILABLE, "the service is currently unavailable", { "retry-after": "1" });
  return status(http, http === 500 ? GRPC.INTERNAL : GRPC.UNAVAILABLE, http === 500 ? "internal error" : "upstream unavailable");
}

/** Maps whatever a handler or Fastify threw to a Status. */
export function fromError(err: unknown): DialectAnswer {
  if (err instanceof StatusError) return err.answer();
  const e = err as { statusCode?: number; code?: string; message?: string };
  if (e.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") return status(415, GRPC.INVALID_ARGUMENT, "Content-Type must be application/json");
  if (e.code === "FST_ERR_CTP_BODY_TOO_LARGE") return status(413, GRPC.INVALID_ARGUMENT, "request body too large");
  if (e.code === "FST_ERR_CTP_EMPTY_JSON_BODY" || e.code === "FST_ERR_CTP_INVALID_JSON_BODY" || (e.statusCode === 400 && err instanceof SyntaxError)) {
    return status(400, GRPC.INVALID_ARGUMENT, "malformed JSON in request body");
  }
  if (typeof e.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 500) return status(e.statusCode, GRPC.INVALID_ARGUMENT, e.message ?? "invalid request");
  // An emulator bug, not an injected fault: say what broke.
  return status(500, GRPC.INTERNAL, `internal error: ${e.message ?? String(err)}`);
}

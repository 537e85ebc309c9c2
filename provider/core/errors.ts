/** Typed errors with a stable code; messages say what could not be done and to what. */
export type OrgformErrorCode =
  | "NOT_FOUND"
  | "CONFLICT"
  | "RATE_LIMITED"
  | "VALIDATION"
  | "UNSUPPORTED"
  | "AUTH"
  | "TRANSIENT"
  | "REFUSED"
  /** A write whose outcome is unknown (timeout, reset, 5xx after the request was sent): it may or may not have happened. */
  | "AMBIGUOUS"
  /** An answer that is not the vendor's (another media type or shape, HTML, a 404 of no object, a redirect): never read as one. */
  | "PROTOCOL"
  /** A TLS or certificate failure (self-signed, expired, wrong host): not retried. */
  | "TLS";

export class OrgformError extends Error {
  readonly code: OrgformErrorCode;
  /** Optional structured details (never secrets). */
  readonly details?: Record<string, unknown>;

  constructor(code: OrgformErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = "OrgformError";
    this.code = code;
    if (options?.details) this.details = options.details;
  }
}

export function isOrgformError(err: unknown, code?: OrgformErrorCode): err is OrgformError {
  return err instanceof OrgformError && (code === undefined || err.code === code);
}

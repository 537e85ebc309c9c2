import type { DialectAnswer, UnauthenticatedReason } from "../../types";

/**
 * ZenML's error bodies, as its FastAPI servers answer them (zenml `zen_server/exceptions.py`):
 * an exception raised by the server is `{"detail": ["<ExceptionName>", "<message>"]}` with the
 * status that exception maps to (IllegalOperationError 403, EntityExistsError 409, KeyError 404,
 * AuthorizationException 401, ValueError 400); a request FastAPI cannot validate is a 422 whose
 * `detail` is pydantic's list of `{type, loc, msg, input}`; FastAPI's own answers (no route, not
 * authenticated) carry a plain string `detail`.
 */

/** One pydantic validation error item. */
export interface ValidationItem {
  type: string;
  loc: (string | number)[];
  msg: string;
  input?: unknown;
  ctx?: Record<string, unknown>;
}

/** A handler's refusal; rendered as ZenML renders it. */
export class ZenmlError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string | string[] | ValidationItem[],
    readonly headers?: Record<string, string>,
  ) {
    super(typeof detail === "string" ? detail : JSON.stringify(detail));
    this.name = "ZenmlError";
  }

  answer(): DialectAnswer {
    return { status: this.status, body: { detail: this.detail }, headers: this.headers };
  }
}

/** A ZenML exception raised by the server: `{"detail": [name, message]}`. */
export function raised(status: number, exception: string, message: string): ZenmlError {
  return new ZenmlError(status, [exception, message]);
}

export const notFound = (message: string): ZenmlError => raised(404, "KeyError", message);
export const illegal = (message: string): ZenmlError => raised(403, "IllegalOperationError", message);
export const exists = (message: string): ZenmlError => raised(409, "EntityExistsError", message);

/** FastAPI's 422 with pydantic's items. */
export function unprocessable(items: ValidationItem[]): ZenmlError {
  return new ZenmlError(422, items);
}

/**
 * The dialect's routes by path pattern (relative to the prefix) and the methods each takes: a known
 * path asked with another method is FastAPI's 405 `{"detail": "Method Not Allowed"}` with `Allow`
 * (Starlette's router), an unknown path its 404 `{"detail": "Not Found"}`. `/auth/login` is served
 * by the core's token endpoint (POST only).
 */
const ROUTES: [RegExp, string[]][] = [
  [/^\/organizations\/?$/, ["GET", "POST"]],
  [/^\/organizations\/[^/]+\/?$/, ["GET", "PATCH", "DELETE"]],
  [/^\/workspaces\/?$/, ["GET"]],
  [/^\/workspaces\/[^/]+\/?$/, ["GET"]],
  [/^\/auth\/login\/?$/, ["POST"]],
];

export function noRoute(method: string, path: string): DialectAnswer {
  const allowed = ROUTES.find(([pattern]) => pattern.test(path))?.[1];
  if (allowed && !allowed.includes(method.toUpperCase())) {
    return { status: 405, headers: { allow: allowed.join(", ") }, body: { detail: "Method Not Allowed" } };
  }
  return { status: 404, body: { detail: "Not Found" } };
}

export function unauthenticated(reason: UnauthenticatedReason): DialectAnswer {
  const headers = { "www-authenticate": "Bearer" };
  if (reason === "missing") return { status: 401, headers, body: { detail: "Not authenticated" } };
  const message = reason === "expired" ? "Authentication error: the access token has expired" : reason === "malformed" ? "Authentication error: malformed Authorization header" : "Authentication error: invalid access token";
  return { status: 401, headers, body: { detail: ["AuthorizationException", message] } };
}

export function fault(status: number): DialectAnswer {
  // A 500 is ZenML's own (RuntimeError); 502/503/504 come from the proxy in front of it.
  if (status === 500) return { status, body: { detail: ["RuntimeError", "Internal server error"] } };
  const text = status === 502 ? "Bad Gateway" : status === 503 ? "Service Unavailable" : status === 504 ? "Gateway Timeout" : "Server Error";
  return { status, body: { detail: text }, headers: status === 503 ? { "retry-after": "1" } : undefined };
}

export function rateLimited(retryAfterSeconds: number): DialectAnswer {
  return { status: 429, body: { detail: `Too many requests: retry in ${retryAfterSeconds} second${retryAfterSeconds === 1 ? "" : "s"}` } };
}

export function fromError(err: unknown): DialectAnswer {
  if (err instanceof ZenmlError) return err.answer();
  const e = err as { statusCode?: number; code?: string; message?: string };
  if (e.code === "FST_ERR_CTP_INVALID_JSON_BODY" || e.code === "FST_ERR_CTP_EMPTY_JSON_BODY" || (e.statusCode === 400 && err instanceof SyntaxError)) {
    return unprocessable([{ type: "json_invalid", loc: ["body", 0], msg: "JSON decode error", ctx: { error: e.message ?? "invalid JSON" } }]).answer();
  }
  if (e.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
    return unprocessable([{ type: "model_attributes_type", loc: ["body"], msg: "Input should be a valid dictionary or object to extract fields from" }]).answer();
  }
  if (e.code === "FST_ERR_CTP_BODY_TOO_LARGE") return { status: 413, body: { detail: "Request Entity Too Large" } };
  if (typeof e.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 500) return { status: e.statusCode, body: { detail: e.message ?? "Bad Request" } };
  // An emulator bug, not an injected fault: say what broke.
  return { status: 500, body: { detail: ["RuntimeError", `Internal server error: ${e.message ?? String(err)}`] } };
}

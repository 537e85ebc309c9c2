// What the schema cannot say about ZenML Pro's wire format (document 002): lists are plain JSON
// arrays, errors are FastAPI's `{"detail": ...}`, the client-chosen id travels only on create, and
// the one sentence a refusal becomes. Field placement comes from the schema (provider/core/wire.ts).
import type { ResourceSchema } from "../../core/schema";
import { updateSemantics } from "../../core/capabilities";
import { fromWire, toWire, updateBody, type WireObject } from "../../core/wire";
import type { Fields, ObservedOrganization } from "../types";

export interface WireOrganization {
  id: string;
  name: string;
  [field: string]: unknown;
}

export const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

export function fromOrganization(wire: WireOrganization, schema: ResourceSchema): ObservedOrganization {
  return { id: wire.id, name: wire.name, parentId: null, fields: fromWire(wire, schema) };
}

/** POST /organizations: the declared fields, and the id orgform chose when none is declared. */
export function toCreateBody(declared: Fields, clientId: string, schema: ResourceSchema): WireObject {
  return { ...toWire(declared, schema), id: typeof declared.id === "string" ? declared.id : clientId };
}

/** PATCH /organizations/{id}: only the declared fields (the id is not part of the update model). */
export function toUpdateBody(declared: Fields, schema: ResourceSchema): WireObject {
  const body = updateBody(schema, declared, updateSemantics("zenml", "organization"));
  delete body.id;
  return body;
}

/** A ZenML error answer, read as ZenML's own client reads it (`exception_from_response`). */
export interface VendorRefusal {
  status: number;
  /** The exception ZenML raised (`IllegalOperationError`...), when it says. */
  exception?: string;
  /** The vendor's reason, one line. */
  reason: string;
}

export function refusalOf(status: number, body: unknown): VendorRefusal {
  const detail = typeof body === "object" && body !== null && !Array.isArray(body) ? (body as { detail?: unknown }).detail : body;
  if (typeof detail === "string") return { status, reason: detail };
  if (Array.isArray(detail) && detail.length > 0) {
    // ["ExceptionName", "message", ...]: a ZenML exception.
    if (detail.every((d) => typeof d === "string")) {
      const [exception, ...args] = detail as string[];
      // The reason goes inside a sentence of ours: without its closing full stop.
      return { status, exception, reason: (args.join(": ") || exception).replace(/\.\s*$/, "") };
    }
    // FastAPI's 422: pydantic items {loc, msg}.
    const items = detail
      .filter((d): d is { loc?: unknown[]; msg?: unknown } => typeof d === "object" && d !== null)
      .map((d) => `${Array.isArray(d.loc) ? d.loc.filter((l) => l !== "body").join(".") : "?"}: ${String(d.msg ?? "invalid")}`);
    if (items.length) return { status, exception: "RequestValidationError", reason: items.join("; ") };
  }
  return { status, reason: `HTTP ${status}` };
}

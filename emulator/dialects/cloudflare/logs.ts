import { createHash } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { AuditEntry } from "../../store";
import type { DialectContext } from "../../types";
import { CF, CfError, notFound, success } from "./envelope";
import { principalOf, visibleOrg } from "./organizations";
import { checkParams, single, type Query } from "./pagination";
import { BACKEND, userIdFor } from "./wire";

/**
 * An organization's audit log, read from the emulator's core audit log (every successful write,
 * emulator/README.md "Audit log"), as both SDKs call it (cloudflare 7.3.0 `organizations.logs.audit`,
 * cloudflare-go v7.9.0 `LogAuditService`):
 *
 *   GET /organizations/{id}/logs/audit                   since, before (required; a date or RFC 3339),
 *       cursor, limit (default 100, at most 1000), direction (desc by default), `<field>.not` filters
 *       (repeated); `result_info.cursors.after` ("" on the last page)
 *   GET /organizations/{id}/logs/audit/{audit_id}/history  action_time, since, before (required),
 *       cursor, limit, direction: the entries of the same resource; `result_info {count, history_status, cursor}`
 */

/** What each `<field>.not` filter compares, on the wire entry. */
const NOT_FILTERS: Record<string, (e: WireEntry) => unknown> = {
  "id.not": (e) => e.id,
  "action_result.not": (e) => e.action.result,
  "action_type.not": (e) => e.action.type,
  "actor_context.not": (e) => e.actor.context,
  "actor_email.not": (e) => e.actor.email,
  "actor_id.not": (e) => e.actor.id,
  "actor_ip_address.not": (e) => e.actor.ip_address,
  "actor_token_id.not": (e) => e.actor.token_id,
  "actor_token_name.not": (e) => e.actor.token_name,
  "actor_type.not": (e) => e.actor.type,
  "raw_cf_ray_id.not": (e) => e.raw.cf_ray_id,
  "raw_method.not": (e) => e.raw.method,
  "raw_status_code.not": (e) => String(e.raw.status_code),
  "raw_uri.not": (e) => e.raw.uri,
  "resource_id.not": (e) => e.resource.id,
  "resource_product.not": (e) => e.resource.product,
  "resource_scope.not": (e) => e.resource.scope,
  "resource_type.not": (e) => e.resource.type,
};
const PAGE = ["cursor", "limit", "direction"] as const;
const LIST_PARAMS = ["since", "before", ...PAGE, ...Object.keys(NOT_FILTERS)];
const HISTORY_PARAMS = ["action_time", "since", "before", ...PAGE];

interface WireEntry {
  id: string;
  action: { description: string; result: string; time: string; type: string };
  actor: { id: string; context: string; email?: string; ip_address?: string; token_id?: string; token_name?: string; type: string };
  organization: { id: string };
  raw: { cf_ray_id: string; method: string; status_code: number; uri: string; user_agent?: string };
  resource: { id: string; product: string; request?: unknown; response?: unknown; scope: string; type: string };
}

const RESOURCE_TYPES: Record<string, string> = { organization: "organization", profile: "organization_profile", member: "organization_member" };
const CONTEXTS: Record<AuditEntry["actor"]["kind"], string> = { "api-token": "api_token", "scoped-token": "api_token", "api-key": "api_key", "access-token": "oauth" };

/** An entry in the SDKs' shape. The actor's id is the user's id where an email names one, else the credential's id. */
export function entryToWire(e: AuditEntry): WireEntry {
  const context = CONTEXTS[e.actor.kind];
  const tokenId = e.actor.id.replace(/^[a-z]+:/, "");
  return {
    id: e.id,
    action: { description: `${e.action} ${e.resourceType}`, result: "success", time: e.time, type: e.action },
    actor: {
      id: e.actor.email ? userIdFor(e.actor.email) : tokenId,
      context,
      ...(e.actor.email ? { email: e.actor.email } : {}),
      ...(context === "api_token" || context === "oauth" ? { token_id: tokenId, token_name: e.actor.name } : {}),
      type: "user",
    },
    organization: { id: e.orgId ?? "" },
    raw: { cf_ray_id: e.id.slice(0, 16), method: e.method, status_code: e.status, uri: e.uri },
    resource: {
      id: e.resourceId,
      product: "organizations",
      ...(e.request !== undefined ? { request: e.request } : {}),
      ...(e.response !== undefined ? { response: e.response } : {}),
      scope: "organizations",
      type: RESOURCE_TYPES[e.resourceType] ?? e.resourceType,
    },
  };
}

/** `since`/`before`: "a date string 2019-04-30 (interpreted in UTC) or an absolute timestamp that conforms to RFC3339". */
function instant(q: Query, key: string, required = true): string | undefined {
  const raw = single(q, key);
  if (raw === undefined || raw === "") {
    if (required) throw CfError.of(400, CF.invalid, `${key}: is required (a date such as 2019-04-30 or an RFC 3339 time)`);
    return undefined;
  }
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(raw) ? Date.parse(`${raw}T00:00:00Z`) : /^\d{4}-\d{2}-\d{2}T/.test(raw) ? Date.parse(raw) : NaN;
  if (Number.isNaN(ms)) throw CfError.of(400, CF.invalid, `${key}: must be a date such as 2019-04-30 or an RFC 3339 time`);
  return new Date(ms).toISOString();
}

function window(q: Query): { since: string; before: string } {
  const since = instant(q, "since")!;
  const before = instant(q, "before")!;
  if (since >= before) throw CfError.of(400, CF.invalid, "since: must be earlier than before");
  return { since, before };
}

function listOf(q: Query, key: string): string[] {
  const v = q[key];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

interface Cursor {
  v: 1;
  /** Write order (core sequence) of the last entry served. */
  s: number;
  /** Binds the cursor to this list, its filters and its caller. */
  f: string;
}

/** One page after the cursor, in the requested direction; the cursor of the next page or "". */
function page(entries: AuditEntry[], q: Query, list: string, req: FastifyRequest): { page: AuditEntry[]; after: string } {
  const direction = single(q, "direction") ?? "desc";
  if (direction !== "asc" && direction !== "desc") throw CfError.of(400, CF.invalid, "direction: must be asc or desc");
  const rawLimit = single(q, "limit");
  const limit = rawLimit === undefined ? 100 : Number(rawLimit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw CfError.of(400, CF.invalid, "limit: must be an integer between 1 and 1000");
  const filters = Object.keys(q).filter((k) => k !== "cursor" && k !== "limit").sort().map((k) => [k, q[k]]);
  const fingerprint = createHash("sha256").update(JSON.stringify([list, filters, principalOf(req).id])).digest("base64url").slice(0, 16);
  const ordered = direction === "asc" ? entries : [...entries].reverse();
  let start = 0;
  const raw = single(q, "cursor");
  if (raw) {
    let c: Cursor | undefined;
    try {
      c = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as Cursor;
    } catch {
      c = undefined;
    }
    if (!c || c.v !== 1 || !Number.isInteger(c.s) || c.f !== fingerprint) throw CfError.of(400, CF.invalid, "cursor: not a cursor this API issued for these parameters");
    const at = ordered.findIndex((e) => e.seq === c!.s);
    start = at === -1 ? ordered.length : at + 1;
  }
  const out = ordered.slice(start, start + limit);
  const more = start + limit < ordered.length;
  const after = more ? Buffer.from(JSON.stringify({ v: 1, s: out[out.length - 1]!.seq, f: fingerprint } satisfies Cursor)).toString("base64url") : "";
  return { page: out, after };
}

export function registerLogs(app: FastifyInstance, ctx: DialectContext): void {
  const { store } = ctx;

  app.get("/organizations/:organization_id/logs/audit", async (req) => {
    const { organization_id: orgId } = req.params as { organization_id: string };
    const q = req.query as Query;
    checkParams(q, LIST_PARAMS);
    const { since, before } = window(q);
    return store.read(() => {
      visibleOrg(ctx, req, orgId, "/logs/audit");
      const excluded = Object.entries(NOT_FILTERS).map(([k, get]) => [new Set(listOf(q, k)), get] as const).filter(([values]) => values.size > 0);
      const entries = store
        .auditEntries({ backend: BACKEND, orgId, since, before })
        .filter((e) => excluded.every(([values, get]) => !values.has(String(get(entryToWire(e)) ?? ""))));
      const { page: out, after } = page(entries, q, `audit:${orgId}`, req);
      return success(out.map(entryToWire), { cursors: { after }, count: out.length });
    });
  });

  app.get("/organizations/:organization_id/logs/audit/:audit_id/history", async (req) => {
    const { organization_id: orgId, audit_id: auditId } = req.params as { organization_id: string; audit_id: string };
    const q = req.query as Query;
    checkParams(q, HISTORY_PARAMS);
    const actionTime = instant(q, "action_time");
    const { since, before } = window(q);
    return store.read(() => {
      visibleOrg(ctx, req, orgId, `/logs/audit/${auditId}/history`);
      const source = store.auditEntry(BACKEND, auditId);
      // `action_time` narrows the lookup of the source entry: another second finds nothing (the Go
      // SDK sends it in whole seconds, RFC 3339 without a fraction).
      if (!source || source.orgId !== orgId || Math.floor(Date.parse(source.time) / 1000) !== Math.floor(Date.parse(actionTime!) / 1000)) {
        throw notFound(`/organizations/${orgId}/logs/audit/${auditId}`);
      }
      const entries = store.auditEntries({ backend: BACKEND, orgId, since, before, resourceId: source.resourceId }).filter((e) => e.resourceType === source.resourceType);
      const { page: out, after } = page(entries, q, `history:${auditId}`, req);
      // The emulator always knows the resource by its URI: "exact".
      return success(out.map(entryToWire), { count: out.length, history_status: "exact", cursor: after });
    });
  });
}

import { createHash } from "node:crypto";
import type { Principal } from "../../types";
import { CF, CfError } from "./envelope";
import { PAGE_SIZE } from "./wire";

/**
 * `page_size` / `page_token` pagination as the Organizations document describes it, shared by every
 * list of this dialect (organizations, members, roles). Tokens are opaque keyset cursors (the
 * creation sequence of the last item served), so concurrent inserts and deletes neither repeat nor
 * skip items; a token is bound to the filters it was issued for ("parameters used to filter the
 * retrieved list must remain in subsequent requests with a page token"). `result_info` is
 * `{ next_page_token, total_size }`, `next_page_token` being "" on the last page.
 */

export type Query = Record<string, string | string[] | undefined>;

export const PAGE_PARAMS = ["page_size", "page_token"] as const;

export function single(q: Query, key: string): string | undefined {
  const v = q[key];
  if (Array.isArray(v)) throw CfError.of(400, CF.invalid, `query parameter ${key} may be given only once`);
  return v;
}

export function checkParams(q: Query, allowed: readonly string[]): void {
  for (const key of Object.keys(q)) {
    if (!allowed.includes(key)) {
      throw CfError.of(400, CF.invalid, `unknown query parameter "${key}"; expected one of ${allowed.join(", ")}`);
    }
  }
}

interface PageToken {
  v: 1;
  /** Sequence number of the last item of the previous page. */
  s: number;
  /** Hash of the list and filters the token was issued for. */
  f: string;
}

export interface PageRequest {
  pageSize: number;
  afterSeq?: number;
  /** Binds issued tokens to this list and these filters. */
  fingerprint: string;
}

/** Reads `page_size` (default 10 as the document says, at most 50) and `page_token`. */
export function pageRequest(q: Query, list: string, filterKeys: readonly string[], principal: Principal): PageRequest {
  const max: number = PAGE_SIZE.max;
  const def: number = PAGE_SIZE.default;
  const raw = single(q, "page_size");
  let pageSize = def;
  if (raw !== undefined && raw !== "") {
    if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max) {
      throw CfError.of(400, CF.invalid, `page_size must be an integer between 1 and ${max}`);
    }
    pageSize = Number(raw);
  }
  const canonical = filterKeys.map((k) => {
    const v = q[k];
    return [k, v === undefined ? null : Array.isArray(v) ? [...v].sort() : [v]];
  });
  const fingerprint = createHash("sha256").update(JSON.stringify([list, canonical, principal.id])).digest("base64url").slice(0, 16);
  const token = single(q, "page_token");
  if (token === undefined || token === "") return { pageSize, fingerprint };
  let t: PageToken | undefined;
  try {
    t = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as PageToken;
  } catch {
    t = undefined;
  }
  if (!t || t.v !== 1 || !Number.isInteger(t.s) || typeof t.f !== "string") {
    throw CfError.of(400, CF.invalid, "page_token is not a token this API issued");
  }
  if (t.f !== fingerprint) {
    throw CfError.of(400, CF.invalid, "page_token was issued for other filters: the filters must remain the same in subsequent requests");
  }
  return { pageSize, afterSeq: t.s, fingerprint };
}

/**
 * Given up to `pageSize + 1` items after the cursor, the page and its `result_info`.
 */
export function pageOf<T extends { seq: number }>(rows: T[], req: PageRequest, total: number): { page: T[]; resultInfo: { next_page_token: string; total_size: number } } {
  const page = rows.slice(0, req.pageSize);
  const more = rows.length > req.pageSize;
  const next = more ? Buffer.from(JSON.stringify({ v: 1, s: page[page.length - 1].seq, f: req.fingerprint } satisfies PageToken)).toString("base64url") : "";
  return { page, resultInfo: { next_page_token: next, total_size: total } };
}

/** Pages an in-memory list already in sequence order. */
export function pageInMemory<T extends { seq: number }>(all: T[], req: PageRequest): { page: T[]; resultInfo: { next_page_token: string; total_size: number } } {
  const after = req.afterSeq === undefined ? all : all.filter((r) => r.seq > req.afterSeq!);
  return pageOf(after.slice(0, req.pageSize + 1), req, all.length);
}

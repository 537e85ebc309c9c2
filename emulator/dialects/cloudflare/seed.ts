import { SeedError, seedOrganizationList } from "../../seed";
import type { JsonObject } from "../../store";
import type { DialectContext, DialectSeedResult } from "../../types";
import { CfError } from "./envelope";
import {
  BACKEND,
  DEFAULT_TENANT_FLAGS,
  MEMBER_STATUSES,
  memberUniqueKey,
  orgDocument,
  orgUniqueKey,
  userIdFor,
  validateMember,
  validateOrgBody,
  type AccountInfo,
  type MemberDocument,
  type OrgDocument,
} from "./wire";
import { isObject } from "../../json";

/**
 * The `cloudflare:` section of a seed document:
 *
 *   cloudflare:
 *     organizations:
 *       - name: Acme                       # required
 *         id: 0123...                      # optional (32 hex); else matched by name under the parent
 *         parent_id: <id>                  # optional, top-level entries only (children nest instead)
 *         meta:                            # optional: managed_by, tenant_flags (any of the eight; the rest
 *           managed_by: terraform          #   keep their defaults), other keys shown as they are
 *           tenant_flags: { sub_org_creation: disabled }
 *         profile: { business_name: Acme } # optional
 *         accounts:                        # optional: account ids, or {id, name?, type?, created_on?, usage?}
 *           - acc-1
 *           - id: acc-2
 *             name: Acme Production
 *             type: enterprise             # standard (default) | enterprise
 *             usage:                       # GET …/billable/usage, one record per metric and day
 *               - { day: 2026-12-01, metric: workers_standard_requests, quantity: 1200, unit: Requests }
 *         members:                         # memberships have no roles on Cloudflare's public API
 *           - { email: ada@acme.test, name: Ada Lovelace }   # status defaults to active
 *           - { email: bob@acme.test, status: pending }      # active | pending | rejected | canceled
 *         children: [ ...same shape... ]
 */

const ORG_KEYS = new Set(["name", "id", "parent_id", "meta", "profile", "accounts", "members", "children"]);
const MEMBER_KEYS = new Set(["email", "name", "status"]);


/** `meta`: what the SDKs read, checked; document 003's older `flags` is refused with its new name. */
function seedMeta(meta: unknown, where: string): JsonObject {
  if (!isObject(meta)) throw new SeedError(`${where} must be a mapping`);
  if (meta.flags !== undefined) throw new SeedError(`${where}.flags: the SDKs read meta.tenant_flags (cloudflare 7.3.0, cloudflare-go v7.9.0); rename it`);
  if (meta.hierarchy_tags !== undefined) throw new SeedError(`${where}.hierarchy_tags: derived from the hierarchy on every read; remove it`);
  if (meta.managed_by !== undefined && typeof meta.managed_by !== "string") throw new SeedError(`${where}.managed_by must be a string`);
  if (meta.tenant_flags !== undefined) {
    if (!isObject(meta.tenant_flags)) throw new SeedError(`${where}.tenant_flags must be a mapping`);
    for (const [k, v] of Object.entries(meta.tenant_flags)) {
      if (!(k in DEFAULT_TENANT_FLAGS)) throw new SeedError(`${where}.tenant_flags: unknown flag "${k}"; the SDKs know ${Object.keys(DEFAULT_TENANT_FLAGS).join(", ")}`);
      if (typeof v !== "string") throw new SeedError(`${where}.tenant_flags.${k} must be a string`);
    }
  }
  return meta as JsonObject;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** An account: an id, or `{id, name?, type?, created_on?, usage?}`. */
function seedAccount(a: unknown, where: string, now: string): { id: string; info: AccountInfo } {
  if (typeof a === "string") return { id: a, info: { name: null, type: "standard", created_on: now } };
  if (!isObject(a)) throw new SeedError(`${where} must be an account id or a mapping`);
  for (const k of Object.keys(a)) if (!["id", "name", "type", "created_on", "usage"].includes(k)) throw new SeedError(`${where}: unknown field "${k}"`);
  if (typeof a.id !== "string" || a.id === "") throw new SeedError(`${where}.id is required (a string)`);
  if (a.name !== undefined && typeof a.name !== "string") throw new SeedError(`${where}.name must be a string`);
  if (a.type !== undefined && a.type !== "standard" && a.type !== "enterprise") throw new SeedError(`${where}.type must be standard or enterprise`);
  if (a.created_on !== undefined && (typeof a.created_on !== "string" || Number.isNaN(Date.parse(a.created_on)))) throw new SeedError(`${where}.created_on must be a date-time`);
  const usage = a.usage ?? [];
  if (!Array.isArray(usage)) throw new SeedError(`${where}.usage must be a list`);
  return {
    id: a.id,
    info: {
      name: (a.name as string | undefined) ?? null,
      type: (a.type as AccountInfo["type"] | undefined) ?? "standard",
      created_on: a.created_on !== undefined ? new Date(a.created_on as string).toISOString() : now,
      usage: usage.map((u: unknown, i: number) => {
        const uw = `${where}.usage[${i}]`;
        if (!isObject(u)) throw new SeedError(`${uw} must be a mapping`);
        for (const k of Object.keys(u)) if (!["day", "metric", "metric_name", "quantity", "unit", "product"].includes(k)) throw new SeedError(`${uw}: unknown field "${k}"`);
        // YAML reads an unquoted 2026-12-01 as a date.
        const day = u.day instanceof Date ? u.day.toISOString().slice(0, 10) : u.day;
        if (typeof day !== "string" || !DAY.test(day)) throw new SeedError(`${uw}.day must be a date (YYYY-MM-DD)`);
        if (typeof u.metric !== "string" || u.metric === "") throw new SeedError(`${uw}.metric is required (a string)`);
        if (typeof u.quantity !== "number" || !Number.isFinite(u.quantity) || u.quantity < 0) throw new SeedError(`${uw}.quantity must be a number, at least 0`);
        if (typeof u.unit !== "string") throw new SeedError(`${uw}.unit is required (a string)`);
        if (u.metric_name !== undefined && typeof u.metric_name !== "string") throw new SeedError(`${uw}.metric_name must be a string`);
        if (u.product !== undefined && typeof u.product !== "string") throw new SeedError(`${uw}.product must be a string`);
        return { day, metric: u.metric, metric_name: (u.metric_name as string | undefined) ?? u.metric, quantity: u.quantity, unit: u.unit, ...(u.product !== undefined ? { product: u.product as string } : {}) };
      }),
    },
  };
}

function rethrow(where: string, err: unknown): never {
  if (err instanceof CfError) throw new SeedError(`${where}: ${err.errors.map((e) => e.message).join("; ")}`);
  throw err;
}

export function seedCloudflare(ctx: DialectContext, section: unknown): DialectSeedResult {
  const { store } = ctx;
  const list = seedOrganizationList("cloudflare", section);
  const result: DialectSeedResult = { organizations: [], members: 0 };

  const visit = (entry: unknown, where: string, parentId: string | null, parentPath: string[], topLevel: boolean): void => {
    if (!isObject(entry)) throw new SeedError(`${where} must be a mapping`);
    for (const k of Object.keys(entry)) if (!ORG_KEYS.has(k)) throw new SeedError(`${where}: unknown field "${k}"`);
    if (entry.parent_id !== undefined) {
      if (!topLevel) throw new SeedError(`${where}: parent_id is only for top-level entries (children nest)`);
      if (typeof entry.parent_id !== "string" || !store.getOrg(BACKEND, entry.parent_id)) {
        throw new SeedError(`${where}: parent_id names no cloudflare organization`);
      }
      parentId = entry.parent_id;
    }
    const name = entry.name;
    if (typeof name !== "string") throw new SeedError(`${where}.name is required (a string)`);
    if (entry.id !== undefined && (typeof entry.id !== "string" || !/^[0-9a-f]{32}$/.test(entry.id))) {
      throw new SeedError(`${where}.id must be 32 lowercase hexadecimal characters`);
    }
    const key = orgUniqueKey(parentId, name);
    const existing = entry.id !== undefined ? store.getOrg(BACKEND, entry.id as string) : store.findOrgByUniqueKey(BACKEND, key);
    const old: OrgDocument = existing ? orgDocument(existing) : {};
    const doc: OrgDocument = { ...old };
    if (entry.meta !== undefined) doc.meta = seedMeta(entry.meta, `${where}.meta`);
    if (entry.profile !== undefined) doc.profile = entry.profile as JsonObject;
    if (entry.accounts !== undefined) {
      if (!Array.isArray(entry.accounts)) throw new SeedError(`${where}.accounts must be a list`);
      const accounts = entry.accounts.map((a, i) => seedAccount(a, `${where}.accounts[${i}]`, ctx.now().toISOString()));
      doc.accounts = accounts.map((a) => a.id);
      doc.account_info = Object.fromEntries(accounts.map((a) => [a.id, a.info]));
    }
    const id = existing?.id ?? (entry.id as string | undefined) ?? ctx.newId();
    const now = ctx.now().toISOString();
    try {
      validateOrgBody({ name, profile: doc.profile });
    } catch (err) {
      rethrow(where, err);
    }
    const clash = store.findOrgByUniqueKey(BACKEND, key);
    if (clash && clash.id !== id) throw new SeedError(`${where}: name "${name}" is already taken under this parent`);
    if (existing) store.updateOrg(BACKEND, id, { parentId, name, uniqueKey: key, document: doc as never, updateTime: now });
    else store.insertOrg({ backend: BACKEND, id, parentId, name, uniqueKey: key, document: doc as never, createTime: now });
    const path = [...parentPath, name];
    result.organizations.push({ id, name, path });

    const members = entry.members ?? [];
    if (!Array.isArray(members)) throw new SeedError(`${where}.members must be a list`);
    members.forEach((m: unknown, i: number) => {
      const mw = `${where}.members[${i}]`;
      if (!isObject(m)) throw new SeedError(`${mw} must be a mapping`);
      for (const k of Object.keys(m)) {
        // A seed of the earlier design: refused with what to change, not silently dropped.
        if (k === "role" || k === "roles") throw new SeedError(`${mw}: "${k}": Cloudflare organization memberships have no roles; remove it`);
        if (!MEMBER_KEYS.has(k)) throw new SeedError(`${mw}: unknown field "${k}"`);
      }
      const status = m.status ?? "active";
      if (typeof m.email !== "string") throw new SeedError(`${mw}.email is required (a string)`);
      if (m.name !== undefined && typeof m.name !== "string") throw new SeedError(`${mw}.name must be a string`);
      const mkey = memberUniqueKey(id, m.email);
      const prior = store.findMemberByUniqueKey(BACKEND, mkey);
      const mid = prior?.id ?? ctx.newId();
      try {
        validateMember({ email: m.email, status }, MEMBER_STATUSES);
      } catch (err) {
        rethrow(mw, err);
      }
      const mdoc: MemberDocument = { status: status as MemberDocument["status"], user_id: userIdFor(m.email), name: (m.name as string | undefined) ?? "" };
      if (prior) store.updateMember(BACKEND, mid, { email: m.email, uniqueKey: mkey, document: mdoc as never, updateTime: now });
      else store.insertMember({ backend: BACKEND, id: mid, orgId: id, email: m.email, uniqueKey: mkey, document: mdoc as never, createTime: now });
      result.members += 1;
    });

    const children = entry.children ?? [];
    if (!Array.isArray(children)) throw new SeedError(`${where}.children must be a list`);
    children.forEach((c: unknown, i: number) => visit(c, `${where}.children[${i}]`, id, path, false));
  };

  list.forEach((e: unknown, i: number) => visit(e, `cloudflare.organizations[${i}]`, null, [], true));
  return result;
}

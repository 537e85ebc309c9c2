import { SeedError, seedOrganizationList } from "../../seed";
import type { JsonObject } from "../../store";
import type { DialectContext, DialectSeedResult } from "../../types";
import { CfError } from "./envelope";
import {
  BACKEND,
  DEFAULT_META,
  MEMBER_STATUSES,
  memberUniqueKey,
  orgDocument,
  orgUniqueKey,
  userIdFor,
  validateMember,
  validateOrgBody,
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
 *         meta: { managed_by: terraform }  # optional, replaces the default meta
 *         profile: { business_name: Acme } # optional
 *         accounts: [acc-1]                # optional, account ids (filter containing.account)
 *         members:                         # memberships have no roles on Cloudflare's public API
 *           - { email: ada@acme.test, name: Ada Lovelace }   # status defaults to active
 *           - { email: bob@acme.test, status: pending }      # active | pending | rejected | canceled
 *         children: [ ...same shape... ]
 */

const ORG_KEYS = new Set(["name", "id", "parent_id", "meta", "profile", "accounts", "members", "children"]);
const MEMBER_KEYS = new Set(["email", "name", "status"]);


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
    const doc: OrgDocument = { ...old, meta: old.meta ?? DEFAULT_META };
    if (entry.meta !== undefined) doc.meta = entry.meta as JsonObject;
    if (entry.profile !== undefined) doc.profile = entry.profile as JsonObject;
    if (entry.accounts !== undefined) {
      if (!Array.isArray(entry.accounts) || !entry.accounts.every((a) => typeof a === "string")) throw new SeedError(`${where}.accounts must be a list of strings`);
      doc.accounts = entry.accounts as string[];
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

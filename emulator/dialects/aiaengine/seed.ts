import { SeedError } from "../../seed";
import type { DialectContext, DialectSeedResult } from "../../types";
import { StatusError } from "./status";
import {
  BACKEND,
  findMembership,
  findUserByEmail,
  insertUser,
  isUuid,
  memberUniqueKey,
  newUuid,
  orgDocument,
  parseEmail,
  parseRole,
  type MemberDocument,
  type OrgDocument,
} from "./wire";
import { isObject } from "../../json";

/**
 * The `aiaengine:` section of a seed document:
 *
 *   aiaengine:
 *     users:                                   # platform users in no organization (add_user needs one)
 *       - { email: ada@acme.test, name: Ada }  # name optional (the email's local part)
 *     organizations:
 *       - name: Acme                           # required
 *         id: <UUID>                           # optional; else the first organization of that name, or a new one
 *         description: Analytics               # optional
 *         logo_url: https://…                  # optional
 *         has_active_subscription: true        # optional: blocks deletion
 *         members:
 *           - { email: bob@acme.test, role: OrgEditor }     # the user is created when new
 *           - { email: eve@partner.test, external: true }   # an external user (a project collaborator)
 */

const ORG_KEYS = new Set(["name", "id", "description", "logo_url", "has_active_subscription", "members"]);
const MEMBER_KEYS = new Set(["email", "role", "name", "external"]);
const USER_KEYS = new Set(["email", "name"]);


function keysOf(where: string, entry: unknown, allowed: Set<string>): Record<string, unknown> {
  if (!isObject(entry)) throw new SeedError(`${where} must be a mapping`);
  for (const k of Object.keys(entry)) if (!allowed.has(k)) throw new SeedError(`${where}: unknown field "${k}"`);
  return entry;
}

function guarded<T>(where: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof StatusError) throw new SeedError(`${where}: ${err.message}`);
    throw err;
  }
}

const optionalText = (where: string, v: unknown): string | undefined => {
  if (v === undefined) return undefined;
  if (typeof v !== "string") throw new SeedError(`${where} must be a string`);
  return v;
};

export function seedAiaengine(ctx: DialectContext, section: unknown): DialectSeedResult {
  const { store } = ctx;
  const top = keysOf("aiaengine", section, new Set(["users", "organizations"]));
  const now = ctx.now().toISOString();
  const result: DialectSeedResult = { organizations: [], members: 0 };

  const userFor = (where: string, email: string, name: unknown) =>
    findUserByEmail(store, email) ??
    guarded(where, () => insertUser(store, { id: newUuid(), email, name: optionalText(`${where}.name`, name) ?? email.split("@")[0], now }));

  const users = top.users ?? [];
  if (!Array.isArray(users)) throw new SeedError("aiaengine.users must be a list");
  users.forEach((u: unknown, i: number) => {
    const where = `aiaengine.users[${i}]`;
    const entry = keysOf(where, u, USER_KEYS);
    userFor(where, guarded(where, () => parseEmail(entry.email)), entry.name);
  });

  const orgs = top.organizations ?? [];
  if (!Array.isArray(orgs)) throw new SeedError("aiaengine.organizations must be a list");
  orgs.forEach((o: unknown, i: number) => {
    const where = `aiaengine.organizations[${i}]`;
    const entry = keysOf(where, o, ORG_KEYS);
    if (typeof entry.name !== "string" || entry.name.trim() === "") throw new SeedError(`${where}.name is required (a non-empty string)`);
    if (entry.id !== undefined && (typeof entry.id !== "string" || !isUuid(entry.id) || entry.id !== entry.id.toLowerCase())) throw new SeedError(`${where}.id must be a lowercase UUID`);
    if (entry.has_active_subscription !== undefined && typeof entry.has_active_subscription !== "boolean") throw new SeedError(`${where}.has_active_subscription must be true or false`);
    const existing = entry.id !== undefined ? store.getOrg(BACKEND, entry.id as string) : store.allOrgs(BACKEND).find((r) => r.name === entry.name);
    const old = existing ? orgDocument(existing) : { description: "", logo_url: "", has_active_subscription: false };
    const doc: OrgDocument = {
      description: optionalText(`${where}.description`, entry.description) ?? old.description,
      logo_url: optionalText(`${where}.logo_url`, entry.logo_url) ?? old.logo_url,
      has_active_subscription: (entry.has_active_subscription as boolean | undefined) ?? old.has_active_subscription,
    };
    const id = existing?.id ?? (entry.id as string | undefined) ?? newUuid();
    if (existing) store.updateOrg(BACKEND, id, { parentId: null, name: entry.name, uniqueKey: null, document: doc as never, updateTime: now });
    else store.insertOrg({ backend: BACKEND, id, parentId: null, name: entry.name, uniqueKey: null, document: doc as never, createTime: now });
    result.organizations.push({ id, name: entry.name, path: [entry.name] });

    const members = entry.members ?? [];
    if (!Array.isArray(members)) throw new SeedError(`${where}.members must be a list`);
    members.forEach((m: unknown, j: number) => {
      const mw = `${where}.members[${j}]`;
      const me = keysOf(mw, m, MEMBER_KEYS);
      const email = guarded(mw, () => parseEmail(me.email));
      if (me.external !== undefined && typeof me.external !== "boolean") throw new SeedError(`${mw}.external must be true or false`);
      const external = me.external === true;
      if (external && me.role !== undefined) throw new SeedError(`${mw}: an external user has no organization role`);
      const user = userFor(mw, email, me.name);
      const document: MemberDocument = { user_id: user.id, role: external ? null : guarded(mw, () => parseRole(me.role)), external };
      const prior = findMembership(store, id, user.id);
      if (prior) store.updateMember(BACKEND, prior.id, { email: prior.email, uniqueKey: prior.uniqueKey, document: document as never, updateTime: now });
      else store.insertMember({ backend: BACKEND, id: ctx.newId(), orgId: id, email: user.email, uniqueKey: memberUniqueKey(id, user.email), document: document as never, createTime: now });
      result.members += 1;
    });
  });
  return result;
}

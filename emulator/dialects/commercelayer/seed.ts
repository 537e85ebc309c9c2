import { SeedError, seedOrganizationList } from "../../seed";
import type { JsonObject } from "../../store";
import type { DialectContext, DialectSeedResult } from "../../types";
import { isObject } from "../../json";
import {
  attributeProblems,
  BACKEND,
  basePermissions,
  CREATABLE,
  EMAIL,
  memberUniqueKey,
  newClId,
  newOrgAttributes,
  orgDocument,
  slugOf,
  standardRoles,
  type MembershipDocument,
  type OrgDocument,
} from "./wire";

/**
 * The `commercelayer:` section of a seed document:
 *
 *   commercelayer:
 *     organizations:
 *       - name: The Blue Brand             # required; matched by id, else by slug
 *         id: xYZkjABcde                   # optional
 *         attributes: { region: us-east-1, primary_color: "#C8984E", metadata: {...} }   # optional, as on create
 *         roles: [Merchandiser]            # optional custom roles (Admin and Read only always exist)
 *         members:
 *           - { email: ada@blue.test, role: Admin, status: active, owner: true }
 */

const ORG_KEYS = new Set(["name", "id", "attributes", "roles", "members"]);
const MEMBER_KEYS = new Set(["email", "role", "status", "owner"]);

export function seedCommercelayer(ctx: DialectContext, section: unknown): DialectSeedResult {
  const { store } = ctx;
  const list = seedOrganizationList("commercelayer", section);
  const result: DialectSeedResult = { organizations: [], members: 0 };

  list.forEach((entry: unknown, i: number) => {
    const where = `commercelayer.organizations[${i}]`;
    if (!isObject(entry)) throw new SeedError(`${where} must be a mapping`);
    for (const k of Object.keys(entry)) if (!ORG_KEYS.has(k)) throw new SeedError(`${where}: unknown field "${k}" (no hierarchy: organizations have no children)`);
    const name = entry.name;
    if (typeof name !== "string") throw new SeedError(`${where}.name is required (a string)`);
    const attributes = entry.attributes ?? {};
    if (!isObject(attributes)) throw new SeedError(`${where}.attributes must be a mapping`);
    for (const k of Object.keys(attributes)) if (!(CREATABLE as readonly string[]).includes(k) || k === "name") throw new SeedError(`${where}.attributes: ${k} is not a writable attribute`);
    const problems = attributeProblems({ ...attributes, name }, true);
    if (problems.length) throw new SeedError(`${where}: ${problems.map((p) => p.detail).join("; ")}`);
    if (entry.id !== undefined && (typeof entry.id !== "string" || entry.id === "")) throw new SeedError(`${where}.id must be a non-empty string`);
    const key = slugOf(name);
    const existing = entry.id !== undefined ? store.getOrg(BACKEND, entry.id as string) : store.findOrgByUniqueKey(BACKEND, key);
    const now = ctx.now().toISOString();
    const old: OrgDocument | undefined = existing ? orgDocument(existing) : undefined;
    const doc: OrgDocument = {
      attributes: { ...(old?.attributes ?? newOrgAttributes(now)), ...(attributes as JsonObject), updated_at: now },
      roles: old?.roles ?? standardRoles(now),
      permissions: old?.permissions ?? [],
      api_credentials: old?.api_credentials ?? [],
      versions: old?.versions ?? [],
    };
    if (!old) doc.permissions = doc.roles.flatMap((r) => basePermissions(r, [], now));
    const custom = entry.roles ?? [];
    if (!Array.isArray(custom) || !custom.every((r) => typeof r === "string" && r.trim() !== "")) throw new SeedError(`${where}.roles must be a list of role names`);
    for (const roleName of custom as string[]) {
      if (!doc.roles.some((r) => r.name.toLowerCase() === roleName.toLowerCase())) doc.roles.push({ id: newClId(), name: roleName, kind: "custom", created_at: now, updated_at: now });
    }
    const id = existing?.id ?? (entry.id as string | undefined) ?? newClId();
    const clash = store.findOrgByUniqueKey(BACKEND, key);
    if (clash && clash.id !== id) throw new SeedError(`${where}: name "${name}" has the slug of another organization`);
    if (existing) store.updateOrg(BACKEND, id, { parentId: null, name, uniqueKey: key, document: doc as never, updateTime: now });
    else store.insertOrg({ backend: BACKEND, id, parentId: null, name, uniqueKey: key, document: doc as never, createTime: now });
    result.organizations.push({ id, name, path: [name] });

    const members = entry.members ?? [];
    if (!Array.isArray(members)) throw new SeedError(`${where}.members must be a list`);
    members.forEach((m: unknown, j: number) => {
      const mw = `${where}.members[${j}]`;
      if (!isObject(m)) throw new SeedError(`${mw} must be a mapping`);
      for (const k of Object.keys(m)) if (!MEMBER_KEYS.has(k)) throw new SeedError(`${mw}: unknown field "${k}"`);
      if (typeof m.email !== "string" || !EMAIL.test(m.email)) throw new SeedError(`${mw}.email is required (an email address)`);
      const roleName = m.role ?? "Read only";
      const role = doc.roles.find((r) => typeof roleName === "string" && (r.name.toLowerCase() === roleName.toLowerCase() || r.id === roleName));
      if (!role) throw new SeedError(`${mw}: unknown role ${JSON.stringify(roleName)} (the organization has ${doc.roles.map((r) => r.name).join(", ")})`);
      if (m.status !== undefined && m.status !== "pending" && m.status !== "active") throw new SeedError(`${mw}.status must be pending or active`);
      const mkey = memberUniqueKey(id, m.email);
      const prior = store.findMemberByUniqueKey(BACKEND, mkey);
      const mdoc: MembershipDocument = {
        role_id: role.id,
        status: (m.status as MembershipDocument["status"]) ?? "active",
        owner: m.owner === true,
        access_scope: "live_access",
        user_first_name: "",
        user_last_name: "",
        reference: null,
        reference_origin: null,
        metadata: {},
      };
      if (prior) store.updateMember(BACKEND, prior.id, { email: m.email, uniqueKey: mkey, document: mdoc as never, updateTime: now });
      else store.insertMember({ backend: BACKEND, id: newClId(), orgId: id, email: m.email, uniqueKey: mkey, document: mdoc as never, createTime: now });
      result.members += 1;
    });
  });
  return result;
}

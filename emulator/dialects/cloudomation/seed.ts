import { digestHex } from "../../auth";
import { SeedError, seedOrganizationList } from "../../seed";
import type { JsonObject } from "../../store";
import type { DialectContext, DialectSeedResult } from "../../types";
import { recordOf, USERS_TABLE } from "./organizations";
import { BACKEND, newRecord, seedProblems } from "./wire";
import { isObject } from "../../json";

/**
 * The `cloudomation:` section of a seed document (one organization per workspace; no hierarchy,
 * profile or members in this vendor):
 *
 *   cloudomation:
 *     organizations:
 *       - name: Acme                    # required
 *         id: 5f0c…-…                   # optional UUID; else matched by name (first of that name)
 *         users: [{ user_name: ada, password: secret-pw }]   # workspace users: they see only this organization
 *         usage_count_flow_dev: 12      # any property of the document, export-only ones included
 *
 * Seeding again updates in place: that is how tests move usage counters between two runs.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function seedCloudomation(ctx: DialectContext, section: unknown): DialectSeedResult {
  const { store } = ctx;
  const list = seedOrganizationList("cloudomation", section);
  const result: DialectSeedResult = { organizations: [], members: 0 };
  list.forEach((entry: unknown, i: number) => {
    const where = `cloudomation.organizations[${i}]`;
    if (!isObject(entry)) throw new SeedError(`${where} must be a mapping`);
    const { name, id, users, ...fields } = entry;
    for (const k of ["children", "profile", "members", "parent_id"]) {
      if (k in fields) throw new SeedError(`${where}: Cloudomation organizations have no ${k} (one organization per workspace)`);
    }
    if (typeof name !== "string" || name === "") throw new SeedError(`${where}.name is required (a string)`);
    if (id !== undefined && (typeof id !== "string" || !UUID.test(id))) throw new SeedError(`${where}.id must be a UUID`);
    const problems = seedProblems({ name, ...fields });
    if (problems.length) throw new SeedError(`${where}: ${problems.map((p) => `${p.field} ${p.message}`).join("; ")}`);
    const existing = id !== undefined ? store.getOrg(BACKEND, id as string) : store.allOrgs(BACKEND).find((r) => r.name === name);
    const now = ctx.now().toISOString();
    const orgId = existing?.id ?? (id as string | undefined) ?? crypto.randomUUID();
    const base = existing ? recordOf(existing) : newRecord(orgId, name, now);
    const { id: _id, name: _name, ...document } = { ...base, ...fields };
    if (existing) store.updateOrg(BACKEND, orgId, { parentId: null, name, uniqueKey: null, document: document as JsonObject, updateTime: now });
    else store.insertOrg({ backend: BACKEND, id: orgId, parentId: null, name, uniqueKey: null, document: document as JsonObject, createTime: now });
    if (users !== undefined) {
      if (!Array.isArray(users)) throw new SeedError(`${where}.users must be a list`);
      users.forEach((u: unknown, j: number) => {
        if (!isObject(u) || typeof u.user_name !== "string" || typeof u.password !== "string" || u.password.length < 8) {
          throw new SeedError(`${where}.users[${j}] must be {user_name, password (8+ characters)}`);
        }
        store
          .statement(`INSERT INTO ${USERS_TABLE} (user_name, org_id, password_digest) VALUES (?, ?, ?) ON CONFLICT (user_name) DO UPDATE SET org_id = excluded.org_id, password_digest = excluded.password_digest`)
          .run(u.user_name, orgId, digestHex(u.password));
      });
    }
    result.organizations.push({ id: orgId, name, path: [name] });
  });
  return result;
}

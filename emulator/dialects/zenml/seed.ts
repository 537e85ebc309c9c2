import { SeedError, seedOrganizationList } from "../../seed";
import type { JsonObject } from "../../store";
import type { DialectContext, DialectSeedResult } from "../../types";
import { ZenmlError } from "./errors";
import { BACKEND, TRIAL_DAYS, canonicalUuid, newUuid, orgDocument, validateBody, type OrgDocument } from "./wire";
import { isObject } from "../../json";

/**
 * The `zenml:` section of a seed document (ZenML Pro has no sub-organizations, profile or members):
 *
 *   zenml:
 *     organizations:
 *       - name: Existing Org            # required, 1-50 characters
 *         id: 6f1c...                   # optional UUID; else matched by name
 *         description: ...              # optional, as logo_url and links
 *         owner_id: 2b7e...             # optional: default a fresh owner (someone else's organization)
 *         owner_username: ada           # optional
 *         trial_days: 14                # optional: days left in the free trial (0: not in trial); default 14
 *         billed: false                 # optional: a paid subscription
 */

const ORG_KEYS = new Set(["name", "id", "description", "logo_url", "links", "owner_id", "owner_username", "trial_days", "billed"]);


export function seedZenml(ctx: DialectContext, section: unknown): DialectSeedResult {
  const { store } = ctx;
  const list = seedOrganizationList("zenml", section);
  const result: DialectSeedResult = { organizations: [], members: 0 };
  list.forEach((entry: unknown, i: number) => {
    const where = `zenml.organizations[${i}]`;
    if (!isObject(entry)) throw new SeedError(`${where} must be a mapping`);
    for (const k of Object.keys(entry)) {
      if (ORG_KEYS.has(k)) continue;
      if (k === "children" || k === "profile" || k === "members") throw new SeedError(`${where}: ZenML Pro organizations have no ${k === "children" ? "sub-organizations" : k}`);
      throw new SeedError(`${where}: unknown field "${k}"`);
    }
    const { trial_days: trialDays, billed, owner_username: ownerUsername, ...wire } = entry;
    try {
      validateBody(wire, "create");
    } catch (err) {
      if (err instanceof ZenmlError) throw new SeedError(`${where}: ${(err.detail as { loc: unknown[]; msg: string }[]).map((d) => `${d.loc.slice(1).join(".")}: ${d.msg}`).join("; ")}`);
      throw err;
    }
    if (trialDays !== undefined && (typeof trialDays !== "number" || !Number.isInteger(trialDays) || trialDays < 0)) throw new SeedError(`${where}.trial_days must be a whole number of days, 0 or more`);
    if (billed !== undefined && typeof billed !== "boolean") throw new SeedError(`${where}.billed must be true or false`);
    if (ownerUsername !== undefined && typeof ownerUsername !== "string") throw new SeedError(`${where}.owner_username must be a string`);
    const name = entry.name as string;
    const key = `name:${name}`;
    const id = canonicalUuid(entry.id);
    const existing = id ? store.getOrg(BACKEND, id) : store.findOrgByUniqueKey(BACKEND, key);
    const clash = store.findOrgByUniqueKey(BACKEND, key);
    if (clash && existing && clash.id !== existing.id) throw new SeedError(`${where}: name "${name}" is already taken`);
    if (clash && !existing) throw new SeedError(`${where}: name "${name}" is already taken by organization ${clash.id}`);
    const old = existing ? orgDocument(existing) : undefined;
    const now = ctx.now();
    const days = trialDays ?? (old ? undefined : TRIAL_DAYS);
    const doc: OrgDocument = {
      description: entry.description !== undefined ? (entry.description as string | null) : (old?.description ?? null),
      logo_url: entry.logo_url !== undefined ? (entry.logo_url as string | null) : (old?.logo_url ?? null),
      links: entry.links !== undefined ? (entry.links as JsonObject[] | null) : (old?.links ?? null),
      owner_id: canonicalUuid(entry.owner_id) ?? old?.owner_id ?? newUuid(),
      owner_username: ownerUsername ?? old?.owner_username ?? null,
      trial_ends_at: days === undefined ? (old?.trial_ends_at ?? null) : days > 0 ? new Date(now.getTime() + days * 86_400_000).toISOString() : null,
      billed: billed ?? old?.billed ?? false,
    };
    const orgId = existing?.id ?? id ?? newUuid();
    if (existing) store.updateOrg(BACKEND, orgId, { parentId: null, name, uniqueKey: key, document: doc as never, updateTime: now.toISOString() });
    else store.insertOrg({ backend: BACKEND, id: orgId, parentId: null, name, uniqueKey: key, document: doc as never, createTime: now.toISOString() });
    result.organizations.push({ id: orgId, name, path: [name] });
  });
  return result;
}

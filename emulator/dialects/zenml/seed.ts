import { SeedError, seedOrganizationList } from "../../seed";
import type { JsonObject } from "../../store";
import type { DialectContext, DialectSeedResult } from "../../types";
import { ZenmlError } from "./errors";
import { putServiceAccountKey } from "./login";
import { BACKEND, DESIRED_STATES, TRIAL_DAYS, WORKSPACE_STATUSES, canonicalUuid, newUuid, orgDocument, validateBody, type OrgDocument, type WorkspaceDocument } from "./wire";
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
 *         workspaces:                   # optional: read-only through GET /workspaces
 *           - name: ml-prod             # required, 1-50 characters, unique among all workspaces
 *             id: 3c4d...               # optional UUID
 *             description: ...          # optional
 *             status: available         # optional WorkspaceStatus (default available)
 *             desired_state: available  # optional (default: the status, pending/failed: available)
 *             state_reason: ...         # optional (default "")
 *             version: 0.98.0           # optional ZenML server version (default 0.98.0; null: not deployed)
 *             url: https://...          # optional server URL (default https://<id>.emulator.zenml.local when available)
 *         service_accounts:             # optional: API keys exchanged at POST /auth/login act as these
 *           - name: ci-bot              #   service accounts (ZenML refuses them the create)
 *             api_key: ZENPROKEY_ci-bot # at least 8 characters; only a digest is stored
 */

const ORG_KEYS = new Set(["name", "id", "description", "logo_url", "links", "owner_id", "owner_username", "trial_days", "billed", "workspaces", "service_accounts"]);

/** `service_accounts: [{name, api_key}]`: the organization's service accounts and their API keys (login.ts). */
function seedServiceAccounts(ctx: DialectContext, where: string, list: unknown, orgId: string): void {
  if (!Array.isArray(list)) throw new SeedError(`${where}.service_accounts must be a list`);
  list.forEach((sa: unknown, j: number) => {
    const at = `${where}.service_accounts[${j}]`;
    if (!isObject(sa)) throw new SeedError(`${at} must be a mapping`);
    for (const k of Object.keys(sa)) if (k !== "name" && k !== "api_key") throw new SeedError(`${at}: unknown field "${k}"`);
    if (typeof sa.name !== "string" || sa.name.length < 1 || sa.name.length > 50) throw new SeedError(`${at}.name must be a string of 1 to 50 characters`);
    if (typeof sa.api_key !== "string" || sa.api_key.length < 8 || /\s/.test(sa.api_key)) throw new SeedError(`${at}.api_key must be a string of at least 8 characters without spaces`);
    // The full-access API token is the emulator user's key: a service account's equal to it would take its place.
    if (ctx.isFullAccessToken(sa.api_key)) throw new SeedError(`${at}.api_key must not be the emulator's API token`);
    putServiceAccountKey(ctx.store, sa.api_key, sa.name, orgId);
  });
}
const WORKSPACE_KEYS = new Set(["name", "id", "description", "status", "desired_state", "state_reason", "version", "url"]);

function seedWorkspaces(where: string, list: unknown, taken: Set<string>): WorkspaceDocument[] {
  if (!Array.isArray(list)) throw new SeedError(`${where}.workspaces must be a list`);
  return list.map((w: unknown, j: number) => {
    const at = `${where}.workspaces[${j}]`;
    if (!isObject(w)) throw new SeedError(`${at} must be a mapping`);
    for (const k of Object.keys(w)) if (!WORKSPACE_KEYS.has(k)) throw new SeedError(`${at}: unknown field "${k}"`);
    const optionalString = (k: string): string | null | undefined => {
      const v = w[k];
      if (v === undefined || v === null) return v as undefined | null;
      if (typeof v !== "string") throw new SeedError(`${at}.${k} must be a string`);
      return v;
    };
    const name = w.name;
    if (typeof name !== "string" || name.length < 1 || [...name].length > 50) throw new SeedError(`${at}.name must be a string of 1 to 50 characters`);
    if (taken.has(name)) throw new SeedError(`${at}: workspace name "${name}" is already taken`);
    taken.add(name);
    const id = w.id === undefined ? newUuid() : canonicalUuid(w.id);
    if (!id) throw new SeedError(`${at}.id must be a UUID`);
    const status = optionalString("status") ?? "available";
    if (!(WORKSPACE_STATUSES as readonly string[]).includes(status)) throw new SeedError(`${at}.status must be one of ${WORKSPACE_STATUSES.join(", ")}`);
    const desired = optionalString("desired_state") ?? (status === "pending" || status === "failed" ? "available" : status);
    if (!(DESIRED_STATES as readonly string[]).includes(desired)) throw new SeedError(`${at}.desired_state must be one of ${DESIRED_STATES.join(", ")}`);
    const version = w.version === null ? null : (optionalString("version") ?? "0.98.0");
    const url = w.url === null ? null : (optionalString("url") ?? (status === "available" ? `https://${id.slice(0, 8)}.emulator.zenml.local` : null));
    return { id, name, description: optionalString("description") ?? null, desired_state: desired, state_reason: optionalString("state_reason") ?? "", status, version, server_url: url };
  });
}



export function seedZenml(ctx: DialectContext, section: unknown): DialectSeedResult {
  const { store } = ctx;
  const list = seedOrganizationList("zenml", section);
  const result: DialectSeedResult = { organizations: [], members: 0 };
  // Workspace names are unique across organizations (ZenML Pro names a workspace's URL after it).
  const takenWorkspaceNames = new Set(store.allOrgs(BACKEND).flatMap((r) => (orgDocument(r).workspaces ?? []).map((w) => w.name)));
  list.forEach((entry: unknown, i: number) => {
    const where = `zenml.organizations[${i}]`;
    if (!isObject(entry)) throw new SeedError(`${where} must be a mapping`);
    for (const k of Object.keys(entry)) {
      if (ORG_KEYS.has(k)) continue;
      if (k === "children" || k === "profile" || k === "members") throw new SeedError(`${where}: ZenML Pro organizations have no ${k === "children" ? "sub-organizations" : k}`);
      throw new SeedError(`${where}: unknown field "${k}"`);
    }
    const { trial_days: trialDays, billed, owner_username: ownerUsername, workspaces, service_accounts: serviceAccounts, ...wire } = entry;
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
    // Re-seeding an organization replaces its workspaces: their names are free again.
    if (workspaces !== undefined) for (const w of old?.workspaces ?? []) takenWorkspaceNames.delete(w.name);
    const ws = workspaces !== undefined ? seedWorkspaces(where, workspaces, takenWorkspaceNames) : old?.workspaces;
    if (ws !== undefined) doc.workspaces = ws;
    const orgId = existing?.id ?? id ?? newUuid();
    if (existing) store.updateOrg(BACKEND, orgId, { parentId: null, name, uniqueKey: key, document: doc as never, updateTime: now.toISOString() });
    else store.insertOrg({ backend: BACKEND, id: orgId, parentId: null, name, uniqueKey: key, document: doc as never, createTime: now.toISOString() });
    if (serviceAccounts !== undefined) seedServiceAccounts(ctx, where, serviceAccounts, orgId);
    result.organizations.push({ id: orgId, name, path: [name] });
  });
  return result;
}

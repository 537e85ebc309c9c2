import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import type { Dialect, DialectContext } from "./types";
import { isObject } from "./json";

/**
 * Seed documents: YAML (or JSON) with one section per dialect, in that dialect's own terms, plus
 * scoped tokens. Applied in one transaction: a bad seed changes nothing. Seeding is idempotent: an
 * organization is matched by `id` when given, else by name under the same parent, and updated in
 * place; members are matched by email. The format is documented in `emulator/README.md`.
 *
 *   version: 1
 *   cloudflare:
 *     organizations:
 *       - name: Acme
 *         children: [{ name: Acme EU }]
 *   tokens:
 *     - { token: ci-acme, backend: cloudflare, org_path: [Acme], ttl_seconds: 86400, name: CI }
 */

export class SeedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SeedError";
  }
}

export interface MintedToken {
  token: string;
  backend: string;
  org_id: string;
  expires_at: string;
  name?: string;
}

export interface SeedResult {
  organizations: { backend: string; id: string; name: string; path: string[] }[];
  members: number;
  tokens: MintedToken[];
}

export const DEFAULT_TOKEN_TTL_SECONDS = 3600;
export const MAX_TOKEN_TTL_SECONDS = 366 * 24 * 3600;

export function newSecretToken(): string {
  return `ofs_${randomBytes(24).toString("base64url")}`;
}

/** Mints (or registers) a token scoped to one organization. */
export function mintToken(
  ctx: DialectContext,
  req: { backend: string; orgId: string; ttlSeconds?: number; token?: string; name?: string; replace?: boolean; reserved?: (token: string) => boolean },
): MintedToken {
  const ttl = req.ttlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TOKEN_TTL_SECONDS) {
    throw new SeedError(`ttl_seconds must be an integer between 1 and ${MAX_TOKEN_TTL_SECONDS}`);
  }
  // At most 100 characters: the longest path segment the router takes, so DELETE /_admin/tokens/{token} can revoke it.
  if (req.token !== undefined && (typeof req.token !== "string" || req.token.length < 8 || req.token.length > 100 || /\s/.test(req.token))) {
    throw new SeedError("token must be a string of 8 to 100 characters without spaces");
  }
  if (req.token !== undefined && req.reserved?.(req.token)) {
    throw new SeedError("token must not be one of the emulator's own credentials (API token, admin token, key, OAuth2 client secret or access token): a scoped token equal to one would keep its access");
  }
  // The name the audit log shows for what the token does: it is not a secret, so it must not be the token.
  if (req.name !== undefined && (typeof req.name !== "string" || req.name.trim() === "" || req.name.length > 100 || /[\u0000-\u001f\u007f]/.test(req.name))) {
    throw new SeedError("name must be a string of 1 to 100 characters without control characters");
  }
  if (req.name !== undefined && req.name === (req.token ?? "")) throw new SeedError("name must not be the token itself: the audit log shows it");
  if (!ctx.store.getOrg(req.backend, req.orgId)) throw new SeedError(`no ${req.backend} organization with id ${req.orgId}`);
  const now = ctx.now();
  const token = req.token ?? newSecretToken();
  if (ctx.store.getToken(token)) {
    if (!req.replace) throw new SeedError("that token is already registered");
    ctx.store.deleteToken(token);
  }
  const row = ctx.store.insertToken({
    token,
    backend: req.backend,
    orgId: req.orgId,
    createTime: now.toISOString(),
    expiresAt: new Date(now.getTime() + ttl * 1000).toISOString(),
    name: req.name ?? null,
  });
  return { token: row.token, backend: row.backend, org_id: row.orgId, expires_at: row.expiresAt, ...(row.name ? { name: row.name } : {}) };
}

export function readSeedFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new SeedError(`cannot read seed file ${file}: ${(err as Error).message}`);
  }
  return parseSeedText(text, file);
}

export function parseSeedText(text: string, source = "seed"): unknown {
  try {
    return parseYaml(text, { prettyErrors: true }) ?? {};
  } catch (err) {
    throw new SeedError(`${source}: ${(err as Error).message}`);
  }
}

/**
 * The organizations list of a dialect's seed section `{organizations: [...]}`, the section's only
 * key (an absent list is empty); what each entry holds is the dialect's to check.
 */
export function seedOrganizationList(dialect: string, section: unknown): unknown[] {
  if (!isObject(section)) throw new SeedError(`${dialect}: must be a mapping with an organizations list`);
  for (const k of Object.keys(section)) if (k !== "organizations") throw new SeedError(`${dialect}: unknown field "${k}"`);
  const list = section.organizations ?? [];
  if (!Array.isArray(list)) throw new SeedError(`${dialect}.organizations must be a list`);
  return list;
}

/** Applies a parsed seed document. Must run inside `store.tx()`. */
export function applySeed(ctx: DialectContext, dialects: readonly Dialect[], doc: unknown, reserved?: (token: string) => boolean): SeedResult {
  if (!isObject(doc)) throw new SeedError("a seed document must be a mapping with one section per dialect");
  const byName = new Map(dialects.map((d) => [d.name, d]));
  const result: SeedResult = { organizations: [], members: 0, tokens: [] };
  for (const [key, section] of Object.entries(doc)) {
    if (key === "version") {
      if (section !== 1) throw new SeedError(`unsupported seed version ${JSON.stringify(section)}: this emulator reads version 1`);
      continue;
    }
    if (key === "tokens") continue;
    const dialect = byName.get(key);
    if (!dialect) {
      throw new SeedError(`unknown seed section "${key}": expected version, tokens or one of ${[...byName.keys()].join(", ")}`);
    }
    const r = dialect.seed(ctx, section);
    result.organizations.push(...r.organizations.map((o) => ({ backend: dialect.name, ...o })));
    result.members += r.members;
  }
  const tokens = doc.tokens ?? [];
  if (!Array.isArray(tokens)) throw new SeedError("tokens must be a list");
  tokens.forEach((t: unknown, i: number) => {
    if (!isObject(t)) throw new SeedError(`tokens[${i}] must be a mapping`);
    const known = new Set(["token", "backend", "org_id", "org_path", "ttl_seconds", "name"]);
    for (const k of Object.keys(t)) if (!known.has(k)) throw new SeedError(`tokens[${i}]: unknown field "${k}"`);
    const backend = t.backend;
    if (typeof backend !== "string" || !byName.has(backend)) throw new SeedError(`tokens[${i}].backend must be one of ${[...byName.keys()].join(", ")}`);
    let orgId: string | undefined;
    if (typeof t.org_id === "string") orgId = t.org_id;
    else if (Array.isArray(t.org_path)) {
      const path = t.org_path.map(String);
      orgId = result.organizations.find((o) => o.backend === backend && o.path.join("\0") === path.join("\0"))?.id;
      if (!orgId) throw new SeedError(`tokens[${i}].org_path ${JSON.stringify(path)} names no organization of this seed`);
    } else throw new SeedError(`tokens[${i}] needs org_id or org_path`);
    try {
      result.tokens.push(
        mintToken(ctx, {
          backend,
          orgId,
          ttlSeconds: t.ttl_seconds === undefined ? 30 * 24 * 3600 : Number(t.ttl_seconds),
          token: t.token === undefined ? undefined : String(t.token),
          name: t.name === undefined ? undefined : String(t.name),
          replace: true,
          reserved,
        }),
      );
    } catch (err) {
      throw new SeedError(`tokens[${i}]: ${(err as Error).message}`);
    }
  });
  return result;
}

import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { MIGRATIONS, type Migration } from "./migrations";

/**
 * The one persistent store every dialect shares: generic rows (organizations, members, scoped
 * tokens) with a JSON `document` for whatever a vendor adds. A dialect maps these rows to its wire
 * format; uniqueness is the dialect's policy, expressed as a `unique_key` the database enforces.
 *
 * better-sqlite3 is synchronous: a handler that reads and writes inside `tx()` without awaiting is
 * atomic with respect to every other request of this process, and `BEGIN IMMEDIATE` plus WAL and a
 * busy timeout serialize writers of other processes sharing the file. No lost updates.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** What every stored row carries beside its own columns. */
interface StoredRow {
  backend: string;
  id: string;
  /** Dialect-chosen uniqueness key (null: not constrained). */
  uniqueKey: string | null;
  document: JsonObject;
  createTime: string;
  updateTime: string;
  version: number;
  seq: number;
}

export interface OrgRow extends StoredRow {
  parentId: string | null;
  name: string;
}

export interface MemberRow extends StoredRow {
  orgId: string;
  email: string;
}

export interface TokenRow {
  token: string;
  backend: string;
  orgId: string;
  createTime: string;
  expiresAt: string;
  /** A non-secret name the audit log shows for what the token did (`/_admin/tokens` `name`). */
  name?: string | null;
}

/** Who made a write, as the audit log keeps it: never a secret. */
export interface AuditActor {
  /** Stable, non-secret id of the credential (the principal's id). */
  id: string;
  kind: "api-token" | "api-key" | "scoped-token" | "access-token";
  /** The credential's name: a token's name, an OAuth2 client id, a user name, or the API key's email. */
  name: string;
  email?: string;
}

/** One audit entry: a successful write through a dialect. */
export interface AuditEntry {
  seq: number;
  id: string;
  backend: string;
  time: string;
  /** The organization the write concerned (the organization itself, or the owner of a profile or member). */
  orgId: string | null;
  actor: AuditActor;
  action: "create" | "update" | "delete";
  /** The dialect's name of what changed: "organization", "profile", "member". */
  resourceType: string;
  resourceId: string;
  method: string;
  uri: string;
  status: number;
  request?: unknown;
  response?: unknown;
}

export interface AuditQuery {
  backend: string;
  orgId: string;
  /** Inclusive lower and exclusive upper bound of `time` (ISO 8601). */
  since?: string;
  before?: string;
  resourceId?: string;
}

export interface OrgQuery {
  backend: string;
  /** Each entry is a set the id must belong to (intersection of all). */
  idSets?: string[][];
  /** `null` means root organizations only; `undefined` means no parent filter. */
  parentId?: string | null;
  /** Case-insensitive name filters (compared on the folded name). */
  nameContains?: string;
  nameStartsWith?: string;
  nameEndsWith?: string;
  /** Keyset pagination: only rows created after this sequence number. */
  afterSeq?: number;
  limit?: number;
}

export interface StoreOptions {
  /** File path or `:memory:`. */
  path: string;
  /** Milliseconds a writer waits for another process's lock. */
  busyTimeoutMs?: number;
  /** Each dialect's own migrations (its tables), applied after the core's. */
  dialectMigrations?: ReadonlyArray<{ dialect: string; migrations: readonly Migration[] }>;
}

export interface AccessTokenRow {
  backend: string;
  via: string;
  subject: string;
  createTime: string;
  expiresAt: string;
}

export interface OAuthClientRow {
  clientId: string;
  secretDigest: string;
  ttlSeconds: number | null;
  createTime: string;
}

/** The columns of every stored row, as SQLite gives them. */
interface RawRow {
  backend: string;
  id: string;
  unique_key: string | null;
  document: string;
  create_time: string;
  update_time: string;
  version: number;
  seq: number;
}

interface RawOrg extends RawRow {
  parent_id: string | null;
  name: string;
}

interface RawMember extends RawRow {
  org_id: string;
  email: string;
}

interface RawToken {
  token: string;
  backend: string;
  org_id: string;
  create_time: string;
  expires_at: string;
  name: string | null;
}

interface RawAudit {
  seq: number;
  id: string;
  backend: string;
  time: string;
  org_id: string | null;
  actor: string;
  action: AuditEntry["action"];
  resource_type: string;
  resource_id: string;
  method: string;
  uri: string;
  status: number;
  request: string | null;
  response: string | null;
}

function toAudit(r: RawAudit): AuditEntry {
  return {
    seq: r.seq,
    id: r.id,
    backend: r.backend,
    time: r.time,
    orgId: r.org_id,
    actor: JSON.parse(r.actor) as AuditActor,
    action: r.action,
    resourceType: r.resource_type,
    resourceId: r.resource_id,
    method: r.method,
    uri: r.uri,
    status: r.status,
    ...(r.request !== null ? { request: JSON.parse(r.request) as unknown } : {}),
    ...(r.response !== null ? { response: JSON.parse(r.response) as unknown } : {}),
  };
}

/** Thrown when a write would break a dialect's uniqueness key. */
export class UniqueViolation extends Error {
  constructor(readonly table: "organizations" | "members", readonly uniqueKey: string | null) {
    super(`unique key already taken in ${table}`);
    this.name = "UniqueViolation";
  }
}

const fold = (s: string): string => s.toLowerCase();

function fromRawRow(r: RawRow): StoredRow {
  return {
    backend: r.backend,
    id: r.id,
    uniqueKey: r.unique_key,
    document: JSON.parse(r.document) as JsonObject,
    createTime: r.create_time,
    updateTime: r.update_time,
    version: r.version,
    seq: r.seq,
  };
}

const toOrg = (r: RawOrg): OrgRow => ({ ...fromRawRow(r), parentId: r.parent_id, name: r.name });

const toMember = (r: RawMember): MemberRow => ({ ...fromRawRow(r), orgId: r.org_id, email: r.email });

function toToken(r: RawToken): TokenRow {
  return { token: r.token, backend: r.backend, orgId: r.org_id, createTime: r.create_time, expiresAt: r.expires_at, name: r.name };
}

/** SQLite could not write the file (its permissions, its directory's, a read-only mount). */
function isReadOnlyError(err: unknown): boolean {
  const code = (err as { code?: string })?.code ?? "";
  return code.startsWith("SQLITE_READONLY") || code.startsWith("SQLITE_CANTOPEN") || code.startsWith("SQLITE_PERM");
}

export function readOnlyMessage(path: string): string {
  return `the emulator database ${path} cannot be written (a read-only file, directory or mount): make it writable, or start with another --db`;
}

function isUniqueError(err: unknown): boolean {
  return (err as { code?: string })?.code === "SQLITE_CONSTRAINT_UNIQUE" ||
    (err as { code?: string })?.code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}

export class Store {
  readonly path: string;
  private readonly db: Database.Database;
  private closed = false;
  private readonly statements = new Map<string, Database.Statement>();

  /** Prepared statements are cached: preparing costs more than running most of these queries. */
  private prepare(sql: string): Database.Statement {
    let st = this.statements.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      this.statements.set(sql, st);
    }
    return st;
  }

  constructor(options: StoreOptions) {
    this.path = options.path;
    if (options.path !== ":memory:") mkdirSync(dirname(options.path), { recursive: true });
    this.db = new Database(options.path);
    this.db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    if (options.path !== ":memory:") {
      try {
        this.db.pragma("journal_mode = WAL");
        // A write that changes nothing: SQLite opens a file it may not write read-only without a
        // word, and every write would then fail (a 500 on each). Refuse to start instead.
        this.db.pragma(`user_version = ${this.db.pragma("user_version", { simple: true }) as number}`);
      } catch (err) {
        this.db.close();
        if (isReadOnlyError(err)) throw new Error(readOnlyMessage(options.path));
        throw err;
      }
    }
    // FULL: a transaction acknowledged to a client survives a process crash and a power loss.
    this.db.pragma("synchronous = FULL");
    this.db.pragma("foreign_keys = ON");
    this.migrate();
    for (const d of options.dialectMigrations ?? []) this.migrateDialect(d.dialect, d.migrations);
  }

  /** The raw database, for a dialect's own tables (its migrations created them). */
  get sqlite(): Database.Database {
    return this.db;
  }

  /** Prepared (and cached) statement, for a dialect's own queries. */
  statement(sql: string): Database.Statement {
    return this.prepare(sql);
  }

  private migrateDialect(dialect: string, migrations: readonly Migration[]): void {
    const applied = new Set(
      (this.prepare("SELECT version FROM dialect_migrations WHERE dialect = ?").all(dialect) as { version: number }[]).map((r) => r.version),
    );
    const known = new Set(migrations.map((m) => m.version));
    const unknown = [...applied].filter((v) => !known.has(v));
    if (unknown.length > 0) {
      throw new Error(
        `emulator database ${this.path} has ${dialect} schema version ${Math.max(...unknown)}, newer than this emulator knows; use a newer orgform or another --db`,
      );
    }
    const pending = migrations.filter((m) => !applied.has(m.version));
    if (pending.length === 0) return;
    this.db.transaction(() => {
      for (const m of pending) {
        this.db.exec(m.sql);
        this.prepare("INSERT INTO dialect_migrations (dialect, version, name, applied_at) VALUES (?, ?, ?, ?)").run(dialect, m.version, m.name, new Date().toISOString());
      }
    }).immediate();
  }

  /** Schema version after migrations (the highest applied step). */
  get schemaVersion(): number {
    return this.db.pragma("user_version", { simple: true }) as number;
  }

  private migrate(): void {
    const current = this.db.pragma("user_version", { simple: true }) as number;
    const latest = MIGRATIONS[MIGRATIONS.length - 1].version;
    if (current > latest) {
      throw new Error(
        `emulator database ${this.path} has schema version ${current}, newer than this emulator knows (${latest}); ` +
          "use a newer orgform or another --db",
      );
    }
    const pending = MIGRATIONS.filter((m) => m.version > current);
    if (pending.length === 0) return;
    this.db.transaction(() => {
      for (const m of pending) {
        this.db.exec(m.sql);
        this.db.pragma(`user_version = ${m.version}`);
      }
    }).immediate();
  }

  /** One transaction wrapper, built once (building one per call costs more than a short query). */
  private readonly runInTx = (fn: () => unknown): unknown => fn();
  private txFn?: Database.Transaction<(fn: () => unknown) => unknown>;

  /** Runs `fn` in one `BEGIN IMMEDIATE` transaction; `fn` must not await. */
  tx<T>(fn: () => T): T {
    this.txFn ??= this.db.transaction(this.runInTx);
    return this.txFn.immediate(fn) as T;
  }

  /** Runs read-only `fn` in one deferred transaction (a consistent snapshot, no write lock). */
  read<T>(fn: () => T): T {
    this.txFn ??= this.db.transaction(this.runInTx);
    return this.txFn.deferred(fn) as T;
  }

  private nextSeq(backend: string, table: string): number {
    const name = `seq:${table}:${backend}`;
    this.prepare("INSERT INTO counters (name, value) VALUES (?, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1").run(name);
    return (this.prepare("SELECT value FROM counters WHERE name = ?").get(name) as { value: number }).value;
  }

  // ---- organizations ----------------------------------------------------------------------

  getOrg(backend: string, id: string): OrgRow | undefined {
    const r = this.prepare("SELECT * FROM organizations WHERE backend = ? AND id = ?").get(backend, id) as RawOrg | undefined;
    return r ? toOrg(r) : undefined;
  }

  findOrgByUniqueKey(backend: string, uniqueKey: string): OrgRow | undefined {
    const r = this.prepare("SELECT * FROM organizations WHERE backend = ? AND unique_key = ?").get(backend, uniqueKey) as RawOrg | undefined;
    return r ? toOrg(r) : undefined;
  }

  /** Finds an organization of any backend by id (admin use). */
  findOrgAnyBackend(id: string): OrgRow[] {
    return (this.prepare("SELECT * FROM organizations WHERE id = ? ORDER BY backend").all(id) as RawOrg[]).map(toOrg);
  }

  insertOrg(row: Omit<OrgRow, "seq" | "version" | "updateTime"> & { updateTime?: string }): OrgRow {
    const seq = this.nextSeq(row.backend, "organizations");
    try {
      this.db
        .prepare(
          `INSERT INTO organizations (backend, id, parent_id, name, name_fold, unique_key, document, create_time, update_time, version, seq)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)`,
        )
        .run(row.backend, row.id, row.parentId, row.name, fold(row.name), row.uniqueKey, JSON.stringify(row.document),
          row.createTime, row.updateTime ?? row.createTime, seq);
    } catch (err) {
      if (isUniqueError(err)) throw new UniqueViolation("organizations", row.uniqueKey);
      throw err;
    }
    return this.getOrg(row.backend, row.id)!;
  }

  /** Replaces the mutable columns of an organization; bumps `version`. */
  updateOrg(backend: string, id: string, patch: { parentId: string | null; name: string; uniqueKey: string | null; document: JsonObject; updateTime: string }): OrgRow {
    try {
      const res = this.db
        .prepare(
          `UPDATE organizations SET parent_id = ?, name = ?, name_fold = ?, unique_key = ?, document = ?, update_time = ?, version = version + 1
           WHERE backend = ? AND id = ?`,
        )
        .run(patch.parentId, patch.name, fold(patch.name), patch.uniqueKey, JSON.stringify(patch.document), patch.updateTime, backend, id);
      if (res.changes !== 1) throw new Error(`organization ${backend}/${id} vanished during update`);
    } catch (err) {
      if (isUniqueError(err)) throw new UniqueViolation("organizations", patch.uniqueKey);
      throw err;
    }
    return this.getOrg(backend, id)!;
  }

  deleteOrg(backend: string, id: string): boolean {
    this.prepare("DELETE FROM tokens WHERE backend = ? AND org_id = ?").run(backend, id);
    return this.prepare("DELETE FROM organizations WHERE backend = ? AND id = ?").run(backend, id).changes === 1;
  }

  countChildren(backend: string, id: string): number {
    return (this.prepare("SELECT count(*) AS n FROM organizations WHERE backend = ? AND parent_id = ?").get(backend, id) as { n: number }).n;
  }

  /** The organization and every organization below it. */
  subtreeIds(backend: string, id: string): string[] {
    return (
      this.db
        .prepare(
          // CROSS JOIN keeps sub as the outer loop, so each step looks children up by the parent
          // index; left to itself the planner scanned every organization per step (10,000 below a
          // scoped token: 80 s per request).
          `WITH RECURSIVE sub(id) AS (
             SELECT id FROM organizations WHERE backend = @backend AND id = @id
             UNION SELECT o.id FROM sub CROSS JOIN organizations o ON o.backend = @backend AND o.parent_id = sub.id)
           SELECT id FROM sub`,
        )
        .all({ backend, id }) as { id: string }[]
    ).map((r) => r.id);
  }

  /** The organization and every organization above it, nearest first. */
  ancestryIds(backend: string, id: string): string[] {
    const out: string[] = [];
    const stmt = this.prepare("SELECT parent_id FROM organizations WHERE backend = ? AND id = ?");
    let cur: string | null = id;
    const seen = new Set<string>();
    while (cur !== null && !seen.has(cur)) {
      const r = stmt.get(backend, cur) as { parent_id: string | null } | undefined;
      if (!r) break;
      seen.add(cur);
      out.push(cur);
      cur = r.parent_id;
    }
    return out;
  }

  /** Ids of organizations whose JSON document has `value` in the array at `$.<arrayField>`. */
  orgIdsWithDocumentArrayValue(backend: string, arrayField: string, value: string): string[] {
    return (
      this.db
        .prepare(
          `SELECT o.id FROM organizations o, json_each(o.document, '$.' || ?) j WHERE o.backend = ? AND j.value = ?`,
        )
        .all(arrayField, backend, value) as { id: string }[]
    ).map((r) => r.id);
  }

  private orgWhere(q: OrgQuery): { sql: string; params: unknown[] } {
    const clauses = ["backend = ?"];
    const params: unknown[] = [q.backend];
    for (const set of q.idSets ?? []) {
      clauses.push("id IN (SELECT value FROM json_each(?))");
      params.push(JSON.stringify(set));
    }
    if (q.parentId === null) clauses.push("parent_id IS NULL");
    else if (q.parentId !== undefined) {
      clauses.push("parent_id = ?");
      params.push(q.parentId);
    }
    if (q.nameContains) {
      clauses.push("instr(name_fold, ?) > 0");
      params.push(fold(q.nameContains));
    }
    if (q.nameStartsWith) {
      clauses.push("substr(name_fold, 1, length(?)) = ?");
      params.push(fold(q.nameStartsWith), fold(q.nameStartsWith));
    }
    if (q.nameEndsWith) {
      clauses.push("substr(name_fold, -length(?)) = ?");
      params.push(fold(q.nameEndsWith), fold(q.nameEndsWith));
    }
    return { sql: clauses.join(" AND "), params };
  }

  /** Filtered organizations in creation order, plus the total count of the filter (ignoring the page). */
  queryOrgs(q: OrgQuery): { rows: OrgRow[]; total: number } {
    const where = this.orgWhere(q);
    const total = (this.prepare(`SELECT count(*) AS n FROM organizations WHERE ${where.sql}`).get(...where.params) as { n: number }).n;
    let sql = `SELECT * FROM organizations WHERE ${where.sql}`;
    const params = [...where.params];
    if (q.afterSeq !== undefined) {
      sql += " AND seq > ?";
      params.push(q.afterSeq);
    }
    sql += " ORDER BY seq";
    if (q.limit !== undefined) {
      sql += " LIMIT ?";
      params.push(q.limit);
    }
    const rows = (this.prepare(sql).all(...params) as RawOrg[]).map(toOrg);
    return { rows, total };
  }

  allOrgs(backend?: string): OrgRow[] {
    const rows = backend
      ? this.prepare("SELECT * FROM organizations WHERE backend = ? ORDER BY seq").all(backend)
      : this.prepare("SELECT * FROM organizations ORDER BY backend, seq").all();
    return (rows as RawOrg[]).map(toOrg);
  }

  // ---- members ----------------------------------------------------------------------------

  getMember(backend: string, orgId: string, id: string): MemberRow | undefined {
    const r = this.prepare("SELECT * FROM members WHERE backend = ? AND org_id = ? AND id = ?").get(backend, orgId, id) as RawMember | undefined;
    return r ? toMember(r) : undefined;
  }

  /** A member by its id alone (ids are unique per backend), whatever its organization. */
  memberById(backend: string, id: string): MemberRow | undefined {
    const r = this.prepare("SELECT * FROM members WHERE backend = ? AND id = ?").get(backend, id) as RawMember | undefined;
    return r ? toMember(r) : undefined;
  }

  findMemberByUniqueKey(backend: string, uniqueKey: string): MemberRow | undefined {
    const r = this.prepare("SELECT * FROM members WHERE backend = ? AND unique_key = ?").get(backend, uniqueKey) as RawMember | undefined;
    return r ? toMember(r) : undefined;
  }

  membersOf(backend: string, orgId: string): MemberRow[] {
    return (this.prepare("SELECT * FROM members WHERE backend = ? AND org_id = ? ORDER BY seq").all(backend, orgId) as RawMember[]).map(toMember);
  }

  countMembers(backend: string, orgId: string): number {
    return (this.prepare("SELECT count(*) AS n FROM members WHERE backend = ? AND org_id = ?").get(backend, orgId) as { n: number }).n;
  }

  /** Organization ids having a member with this email (case-insensitive). */
  orgIdsWithMemberEmail(backend: string, email: string): string[] {
    return (
      this.prepare("SELECT DISTINCT org_id FROM members WHERE backend = ? AND lower(email) = lower(?)").all(backend, email) as { org_id: string }[]
    ).map((r) => r.org_id);
  }

  insertMember(row: Omit<MemberRow, "seq" | "version" | "updateTime"> & { updateTime?: string }): MemberRow {
    const seq = this.nextSeq(row.backend, "members");
    try {
      this.db
        .prepare(
          `INSERT INTO members (backend, id, org_id, email, unique_key, document, create_time, update_time, version, seq)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?)`,
        )
        .run(row.backend, row.id, row.orgId, row.email, row.uniqueKey, JSON.stringify(row.document), row.createTime,
          row.updateTime ?? row.createTime, seq);
    } catch (err) {
      if (isUniqueError(err)) throw new UniqueViolation("members", row.uniqueKey);
      throw err;
    }
    return this.getMember(row.backend, row.orgId, row.id)!;
  }

  updateMember(backend: string, id: string, patch: { email: string; uniqueKey: string | null; document: JsonObject; updateTime: string }): MemberRow {
    try {
      this.db
        .prepare("UPDATE members SET email = ?, unique_key = ?, document = ?, update_time = ?, version = version + 1 WHERE backend = ? AND id = ?")
        .run(patch.email, patch.uniqueKey, JSON.stringify(patch.document), patch.updateTime, backend, id);
    } catch (err) {
      if (isUniqueError(err)) throw new UniqueViolation("members", patch.uniqueKey);
      throw err;
    }
    const r = this.prepare("SELECT * FROM members WHERE backend = ? AND id = ?").get(backend, id) as RawMember;
    return toMember(r);
  }

  deleteMember(backend: string, id: string): boolean {
    return this.prepare("DELETE FROM members WHERE backend = ? AND id = ?").run(backend, id).changes === 1;
  }

  allMembers(backend?: string): MemberRow[] {
    const rows = backend
      ? this.prepare("SELECT * FROM members WHERE backend = ? ORDER BY seq").all(backend)
      : this.prepare("SELECT * FROM members ORDER BY backend, seq").all();
    return (rows as RawMember[]).map(toMember);
  }

  // ---- scoped tokens ----------------------------------------------------------------------

  insertToken(row: TokenRow): TokenRow {
    this.db
      .prepare("INSERT INTO tokens (token, backend, org_id, create_time, expires_at, name) VALUES (?, ?, ?, ?, ?, ?)")
      .run(row.token, row.backend, row.orgId, row.createTime, row.expiresAt, row.name ?? null);
    return row;
  }

  getToken(token: string): TokenRow | undefined {
    const r = this.prepare("SELECT * FROM tokens WHERE token = ?").get(token) as RawToken | undefined;
    return r ? toToken(r) : undefined;
  }

  allTokens(): TokenRow[] {
    return (this.prepare("SELECT * FROM tokens ORDER BY create_time").all() as RawToken[]).map(toToken);
  }

  deleteToken(token: string): boolean {
    return this.prepare("DELETE FROM tokens WHERE token = ?").run(token).changes === 1;
  }

  // ---- issued access tokens and OAuth2 clients ---------------------------------------------

  insertAccessToken(digest: string, row: AccessTokenRow): void {
    this.prepare("DELETE FROM access_tokens WHERE expires_at < ?").run(row.createTime);
    this.prepare("INSERT INTO access_tokens (digest, backend, via, subject, create_time, expires_at) VALUES (?, ?, ?, ?, ?, ?)")
      .run(digest, row.backend, row.via, row.subject, row.createTime, row.expiresAt);
  }

  getAccessToken(digest: string): AccessTokenRow | undefined {
    const r = this.prepare("SELECT * FROM access_tokens WHERE digest = ?").get(digest) as
      | { backend: string; via: string; subject: string; create_time: string; expires_at: string }
      | undefined;
    return r && { backend: r.backend, via: r.via, subject: r.subject, createTime: r.create_time, expiresAt: r.expires_at };
  }

  deleteAccessToken(digest: string): boolean {
    return this.prepare("DELETE FROM access_tokens WHERE digest = ?").run(digest).changes === 1;
  }

  /** Revokes every issued access token (of one backend, or all): clients must obtain new ones. */
  deleteAccessTokens(backend?: string): number {
    return (backend ? this.prepare("DELETE FROM access_tokens WHERE backend = ?").run(backend) : this.prepare("DELETE FROM access_tokens").run()).changes;
  }

  upsertOAuthClient(row: OAuthClientRow): void {
    this.prepare(
      `INSERT INTO oauth_clients (client_id, secret_digest, ttl_seconds, create_time) VALUES (?, ?, ?, ?)
       ON CONFLICT(client_id) DO UPDATE SET secret_digest = excluded.secret_digest, ttl_seconds = excluded.ttl_seconds`,
    ).run(row.clientId, row.secretDigest, row.ttlSeconds, row.createTime);
  }

  getOAuthClient(clientId: string): OAuthClientRow | undefined {
    const r = this.prepare("SELECT * FROM oauth_clients WHERE client_id = ?").get(clientId) as
      | { client_id: string; secret_digest: string; ttl_seconds: number | null; create_time: string }
      | undefined;
    return r && { clientId: r.client_id, secretDigest: r.secret_digest, ttlSeconds: r.ttl_seconds, createTime: r.create_time };
  }

  allOAuthClients(): OAuthClientRow[] {
    return (this.prepare("SELECT * FROM oauth_clients ORDER BY create_time").all() as { client_id: string; secret_digest: string; ttl_seconds: number | null; create_time: string }[]).map(
      (r) => ({ clientId: r.client_id, secretDigest: r.secret_digest, ttlSeconds: r.ttl_seconds, createTime: r.create_time }),
    );
  }

  deleteOAuthClient(clientId: string): boolean {
    return this.prepare("DELETE FROM oauth_clients WHERE client_id = ?").run(clientId).changes === 1;
  }

  // ---- whole store ------------------------------------------------------------------------

  private readonly resetHooks: Array<() => void> = [];

  // ---- audit log ----------------------------------------------------------------------------

  /** Appends an audit entry (inside the write's own transaction, so a failed write leaves none). */
  appendAudit(e: Omit<AuditEntry, "seq">): AuditEntry {
    const r = this.prepare(
      `INSERT INTO audit_log (id, backend, time, org_id, actor, action, resource_type, resource_id, method, uri, status, request, response)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      e.id, e.backend, e.time, e.orgId, JSON.stringify(e.actor), e.action, e.resourceType, e.resourceId, e.method, e.uri, e.status,
      e.request === undefined ? null : JSON.stringify(e.request),
      e.response === undefined ? null : JSON.stringify(e.response),
    );
    return { ...e, seq: Number(r.lastInsertRowid) };
  }

  /** An organization's audit entries in time order (then write order), optionally within [since, before) and for one resource. */
  auditEntries(q: AuditQuery): AuditEntry[] {
    const where = ["backend = ?", "org_id = ?"];
    const args: unknown[] = [q.backend, q.orgId];
    if (q.since !== undefined) (where.push("time >= ?"), args.push(q.since));
    if (q.before !== undefined) (where.push("time < ?"), args.push(q.before));
    if (q.resourceId !== undefined) (where.push("resource_id = ?"), args.push(q.resourceId));
    return (this.prepare(`SELECT * FROM audit_log WHERE ${where.join(" AND ")} ORDER BY time, seq`).all(...args) as RawAudit[]).map(toAudit);
  }

  auditEntry(backend: string, id: string): AuditEntry | undefined {
    const r = this.prepare("SELECT * FROM audit_log WHERE backend = ? AND id = ?").get(backend, id) as RawAudit | undefined;
    return r ? toAudit(r) : undefined;
  }

  /** A dialect's own tables are emptied with the core's on `reset()`. */
  onReset(hook: () => void): void {
    this.resetHooks.push(hook);
  }

  /** Deletes every row (organizations, members, tokens, sequences, the audit log, dialect tables), keeping the schema. */
  reset(): void {
    this.tx(() => {
      this.db.exec("DELETE FROM members; DELETE FROM tokens; DELETE FROM organizations; DELETE FROM counters; DELETE FROM access_tokens; DELETE FROM oauth_clients; DELETE FROM audit_log;");
      for (const hook of this.resetHooks) hook();
    });
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Checkpoints the WAL and closes the file. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.path !== ":memory:") this.db.pragma("wal_checkpoint(TRUNCATE)");
    this.db.close();
  }
}

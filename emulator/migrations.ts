/**
 * Versioned migrations of the emulator's SQLite store. Append only: never edit a released step,
 * add a new one. `store.ts` applies every pending step in one transaction on open and refuses a
 * database written by a newer emulator. These are the core's tables; a dialect's own tables are its
 * `Dialect.migrations`, tracked per dialect in `dialect_migrations`.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "organizations, members, scoped tokens",
    sql: `
      CREATE TABLE organizations (
        backend     TEXT    NOT NULL,
        id          TEXT    NOT NULL,
        parent_id   TEXT,
        name        TEXT    NOT NULL,
        name_fold   TEXT    NOT NULL,
        unique_key  TEXT,
        document    TEXT    NOT NULL DEFAULT '{}',
        create_time TEXT    NOT NULL,
        update_time TEXT    NOT NULL,
        version     INTEGER NOT NULL DEFAULT 1,
        seq         INTEGER NOT NULL,
        PRIMARY KEY (backend, id)
      );
      CREATE UNIQUE INDEX organizations_unique ON organizations (backend, unique_key);
      CREATE UNIQUE INDEX organizations_seq ON organizations (backend, seq);
      CREATE INDEX organizations_parent ON organizations (backend, parent_id);

      CREATE TABLE members (
        backend     TEXT    NOT NULL,
        id          TEXT    NOT NULL,
        org_id      TEXT    NOT NULL,
        email       TEXT    NOT NULL,
        unique_key  TEXT,
        document    TEXT    NOT NULL DEFAULT '{}',
        create_time TEXT    NOT NULL,
        update_time TEXT    NOT NULL,
        version     INTEGER NOT NULL DEFAULT 1,
        seq         INTEGER NOT NULL,
        PRIMARY KEY (backend, id),
        FOREIGN KEY (backend, org_id) REFERENCES organizations (backend, id) ON DELETE RESTRICT
      );
      CREATE UNIQUE INDEX members_unique ON members (backend, unique_key);
      CREATE INDEX members_org ON members (backend, org_id, seq);

      CREATE TABLE tokens (
        token       TEXT PRIMARY KEY,
        backend     TEXT NOT NULL,
        org_id      TEXT NOT NULL,
        create_time TEXT NOT NULL,
        expires_at  TEXT NOT NULL
      );

      CREATE TABLE counters (
        name  TEXT PRIMARY KEY,
        value INTEGER NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: "issued access tokens, OAuth2 clients, per-dialect migrations",
    sql: `
      -- Tokens the emulator issued (OAuth2 client credentials, session logins): only a digest is kept.
      CREATE TABLE access_tokens (
        digest      TEXT PRIMARY KEY,
        backend     TEXT NOT NULL,
        via         TEXT NOT NULL,
        subject     TEXT NOT NULL,
        create_time TEXT NOT NULL,
        expires_at  TEXT NOT NULL
      );
      CREATE INDEX access_tokens_expiry ON access_tokens (expires_at);

      -- OAuth2 clients added through the admin API (start-up clients live in memory).
      CREATE TABLE oauth_clients (
        client_id     TEXT PRIMARY KEY,
        secret_digest TEXT NOT NULL,
        ttl_seconds   INTEGER,
        create_time   TEXT NOT NULL
      );

      CREATE TABLE dialect_migrations (
        dialect    TEXT    NOT NULL,
        version    INTEGER NOT NULL,
        name       TEXT    NOT NULL,
        applied_at TEXT    NOT NULL,
        PRIMARY KEY (dialect, version)
      );
    `,
  },
  {
    version: 3,
    name: "audit log of every write; scoped tokens get a name",
    sql: `
      -- One entry per successful write through a dialect (create, update, delete), naming the
      -- credential's actor. Entries outlive what they describe (no foreign key): "who deleted it".
      CREATE TABLE audit_log (
        seq           INTEGER PRIMARY KEY AUTOINCREMENT,
        id            TEXT    NOT NULL UNIQUE,
        backend       TEXT    NOT NULL,
        time          TEXT    NOT NULL,
        org_id        TEXT,
        actor         TEXT    NOT NULL,
        action        TEXT    NOT NULL,
        resource_type TEXT    NOT NULL,
        resource_id   TEXT    NOT NULL,
        method        TEXT    NOT NULL,
        uri           TEXT    NOT NULL,
        status        INTEGER NOT NULL,
        request       TEXT,
        response      TEXT
      );
      CREATE INDEX audit_log_org ON audit_log (backend, org_id, time);

      ALTER TABLE tokens ADD COLUMN name TEXT;
    `,
  },
];

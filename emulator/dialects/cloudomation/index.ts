import { bearerCredential } from "../../auth";
import type { Dialect, PresentedCredential } from "../../types";
import { failure, fault, fromError, unauthenticated } from "./envelope";
import { COMMITS_TABLE, registerLogin, registerOrganizations, SESSION_COOKIE, USERS_TABLE } from "./organizations";
import { seedCloudomation } from "./seed";
import { BACKEND } from "./wire";

export { SESSION_COOKIE } from "./organizations";

/**
 * Cloudomation Engine (document 000, Version 7) at `/cloudomation/api/latest`: one workspace's REST
 * API, of which the emulator serves many at one URL, faithful to Cloudomation's own client of it
 * (devstack-cli 12.0.1): `GET /alive` before login; `POST /auth/login` with `{user_name,
 * password}` answers 200 with the user as JSON and a session cookie, sent back as `Cookie:
 * token=…`; the emulator's API token is also accepted as `Authorization: Bearer` (an emulator
 * convention). Organizations are read and patched, never created or deleted.
 */
export const cloudomation: Dialect = {
  name: BACKEND,
  prefix: "/cloudomation/api/latest",

  migrations: [
    {
      version: 1,
      name: "cloudomation workspace users and commit messages",
      sql: `
        CREATE TABLE ${USERS_TABLE} (
          user_name       TEXT PRIMARY KEY,
          org_id          TEXT NOT NULL,
          password_digest TEXT NOT NULL
        );
        CREATE TABLE ${COMMITS_TABLE} (
          seq     INTEGER PRIMARY KEY AUTOINCREMENT,
          org_id  TEXT NOT NULL,
          message TEXT,
          time    TEXT NOT NULL
        );
      `,
    },
  ],

  reset(store) {
    store.statement(`DELETE FROM ${USERS_TABLE}`).run();
    store.statement(`DELETE FROM ${COMMITS_TABLE}`).run();
  },

  readCredential(req): PresentedCredential | null | "malformed" {
    const bearer = bearerCredential(req.headers.authorization);
    if (bearer) return bearer;
    const cookie = req.headers.cookie;
    if (typeof cookie !== "string") return null;
    const session = cookie
      .split(";")
      .map((c) => c.trim().split("="))
      .find(([name]) => name === SESSION_COOKIE);
    if (!session) return null;
    return session[1] ? { kind: "bearer", token: decodeURIComponent(session.slice(1).join("=")) } : "malformed";
  },

  errors: {
    unauthenticated,
    rateLimited: () => failure(429, "too many requests"),
    fault,
    noRoute: (method, path) => failure(404, `no route ${method} ${path}`),
    fromError,
  },

  rateLimitHeaders(state) {
    return { "x-ratelimit-limit": String(state.config.burst), "x-ratelimit-remaining": String(state.remaining) };
  },

  publicRoutes: registerLogin,
  routes: registerOrganizations,
  seed: seedCloudomation,

  describeCredentials(creds, baseUrl) {
    return [
      `POST ${baseUrl}/cloudomation/api/latest/auth/login {"user_name": "${creds.userName}", "password": "${creds.password}"} (200, session cookie "${SESSION_COOKIE}")`,
      `Authorization: Bearer ${creds.apiToken}`,
    ];
  },
};

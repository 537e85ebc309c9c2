import { startEmulator, type StartOptions, type StartedEmulator } from "../../emulator";
import { DEFAULT_CREDENTIALS } from "../../emulator/types";
import { afterAll, beforeAll, beforeEach, expect } from "vitest";
import { OrgformError } from "../../provider/core/errors";

/** Helpers of the emulator's integration tests: real HTTP on 127.0.0.1, random port. */

export const TOKEN = DEFAULT_CREDENTIALS.apiToken;
export const ADMIN = DEFAULT_CREDENTIALS.adminToken;

export type Auth =
  | { bearer: string }
  | { email: string; key: string }
  | { headers: Record<string, string> }
  | null;

export interface Answer<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export async function call<T = any>(base: string, method: string, path: string, opts: { auth?: Auth; body?: unknown; rawBody?: string; contentType?: string } = {}): Promise<Answer<T>> {
  const headers: Record<string, string> = {};
  const auth = opts.auth === undefined ? { bearer: TOKEN } : opts.auth;
  if (auth && "bearer" in auth) headers.authorization = `Bearer ${auth.bearer}`;
  else if (auth && "email" in auth) {
    headers["x-auth-email"] = auth.email;
    headers["x-auth-key"] = auth.key;
  } else if (auth && "headers" in auth) Object.assign(headers, auth.headers);
  let body: string | undefined;
  if (opts.rawBody !== undefined) body = opts.rawBody;
  else if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined) headers["content-type"] = opts.contentType ?? "application/json";
  const res = await fetch(base + path, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text === "" ? undefined : JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, headers: res.headers, body: parsed as T };
}

/** A controllable clock for TTLs and token buckets. */
export class Clock {
  constructor(public ms = Date.parse("2026-01-01T00:00:00.000Z")) {}
  now = (): Date => new Date(this.ms);
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

export interface TestEmulator extends StartedEmulator {
  cf: string;
  /** Cloudflare dialect call with the full-access token unless `auth` says otherwise. */
  api<T = any>(method: string, path: string, opts?: { auth?: Auth; body?: unknown; rawBody?: string; contentType?: string }): Promise<Answer<T>>;
  admin<T = any>(method: string, path: string, body?: unknown): Promise<Answer<T>>;
  /** Creates an organization and returns its wire object. */
  org(fields: { name: string; parent?: string; profile?: Record<string, string> }): Promise<any>;
  /** Adds a member as the public API takes it (`{member: {user: {email}, status?}}`) and returns the answer. */
  addMember<T = any>(orgId: string, email: string, status?: string, opts?: { auth?: Auth }): Promise<Answer<T>>;
}

/**
 * One emulator for a test file: started before its tests, closed after them, its data reset before
 * each test. The object is filled in place once it has started, so it is usable from the first test.
 */
export function useTestEmulator(options: StartOptions = {}): TestEmulator {
  const emu = {} as TestEmulator;
  beforeAll(async () => {
    Object.assign(emu, await startTestEmulator(options));
  });
  afterAll(async () => {
    await emu.close();
  });
  beforeEach(async () => {
    await emu.admin("POST", "/reset");
  });
  return emu;
}

export async function startTestEmulator(options: StartOptions = {}): Promise<TestEmulator> {
  const emu = await startEmulator({ port: 0, host: "127.0.0.1", ...options });
  const cf = emu.baseUrls.cloudflare;
  const t: TestEmulator = {
    ...emu,
    cf,
    api: (method, path, opts) => call(cf, method, path, opts),
    admin: (method, path, body) => call(emu.url + "/_admin", method, path, { auth: { bearer: ADMIN }, body }),
    async org(fields) {
      const res = await call(cf, "POST", "/organizations", {
        body: anOrganization(fields),
      });
      if (res.status !== 200) throw new Error(`creating ${fields.name}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.result;
    },
    addMember: (orgId, email, status, opts) =>
      call(cf, "POST", `/organizations/${orgId}/members`, { ...opts, body: { member: { user: { email }, ...(status !== undefined ? { status } : {}) } } }),
  };
  return t;
}

/** Builder of a POST /organizations body. */
export function anOrganization(fields: { name: string; parent?: string; profile?: Record<string, string> }): Record<string, unknown> {
  return {
    name: fields.name,
    ...(fields.parent ? { parent: { id: fields.parent } } : {}),
    ...(fields.profile ? { profile: fields.profile } : {}),
  };
}

/** Builder of a complete profile. */
export function aProfile(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    business_address: "1 Main Street, Springfield",
    business_email: "billing@acme.test",
    business_name: "Acme Inc.",
    business_phone: "+1 555 0100",
    external_metadata: "orgform:test",
    ...overrides,
  };
}

/** The Cloudflare failure envelope's first error code. */
export const codeOf = (a: Answer): number | undefined => a.body?.errors?.[0]?.code;

/** Resolves to the OrgformError the promise rejects with (fails the test on an answer). */
export async function rejection(p: Promise<unknown>): Promise<OrgformError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(OrgformError);
    return err as OrgformError;
  }
  throw new Error("expected a rejection, got an answer");
}

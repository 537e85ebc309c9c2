// The vendor's own clients against the emulator: @commercelayer/js-auth 7.4.2 logs in with client
// credentials, @commercelayer/provisioning-sdk 2.10.2 makes every call it has on organizations,
// memberships, membership profiles, application memberships, roles, permissions, api credentials,
// versions and the user (devDependencies, pinned); identity providers (single sign-on) aside.
// Both build the vendor's URLs themselves (`https://auth.commercelayer.io/oauth/token`,
// `https://provisioning.commercelayer.io/api/...`): the SDK's `fetch` option, and for js-auth (which
// has none) the global `fetch` while the tests run, rewrite only the origin. Every answer is checked
// against the SDK's own declarations read at run time (test/support/sdk-types.ts): a required
// attribute missing, a value of another type or an enum value the SDK does not know fails.
import { authenticate } from "@commercelayer/js-auth";
import { CommerceLayerProvisioning, type CommerceLayerProvisioningClient, type QueryFilter } from "@commercelayer/provisioning-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type StartedEmulator } from "../../emulator";
import { departures, optionalKeys, requiredKeys } from "../support/sdk-types";

const VENDOR_API = "https://provisioning.commercelayer.io";
const VENDOR_AUTH = "https://auth.commercelayer.io";

let emu: StartedEmulator;
let cl: CommerceLayerProvisioningClient;
/** Every URL the SDK asked for, as it built it (before the origin is rewritten). */
const asked: string[] = [];
const realFetch = globalThis.fetch;

/** js-auth's login, as its README shows it for a provisioning application. */
const login = (clientId: string, clientSecret: string) => authenticate("client_credentials", { clientId, clientSecret });

beforeAll(async () => {
  emu = await startEmulator({ port: 0, host: "127.0.0.1", db: ":memory:" });
  const origin = emu.url;
  globalThis.fetch = (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    return realFetch(url.startsWith(VENDOR_AUTH) ? url.replace(VENDOR_AUTH, `${origin}/commercelayer`) : input, init);
  };
  const client = emu.credentials.oauthClients[0];
  const auth = await login(client.clientId, client.clientSecret);
  if (auth.errors) throw new Error(`js-auth could not log in: ${JSON.stringify(auth.errors)}`);
  cl = CommerceLayerProvisioning({
    accessToken: auth.accessToken,
    fetch: (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      asked.push(url);
      return realFetch(url.replace(VENDOR_API, `${origin}/commercelayer`), init);
    },
  });
});
afterAll(async () => {
  globalThis.fetch = realFetch;
  await emu?.close();
});

/** The SDK's error for a refused call: status and JSON:API error objects. */
async function refusal(p: Promise<unknown>): Promise<{ status: number; errors: any[]; apiError: boolean }> {
  try {
    await p;
  } catch (err) {
    const e = err as { status?: number; errors?: any[] };
    return { status: e.status ?? 0, errors: e.errors ?? [], apiError: cl.isApiError(err) };
  }
  throw new Error("expected the SDK call to be refused");
}

/** The answer as the SDK's interface declares it; a list, each of its items. */
function conforms<A extends object>(name: string, answer: A | null): A {
  expect(answer).not.toBeNull();
  const items: unknown[] = Array.isArray(answer) ? answer : [answer];
  for (const item of items) expect(departures(name, item as Record<string, unknown>), `${name} ${JSON.stringify(item).slice(0, 200)}`).toEqual([]);
  return answer as A;
}

let seq = 0;
const unique = (label: string) => `SDK ${label} ${++seq}`;

describe("logging in with @commercelayer/js-auth", () => {
  it("gets a bearer token in js-auth's shape, with the provisioning scope", async () => {
    const client = emu.credentials.oauthClients[0];
    const auth = await login(client.clientId, client.clientSecret);
    expect(auth.errors).toBeUndefined();
    expect(auth).toMatchObject({ tokenType: "bearer", scope: "provisioning-api", accessToken: expect.any(String), expiresIn: expect.any(Number), createdAt: expect.any(Number) });
    expect(auth.expires.getTime()).toBeGreaterThan(Date.now());
  });

  it.each([
    { what: "a wrong secret", id: () => emu.credentials.oauthClients[0].clientId, secret: "not-the-secret" },
    { what: "an unknown client", id: () => "nobody-at-all", secret: "whatever" },
  ])("fails visibly with $what: js-auth returns the auth API's errors and no token", async ({ id, secret }) => {
    const auth = await login(id(), secret);
    expect(auth.errors).toEqual([
      { title: "invalid_client", code: "UNAUTHORIZED", status: 401, detail: expect.stringContaining("Client authentication failed"), meta: {} },
    ]);
    expect(auth).not.toHaveProperty("accessToken");
    expect(JSON.stringify(auth)).not.toContain(secret);
  });

  it("is refused by the provisioning API with a token it never issued (401 INVALID_TOKEN)", async () => {
    const err = await refusal(cl.organizations.list({}, { accessToken: "not-a-token-at-all" }));
    expect(err).toMatchObject({ status: 401, apiError: true });
    expect(err.errors[0].code).toBe("INVALID_TOKEN");
  });
});

describe("the checks against the SDK's declarations", () => {
  it("count the Organization's 54 always-present keys and 17 optional ones", () => {
    expect(requiredKeys("Organization")).toHaveLength(54);
    expect(optionalKeys("Organization")).toHaveLength(17);
    expect(requiredKeys("Organization")).toEqual(expect.arrayContaining(["id", "type", "created_at", "updated_at", "api_rules_engine", "orders_autorefresh_cutoff_live"]));
  });

  it("fail on a missing required attribute, an unknown enum value, a wrong type and an undeclared key", async () => {
    const org = await cl.organizations.create({ name: unique("checked") });
    const { api_rules_engine: _gone, ...missing } = org;
    expect(departures("Organization", { ...missing, discount_disabled: false, can_switch_live: "no" })).toEqual([
      'Organization.can_switch_live: "no" is not a boolean (declared boolean)',
      "Organization.api_rules_engine: missing (required by the SDK)",
      "Organization.discount_disabled: not declared by the SDK",
    ]);
    expect(departures("Membership", { id: "x", type: "memberships", created_at: "", updated_at: "", user_email: "a@b.c", user_first_name: "", user_last_name: "", status: "invited", owner: false, test_enabled: true })).toEqual([
      `Membership.status: "invited" is not one of 'pending', 'active' (declared 'pending' | 'active')`,
    ]);
  });
});

describe("organizations", () => {
  it("create, retrieve, update and list answer every attribute the SDK declares, none it does not", async () => {
    const created = conforms("Organization", await cl.organizations.create({ name: "The Blue Brand", primary_color: "#C8984E", region: "us-east-1", metadata: { foo: "bar" }, config: { mfe: { language: "it-IT" } } }));
    expect(created).toMatchObject({ type: "organizations", name: "The Blue Brand", slug: "the-blue-brand", domain: "the-blue-brand.commercelayer.io", region: "us-east-1", metadata: { foo: "bar" } });
    expect(created).toMatchObject({ api_rules_engine: false, api_max_regex_length: 5000, orders_invalid_coupon_errors: true, promotions_max_concurrent_count: 10, external_prices_errors: true });
    const retrieved = conforms("Organization", await cl.organizations.retrieve(created.id));
    expect(retrieved.primary_color).toBe("#C8984E");
    const updated = conforms("Organization", await cl.organizations.update({ id: created.id, support_email: "support@bluebrand.com", contrast_color: "#FFFFCC", reference: "ERP-1", reference_origin: "sap" }));
    expect(updated).toMatchObject({ support_email: "support@bluebrand.com", contrast_color: "#FFFFCC", primary_color: "#C8984E", region: "us-east-1", reference: "ERP-1" });
    conforms("Organization", await cl.organizations.list());
    expect(asked.some((u) => u.startsWith(`${VENDOR_API}/api/organizations`))).toBe(true);
  });

  it("create takes include: the new organization's roles, permissions, memberships and api credentials", async () => {
    const created = conforms("Organization", await cl.organizations.create({ name: unique("Included") }, { include: ["roles", "memberships", "permissions", "api_credentials"] }));
    expect(created.roles?.map((r) => [r.name, r.kind])).toEqual([
      ["Admin", "admin"],
      ["Read only", "read_only"],
    ]);
    conforms("Role", created.roles!);
    conforms("Permission", created.permissions!);
    expect(created.memberships).toEqual([]);
    expect(created.api_credentials).toEqual([]);
    // An include the resource does not have is refused before anything is written.
    const err = await refusal(cl.organizations.create({ name: "Never Created Brand" }, { include: ["owner" as never] }));
    expect(err.status).toBe(400);
    expect(await cl.organizations.count({ filters: { name_eq: "Never Created Brand" } })).toBe(0);
  });

  it("refuses an invalid colour with a 422 JSON:API error naming it, as the SDK's README shows", async () => {
    const err = await refusal(cl.organizations.create({ name: "Bad Colour Brand", primary_color: "blue" }));
    expect(err.status).toBe(422);
    expect(err.errors[0]).toMatchObject({ code: "VALIDATION_ERROR", status: "422", title: expect.any(String), detail: expect.stringContaining("primary_color"), source: { pointer: "/data/attributes/primary_color" }, meta: { error: "invalid" } });
    expect(await cl.organizations.count({ filters: { name_eq: "Bad Colour Brand" } })).toBe(0);
  });

  it("lists with the README's filters, sorts and pages", async () => {
    const prefix = unique("Market");
    const before = new Date(Date.now() - 1000).toISOString();
    for (const name of [`${prefix} Red`, `${prefix} Red Outlet`, `${prefix} Green`]) await cl.organizations.create({ name, metadata: { colour: name.endsWith("Green") ? "green" : "red", tier: 1 } });
    expect([...(await cl.organizations.list({ filters: { name_eq: `${prefix} Red` } }))].map((o) => o.name)).toEqual([`${prefix} Red`]);
    expect(await cl.organizations.count({ filters: { name_start: prefix } })).toBe(3);
    expect(await cl.organizations.count({ filters: { name_start: prefix, name_end: "Outlet" } })).toBe(1);
    expect(await cl.organizations.count({ filters: { name_start: prefix, name_cont: "red" } })).toBe(2);
    expect(await cl.organizations.count({ filters: { name_start: prefix, updated_at_or_created_at_gt: before } })).toBe(3);
    expect(await cl.organizations.count({ filters: { name_start: prefix, created_at_gt: before, created_at_lt: "2000-01-01" } })).toBe(0);
    expect(await cl.organizations.count({ filters: { name_start: prefix, metadata_jcont: { colour: "red" } } })).toBe(2);
    expect(await cl.organizations.count({ filters: { name_start: prefix, metadata_jcont: { colour: "red", tier: 2 } } })).toBe(0);
    expect(await cl.organizations.count({ filters: { name_in: [`${prefix} Red`, `${prefix} Green`] } })).toBe(2);
    expect(await cl.organizations.count({ filters: { name_start_any: [`${prefix} Red`, `${prefix} Gr`] } })).toBe(3);
    const sorted = await cl.organizations.list({ filters: { name_start: prefix }, sort: { name: "desc" }, pageSize: 2, pageNumber: 1 });
    expect([...sorted].map((o) => o.name)).toEqual([`${prefix} Red Outlet`, `${prefix} Red`]);
    expect(sorted.getRecordCount()).toBe(3);
    expect(sorted.getPageCount()).toBe(2);
    expect(sorted.hasNextPage()).toBe(true);
    const byDate = await cl.organizations.list({ filters: { name_start: prefix }, sort: { created_at: "asc" } });
    expect(byDate.first()?.name).toBe(`${prefix} Red`);
  });

  it("refuses what the API does not know: an unknown filter, a scalar predicate on metadata, a sort it does not take", async () => {
    const refused: QueryFilter[] = [{ nickname_eq: "x" }, { name_sounds_like: "x" }, { metadata_eq: "x" }, { name_jcont: { a: 1 } }];
    for (const filters of refused) {
      const err = await refusal(cl.organizations.list({ filters }));
      expect(err.status, JSON.stringify(filters)).toBe(400);
      expect(err.errors[0]).toMatchObject({ code: "FILTER_NOT_ALLOWED", status: "400", source: { parameter: expect.stringMatching(/^filter\[q\]\[/) } });
    }
    const err = await refusal(cl.organizations.list({ sort: { support_phone: "asc" } as never }));
    expect(err.errors[0].code).toBe("SORT_NOT_ALLOWED");
  });

  it("answers sparse fieldsets, of the listed type and of an included one", async () => {
    const org = await cl.organizations.create({ name: unique("Sparse") });
    const perms = await cl.permissions.list({ filters: { organization_id_eq: org.id }, fields: { permissions: ["can_create", "can_update"] } });
    expect(perms.length).toBeGreaterThan(0);
    for (const p of perms) expect(Object.keys(p).sort()).toEqual(["can_create", "can_update", "id", "type"]);
    const roles = await cl.roles.list({ filters: { organization_id_eq: org.id }, include: ["organization"], fields: { organizations: ["name"] } });
    expect(roles.first()?.organization).toEqual({ id: org.id, type: "organizations", name: org.name });
  });

  it("transfers the ownership to another member (PATCH .../transfer_ownership), refusing an email that is no member's", async () => {
    const org = await cl.organizations.create({ name: unique("Owned") });
    const [admin] = await cl.organizations.roles(org.id, { filters: { kind_eq: "admin" } });
    const first = await cl.memberships.create({ user_email: "first@owned.example", organization: cl.organizations.relationship(org.id), role: cl.roles.relationship(admin.id) });
    const second = await cl.memberships.create({ user_email: "second@owned.example", organization: cl.organizations.relationship(org.id), role: cl.roles.relationship(admin.id) });
    await cl.organizations.transfer_ownership(org.id, { type: "organizations", id: org.id, new_owner_email: "first@owned.example" });
    await cl.organizations.transfer_ownership(org, { type: "organizations", id: org.id, new_owner_email: "second@owned.example" });
    expect(asked.at(-1)).toBe(`${VENDOR_API}/api/organizations/${org.id}/transfer_ownership`);
    expect((await cl.memberships.retrieve(first.id)).owner).toBe(false);
    expect((await cl.memberships.retrieve(second.id)).owner).toBe(true);
    const owners = conforms("Membership", await cl.organizations.memberships(org.id, { filters: { owner_true: true } }));
    expect([...owners].map((m) => m.user_email)).toEqual(["second@owned.example"]);
    const err = await refusal(cl.organizations.transfer_ownership(org.id, { type: "organizations", id: org.id, new_owner_email: "stranger@owned.example" }));
    expect(err.status).toBe(422);
    expect(err.errors[0].source.pointer).toBe("/data/attributes/new_owner_email");
    // The owner's membership cannot be deleted.
    expect((await refusal(cl.memberships.delete(second.id))).status).toBe(422);
  });
});

describe("roles, permissions and their relationships", () => {
  it("lists an organization's standard roles and their base permissions; filters roles by the organization's name (README)", async () => {
    const name = unique("ORG Roles");
    const org = await cl.organizations.create({ name });
    const roles = conforms("Role", await cl.organizations.roles(org.id));
    expect([...roles].map((r) => r.kind)).toEqual(["admin", "read_only"]);
    const admins = conforms("Role", await cl.roles.list({ filters: { name_cont: "Admin", organization_name_start: name } }));
    expect([...admins].map((r) => r.id)).toEqual([roles[0].id]);
    expect(await cl.roles.count({ filters: { organization_name_start: name } })).toBe(2);
    const perms = conforms("Permission", await cl.organizations.permissions(org.id));
    expect(perms.length).toBeGreaterThan(0);
    const readOnly = conforms("Permission", await cl.roles.permissions(roles[1].id, { filters: { can_read_true: true } }));
    expect([...readOnly].every((p) => !p.can_create && !p.can_update && !p.can_destroy)).toBe(true);
    expect(conforms("Organization", await cl.roles.organization(roles[0].id)).id).toBe(org.id);
    conforms("Role", await cl.roles.retrieve(roles[0].id, { include: ["organization", "permissions"] }));
  });

  it("creates and updates a custom role, adds its missing base permissions, and gives it permissions of its own", async () => {
    const org = await cl.organizations.create({ name: unique("Custom") });
    const role = conforms("Role", await cl.roles.create({ name: "Merchandiser", organization: cl.organizations.relationship(org.id), reference: "HR-7" }));
    expect(role).toMatchObject({ name: "Merchandiser", kind: "custom", reference: "HR-7" });
    expect((await cl.roles.permissions(role.id)).length).toBe(0);
    const renamed = conforms("Role", await cl.roles.update({ id: role.id, name: "Merchandisers" }));
    expect(renamed.name).toBe("Merchandisers");
    conforms("Role", await cl.roles._add_missing_base_permissions(role.id));
    const base = conforms("Permission", await cl.roles.permissions(role.id));
    expect(base.length).toBeGreaterThan(0);
    expect(base.every((p) => p.can_read)).toBe(true);

    const perm = conforms("Permission", await cl.permissions.create({ can_create: true, can_read: true, can_update: false, can_destroy: false, subject: "exports", role: cl.roles.relationship(role.id) }));
    expect(perm).toMatchObject({ subject: "exports", can_create: true, can_update: false });
    const changed = conforms("Permission", await cl.permissions.update({ id: perm.id, can_update: true }));
    expect(changed.can_update).toBe(true);
    conforms("Permission", await cl.permissions.retrieve(perm.id));
    expect(conforms("Role", await cl.permissions.role(perm.id)).id).toBe(role.id);
    expect(conforms("Organization", await cl.permissions.organization(perm.id)).id).toBe(org.id);
    const history = conforms("Version", await cl.permissions.versions(perm.id));
    expect([...history].map((v) => v.event)).toEqual(["create", "update"]);
    expect(history.last()?.changes).toEqual({ can_update: [false, true] });
    expect(await cl.permissions.count({ filters: { role_id_eq: role.id, subject_eq: "exports" } })).toBe(1);
    conforms("Permission", await cl.permissions.list({ filters: { organization_id_eq: org.id } }));

    const roleHistory = conforms("Version", await cl.roles.versions(role.id));
    expect([...roleHistory].map((v) => [v.event, v.resource_type])).toEqual([
      ["create", "roles"],
      ["update", "roles"],
    ]);
    conforms("Version", await cl.versions.retrieve(roleHistory[0].id));
    expect(await cl.versions.count({ filters: { resource_id_eq: role.id } })).toBe(2);
    conforms("Version", await cl.versions.list({ filters: { resource_type_eq: "permissions" } }));
  });

  it("refuses a permission on a standard role, a duplicate subject and a missing right (422)", async () => {
    const org = await cl.organizations.create({ name: unique("Refused perms") });
    const [admin] = await cl.organizations.roles(org.id);
    const onAdmin = await refusal(cl.permissions.create({ can_create: true, can_read: true, can_update: true, can_destroy: true, subject: "exports", role: cl.roles.relationship(admin.id) }));
    expect(onAdmin.status).toBe(422);
    expect(onAdmin.errors[0].source.pointer).toBe("/data/relationships/role");
    const role = await cl.roles.create({ name: "Auditor", organization: cl.organizations.relationship(org.id) });
    await cl.permissions.create({ can_create: false, can_read: true, can_update: false, can_destroy: false, subject: "orders", role: cl.roles.relationship(role.id) });
    const duplicate = await refusal(cl.permissions.create({ can_create: false, can_read: true, can_update: false, can_destroy: false, subject: "orders", role: cl.roles.relationship(role.id) }));
    expect(duplicate.errors.map((e) => e.source.pointer)).toEqual(["/data/attributes/subject"]);
    const missing = await refusal(cl.permissions.create({ can_read: true, subject: "skus", role: cl.roles.relationship(role.id) } as never));
    expect(missing.errors.map((e) => e.source.pointer)).toEqual(["/data/attributes/can_create", "/data/attributes/can_update", "/data/attributes/can_destroy"]);
    const blank = await refusal(cl.roles.create({ name: "", organization: cl.organizations.relationship(org.id) }));
    expect(blank.errors[0]).toMatchObject({ code: "VALIDATION_ERROR", source: { pointer: "/data/attributes/name" }, meta: { error: "blank" } });
  });
});

describe("memberships", () => {
  it("creates, reads through every relationship, updates, resends and deletes a membership", async () => {
    const org = await cl.organizations.create({ name: unique("Membership") });
    const roles = await cl.organizations.roles(org.id);
    const [admin, readOnly] = [roles.find((r) => r.kind === "admin")!, roles.find((r) => r.kind === "read_only")!];
    const m = conforms("Membership", await cl.memberships.create({ user_email: "ada@membership.example", access_scope: "test_access", organization: cl.organizations.relationship(org.id), role: cl.roles.relationship(admin.id) }));
    expect(m).toMatchObject({ type: "memberships", user_email: "ada@membership.example", status: "pending", owner: false, access_scope: "test_access", test_enabled: true });
    conforms("Membership", await cl.memberships.retrieve(m.id, { include: ["organization", "role"] }));
    expect(conforms("Role", await cl.memberships.role(m.id)).id).toBe(admin.id);
    expect(conforms("Organization", await cl.memberships.organization(m.id)).id).toBe(org.id);
    expect([...(await cl.memberships.application_memberships(m.id))]).toEqual([]);
    expect(await cl.memberships.membership_profile(m.id)).toBeNull();
    const listed = conforms("Membership", await cl.organizations.memberships(org.id, { include: ["role"] }));
    expect([...listed].map((x) => [x.user_email, x.role?.name])).toEqual([["ada@membership.example", "Admin"]]);
    expect(await cl.memberships.count({ filters: { organization_id_eq: org.id } })).toBe(1);
    expect(await cl.memberships.count({ filters: { organization_id_eq: org.id, role_kind_eq: "admin" } })).toBe(1);
    conforms("Membership", await cl.roles.memberships(admin.id));
    conforms("Membership", await cl.memberships.list({ filters: { user_email_eq: "ada@membership.example" }, sort: { status: "asc" } }));

    const moved = conforms("Membership", await cl.memberships.update({ id: m.id, role: cl.roles.relationship(readOnly.id), access_scope: "all_access" }));
    expect(moved.access_scope).toBe("all_access");
    expect((await cl.memberships.role(m.id)).kind).toBe("read_only");
    await cl.memberships.resend(m.id);
    expect(asked.at(-1)).toBe(`${VENDOR_API}/api/memberships/${m.id}/resend`);
    const history = conforms("Version", await cl.memberships.versions(m.id));
    expect([...history].map((v) => v.event)).toEqual(["create", "update"]);

    await cl.memberships.delete(m.id);
    expect((await cl.organizations.memberships(org.id)).length).toBe(0);
    expect((await refusal(cl.memberships.retrieve(m.id))).errors[0]).toMatchObject({ code: "RECORD_NOT_FOUND", status: "404" });
    expect((await refusal(cl.memberships.resend(m.id))).status).toBe(404);
  });

  it("refuses a membership twice, with a role of another organization or an access scope the SDK does not list (422)", async () => {
    const org = await cl.organizations.create({ name: unique("Refused memberships") });
    const other = await cl.organizations.create({ name: unique("Other") });
    const [admin] = await cl.organizations.roles(org.id);
    const [foreign] = await cl.organizations.roles(other.id);
    const create = (email: string, roleId: string, extra: object = {}) => cl.memberships.create({ user_email: email, organization: cl.organizations.relationship(org.id), role: cl.roles.relationship(roleId), ...extra });
    await create("dup@refused.example", admin.id);
    expect((await refusal(create("DUP@refused.example", admin.id))).errors[0].source.pointer).toBe("/data/attributes/user_email");
    expect((await refusal(create("x@refused.example", foreign.id))).errors[0].source.pointer).toBe("/data/relationships/role");
    expect((await refusal(create("y@refused.example", admin.id, { access_scope: "everything" }))).errors[0].source.pointer).toBe("/data/attributes/access_scope");
  });

  it("resends only a pending invitation (an accepted membership has none: 422)", async () => {
    const seeded = await realFetch(`${emu.url}/_admin/seed`, {
      method: "POST",
      headers: { authorization: `Bearer ${emu.credentials.adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ commercelayer: { organizations: [{ name: "SDK Seeded Active", members: [{ email: "active@seeded.example", role: "Admin", status: "active" }] }] } }),
    });
    expect(seeded.status).toBe(201);
    const [active] = await cl.memberships.list({ filters: { user_email_eq: "active@seeded.example" } });
    expect(active.status).toBe("active");
    expect((await refusal(cl.memberships.resend(active.id))).status).toBe(422);
  });
});

describe("api credentials", () => {
  it("creates, reads, updates and deletes an organization's api credential", async () => {
    const org = await cl.organizations.create({ name: unique("Credentials") });
    const [, readOnly] = await cl.organizations.roles(org.id);
    const c = conforms("ApiCredential", await cl.api_credentials.create({ name: "ERP sync", kind: "integration", organization: cl.organizations.relationship(org.id), role: cl.roles.relationship(readOnly.id) }));
    expect(c).toMatchObject({ name: "ERP sync", kind: "integration", confidential: true, expires_in: 7200, mode: "test", client_id: expect.any(String), client_secret: expect.any(String) });
    const channel = conforms("ApiCredential", await cl.api_credentials.create({ name: "Storefront", kind: "sales_channel", mode: "live", organization: cl.organizations.relationship(org.id) }));
    expect(channel).toMatchObject({ confidential: false, expires_in: 14400, mode: "live" });
    conforms("ApiCredential", await cl.api_credentials.retrieve(c.id, { include: ["organization", "role"] }));
    expect(conforms("Organization", await cl.api_credentials.organization(c.id)).id).toBe(org.id);
    expect(conforms("Role", await cl.api_credentials.role(c.id)).id).toBe(readOnly.id);
    expect([...conforms("ApiCredential", await cl.organizations.api_credentials(org.id))].map((x) => x.name)).toEqual(["ERP sync", "Storefront"]);
    expect([...(await cl.roles.api_credentials(readOnly.id))].map((x) => x.id)).toEqual([c.id]);
    expect(await cl.api_credentials.count({ filters: { kind_eq: "sales_channel", organization_id_eq: org.id } })).toBe(1);
    conforms("ApiCredential", await cl.api_credentials.list({ filters: { organization_id_eq: org.id }, sort: { mode: "desc" } }));
    const updated = conforms("ApiCredential", await cl.api_credentials.update({ id: c.id, name: "ERP sync v2", expires_in: 14400 }));
    expect(updated).toMatchObject({ name: "ERP sync v2", expires_in: 14400 });
    const short = await refusal(cl.api_credentials.update({ id: c.id, expires_in: 60 }));
    expect(short.errors[0].source.pointer).toBe("/data/attributes/expires_in");
    await cl.api_credentials.delete(c.id);
    expect((await refusal(cl.api_credentials.retrieve(c.id))).status).toBe(404);
    expect((await refusal(cl.api_credentials.create({ name: "", kind: "integration", organization: cl.organizations.relationship(org.id) }))).errors[0].source.pointer).toBe("/data/attributes/name");
  });
});

describe("membership profiles and application memberships", () => {
  it("groups memberships in a profile and gives an api credential access through a membership or a profile", async () => {
    const org = await cl.organizations.create({ name: unique("Profiles") });
    const [admin, readOnly] = await cl.organizations.roles(org.id);
    const profile = conforms("MembershipProfile", await cl.membership_profiles.create({ name: "Marketing group", access_scope: "test_access", organization: cl.organizations.relationship(org.id) }));
    expect(profile).toMatchObject({ name: "Marketing group", access_scope: "test_access", test_enabled: true });
    const m = await cl.memberships.create({ user_email: "grace@profiles.example", organization: cl.organizations.relationship(org.id), role: cl.roles.relationship(readOnly.id), membership_profile: cl.membership_profiles.relationship(profile.id) });
    expect(conforms("MembershipProfile", await cl.memberships.membership_profile(m.id)).id).toBe(profile.id);
    const app = await cl.api_credentials.create({ name: "Dashboard app", kind: "webapp", redirect_uri: "https://app.example/callback", organization: cl.organizations.relationship(org.id) });

    const viaMembership = conforms("ApplicationMembership", await cl.application_memberships.create({ filters: { market_id_in: [202, 203] }, api_credential: cl.api_credentials.relationship(app.id), membership: cl.memberships.relationship(m.id), organization: cl.organizations.relationship(org.id), role: cl.roles.relationship(readOnly.id) }));
    const viaProfile = conforms("ApplicationMembership", await cl.application_memberships.create({ api_credential: cl.api_credentials.relationship(app.id), membership_profile: cl.membership_profiles.relationship(profile.id), organization: cl.organizations.relationship(org.id), role: cl.roles.relationship(admin.id) }));
    expect([...conforms("ApplicationMembership", await cl.memberships.application_memberships(m.id))].map((a) => a.id)).toEqual([viaMembership.id]);
    expect([...conforms("ApplicationMembership", await cl.membership_profiles.application_memberships(profile.id))].map((a) => a.id)).toEqual([viaProfile.id]);
    expect(conforms("ApiCredential", await cl.application_memberships.api_credential(viaMembership.id)).id).toBe(app.id);
    expect(conforms("Membership", await cl.application_memberships.membership(viaMembership.id)).id).toBe(m.id);
    expect(conforms("MembershipProfile", await cl.application_memberships.membership_profile(viaProfile.id)).id).toBe(profile.id);
    expect(conforms("Organization", await cl.application_memberships.organization(viaProfile.id)).id).toBe(org.id);
    expect(conforms("Role", await cl.application_memberships.role(viaProfile.id)).id).toBe(admin.id);
    conforms("ApplicationMembership", await cl.application_memberships.retrieve(viaMembership.id, { include: ["api_credential", "membership", "role"] }));
    expect(await cl.application_memberships.count({ filters: { organization_id_eq: org.id } })).toBe(2);
    conforms("ApplicationMembership", await cl.application_memberships.list({ filters: { api_credential_id_eq: app.id } }));
    const moved = conforms("ApplicationMembership", await cl.application_memberships.update({ id: viaMembership.id, role: cl.roles.relationship(admin.id), filters: null }));
    expect(moved.filters).toBeNull();
    expect((await cl.application_memberships.role(viaMembership.id)).id).toBe(admin.id);

    expect(conforms("Organization", await cl.membership_profiles.organization(profile.id)).id).toBe(org.id);
    conforms("MembershipProfile", await cl.membership_profiles.retrieve(profile.id));
    expect(await cl.membership_profiles.count({ filters: { organization_id_eq: org.id, name_eq: "Marketing group" } })).toBe(1);
    conforms("MembershipProfile", await cl.membership_profiles.list({ filters: { organization_id_eq: org.id } }));
    const renamed = conforms("MembershipProfile", await cl.membership_profiles.update({ id: profile.id, name: "Sales group", access_scope: "live_access" }));
    expect(renamed).toMatchObject({ name: "Sales group", test_enabled: false });
    const taken = await refusal(cl.membership_profiles.create({ name: "sales group", access_scope: "all_access", organization: cl.organizations.relationship(org.id) }));
    expect(taken.errors[0]).toMatchObject({ source: { pointer: "/data/attributes/name" }, meta: { error: "taken" } });
    const noScope = await refusal(cl.membership_profiles.create({ name: "No scope", organization: cl.organizations.relationship(org.id) } as never));
    expect(noScope.errors[0].source.pointer).toBe("/data/attributes/access_scope");

    const other = await cl.organizations.create({ name: unique("Other profiles") });
    const [foreignRole] = await cl.organizations.roles(other.id);
    const foreign = await refusal(cl.application_memberships.create({ api_credential: cl.api_credentials.relationship(app.id), organization: cl.organizations.relationship(org.id), role: cl.roles.relationship(foreignRole.id) }));
    expect(foreign.errors.map((e) => e.source.pointer)).toEqual(["/data/relationships/role"]);

    await cl.application_memberships.delete(viaMembership.id);
    expect((await refusal(cl.application_memberships.retrieve(viaMembership.id))).status).toBe(404);
    await cl.membership_profiles.delete(profile.id);
    expect(await cl.memberships.membership_profile(m.id)).toBeNull();
    expect((await cl.application_memberships.retrieve(viaProfile.id)).membership_profile).toBeNull();
  });
});

describe("the user", () => {
  it("retrieves and updates the token's user (GET and PATCH /user)", async () => {
    const user = conforms("User", await cl.user.retrieve());
    expect(asked.at(-1)).toBe(`${VENDOR_API}/api/user`);
    const updated = conforms("User", await cl.user.update({ first_name: "Ada", last_name: "Lovelace", time_zone: "Europe/Rome" }));
    expect(updated).toMatchObject({ id: user.id, first_name: "Ada", last_name: "Lovelace", time_zone: "Europe/Rome" });
    expect((await cl.user.retrieve()).first_name).toBe("Ada");
    const err = await refusal(cl.user.update({ email: "not-an-email" }));
    expect(err.errors[0].source.pointer).toBe("/data/attributes/email");
  });
});

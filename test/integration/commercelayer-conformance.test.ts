import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type StartedEmulator } from "../../emulator";
import { membersOf } from "../support/sdk-types";
import { ADMIN, TOKEN, type Answer } from "./helpers";

/**
 * Conformance of the Commerce Layer dialect with document 001 (the organization object: every field
 * of its table, with its type, in every answer that returns an organization) and with the wire the
 * vendor's reference and official SDK use: JSON:API media type both ways, JSON:API error objects
 * (422 with `source.pointer` for an invalid attribute), `meta.record_count` / `page_count`, `links`,
 * `page[number]` / `page[size]` (at most 25), `filter[q][<attr>_<predicate>]`, sparse fieldsets and
 * `include`, memberships and each organization's roles.
 */
const fixture = JSON.parse(readFileSync(join(__dirname, "fixtures", "commercelayer-001-organization.json"), "utf8")) as {
  fields: Record<string, "string" | "object" | "boolean" | "integer" | "datetime" | "array">;
  retired: string[];
  typeValue: string;
  defaultRegion: string;
  everyAttribute: Record<string, unknown>;
};

const JSONAPI = "application/vnd.api+json";
let emu: StartedEmulator;
let base: string;

async function api<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer<T>> {
  const res = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, accept: JSONAPI, ...(body !== undefined ? { "content-type": JSONAPI } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

/** Builder: a JSON:API create document for an organization. */
const anOrganization = (attributes: Record<string, unknown>) => ({ data: { type: "organizations", attributes } });
let seq = 0;
const uniqueName = (label: string) => `Conformance ${label} ${++seq}`;

async function create(attributes: Record<string, unknown> = {}): Promise<any> {
  const res = await api("POST", "/organizations", anOrganization({ name: uniqueName("org"), ...attributes }));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data;
}

async function roleNamed(orgId: string, name: string): Promise<any> {
  const res = await api("GET", `/organizations/${orgId}/roles`);
  return res.body.data.find((r: any) => r.attributes.name === name);
}

/** Differences between document 001's table and a returned organization, as readable lines. */
function departures(org: any): string[] {
  const out: string[] = [];
  for (const [path, type] of Object.entries(fixture.fields)) {
    const value = path.split(".").reduce((o: any, k) => (o === undefined || o === null ? undefined : o[k]), org);
    const ok =
      type === "datetime"
        ? typeof value === "string" && !Number.isNaN(Date.parse(value))
        : type === "integer"
          ? Number.isInteger(value)
          : type === "object"
            ? typeof value === "object" && value !== null && !Array.isArray(value)
            : type === "array"
              ? typeof value === "object" && value !== null && typeof value.links?.related === "string"
              : typeof value === type;
    if (!ok) out.push(`${path}: ${JSON.stringify(value)} is not a ${type}`);
  }
  // Beyond the document: what the official SDK declares (its settings), and none of what it retired.
  const documented = new Set([...Object.keys(fixture.fields).filter((k) => k.startsWith("attributes.")).map((k) => k.slice("attributes.".length)), ...membersOf("Organization").map((m) => m.name)]);
  for (const k of Object.keys(org.attributes ?? {})) if (!documented.has(k) || fixture.retired.includes(k)) out.push(`attributes.${k}: neither in the document nor in the SDK`);
  return out;
}

beforeAll(async () => {
  emu = await startEmulator({ port: 0, host: "127.0.0.1", db: ":memory:" });
  base = emu.baseUrls.commercelayer;
});
afterAll(async () => {
  await emu?.close();
});

describe("the organization object of document 001", () => {
  it("is mounted where the vendor's /api base maps, with its OAuth2 token endpoint beside it", () => {
    expect(base).toBe(`${emu.url}/commercelayer/api`);
    expect(emu.tokenUrls.commercelayer).toBe(`${emu.url}/commercelayer/oauth/token`);
  });

  it("is answered by create, retrieve, list and update with every documented field of its type", async () => {
    const created = (await api("POST", "/organizations", anOrganization({ ...fixture.everyAttribute, name: uniqueName("every field") }))).body.data;
    expect(created.type).toBe(fixture.typeValue);
    expect(departures(created)).toEqual([]);
    const retrieved = (await api("GET", `/organizations/${created.id}`)).body.data;
    expect(departures(retrieved)).toEqual([]);
    const listed = (await api("GET", `/organizations?filter[q][id_eq]=${created.id}`)).body.data[0];
    expect(departures(listed)).toEqual([]);
    const updated = (await api("PATCH", `/organizations/${created.id}`, { data: { type: "organizations", id: created.id, attributes: { gtm_id: "GTM-NEW" } } })).body.data;
    expect(departures(updated)).toEqual([]);
    expect(updated.attributes.gtm_id).toBe("GTM-NEW");
    expect(created.links.self).toBe(`${base}/organizations/${created.id}`);
  });

  it("derives slug and domain from the name, and keeps what the client sent", async () => {
    const name = uniqueName("The Blue Brand");
    const org = await create({ name, primary_color: "#C8984E", metadata: { foo: "bar" } });
    const slug = name.toLowerCase().replace(/ /g, "-");
    expect(org.attributes).toMatchObject({ name, slug, domain: `${slug}.commercelayer.io`, primary_color: "#C8984E", metadata: { foo: "bar" } });
  });

  it("puts a new organization in the default region unless another is chosen at create", async () => {
    expect((await create()).attributes.region).toBe(fixture.defaultRegion);
    expect((await create({ region: "us-east-1" })).attributes.region).toBe("us-east-1");
  });

  it("refuses to change the region after create: the update model has no region", async () => {
    const org = await create();
    const res = await api("PATCH", `/organizations/${org.id}`, { data: { type: "organizations", id: org.id, attributes: { region: "us-east-1" } } });
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ code: "PARAMETER_NOT_ALLOWED", status: "400", source: { pointer: "/data/attributes/region" } });
    expect((await api("GET", `/organizations/${org.id}`)).body.data.attributes.region).toBe(fixture.defaultRegion);
  });

  it("merges a PATCH: attributes not sent keep their values, an object sent replaces the old one", async () => {
    const org = await create({ support_phone: "+1 555", metadata: { a: 1, b: 2 } });
    const res = await api("PATCH", `/organizations/${org.id}`, { data: { type: "organizations", id: org.id, attributes: { metadata: { c: 3 } } } });
    expect(res.body.data.attributes).toMatchObject({ support_phone: "+1 555", metadata: { c: 3 } });
  });

  it("cannot delete an organization (the reference lists create, list, retrieve and update only)", async () => {
    const org = await create();
    const res = await api("DELETE", `/organizations/${org.id}`);
    expect(res.status).toBe(405);
    expect(res.body.errors[0].code).toBe("METHOD_NOT_ALLOWED");
    expect((await api("GET", `/organizations/${org.id}`)).status).toBe(200);
  });
});

describe("invalid attributes are 422 JSON:API errors naming the attribute", () => {
  const cases = [
    { what: "a primary colour that is not HEX", attrs: { primary_color: "red" }, pointer: "/data/attributes/primary_color" },
    { what: "a contrast colour with three digits", attrs: { contrast_color: "#FFF" }, pointer: "/data/attributes/contrast_color" },
    { what: "a colour without its #", attrs: { primary_color: "C8984E" }, pointer: "/data/attributes/primary_color" },
    { what: "a blank name", attrs: { name: "  " }, pointer: "/data/attributes/name" },
    { what: "metadata that is not an object", attrs: { metadata: "x" }, pointer: "/data/attributes/metadata" },
    { what: "a region the vendor does not run", attrs: { region: "mars-1" }, pointer: "/data/attributes/region" },
  ];
  for (const c of cases) {
    it(`refuses ${c.what} and creates nothing`, async () => {
      const before = (await api("GET", "/organizations")).body.meta.record_count;
      const res = await api("POST", "/organizations", anOrganization({ name: uniqueName("invalid"), ...c.attrs }));
      expect(res.status).toBe(422);
      expect(res.headers.get("content-type")).toContain(JSONAPI);
      expect(res.body.errors).toEqual([expect.objectContaining({ code: "VALIDATION_ERROR", status: "422", title: expect.any(String), detail: expect.any(String), source: { pointer: c.pointer } })]);
      expect((await api("GET", "/organizations")).body.meta.record_count).toBe(before);
    });
  }

  it("reports every invalid attribute at once", async () => {
    const res = await api("POST", "/organizations", anOrganization({ name: "", primary_color: "x", contrast_color: "y" }));
    expect(res.body.errors.map((e: any) => e.source.pointer)).toEqual(["/data/attributes/name", "/data/attributes/primary_color", "/data/attributes/contrast_color"]);
  });

  it("refuses the same colour rule on update", async () => {
    const org = await create();
    const res = await api("PATCH", `/organizations/${org.id}`, { data: { type: "organizations", id: org.id, attributes: { primary_color: "#12345G" } } });
    expect(res.status).toBe(422);
    expect(res.body.errors[0].source.pointer).toBe("/data/attributes/primary_color");
  });

  it("refuses a name whose slug another organization has", async () => {
    const name = uniqueName("Taken");
    await create({ name });
    const res = await api("POST", "/organizations", anOrganization({ name: name.toUpperCase() }));
    expect(res.status).toBe(422);
    expect(res.body.errors[0]).toMatchObject({ source: { pointer: "/data/attributes/name" }, meta: { error: "taken" } });
  });
});

describe("JSON:API on the wire", () => {
  it("answers with the JSON:API media type", async () => {
    const res = await api("GET", "/organizations");
    expect(res.headers.get("content-type")).toContain(JSONAPI);
  });

  it("refuses a body sent as plain JSON with 415", async () => {
    const res = await api("POST", "/organizations", anOrganization({ name: uniqueName("json") }), { "content-type": "application/json" });
    expect(res.status).toBe(415);
    expect(res.body.errors[0]).toMatchObject({ code: "UNSUPPORTED_MEDIA_TYPE", status: "415" });
  });

  it("refuses an Accept header without the JSON:API media type with 406", async () => {
    const res = await api("GET", "/organizations", undefined, { accept: "application/json" });
    expect(res.status).toBe(406);
  });

  it("refuses a body whose data.type is another resource's", async () => {
    const res = await api("POST", "/organizations", { data: { type: "memberships", attributes: { name: "x" } } });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].source.pointer).toBe("/data/type");
  });

  it("refuses a read-only attribute sent back, naming it", async () => {
    const res = await api("POST", "/organizations", anOrganization({ name: uniqueName("slug"), slug: "mine" }));
    expect(res.status).toBe(400);
    expect(res.body.errors[0].source.pointer).toBe("/data/attributes/slug");
  });

  it("answers 401 in the JSON:API error format, INVALID_TOKEN for a bad token", async () => {
    const res = await api("GET", "/organizations", undefined, { authorization: "Bearer nope-nope-nope" });
    expect(res.status).toBe(401);
    expect(res.body.errors[0]).toMatchObject({ code: "INVALID_TOKEN", status: "401" });
    expect((await api("GET", "/organizations", undefined, { authorization: "" })).body.errors[0].code).toBe("UNAUTHORIZED");
  });

  it("answers 404 RECORD_NOT_FOUND for an organization that does not exist", async () => {
    const res = await api("GET", "/organizations/nOsUcHoRgz");
    expect(res.status).toBe(404);
    expect(res.body.errors[0]).toMatchObject({ code: "RECORD_NOT_FOUND", status: "404" });
  });

  it("takes an access token from its OAuth2 client-credentials endpoint", async () => {
    const client = emu.credentials.oauthClients[0];
    const token = await fetch(emu.tokenUrls.commercelayer, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ grant_type: "client_credentials", client_id: client.clientId, client_secret: client.clientSecret }),
    });
    const { access_token } = (await token.json()) as { access_token: string };
    const res = await api("GET", "/organizations", undefined, { authorization: `Bearer ${access_token}` });
    expect(res.status).toBe(200);
  });
});

describe("lists: paging, filters, sparse fieldsets and include", () => {
  const prefix = `Listed ${Date.now().toString(36)}`;
  beforeAll(async () => {
    for (let i = 1; i <= 27; i++) await create({ name: `${prefix} ${String(i).padStart(2, "0")}`, metadata: { batch: i % 2 ? "odd" : "even" } });
  });

  it("pages by page[number] and page[size], with record and page counts and links", async () => {
    const q = `filter[q][name_start]=${encodeURIComponent(prefix)}`;
    const first = await api("GET", `/organizations?${q}&page[size]=25`);
    expect(first.body.meta).toEqual({ record_count: 27, page_count: 2 });
    expect(first.body.data).toHaveLength(25);
    expect(first.body.links.next).toContain("page%5Bnumber%5D=2");
    const second = await api("GET", `/organizations?${q}&page[size]=25&page[number]=2`);
    expect(second.body.data.map((o: any) => o.attributes.name)).toEqual([`${prefix} 26`, `${prefix} 27`]);
    expect(second.body.links.next).toBeUndefined();
    expect((await api("GET", `/organizations?${q}`)).body.data).toHaveLength(10);
  });

  it("refuses a page larger than 25", async () => {
    const res = await api("GET", "/organizations?page[size]=26");
    expect(res.status).toBe(400);
    expect(res.body.errors[0].source.parameter).toBe("page[size]");
  });

  const filters = [
    { predicate: "name_eq (exact)", param: () => `filter[q][name_eq]=${encodeURIComponent(`${prefix} 07`)}`, count: 1 },
    { predicate: "name_eq in another case (finds nothing: eq is exact)", param: () => `filter[q][name_eq]=${encodeURIComponent(`${prefix} 07`.toUpperCase())}`, count: 0 },
    { predicate: "name_start", param: () => `filter[q][name_start]=${encodeURIComponent(`${prefix} 1`)}`, count: 10 },
    { predicate: "name_cont, case-insensitively", param: () => `filter[q][name_cont]=${encodeURIComponent(`${prefix} 2`.toLowerCase())}`, count: 8 },
    { predicate: "name_end", param: () => `filter[q][name_start]=${encodeURIComponent(prefix)}&filter[q][name_end]=7`, count: 3 },
  ];
  for (const f of filters) {
    it(`filters by ${f.predicate}`, async () => {
      const res = await api("GET", `/organizations?${f.param()}`);
      expect(res.status).toBe(200);
      expect(res.body.meta.record_count).toBe(f.count);
    });
  }

  // Ransack as the vendor's "Filtering data" page and the SDK's README use it (emulator/dialects/commercelayer/ransack.ts).
  const ransack = [
    { filter: () => `name_matches=${encodeURIComponent(`${prefix} 0%`)}`, count: 9, why: "matches is LIKE, case-insensitive" },
    { filter: () => `name_does_not_match=${encodeURIComponent(`%0_`)}`, count: 18, why: "does_not_match" },
    { filter: () => `name_end_any=1,2`, count: 6, why: "_any takes a comma list" },
    { filter: () => `name_cont_all=${encodeURIComponent(`${prefix} 2,${prefix} 27`)}`, count: 1, why: "_all: every value" },
    { filter: () => `name_not_end=7`, count: 24, why: "not_end" },
    { filter: () => `name_in=${encodeURIComponent(`${prefix} 01,${prefix} 27`)}`, count: 2, why: "in takes a comma list" },
    { filter: () => `name_not_in=${encodeURIComponent(`${prefix} 01,${prefix} 27`)}`, count: 25, why: "not_in" },
    { filter: () => `gtm_id_null=true`, count: 27, why: "null" },
    { filter: () => `gtm_id_present=true`, count: 0, why: "present" },
    { filter: () => `gtm_id_blank=true`, count: 27, why: "blank" },
    { filter: () => `can_switch_live_false=true`, count: 27, why: "false on a boolean" },
    { filter: () => `api_max_regex_length_gteq=5000&filter[q][bundles_max_items_count_lt]=11`, count: 27, why: "numbers compare as numbers" },
    { filter: () => `tags_max_name_length_gt=100`, count: 0, why: "a number greater than none" },
    { filter: () => `name_or_slug_end=27`, count: 1, why: "_or_ across attributes" },
    { filter: () => `name_and_slug_end=26`, count: 1, why: "_and_ across attributes" },
    { filter: () => `created_at_gt=2000-01-01&filter[q][created_at_lt]=2999-01-01`, count: 27, why: "times compare as times" },
    { filter: () => `metadata_jcont=${encodeURIComponent('{"batch":"odd"}')}`, count: 14, why: "jcont: JSON containment" },
    { filter: () => `roles_kind_eq=admin`, count: 27, why: "a to-many association's attribute" },
    { filter: () => `memberships_user_email_eq=nobody@cl.test`, count: 0, why: "an association with nothing in it" },
  ];
  for (const r of ransack) {
    it(`filters with ${r.filter().split("=")[0]} (${r.why})`, async () => {
      const [key, ...rest] = r.filter().split("=");
      const res = await api("GET", `/organizations?filter[q][name_start]=${encodeURIComponent(prefix)}&filter[q][${key}]=${rest.join("=")}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.meta.record_count).toBe(r.count);
    });
  }

  it.each(["name_sounds_like=x", "nickname_eq=x", "metadata_eq=x", "name_jcont=%7B%7D", "metadata_jcont=not-json", "organization_name_eq=x", "name_or_nickname_eq=x"])("refuses the filter %s (400 naming it)", async (f) => {
    const [key, value] = f.split("=");
    const res = await api("GET", `/organizations?filter[q][${key}]=${value}`);
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ code: "FILTER_NOT_ALLOWED", source: { parameter: `filter[q][${key}]` } });
  });

  it("refuses a filter on an attribute it cannot filter by", async () => {
    const res = await api("GET", "/organizations?filter[q][subscription_info_eq]=x");
    expect(res.status).toBe(400);
    expect(res.body.errors[0].code).toBe("FILTER_NOT_ALLOWED");
  });

  it("answers only the attributes of a sparse fieldset", async () => {
    const res = await api("GET", `/organizations?filter[q][name_start]=${encodeURIComponent(prefix)}&fields[organizations]=name,slug&page[size]=1`);
    expect(Object.keys(res.body.data[0].attributes).sort()).toEqual(["name", "slug"]);
  });

  it("sorts by name descending", async () => {
    const res = await api("GET", `/organizations?filter[q][name_start]=${encodeURIComponent(prefix)}&sort=-name&page[size]=2`);
    expect(res.body.data.map((o: any) => o.attributes.name)).toEqual([`${prefix} 27`, `${prefix} 26`]);
  });

  it("includes an organization's roles and memberships", async () => {
    const org = await create();
    const admin = await roleNamed(org.id, "Admin");
    await api("POST", "/memberships", aMembership(org.id, admin.id, "included@cl.test"));
    const res = await api("GET", `/organizations/${org.id}?include=roles,memberships`);
    expect(res.body.data.relationships.roles.data).toHaveLength(2);
    expect(res.body.data.relationships.memberships.data).toHaveLength(1);
    expect(res.body.included.map((r: any) => r.type).sort()).toEqual(["memberships", "roles", "roles"]);
  });
});

/** Builder: a JSON:API create document for a membership. */
function aMembership(orgId: string, roleId: string, email: string) {
  return {
    data: {
      type: "memberships",
      attributes: { user_email: email },
      relationships: { organization: { data: { type: "organizations", id: orgId } }, role: { data: { type: "roles", id: roleId } } },
    },
  };
}

describe("roles belong to each organization", () => {
  it("gives every new organization its standard admin and read_only roles, told apart by kind", async () => {
    const org = await create();
    const roles = (await api("GET", `/organizations/${org.id}/roles`)).body.data;
    expect(roles.map((r: any) => [r.attributes.name, r.attributes.kind])).toEqual([
      ["Admin", "admin"],
      ["Read only", "read_only"],
    ]);
    expect(roles.every((r: any) => r.relationships.organization.data.id === org.id)).toBe(true);
    const other = (await api("GET", `/organizations/${(await create()).id}/roles`)).body.data;
    expect(other.map((r: any) => r.id)).not.toEqual(roles.map((r: any) => r.id));
  });

  it("creates a custom role in one organization, of kind custom, unique by name there", async () => {
    const org = await create();
    const body = { data: { type: "roles", attributes: { name: "Merchandiser" }, relationships: { organization: { data: { type: "organizations", id: org.id } } } } };
    const res = await api("POST", "/roles", body);
    expect(res.status).toBe(201);
    expect(res.body.data.attributes).toMatchObject({ name: "Merchandiser", kind: "custom" });
    expect((await api("GET", `/roles/${res.body.data.id}`)).body.data.attributes.name).toBe("Merchandiser");
    expect((await api("POST", "/roles", body)).status).toBe(422);
    expect((await api("GET", `/organizations/${org.id}/roles?filter[q][kind_eq]=custom`)).body.meta.record_count).toBe(1);
  });
});

describe("memberships", () => {
  it("creates a pending membership with one of the organization's roles, lists, changes and deletes it", async () => {
    const org = await create();
    const admin = await roleNamed(org.id, "Admin");
    const readOnly = await roleNamed(org.id, "Read only");
    const created = await api("POST", "/memberships", aMembership(org.id, admin.id, "ada@cl.test"));
    expect(created.status).toBe(201);
    expect(created.body.data.attributes).toMatchObject({ user_email: "ada@cl.test", status: "pending", owner: false, access_scope: "live_access" });
    expect(created.body.data.relationships.role.data).toEqual({ type: "roles", id: admin.id });
    const id = created.body.data.id;

    const listed = await api("GET", `/organizations/${org.id}/memberships?include=role`);
    expect(listed.body.data.map((m: any) => m.id)).toEqual([id]);
    expect(listed.body.included[0]).toMatchObject({ type: "roles", id: admin.id });

    const patched = await api("PATCH", `/memberships/${id}`, { data: { type: "memberships", id, relationships: { role: { data: { type: "roles", id: readOnly.id } } } } });
    expect(patched.status).toBe(200);
    expect((await api("GET", `/memberships/${id}/role`)).body.data.attributes.kind).toBe("read_only");

    const deleted = await api("DELETE", `/memberships/${id}`);
    expect(deleted.status).toBe(204);
    expect((await api("GET", `/memberships/${id}`)).status).toBe(404);
  });

  const refusals = [
    { what: "an email already a member (in another case)", email: "DUP@cl.test", pointer: "/data/attributes/user_email", setup: true, foreignRole: false },
    { what: "a role of another organization", email: "x@cl.test", pointer: "/data/relationships/role", setup: false, foreignRole: true },
    { what: "an email that is not one", email: "not-an-email", pointer: "/data/attributes/user_email", setup: false, foreignRole: false },
  ];
  for (const r of refusals) {
    it(`refuses a membership with ${r.what} (422 naming it)`, async () => {
      const org = await create();
      const admin = await roleNamed(org.id, "Admin");
      if (r.setup) await api("POST", "/memberships", aMembership(org.id, admin.id, "dup@cl.test"));
      const roleId = r.foreignRole ? (await roleNamed((await create()).id, "Admin")).id : admin.id;
      const res = await api("POST", "/memberships", aMembership(org.id, roleId, r.email));
      expect(res.status).toBe(422);
      expect(res.body.errors.map((e: any) => e.source.pointer)).toContain(r.pointer);
    });
  }

  it("is seeded through /_admin with roles by name and an owner", async () => {
    const res = await fetch(`${emu.url}/_admin/seed`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
      body: JSON.stringify({ commercelayer: { organizations: [{ name: "Seeded Brand", roles: ["Merchandiser"], members: [{ email: "owner@seeded.test", role: "Admin", owner: true }, { email: "m@seeded.test", role: "merchandiser" }] }] } }),
    });
    expect(res.status).toBe(201);
    const org = (await api("GET", "/organizations?filter[q][name_eq]=Seeded%20Brand")).body.data[0];
    const members = (await api("GET", `/organizations/${org.id}/memberships?include=role`)).body.data.sort((a: any, b: any) => a.attributes.user_email.localeCompare(b.attributes.user_email));
    expect(members.map((m: any) => [m.attributes.user_email, m.attributes.owner])).toEqual([
      ["m@seeded.test", false],
      ["owner@seeded.test", true],
    ]);
    // The owner's membership cannot go without a transfer of ownership.
    expect((await api("DELETE", `/memberships/${members[1].id}`)).status).toBe(422);
    // Sorting is by what the SDK's MembershipSort lists (id, status and the common ones), not by email.
    expect((await api("GET", `/organizations/${org.id}/memberships?sort=user_email`)).body.errors[0].code).toBe("SORT_NOT_ALLOWED");
  });
});

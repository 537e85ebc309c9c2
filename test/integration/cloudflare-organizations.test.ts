import { describe, expect, it } from "vitest";
import { aProfile, codeOf, useTestEmulator, type TestEmulator } from "./helpers";

const emu = useTestEmulator();

describe("Cloudflare organizations: CRUD", () => {
  it("creates an organization and fills the server-owned fields", async () => {
    const res = await emu.api("POST", "/organizations", { body: { name: "Acme" } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true, errors: [], messages: [] });
    const org = res.body.result;
    expect(org.id).toMatch(/^[0-9a-f]{32}$/);
    expect(new Date(org.create_time).toISOString()).toBe(org.create_time);
    expect(org.meta.tenant_flags).toMatchObject({ sub_org_creation: "enabled", member_management: "enabled" });
    expect(org.meta.hierarchy_tags).toEqual([org.id]);
    expect(org.name).toBe("Acme");
    expect(org).not.toHaveProperty("parent");
    expect(org).not.toHaveProperty("profile");
  });

  it("stores a whole profile sent inside POST /organizations (the provider's ownership marker)", async () => {
    const sent = aProfile({ business_address: "", business_email: "", business_name: "", business_phone: "", external_metadata: "orgform:stack/acme" });
    const org = await emu.org({ name: "Acme", profile: sent });
    const got = await emu.api("GET", `/organizations/${org.id}`);
    expect(got.body.result.profile).toEqual(sent);
    const profile = await emu.api("GET", `/organizations/${org.id}/profile`);
    expect(profile.body.result).toEqual(sent);
  });

  it("refuses a partial profile inside POST /organizations, pointing at each missing field", async () => {
    const res = await emu.api("POST", "/organizations", { body: { name: "Partial", profile: { external_metadata: "orgform:x" } } });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: any) => e.source.pointer)).toEqual([
      "/profile/business_address",
      "/profile/business_email",
      "/profile/business_name",
      "/profile/business_phone",
    ]);
  });

  it("creates a sub-organization and reports parent.name", async () => {
    const root = await emu.org({ name: "Acme" });
    const child = await emu.org({ name: "Acme EU", parent: root.id });
    expect(child.parent).toEqual({ id: root.id, name: "Acme" });
  });

  it("ignores server-owned fields sent back by a client (id, create_time, meta, parent.name)", async () => {
    const root = await emu.org({ name: "Acme" });
    const res = await emu.api("POST", "/organizations", {
      body: { id: "f".repeat(32), create_time: "2000-01-01T00:00:00.000Z", meta: { managed_by: "me" }, name: "Child", parent: { id: root.id, name: "wrong" } },
    });
    expect(res.status).toBe(200);
    expect(res.body.result.id).not.toBe("f".repeat(32));
    expect(res.body.result.create_time).not.toBe("2000-01-01T00:00:00.000Z");
    expect(res.body.result.meta).not.toEqual({ managed_by: "me" });
    expect(res.body.result.parent).toEqual({ id: root.id, name: "Acme" });
  });

  it("reads an organization by id", async () => {
    const org = await emu.org({ name: "Acme" });
    const res = await emu.api("GET", `/organizations/${org.id}`);
    expect(res.status).toBe(200);
    expect(res.body.result).toEqual(org);
  });

  it("PUT of a name alone (the SDKs' update: parent and profile optional) renames and keeps parent and profile", async () => {
    const a = await emu.org({ name: "A" });
    const org = await emu.org({ name: "Child", parent: a.id, profile: aProfile() });
    const res = await emu.api("PUT", `/organizations/${org.id}`, { body: { name: "Renamed" } });
    expect(res.status).toBe(200);
    expect(res.body.result).toEqual({ ...org, name: "Renamed" });
  });

  it("PUT changes what it is sent: a parent moves, a profile replaces, an explicit null parent moves to the root, an explicit null profile removes it", async () => {
    const a = await emu.org({ name: "A" });
    const b = await emu.org({ name: "B" });
    const org = await emu.org({ name: "Child", parent: a.id, profile: aProfile() });
    const moved = await emu.api("PUT", `/organizations/${org.id}`, { body: { name: "Child", parent: { id: b.id } } });
    expect(moved.body.result).toMatchObject({ parent: { id: b.id, name: "B" }, profile: aProfile(), create_time: org.create_time });
    const reprofiled = await emu.api("PUT", `/organizations/${org.id}`, { body: { name: "Child", profile: aProfile({ business_name: "X" }) } });
    expect(reprofiled.body.result).toMatchObject({ parent: { id: b.id }, profile: { business_name: "X" } });
    const rooted = await emu.api("PUT", `/organizations/${org.id}`, { body: { name: "Child", parent: null, profile: null } });
    expect(rooted.body.result).not.toHaveProperty("parent");
    expect(rooted.body.result).not.toHaveProperty("profile");
    expect(rooted.body.result.meta.hierarchy_tags).toEqual([org.id]);
  });

  it("PUT accepts the object a GET returned (round trip)", async () => {
    const root = await emu.org({ name: "Acme" });
    const org = await emu.org({ name: "EU", parent: root.id, profile: aProfile() });
    const res = await emu.api("PUT", `/organizations/${org.id}`, { body: org });
    expect(res.status).toBe(200);
    expect(res.body.result).toEqual(org);
  });

  it("renames an organization keeping the case-insensitive uniqueness with itself", async () => {
    const org = await emu.org({ name: "acme" });
    const res = await emu.api("PUT", `/organizations/${org.id}`, { body: { name: "ACME" } });
    expect(res.status).toBe(200);
    expect(res.body.result.name).toBe("ACME");
  });

  it("renaming a parent shows in its children's parent.name", async () => {
    const root = await emu.org({ name: "Acme" });
    const child = await emu.org({ name: "EU", parent: root.id });
    await emu.api("PUT", `/organizations/${root.id}`, { body: { name: "Acme Corp" } });
    const res = await emu.api("GET", `/organizations/${child.id}`);
    expect(res.body.result.parent).toEqual({ id: root.id, name: "Acme Corp" });
  });

  it("deletes an empty organization and answers {id}", async () => {
    const org = await emu.org({ name: "Acme" });
    const res = await emu.api("DELETE", `/organizations/${org.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, errors: [], messages: [], result: { id: org.id } });
    expect((await emu.api("GET", `/organizations/${org.id}`)).status).toBe(404);
  });

  it("accepts a DELETE carrying a JSON content type and an empty body", async () => {
    const org = await emu.org({ name: "Acme" });
    const res = await emu.api("DELETE", `/organizations/${org.id}`, { rawBody: "" });
    expect(res.status).toBe(200);
  });
});

describe("Cloudflare organizations: profile", () => {
  it("PUT /profile replaces the profile and GET reads it back", async () => {
    const org = await emu.org({ name: "Acme", profile: aProfile() });
    const next = aProfile({ business_name: "Only this" });
    const res = await emu.api("PUT", `/organizations/${org.id}/profile`, { body: next });
    expect(res.status).toBe(204);
    expect(res.body).toBeUndefined();
    expect((await emu.api("GET", `/organizations/${org.id}/profile`)).body.result).toEqual(next);
    expect((await emu.api("GET", `/organizations/${org.id}`)).body.result.profile).toEqual(next);
  });

  it("PUT /profile of fewer than the five fields is a 400 pointing at each missing one, and changes nothing", async () => {
    const org = await emu.org({ name: "Acme", profile: aProfile() });
    const res = await emu.api("PUT", `/organizations/${org.id}/profile`, { body: {} });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: any) => e.source.pointer)).toEqual(["/business_address", "/business_email", "/business_name", "/business_phone", "/external_metadata"]);
    expect((await emu.api("GET", `/organizations/${org.id}/profile`)).body.result).toEqual(aProfile());
  });

  it("PUT /profile keeps name and parent", async () => {
    const root = await emu.org({ name: "Acme" });
    const org = await emu.org({ name: "EU", parent: root.id });
    await emu.api("PUT", `/organizations/${org.id}/profile`, { body: aProfile() });
    const got = (await emu.api("GET", `/organizations/${org.id}`)).body.result;
    expect(got).toMatchObject({ name: "EU", parent: { id: root.id }, profile: aProfile() });
  });

  it("GET /profile of an organization without a profile is a 404 with code 1007 (not 7003)", async () => {
    const org = await emu.org({ name: "Acme" });
    const res = await emu.api("GET", `/organizations/${org.id}/profile`);
    expect(res.status).toBe(404);
    expect(codeOf(res)).toBe(1007);
  });
});

describe("Cloudflare organizations: documented errors", () => {
  const cases: Record<string, { setup?: (e: TestEmulator) => Promise<Record<string, string>>; method: string; path: string; body?: unknown; rawBody?: string; contentType?: string; status: number; code: number; pointer?: string }> = {
    "a missing name is a 400 pointing at /name": { method: "POST", path: "/organizations", body: {}, status: 400, code: 1001, pointer: "/name" },
    "a name of the wrong type is a 400": { method: "POST", path: "/organizations", body: { name: 42 }, status: 400, code: 1001, pointer: "/name" },
    "an empty name is a 400": { method: "POST", path: "/organizations", body: { name: "" }, status: 400, code: 1001, pointer: "/name" },
    "an unknown field is a 400": { method: "POST", path: "/organizations", body: { name: "A", colour: "red" }, status: 400, code: 1001, pointer: "/colour" },
    "an unknown profile field is a 400 pointing into the profile": {
      method: "POST", path: "/organizations", body: { name: "A", profile: { business_nam: "x" } }, status: 400, code: 1001, pointer: "/profile/business_nam",
    },
    "a profile field that is not a string is a 400": {
      method: "POST", path: "/organizations", body: { name: "A", profile: aProfile({ business_email: 7 as unknown as string }) }, status: 400, code: 1001, pointer: "/profile/business_email",
    },
    "a parent that is not an object is a 400": { method: "POST", path: "/organizations", body: { name: "A", parent: "x" }, status: 400, code: 1001, pointer: "/parent" },
    "an unknown parent is a 400 pointing at /parent/id": {
      method: "POST", path: "/organizations", body: { name: "A", parent: { id: "0".repeat(32) } }, status: 400, code: 1001, pointer: "/parent/id",
    },
    "a body that is not JSON is a 400 with code 6007": { method: "POST", path: "/organizations", rawBody: "{not json", status: 400, code: 6007 },
    "a body that is a JSON array is a 400": { method: "POST", path: "/organizations", body: [], status: 400, code: 1001 },
    "a body of another media type is a 415": { method: "POST", path: "/organizations", rawBody: "name=A", contentType: "application/x-www-form-urlencoded", status: 415, code: 6003 },
    "an unknown organization is a 404 with code 7003": { method: "GET", path: `/organizations/${"0".repeat(32)}`, status: 404, code: 7003 },
    "PUT of an unknown organization is a 404": { method: "PUT", path: `/organizations/${"0".repeat(32)}`, body: { name: "A" }, status: 404, code: 7003 },
    "DELETE of an unknown organization is a 404": { method: "DELETE", path: `/organizations/${"0".repeat(32)}`, status: 404, code: 7003 },
    "the profile of an unknown organization is a 404": { method: "GET", path: `/organizations/${"0".repeat(32)}/profile`, status: 404, code: 7003 },
    "an unknown route is a 404 with code 7000": { method: "GET", path: "/organisations", status: 404, code: 7000 },
    "a duplicate name among siblings is a 409 with code 1004": {
      setup: async (e) => ({ id: (await e.org({ name: "Acme" })).id }),
      method: "POST", path: "/organizations", body: { name: "ACME" }, status: 409, code: 1004, pointer: "/name",
    },
    "a duplicate name under the same parent is a 409": {
      setup: async (e) => {
        const root = await e.org({ name: "Root" });
        await e.org({ name: "EU", parent: root.id });
        return { root: root.id };
      },
      method: "POST", path: "/organizations", body: { name: "eu", parent: { id: "{root}" } }, status: 409, code: 1004,
    },
    "renaming onto a sibling's name is a 409": {
      setup: async (e) => {
        await e.org({ name: "Acme" });
        return { id: (await e.org({ name: "Other" })).id };
      },
      method: "PUT", path: "/organizations/{id}", body: { name: "acme" }, status: 409, code: 1004,
    },
    "moving an organization under itself is a 400": {
      setup: async (e) => ({ id: (await e.org({ name: "Acme" })).id }),
      method: "PUT", path: "/organizations/{id}", body: { name: "Acme", parent: { id: "{id}" } }, status: 400, code: 1001, pointer: "/parent/id",
    },
    "moving an organization under its own descendant is a 400": {
      setup: async (e) => {
        const root = await e.org({ name: "Acme" });
        const child = await e.org({ name: "EU", parent: root.id });
        return { id: root.id, child: child.id };
      },
      method: "PUT", path: "/organizations/{id}", body: { name: "Acme", parent: { id: "{child}" } }, status: 400, code: 1001,
    },
    "deleting an organization with a sub-organization is a 409 with code 1005": {
      setup: async (e) => {
        const root = await e.org({ name: "Acme" });
        await e.org({ name: "EU", parent: root.id });
        return { id: root.id };
      },
      method: "DELETE", path: "/organizations/{id}", status: 409, code: 1005,
    },
    "deleting an organization with a member is a 409 with code 1005": {
      setup: async (e) => {
        const root = await e.org({ name: "Acme" });
        await e.addMember(root.id, "a@acme.test");
        return { id: root.id };
      },
      method: "DELETE", path: "/organizations/{id}", status: 409, code: 1005,
    },
    "an invalid profile on PUT /profile is a 400": {
      setup: async (e) => ({ id: (await e.org({ name: "Acme" })).id }),
      method: "PUT", path: "/organizations/{id}/profile", body: { business_phone: 5 }, status: 400, code: 1001, pointer: "/business_phone",
    },
  };

  for (const [name, c] of Object.entries(cases)) {
    it(name, async () => {
      const vars = c.setup ? await c.setup(emu) : {};
      const fill = (s: string): string => s.replace(/\{(\w+)\}/g, (_, k: string) => vars[k]);
      const body = c.body === undefined ? undefined : JSON.parse(fill(JSON.stringify(c.body)));
      const res = await emu.api(c.method, fill(c.path), { body, rawBody: c.rawBody, contentType: c.contentType });
      expect(res.status).toBe(c.status);
      expect(res.body).toMatchObject({ success: false, messages: [], result: null });
      expect(codeOf(res)).toBe(c.code);
      expect(typeof res.body.errors[0].message).toBe("string");
      if (c.pointer) expect(res.body.errors.map((e: any) => e.source?.pointer)).toContain(c.pointer);
    });
  }

  it("names what is left in the message of a refused delete", async () => {
    const root = await emu.org({ name: "Acme" });
    await emu.org({ name: "EU", parent: root.id });
    await emu.org({ name: "US", parent: root.id });
    const res = await emu.api("DELETE", `/organizations/${root.id}`);
    expect(res.body.errors[0].message).toContain("2 sub-organizations");
  });

  it("reports every validation problem at once", async () => {
    const res = await emu.api("POST", "/organizations", { body: { name: 1, profile: { ...aProfile({ business_email: 1 as unknown as string }), foo: "y" } } });
    expect(res.body.errors.map((e: any) => e.source.pointer).sort()).toEqual(["/name", "/profile/business_email", "/profile/foo"]);
  });
});

import { beforeEach, describe, expect, it } from "vitest";
import { codeOf, useTestEmulator } from "./helpers";

/**
 * The Cloudflare dialect's members on the public Organizations Members API, as the official Go SDK
 * (cloudflare-go/v7 v7.9.0, organizations/member.go) sends and reads it: no roles, no update.
 */

const emu = useTestEmulator();
let org: { id: string };
beforeEach(async () => {
  org = await emu.org({ name: "Acme" });
});

const addMember = (email: string, status?: string) => emu.addMember(org.id, email, status);
const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

describe("Cloudflare members: create, read, delete", () => {
  it("adds a member (active when no status is sent) in exactly the SDK's OrganizationMember shape", async () => {
    const res = await addMember("Ada@Acme.test");
    expect(res.status).toBe(200);
    const m = res.body.result;
    expect(Object.keys(m).sort()).toEqual(["create_time", "id", "meta", "status", "update_time", "user"]);
    expect(m).toMatchObject({ status: "active", meta: {}, user: { email: "Ada@Acme.test", name: "", two_factor_authentication_enabled: false } });
    expect(Object.keys(m.user).sort()).toEqual(["email", "id", "name", "two_factor_authentication_enabled"]);
    expect(m.id).toMatch(/^[0-9a-f]{32}$/);
    expect(m.user.id).toMatch(/^[0-9a-f]{32}$/);
    expect(m.create_time).toMatch(TIME);
    expect(m.update_time).toMatch(TIME);
  });

  it("adds a canceled membership when asked", async () => {
    expect((await addMember("ada@acme.test", "canceled")).body.result.status).toBe("canceled");
  });

  it("gives one user the same user id in every organization", async () => {
    const other = await emu.org({ name: "Other" });
    const a = await addMember("ada@acme.test");
    const b = await emu.addMember(other.id, "ADA@acme.test");
    expect(b.body.result.user.id).toBe(a.body.result.user.id);
  });

  it("reads a member by id", async () => {
    const added = (await addMember("ada@acme.test")).body.result;
    const res = await emu.api("GET", `/organizations/${org.id}/members/${added.id}`);
    expect(res.body.result).toEqual(added);
  });

  it("removes a member with a 204 and no body (the SDK reads none)", async () => {
    const added = (await addMember("ada@acme.test")).body.result;
    const res = await emu.api("DELETE", `/organizations/${org.id}/members/${added.id}`);
    expect(res.status).toBe(204);
    expect(res.body).toBeUndefined();
    expect((await emu.api("GET", `/organizations/${org.id}/members/${added.id}`)).status).toBe(404);
  });

  it("lets an emptied organization be deleted", async () => {
    const added = (await addMember("ada@acme.test")).body.result;
    expect((await emu.api("DELETE", `/organizations/${org.id}`)).status).toBe(409);
    await emu.api("DELETE", `/organizations/${org.id}/members/${added.id}`);
    expect((await emu.api("DELETE", `/organizations/${org.id}`)).status).toBe(200);
  });
});

describe("Cloudflare members: listing", () => {
  it("pages through members with page_size and page_token", async () => {
    for (let i = 0; i < 7; i++) await addMember(`user${i}@acme.test`);
    const emails: string[] = [];
    let token = "";
    do {
      const res = await emu.api("GET", `/organizations/${org.id}/members?page_size=3${token ? `&page_token=${token}` : ""}`);
      expect(res.body.result_info.total_size).toBe(7);
      emails.push(...res.body.result.map((m: any) => m.user.email));
      token = res.body.result_info.next_page_token;
    } while (token);
    expect(emails).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => `user${i}@acme.test`));
  });

  it("filters by status, repeated as the SDK sends it (status=a&status=b)", async () => {
    await addMember("a@acme.test");
    await addMember("b@acme.test", "canceled");
    const one = await emu.api("GET", `/organizations/${org.id}/members?status=canceled`);
    expect(one.body.result.map((m: any) => m.user.email)).toEqual(["b@acme.test"]);
    const both = await emu.api("GET", `/organizations/${org.id}/members?status=active&status=canceled`);
    expect(both.body.result.map((m: any) => m.user.email)).toEqual(["a@acme.test", "b@acme.test"]);
    const none = await emu.api("GET", `/organizations/${org.id}/members?status=pending&status=rejected`);
    expect(none.body.result).toEqual([]);
  });

  it("filters by user.email ending with a string, case-insensitively", async () => {
    await addMember("a@acme.test");
    await addMember("b@globex.test");
    const res = await emu.api("GET", `/organizations/${org.id}/members?user.email=ACME.test`);
    expect(res.body.result.map((m: any) => m.user.email)).toEqual(["a@acme.test"]);
  });
});

describe("Cloudflare members: what the public API refuses", () => {
  const post = (body: unknown) => emu.api("POST", `/organizations/${org.id}/members`, { body });
  const cases: Record<string, { run: () => Promise<any>; status: number; code: number; pointer?: string }> = {
    "a roles field (memberships have no roles) is a 400": {
      run: () => post({ member: { user: { email: "a@acme.test" }, roles: ["Administrator"] } }),
      status: 400, code: 1001, pointer: "/member/roles",
    },
    "a top-level roles field is a 400": {
      run: () => post({ member: { user: { email: "a@acme.test" } }, roles: [] }),
      status: 400, code: 1001, pointer: "/roles",
    },
    "the earlier {email, roles, status} body is a 400": {
      run: () => post({ email: "a@acme.test", roles: [], status: "accepted" }),
      status: 400, code: 1001,
    },
    "a PUT of a member (there is no update) is a 405": {
      run: async () => {
        const m = (await addMember("a@acme.test")).body.result;
        return emu.api("PUT", `/organizations/${org.id}/members/${m.id}`, { body: { member: { user: { email: "a@acme.test" }, status: "canceled" } } });
      },
      status: 405, code: 7001,
    },
    "a PATCH of a member is a 405": {
      run: async () => {
        const m = (await addMember("a@acme.test")).body.result;
        return emu.api("PATCH", `/organizations/${org.id}/members/${m.id}`, { body: { status: "canceled" } });
      },
      status: 405, code: 7001,
    },
    "GET /organizations/{id}/roles is no route (404, code 7000)": {
      run: () => emu.api("GET", `/organizations/${org.id}/roles`),
      status: 404, code: 7000,
    },
    "an email that is already a member (case-insensitively) is a 409 with code 1006": {
      run: async () => {
        await addMember("ada@acme.test");
        return addMember("ADA@acme.test");
      },
      status: 409, code: 1006, pointer: "/member/user/email",
    },
    "an invalid email is a 400": { run: () => addMember("not-an-email"), status: 400, code: 1001, pointer: "/member/user/email" },
    "a missing user is a 400": { run: () => post({ member: {} }), status: 400, code: 1001, pointer: "/member/user" },
    "a missing member is a 400": { run: () => post({}), status: 400, code: 1001, pointer: "/member" },
    "a status a create cannot ask for (pending) is a 400": { run: () => addMember("a@acme.test", "pending"), status: 400, code: 1001, pointer: "/member/status" },
    "the earlier status accepted is a 400": { run: () => addMember("a@acme.test", "accepted"), status: 400, code: 1001, pointer: "/member/status" },
    "an unknown status filter is a 400": { run: () => emu.api("GET", `/organizations/${org.id}/members?status=accepted`), status: 400, code: 1001 },
    "members of an unknown organization are a 404": { run: () => emu.api("GET", `/organizations/${"0".repeat(32)}/members`), status: 404, code: 7003 },
    "an unknown member is a 404": { run: () => emu.api("GET", `/organizations/${org.id}/members/${"0".repeat(32)}`), status: 404, code: 7003 },
    "a member of another organization is a 404 under this one": {
      run: async () => {
        const other = await emu.org({ name: "Other" });
        const m = await emu.addMember(other.id, "a@acme.test");
        return emu.api("GET", `/organizations/${org.id}/members/${m.body.result.id}`);
      },
      status: 404, code: 7003,
    },
    "DELETE of an unknown member is a 404": { run: () => emu.api("DELETE", `/organizations/${org.id}/members/${"0".repeat(32)}`), status: 404, code: 7003 },
    "an unknown query parameter on the member list is a 400": { run: () => emu.api("GET", `/organizations/${org.id}/members?per_page=5`), status: 400, code: 1001 },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, async () => {
      const res = await c.run();
      expect(res.status).toBe(c.status);
      expect(res.body).toMatchObject({ success: false, result: null });
      expect(codeOf(res)).toBe(c.code);
      if (c.pointer) expect(res.body.errors.map((e: any) => e.source?.pointer)).toContain(c.pointer);
    });
  }

  it("writes nothing when it refuses", async () => {
    await post({ member: { user: { email: "a@acme.test" }, roles: ["x"] } });
    expect((await emu.api("GET", `/organizations/${org.id}/members`)).body.result).toEqual([]);
  });
});

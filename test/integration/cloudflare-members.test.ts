import { memberRoles } from "../../provider/core/roles";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { capabilitiesOf } from "../../provider/core/capabilities";
import { codeOf, startTestEmulator, type TestEmulator } from "./helpers";

let emu: TestEmulator;
let org: { id: string };
let roles: Record<string, string>;

beforeAll(async () => {
  emu = await startTestEmulator();
});
afterAll(async () => {
  await emu.close();
});
beforeEach(async () => {
  await emu.admin("POST", "/reset");
  org = await emu.org({ name: "Acme" });
  const res = await emu.api("GET", `/organizations/${org.id}/roles`);
  roles = Object.fromEntries(res.body.result.map((r: any) => [r.name, r.id]));
});

const addMember = (email: string, role = "Member", extra: Record<string, unknown> = {}) =>
  emu.api("POST", `/organizations/${org.id}/members`, { body: { email, roles: [roles[role]], ...extra } });

describe("Cloudflare members: roles", () => {
  it("lists the fixed role set (the dialect's design, which the member schema must agree with), with ids, names and descriptions", async () => {
    const res = await emu.api("GET", `/organizations/${org.id}/roles`);
    expect(res.status).toBe(200);
    expect(res.body.result.map((r: any) => r.name)).toEqual(memberRoles("cloudflare").values);
    for (const r of res.body.result) {
      expect(r.id).toMatch(/^[0-9a-f]{32}$/);
      expect(typeof r.description).toBe("string");
    }
    expect(res.body.result_info).toEqual({ next_page_token: "", total_size: 5 });
  });

  it("reads one role by id", async () => {
    const res = await emu.api("GET", `/organizations/${org.id}/roles/${roles.Billing}`);
    expect(res.body.result).toMatchObject({ id: roles.Billing, name: "Billing" });
  });
});

describe("Cloudflare members: CRUD", () => {
  it("adds a member (pending by default) in the account-member shape", async () => {
    const res = await addMember("Ada@Acme.test", "Administrator");
    expect(res.status).toBe(200);
    const m = res.body.result;
    expect(m).toMatchObject({
      email: "Ada@Acme.test",
      status: "pending",
      user: { email: "Ada@Acme.test" },
      roles: [{ id: roles.Administrator, name: "Administrator" }],
    });
    expect(m.id).toMatch(/^[0-9a-f]{32}$/);
    expect(m.user.id).toMatch(/^[0-9a-f]{32}$/);
  });

  it("adds an accepted member when asked", async () => {
    const res = await addMember("ada@acme.test", "Member", { status: "accepted" });
    expect(res.body.result.status).toBe("accepted");
  });

  it("gives one user the same user id in every organization", async () => {
    const other = await emu.org({ name: "Other" });
    const a = await addMember("ada@acme.test");
    const b = await emu.api("POST", `/organizations/${other.id}/members`, { body: { email: "ADA@acme.test", roles: [roles.Member] } });
    expect(b.body.result.user.id).toBe(a.body.result.user.id);
  });

  it("reads a member by id", async () => {
    const added = (await addMember("ada@acme.test")).body.result;
    const res = await emu.api("GET", `/organizations/${org.id}/members/${added.id}`);
    expect(res.body.result).toEqual(added);
  });

  it("PUT replaces the roles, given as [{id}]", async () => {
    const added = (await addMember("ada@acme.test")).body.result;
    const res = await emu.api("PUT", `/organizations/${org.id}/members/${added.id}`, { body: { roles: [{ id: roles.Billing }] } });
    expect(res.status).toBe(200);
    expect(res.body.result.roles.map((r: any) => r.name)).toEqual(["Billing"]);
  });

  it("PUT replaces the roles, given as ids, and may accept the invitation", async () => {
    const added = (await addMember("ada@acme.test")).body.result;
    const res = await emu.api("PUT", `/organizations/${org.id}/members/${added.id}`, { body: { roles: [roles["Read Only"], roles.Billing], status: "accepted" } });
    expect(res.body.result.roles.map((r: any) => r.name)).toEqual(["Read Only", "Billing"]);
    expect(res.body.result.status).toBe("accepted");
  });

  it("PUT accepts the member object a GET returned (round trip)", async () => {
    const added = (await addMember("ada@acme.test")).body.result;
    const res = await emu.api("PUT", `/organizations/${org.id}/members/${added.id}`, { body: added });
    expect(res.status).toBe(200);
    expect(res.body.result).toEqual(added);
  });

  it("removes a member and answers {id}", async () => {
    const added = (await addMember("ada@acme.test")).body.result;
    const res = await emu.api("DELETE", `/organizations/${org.id}/members/${added.id}`);
    expect(res.body.result).toEqual({ id: added.id });
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
      emails.push(...res.body.result.map((m: any) => m.email));
      token = res.body.result_info.next_page_token;
    } while (token);
    expect(emails).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => `user${i}@acme.test`));
  });

  it("filters members by status", async () => {
    await addMember("a@acme.test", "Member", { status: "accepted" });
    await addMember("b@acme.test");
    const res = await emu.api("GET", `/organizations/${org.id}/members?status=pending`);
    expect(res.body.result.map((m: any) => m.email)).toEqual(["b@acme.test"]);
  });
});

describe("Cloudflare members: documented errors", () => {
  const cases: Record<string, { run: () => Promise<any>; status: number; code: number; pointer?: string }> = {
    "an email that is already a member (case-insensitively) is a 409 with code 1006": {
      run: async () => {
        await addMember("ada@acme.test");
        return addMember("ADA@acme.test");
      },
      status: 409,
      code: 1006,
      pointer: "/email",
    },
    "an unknown role id is a 400 pointing at the role": {
      run: () => emu.api("POST", `/organizations/${org.id}/members`, { body: { email: "a@acme.test", roles: ["f".repeat(32)] } }),
      status: 400,
      code: 1001,
      pointer: "/roles/0",
    },
    "a role given by name instead of id is a 400": {
      run: () => emu.api("POST", `/organizations/${org.id}/members`, { body: { email: "a@acme.test", roles: ["Administrator"] } }),
      status: 400,
      code: 1001,
    },
    "no role at all is a 400": {
      run: () => emu.api("POST", `/organizations/${org.id}/members`, { body: { email: "a@acme.test", roles: [] } }),
      status: 400,
      code: 1001,
      pointer: "/roles",
    },
    "an invalid email is a 400": {
      run: () => emu.api("POST", `/organizations/${org.id}/members`, { body: { email: "not-an-email", roles: [roles.Member] } }),
      status: 400,
      code: 1001,
      pointer: "/email",
    },
    "a missing email is a 400": {
      run: () => emu.api("POST", `/organizations/${org.id}/members`, { body: { roles: [roles.Member] } }),
      status: 400,
      code: 1001,
      pointer: "/email",
    },
    "an unknown status is a 400": {
      run: () => addMember("a@acme.test", "Member", { status: "invited" }),
      status: 400,
      code: 1001,
      pointer: "/status",
    },
    "an unknown field is a 400": {
      run: () => addMember("a@acme.test", "Member", { policies: [] }),
      status: 400,
      code: 1001,
      pointer: "/policies",
    },
    "members of an unknown organization are a 404": {
      run: () => emu.api("GET", `/organizations/${"0".repeat(32)}/members`),
      status: 404,
      code: 7003,
    },
    "an unknown member is a 404": {
      run: () => emu.api("GET", `/organizations/${org.id}/members/${"0".repeat(32)}`),
      status: 404,
      code: 7003,
    },
    "a member of another organization is a 404 under this one": {
      run: async () => {
        const other = await emu.org({ name: "Other" });
        const m = await emu.api("POST", `/organizations/${other.id}/members`, { body: { email: "a@acme.test", roles: [roles.Member] } });
        return emu.api("GET", `/organizations/${org.id}/members/${m.body.result.id}`);
      },
      status: 404,
      code: 7003,
    },
    "PUT without roles is a 400": {
      run: async () => {
        const m = (await addMember("a@acme.test")).body.result;
        return emu.api("PUT", `/organizations/${org.id}/members/${m.id}`, { body: { status: "accepted" } });
      },
      status: 400,
      code: 1001,
      pointer: "/roles",
    },
    "PUT changing the email is a 400": {
      run: async () => {
        const m = (await addMember("a@acme.test")).body.result;
        return emu.api("PUT", `/organizations/${org.id}/members/${m.id}`, { body: { email: "b@acme.test", roles: [roles.Member] } });
      },
      status: 400,
      code: 1001,
      pointer: "/email",
    },
    "DELETE of an unknown member is a 404": {
      run: () => emu.api("DELETE", `/organizations/${org.id}/members/${"0".repeat(32)}`),
      status: 404,
      code: 7003,
    },
    "an unknown role id on GET /roles/{id} is a 404": {
      run: () => emu.api("GET", `/organizations/${org.id}/roles/${"0".repeat(32)}`),
      status: 404,
      code: 7003,
    },
    "an unknown query parameter on the member list is a 400": {
      run: () => emu.api("GET", `/organizations/${org.id}/members?per_page=5`),
      status: 400,
      code: 1001,
    },
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
});

// The vendor's official client, @commercelayer/provisioning-sdk 2.10.2 (a devDependency), against the
// emulator: it builds `https://provisioning.commercelayer.io/api/...` itself, so its `fetch` option
// rewrites only the origin. Its access token comes from the emulator's OAuth2 client-credentials
// endpoint, as a provisioning application's would from auth.commercelayer.io.
import { CommerceLayerProvisioning, type CommerceLayerProvisioningClient } from "@commercelayer/provisioning-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type StartedEmulator } from "../../emulator";

const VENDOR_ORIGIN = "https://provisioning.commercelayer.io";

let emu: StartedEmulator;
let cl: CommerceLayerProvisioningClient;
/** Every URL the SDK asked for, as it built it (before the origin is rewritten). */
const asked: string[] = [];

async function accessToken(): Promise<string> {
  const client = emu.credentials.oauthClients[0];
  const res = await fetch(emu.tokenUrls.commercelayer, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "client_credentials", client_id: client.clientId, client_secret: client.clientSecret }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

beforeAll(async () => {
  emu = await startEmulator({ port: 0, host: "127.0.0.1", db: ":memory:" });
  const emulatorOrigin = emu.baseUrls.commercelayer.replace(/\/api$/, "");
  cl = CommerceLayerProvisioning({
    accessToken: await accessToken(),
    fetch: (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      asked.push(url);
      return fetch(url.replace(VENDOR_ORIGIN, emulatorOrigin), init);
    },
  });
});
afterAll(async () => {
  await emu?.close();
});

/** The SDK's error for a refused call: status and JSON:API error objects. */
async function refusal(p: Promise<unknown>): Promise<{ status: number; errors: any[] }> {
  try {
    await p;
  } catch (err) {
    const e = err as { status?: number; errors?: any[] };
    return { status: e.status ?? 0, errors: e.errors ?? [] };
  }
  throw new Error("expected the SDK call to be refused");
}

describe("the official provisioning SDK against the emulator", () => {
  it("creates, retrieves and updates an organization", async () => {
    const created = await cl.organizations.create({ name: "The Blue Brand", primary_color: "#C8984E", region: "us-east-1", metadata: { foo: "bar" } });
    expect(created).toMatchObject({ type: "organizations", name: "The Blue Brand", slug: "the-blue-brand", domain: "the-blue-brand.commercelayer.io", region: "us-east-1", metadata: { foo: "bar" } });
    const retrieved = await cl.organizations.retrieve(created.id);
    expect(retrieved.primary_color).toBe("#C8984E");
    const updated = await cl.organizations.update({ id: created.id, support_email: "support@bluebrand.com", contrast_color: "#FFFFCC" });
    expect(updated).toMatchObject({ support_email: "support@bluebrand.com", contrast_color: "#FFFFCC", primary_color: "#C8984E", region: "us-east-1" });
    expect(asked.some((u) => u.startsWith(`${VENDOR_ORIGIN}/api/organizations`))).toBe(true);
  });

  it("creates an organization with its roles and memberships included in the answer", async () => {
    const created = await cl.organizations.create({ name: "Included Brand" }, { include: ["roles", "memberships"] });
    expect(created.roles?.map((r) => [r.name, r.kind])).toEqual([
      ["Admin", "admin"],
      ["Read only", "read_only"],
    ]);
    expect(created.memberships).toEqual([]);
    expect(asked.at(-1)).toMatch(/\/api\/organizations\?include=roles(%2C|,)memberships$/);
    // An include the resource does not have is refused before anything is written.
    const err = await refusal(cl.organizations.create({ name: "Never Created Brand" }, { include: ["owner" as never] }));
    expect(err.status).toBe(400);
    expect(await cl.organizations.count({ filters: { name_eq: "Never Created Brand" } })).toBe(0);
  });

  it("lists with a name_eq filter and counts the records", async () => {
    for (const name of ["Red Market", "Red Market Outlet", "Green Market"]) await cl.organizations.create({ name });
    const list = await cl.organizations.list({ filters: { name_eq: "Red Market" } });
    expect([...list].map((o) => o.name)).toEqual(["Red Market"]);
    expect(list.getRecordCount()).toBe(1);
    expect(await cl.organizations.count({ filters: { name_start: "Red" } })).toBe(2);
    const paged = await cl.organizations.list({ pageSize: 2, pageNumber: 1, sort: { name: "asc" } });
    expect(paged).toHaveLength(2);
    expect(paged.getPageCount()).toBe(Math.ceil(paged.getRecordCount() / 2));
    expect(paged.hasNextPage()).toBe(true);
  });

  it("creates a membership with one of the organization's roles, and reads its role back", async () => {
    const org = await cl.organizations.create({ name: "Membership Brand" });
    const roles = await cl.organizations.roles(org.id);
    expect([...roles].map((r) => r.kind)).toEqual(["admin", "read_only"]);
    const admin = roles.find((r) => r.kind === "admin")!;
    const membership = await cl.memberships.create({ user_email: "ada@membership.example", organization: cl.organizations.relationship(org.id), role: cl.roles.relationship(admin.id) });
    expect(membership).toMatchObject({ type: "memberships", user_email: "ada@membership.example", status: "pending", owner: false });
    expect((await cl.memberships.role(membership.id)).id).toBe(admin.id);
    const listed = await cl.organizations.memberships(org.id, { include: ["role"] });
    expect([...listed].map((m) => [m.user_email, m.role?.name])).toEqual([["ada@membership.example", "Admin"]]);
    await cl.memberships.delete(membership.id);
    expect((await cl.organizations.memberships(org.id)).length).toBe(0);
  });

  it("gets a 422 with the attribute's pointer for a colour that is not HEX", async () => {
    const err = await refusal(cl.organizations.create({ name: "Bad Colour Brand", primary_color: "blue" }));
    expect(err.status).toBe(422);
    expect(err.errors[0]).toMatchObject({ code: "VALIDATION_ERROR", status: "422", source: { pointer: "/data/attributes/primary_color" } });
    expect(await cl.organizations.count({ filters: { name_eq: "Bad Colour Brand" } })).toBe(0);
  });

  it("gets a 401 with a token the emulator never issued", async () => {
    const err = await refusal(cl.organizations.list({}, { accessToken: "not-a-token-at-all" }));
    expect(err.status).toBe(401);
    expect(err.errors[0].code).toBe("INVALID_TOKEN");
  });
});

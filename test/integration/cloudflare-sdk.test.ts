// The official Cloudflare TypeScript SDK (cloudflare 7.3.0, a devDependency) against the emulator:
// the vendor's own client is the judge of the dialect. It is pointed at the emulator with nothing
// but a base URL and the emulator's full-access API token.
import Cloudflare from "cloudflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aProfile, startTestEmulator, type TestEmulator } from "./helpers";

let emu: TestEmulator;
let cf: Cloudflare;

beforeAll(async () => {
  emu = await startTestEmulator({ db: ":memory:" });
  cf = new Cloudflare({ apiToken: emu.credentials.apiToken, baseURL: emu.cf, maxRetries: 0 });
});
afterAll(async () => {
  await emu?.close();
});

/** Every organization a list call yields (the SDK pages itself). */
async function all(params: Parameters<Cloudflare["organizations"]["list"]>[0]): Promise<string[]> {
  const names: string[] = [];
  for await (const org of cf.organizations.list(params)) names.push(org.name);
  return names.sort();
}

describe("the official cloudflare SDK against the emulator", () => {
  let root: Cloudflare.Organizations.Organization;
  let child: Cloudflare.Organizations.Organization;

  it("creates an organization, and a nested one under it", async () => {
    root = await cf.organizations.create({ name: "SDK Root" });
    expect(root).toMatchObject({ name: "SDK Root", id: expect.stringMatching(/^[0-9a-f]{32}$/) });
    child = await cf.organizations.create({ name: "SDK Child", parent: { id: root.id } });
    expect(child.parent).toEqual({ id: root.id, name: "SDK Root" });
  });

  it("gets one organization", async () => {
    expect(await cf.organizations.get(child.id)).toMatchObject({ id: child.id, name: "SDK Child", parent: { id: root.id } });
  });

  it("updates (PUT) an organization with the document's own example values in its profile", async () => {
    const updated = await cf.organizations.update(child.id, {
      name: "SDK Child renamed",
      parent: { id: root.id },
      profile: { business_address: "business_address", business_email: "business_email", business_name: "business_name", business_phone: "business_phone", external_metadata: "external_metadata" },
    });
    expect(updated.name).toBe("SDK Child renamed");
    expect(updated.profile?.business_email).toBe("business_email");
  });

  it("lists with the SDK's camelCase name filters and parent.id=null", async () => {
    await cf.organizations.create({ name: "SDK Other" });
    expect(await all({ name: { startsWith: "sdk c" } })).toEqual(["SDK Child renamed"]);
    expect(await all({ name: { endsWith: "ROOT" } })).toEqual(["SDK Root"]);
    expect(await all({ name: { contains: "sdk" }, parent: { id: "null" } })).toEqual(["SDK Other", "SDK Root"]);
    expect(await all({ parent: { id: root.id } })).toEqual(["SDK Child renamed"]);
  });

  it("updates and gets a profile, which is sent whole", async () => {
    const profile = aProfile({ business_name: "SDK Ltd" }) as unknown as Cloudflare.Organizations.OrganizationProfileUpdateParams;
    await cf.organizations.organizationProfile.update(root.id, profile);
    expect(await cf.organizations.organizationProfile.get(root.id)).toEqual(profile);
  });

  it("is refused deleting an organization that is not empty, with the vendor's reason", async () => {
    await expect(cf.organizations.delete(root.id)).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/not empty.*sub-organization/) });
  });

  it("deletes an empty organization, after which it is a 404", async () => {
    expect(await cf.organizations.delete(child.id)).toEqual({ id: child.id });
    await expect(cf.organizations.get(child.id)).rejects.toMatchObject({ status: 404 });
  });

  it("gets a 401 with a wrong token", async () => {
    const wrong = new Cloudflare({ apiToken: "not-a-token", baseURL: emu.cf, maxRetries: 0 });
    await expect(wrong.organizations.get(root.id)).rejects.toBeInstanceOf(Cloudflare.AuthenticationError);
  });

  it("gets a 403 with a token scoped to another organization trying to create a root", async () => {
    const minted = await emu.admin("POST", "/tokens", { org_id: root.id, dialect: "cloudflare" });
    const scoped = new Cloudflare({ apiToken: minted.body.token, baseURL: emu.cf, maxRetries: 0 });
    await expect(scoped.organizations.create({ name: "Escape" })).rejects.toBeInstanceOf(Cloudflare.PermissionDeniedError);
  });
});

describe("the official cloudflare SDK: every organizations call it has", () => {
  let root2: Cloudflare.Organizations.Organization;
  let child2: Cloudflare.Organizations.Organization;

  beforeAll(async () => {
    root2 = await cf.organizations.create({ name: "SDK2 Root" });
    child2 = await cf.organizations.create({ name: "SDK2 Child", parent: { id: root2.id }, profile: aProfile({ business_name: "Kept" }) as never });
  });

  it("renames with a name alone (the SDK's update: parent and profile optional), keeping parent and profile", async () => {
    const before = await cf.organizations.get(child2.id);
    const renamed = await cf.organizations.update(child2.id, { name: "SDK2 Child again" });
    expect(renamed).toEqual({ ...before, name: "SDK2 Child again" });
    await cf.organizations.update(child2.id, { name: "SDK2 Child" });
  });

  it("reads meta as the SDK types it: eight tenant_flags, hierarchy_tags from the root to itself", async () => {
    const got = await cf.organizations.get(child2.id);
    expect(Object.keys(got.meta.tenant_flags!).sort()).toEqual([
      "account_creation", "account_creation_applies_tenant_defaults", "account_deletion", "account_migration",
      "account_mobility", "enterprise_capability", "member_management", "sub_org_creation",
    ]);
    expect(got.meta.hierarchy_tags).toEqual([root2.id, child2.id]);
  });

  it("lists with id (repeated) and containing.account / .organization / .user", async () => {
    const seeded = await emu.admin("POST", "/seed", { cloudflare: { organizations: [{ id: child2.id, parent_id: root2.id, name: "SDK2 Child", accounts: [{ id: "sdk-acc", name: "SDK Account", usage: [{ day: "2026-12-01", metric: "workers_standard_requests", quantity: 7, unit: "Requests" }] }] }] } });
    expect(seeded.status).toBe(201);
    expect(await all({ id: [root2.id, child2.id] })).toEqual(["SDK2 Child", "SDK2 Root"]);
    expect(await all({ containing: { account: "sdk-acc" } })).toEqual(["SDK2 Child", "SDK2 Root"]);
    expect(await all({ containing: { organization: child2.id } })).toEqual(["SDK2 Root"]);
    await emu.addMember(child2.id, "sdk-user@acme.test");
    expect(await all({ containing: { user: "sdk-user@acme.test" } })).toEqual(["SDK2 Child", "SDK2 Root"]);
  });

  it("gets the billable usage of an organization's accounts (billing.usage.get)", async () => {
    const usage = await cf.organizations.billing.usage.get(child2.id, { from: "2026-11-20", to: "2026-12-10" });
    expect(usage).toEqual([expect.objectContaining({ BillingAccountId: "sdk-acc", ChargeCategory: "Usage", ChargeFrequency: "Usage-Based", ConsumedQuantity: 7, x_BillableMetricId: "workers_standard_requests" })]);
    expect(await cf.organizations.billing.usage.get(child2.id, { from: "2026-10-01", to: "2026-10-31" })).toEqual([]);
    await expect(cf.organizations.billing.usage.get(child2.id, { from: "2026-01-01", to: "2026-12-10" })).rejects.toMatchObject({ status: 400 });
  });

  it("lists the audit log, paging by cursor (logs.audit.list), and reads an entry's history (logs.audit.history)", async () => {
    const window = { since: "2000-01-01", before: "2100-01-01" };
    const entries: Cloudflare.Organizations.Logs.AuditListResponse[] = [];
    for await (const e of cf.organizations.logs.audit.list(child2.id, { ...window, limit: 1, direction: "asc" })) entries.push(e);
    expect(entries.map((e) => [e.action?.type, e.resource?.type])).toEqual([
      ["create", "organization"],
      ["update", "organization"],
      ["update", "organization"],
      ["create", "organization_member"],
    ]);
    expect(entries[0].actor).toMatchObject({ context: "api_token", token_name: "orgform emulator API token" });
    const filtered = await cf.organizations.logs.audit.list(child2.id, { ...window, action_type: { not: ["update"] } });
    expect(filtered.result.map((e) => e.action?.type)).toEqual(["create", "create"]);
    const history = await cf.organizations.logs.audit.history(entries[1].id!, { organization_id: child2.id, action_time: entries[1].action!.time!, ...window });
    expect(history.map((e) => e.action?.type)).toEqual(["update", "update", "create"]);
    await expect(cf.organizations.logs.audit.list(child2.id, { since: "2000-01-01" } as never)).rejects.toMatchObject({ status: 400 });
  });

  it("calls every organizations method the SDK has (a new one fails here until it is tested)", () => {
    const methods = (o: object) => Object.getOwnPropertyNames(Object.getPrototypeOf(Object.getPrototypeOf(o))).filter((m) => m !== "constructor").sort();
    expect(methods(cf.organizations)).toEqual(["create", "delete", "get", "list", "update"]);
    expect(methods(cf.organizations.organizationProfile)).toEqual(["get", "update"]);
    expect(methods(cf.organizations.billing.usage)).toEqual(["get"]);
    expect(methods(cf.organizations.logs.audit)).toEqual(["history", "list"]);
    // cloudflare 7.3.0 has neither members nor accounts under organizations (the Go SDK has both).
    expect(Object.keys(cf.organizations).filter((k) => !k.startsWith("_")).sort()).toEqual(["billing", "logs", "organizationProfile"]);
  });

});

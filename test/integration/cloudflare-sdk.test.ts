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

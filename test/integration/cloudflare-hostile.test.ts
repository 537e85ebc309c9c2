/**
 * Hostile input to the Cloudflare dialect's own routes (issue 16): names (emulator/names.ts), what
 * a scoped token can learn of names outside its scope (exactly what emulator/README.md lists),
 * and a path parameter over the router's limit. What every dialect refuses alike is in
 * hostile-requests.test.ts.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { anOrganization, codeOf, useTestEmulator } from "./helpers";

const emu = useTestEmulator();

const storedNames = async (): Promise<string[]> => (await emu.admin("GET", "/state?backend=cloudflare")).body.organizations.map((o: { name: string }) => o.name);

describe("organization names", () => {
  it("refuses four names that differ only in a lone surrogate, instead of storing four identical U+FFFD names", async () => {
    for (const s of ["\\ud800", "\\udbff", "\\udc00", "\\udfff"]) {
      const res = await emu.api("POST", "/organizations", { rawBody: `{"name":"Team ${s}"}` });
      expect(res.status).toBe(400);
      expect(codeOf(res)).toBe(6007);
    }
    expect(await storedNames()).toEqual([]);
  });

  it("refuses a lone surrogate that a YAML seed carries past the JSON parser", async () => {
    const res = await fetch(`${emu.url}/_admin/seed`, {
      method: "POST",
      headers: { authorization: "Bearer orgform-admin-token", "content-type": "application/yaml" },
      body: 'cloudflare:\n  organizations:\n    - name: "Team \\ud800"\n',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/lone UTF-16 surrogate/);
    expect(await storedNames()).toEqual([]);
  });

  it.each([
    ["empty", ""],
    ["only spaces", "   "],
    ["only a no-break space and an em space", "\u00a0\u2003"],
    ["only a zero-width space", "\u200b"],
    ["a NUL character", "Acme\u0000Corp"],
    ["a terminal escape sequence", "\u001b[31mAcme"],
    ["a line break", "Acme\nCorp"],
    ["a tab", "Acme\tCorp"],
    ["a C1 control (CSI)", "Acme\u009b31m"],
    ["a bidirectional override", "Acme\u202eproC"],
    ["a leading space", " Acme"],
    ["a trailing space", "Acme "],
    ["a trailing no-break space", "Acme\u00a0"],
  ])("refuses a name with %s (400, code 1001, pointer /name), on create and on rename", async (_what, name) => {
    const created = await emu.api("POST", "/organizations", { body: { name } });
    expect(created.status).toBe(400);
    expect(created.body.errors).toEqual([expect.objectContaining({ code: 1001, source: { pointer: "/name" } })]);
    const org = await emu.org({ name: "Acme Valid" });
    const renamed = await emu.api("PUT", `/organizations/${org.id}`, { body: { name } });
    expect(renamed.status).toBe(400);
    expect(await storedNames()).toEqual(["Acme Valid"]);
  });

  it("says what is wrong with a name in the vendor's envelope", async () => {
    const res = await emu.api("POST", "/organizations", { body: { name: "Acme\u0000" } });
    expect(res.body.errors[0].message).toMatchInlineSnapshot(`"name: must not contain control characters (U+0000 at position 4)"`);
  });

  it("keeps a name exactly as written and reads it back byte for byte (no trimming, no normalization)", async () => {
    const decomposed = "Cafe\u0301 Zürich \u{1f600}";
    const org = await emu.org({ name: decomposed });
    expect(org.name).toBe(decomposed);
    expect((await emu.api("GET", `/organizations/${org.id}`)).body.result.name).toBe(decomposed);
    expect(await storedNames()).toEqual([decomposed]);
  });

  it.each([
    ["composed and decomposed", "Caf\u00e9", "Cafe\u0301"],
    ["decomposed and composed", "Cafe\u0301", "Caf\u00e9"],
    ["different case", "Acme Europe", "ACME EUROPE"],
    ["different case and normalization", "ÉCOLE", "e\u0301cole"],
  ])("takes two sibling names that are the same in NFC, %s, for one (409, code 1004)", async (_what, first, second) => {
    await emu.org({ name: first });
    const res = await emu.api("POST", "/organizations", { body: { name: second } });
    expect(res.status).toBe(409);
    expect(codeOf(res)).toBe(1004);
  });

  it("takes the same name under two different parents", async () => {
    const a = await emu.org({ name: "A" });
    const b = await emu.org({ name: "B" });
    await emu.org({ name: "Caf\u00e9", parent: a.id });
    expect((await emu.api("POST", "/organizations", { body: anOrganization({ name: "Cafe\u0301", parent: b.id }) })).status).toBe(200);
  });

  it.each([
    ["a terminal escape", "ada\u001b[31m@acme.test"],
    ["a NUL", "ada\u0000@acme.test"],
    ["a bidirectional override", "ada\u202e@acme.test"],
  ])("refuses a member email with %s (400, pointer /member/user/email)", async (_what, email) => {
    const org = await emu.org({ name: "Members" });
    const res = await emu.addMember(org.id, email);
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ code: 1001, source: { pointer: "/member/user/email" } });
  });

  it("answers an id longer than the router takes in its own shape (414)", async () => {
    const res = await emu.api("GET", `/organizations/${"a".repeat(200)}`);
    expect(res.status).toBe(414);
    expect(res.body).toMatchObject({ success: false, result: null, errors: [{ code: 1001 }] });
  });
});

describe("what a scoped token learns of names outside its scope", () => {
  let ids: Record<string, string>;
  let token: string;
  const as = (method: string, path: string, body?: unknown) => emu.api(method, path, { auth: { bearer: token }, body });

  beforeEach(async () => {
    const seeded = await emu.admin("POST", "/seed", {
      cloudflare: { organizations: [{ name: "Parent Secret", children: [{ name: "Scope" }, { name: "Sibling Secret" }] }, { name: "Other Root" }] },
      tokens: [{ token: "scoped-hostile-token", backend: "cloudflare", org_path: ["Parent Secret", "Scope"] }],
    });
    ids = Object.fromEntries(seeded.body.organizations.map((o: { name: string; id: string }) => [o.name, o.id]));
    token = "scoped-hostile-token";
  });

  it("sees its own organization's parent by id only, never by name, wherever the organization is shown", async () => {
    const shown = [
      (await as("GET", `/organizations/${ids.Scope}`)).body.result,
      (await as("GET", "/organizations")).body.result[0],
      (await as("GET", `/organizations?parent.id=${ids["Parent Secret"]}`)).body.result[0],
      (await as("PUT", `/organizations/${ids.Scope}`, { name: "Scope", parent: { id: ids["Parent Secret"] } })).body.result,
    ];
    for (const org of shown) expect(org.parent).toEqual({ id: ids["Parent Secret"] });
    expect(JSON.stringify(shown)).not.toContain("Secret");
  });

  it("sees the parent's name of what is below its organization (inside the scope)", async () => {
    const child = (await as("POST", "/organizations", { name: "Inside", parent: { id: ids.Scope } })).body.result;
    expect(child.parent).toEqual({ id: ids.Scope, name: "Scope" });
  });

  it("can tell whether a name it guesses is taken among its organization's siblings, by renaming (the one thing sibling uniqueness makes observable)", async () => {
    const taken = await as("PUT", `/organizations/${ids.Scope}`, { name: "sibling secret", parent: { id: ids["Parent Secret"] } });
    expect(taken.status).toBe(409);
    // The refusal names only the name it was sent: no id, no stored spelling of the sibling's name.
    expect(taken.body.errors[0].message).toBe('name already taken: an organization named "sibling secret" already exists under this parent');
    expect(JSON.stringify(taken.body)).not.toMatch(new RegExp(`${ids["Sibling Secret"]}|Sibling Secret`));
    expect((await as("PUT", `/organizations/${ids.Scope}`, { name: "Free Name", parent: { id: ids["Parent Secret"] } })).status).toBe(200);
  });

  it("learns nothing of a root organization's name: roots are not its siblings", async () => {
    const res = await as("PUT", `/organizations/${ids.Scope}`, { name: "Other Root", parent: { id: ids["Parent Secret"] } });
    expect(res.status).toBe(200);
  });

  it("finds nothing outside its scope through any filter", async () => {
    for (const q of ["name.contains=Secret", `id=${ids["Sibling Secret"]}`, `parent.id=${ids["Parent Secret"]}&name.starts_with=Sib`, `containing.organization=${ids["Sibling Secret"]}`]) {
      const res = await as("GET", `/organizations?${q}`);
      expect(res.status).toBe(200);
      expect(res.body.result.map((o: { id: string }) => o.id).filter((id: string) => id !== ids.Scope)).toEqual([]);
      expect(JSON.stringify(res.body)).not.toContain("Secret");
    }
  });
});

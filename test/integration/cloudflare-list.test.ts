import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { capabilitiesOf } from "../../provider/core/capabilities";
import { codeOf, startTestEmulator, type TestEmulator } from "./helpers";

/**
 * Listing: pagination across pages and every filter of the document, over one seeded hierarchy:
 *
 *   Acme (account acc-1; member ada)       Globex              Initech
 *   ├── Acme Europe (member bob)           └── Globex Labs
 *   │   └── Acme France (account acc-2)
 *   └── Acme US
 */
let emu: TestEmulator;
const ids: Record<string, string> = {};
const names = (res: { body: any }): string[] => res.body.result.map((o: any) => o.name);

beforeAll(async () => {
  emu = await startTestEmulator({
    seed: {
      cloudflare: {
        organizations: [
          {
            name: "Acme",
            accounts: ["acc-1"],
            members: [{ email: "ada@acme.test" }],
            children: [
              { name: "Acme Europe", members: [{ email: "bob@acme.test" }], children: [{ name: "Acme France", accounts: ["acc-2"] }] },
              { name: "Acme US" },
            ],
          },
          { name: "Globex", children: [{ name: "Globex Labs" }] },
          { name: "Initech" },
        ],
      },
    },
  });
  for (const o of emu.seeded!.organizations) ids[o.name] = o.id;
});
afterAll(async () => {
  await emu.close();
});

describe("Cloudflare organizations: filters", () => {
  const cases: Record<string, { query: (ids: Record<string, string>) => string; expected: string[] }> = {
    "no filter lists every organization in creation order": {
      query: () => "page_size=50",
      expected: ["Acme", "Acme Europe", "Acme France", "Acme US", "Globex", "Globex Labs", "Initech"],
    },
    "id filters to one organization": { query: (i) => `id=${i.Globex}`, expected: ["Globex"] },
    "id repeated filters to several organizations": { query: (i) => `id=${i.Globex}&id=${i.Initech}`, expected: ["Globex", "Initech"] },
    "id of an unknown organization gives an empty list": { query: () => `id=${"0".repeat(32)}`, expected: [] },
    "name.contains is case-insensitive": { query: () => "name.contains=ACME%20", expected: ["Acme Europe", "Acme France", "Acme US"] },
    "name.starts_with is case-insensitive": { query: () => "name.starts_with=glob", expected: ["Globex", "Globex Labs"] },
    "name.ends_with is case-insensitive": { query: () => "name.ends_with=US", expected: ["Acme US"] },
    "name filters combine": { query: () => "name.starts_with=acme&name.ends_with=e", expected: ["Acme", "Acme Europe", "Acme France"] },
    'parent.id="null" lists the root organizations': { query: () => "parent.id=null", expected: ["Acme", "Globex", "Initech"] },
    "parent.id lists the direct sub-organizations": { query: (i) => `parent.id=${i.Acme}`, expected: ["Acme Europe", "Acme US"] },
    "parent.id of a leaf gives an empty list": { query: (i) => `parent.id=${i.Initech}`, expected: [] },
    "containing.organization lists the ancestors": { query: (i) => `containing.organization=${i["Acme France"]}`, expected: ["Acme", "Acme Europe"] },
    "containing.organization of a root gives an empty list": { query: (i) => `containing.organization=${i.Acme}`, expected: [] },
    "containing.account lists the holder and its ancestors": { query: () => "containing.account=acc-2", expected: ["Acme", "Acme Europe", "Acme France"] },
    "containing.account of a root account lists the root": { query: () => "containing.account=acc-1", expected: ["Acme"] },
    "containing.user by email lists the organizations managing that user": { query: () => "containing.user=BOB@acme.test", expected: ["Acme", "Acme Europe"] },
    "containing.user of an unknown user gives an empty list": { query: () => "containing.user=nobody@acme.test", expected: [] },
    "filters of different kinds intersect": { query: (i) => `parent.id=${i.Acme}&name.contains=us`, expected: ["Acme US"] },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, async () => {
      const res = await emu.api("GET", `/organizations?${c.query(ids)}`);
      expect(res.status).toBe(200);
      expect(names(res)).toEqual(c.expected);
      expect(res.body.result_info.total_size).toBe(c.expected.length);
    });
  }

  it("containing.user also takes the user id a member object reports", async () => {
    const members = await emu.api("GET", `/organizations/${ids["Acme Europe"]}/members`);
    const userId = members.body.result[0].user.id;
    const res = await emu.api("GET", `/organizations?containing.user=${userId}`);
    expect(names(res)).toEqual(["Acme", "Acme Europe"]);
  });
});

describe("Cloudflare organizations: pagination", () => {
  const { defaultPageSize, maxPageSize } = capabilitiesOf("cloudflare").pagination;

  it("walks every page with page_token, without repeats, and reports total_size on each", async () => {
    const seen: string[] = [];
    let token = "";
    let pages = 0;
    do {
      const res = await emu.api("GET", `/organizations?page_size=3${token ? `&page_token=${token}` : ""}`);
      expect(res.status).toBe(200);
      expect(res.body.result_info.total_size).toBe(7);
      seen.push(...names(res));
      token = res.body.result_info.next_page_token;
      pages += 1;
    } while (token);
    expect(pages).toBe(3);
    expect(seen).toEqual(["Acme", "Acme Europe", "Acme France", "Acme US", "Globex", "Globex Labs", "Initech"]);
  });

  it("paginates a filtered list, keeping the filter", async () => {
    const first = await emu.api("GET", "/organizations?name.starts_with=acme&page_size=2");
    expect(names(first)).toEqual(["Acme", "Acme Europe"]);
    const second = await emu.api("GET", `/organizations?name.starts_with=acme&page_size=2&page_token=${first.body.result_info.next_page_token}`);
    expect(names(second)).toEqual(["Acme France", "Acme US"]);
    expect(second.body.result_info.next_page_token).toBe("");
  });

  it(`defaults page_size to ${defaultPageSize}`, async () => {
    const fresh = await startTestEmulator();
    try {
      for (let i = 0; i < (defaultPageSize ?? 10) + 2; i++) await fresh.org({ name: `Org ${i}` });
      const res = await fresh.api("GET", "/organizations");
      expect(res.body.result).toHaveLength(defaultPageSize!);
      expect(res.body.result_info.next_page_token).not.toBe("");
    } finally {
      await fresh.close();
    }
  });

  it("a token survives an insert between pages (keyset cursor: nothing repeated, nothing skipped)", async () => {
    const fresh = await startTestEmulator();
    try {
      for (const n of ["a", "b", "c", "d"]) await fresh.org({ name: n });
      const first = await fresh.api("GET", "/organizations?page_size=2");
      await fresh.org({ name: "e" });
      await fresh.api("DELETE", `/organizations/${first.body.result[0].id}`);
      const second = await fresh.api("GET", `/organizations?page_size=2&page_token=${first.body.result_info.next_page_token}`);
      expect(names(second)).toEqual(["c", "d"]);
      const third = await fresh.api("GET", `/organizations?page_size=2&page_token=${second.body.result_info.next_page_token}`);
      expect(names(third)).toEqual(["e"]);
    } finally {
      await fresh.close();
    }
  });

  const errors: Record<string, string> = {
    "page_size 0 is a 400": "page_size=0",
    [`page_size above ${maxPageSize} is a 400`]: `page_size=${(maxPageSize ?? 50) + 1}`,
    "a page_size that is not a number is a 400": "page_size=ten",
    "a page_token that this API did not issue is a 400": "page_token=garbage",
    "an unknown query parameter is a 400": "name.startswith=a",
    "a repeated single-valued parameter is a 400": "parent.id=null&parent.id=null",
  };
  for (const [name, query] of Object.entries(errors)) {
    it(name, async () => {
      const res = await emu.api("GET", `/organizations?${query}`);
      expect(res.status).toBe(400);
      expect(codeOf(res)).toBe(1001);
    });
  }

  it("a page_token used with other filters is a 400", async () => {
    const first = await emu.api("GET", "/organizations?page_size=2");
    const res = await emu.api("GET", `/organizations?page_size=2&name.contains=a&page_token=${first.body.result_info.next_page_token}`);
    expect(res.status).toBe(400);
    expect(res.body.errors[0].message).toContain("filters");
  });

  it(`accepts page_size ${maxPageSize}`, async () => {
    const res = await emu.api("GET", `/organizations?page_size=${maxPageSize}`);
    expect(res.status).toBe(200);
  });
});

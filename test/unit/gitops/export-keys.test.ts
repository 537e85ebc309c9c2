// Stable keys for exported organizations: derived from names, collisions resolved the same way on
// every export, valid as Pulumi resource names and config keys.
import { describe, expect, it } from "vitest";
import { KEY_PATTERN } from "../../../provider/config/model";
import { assignKeys, keyBase } from "../../../provider/gitops/export";
import { treeOrder, type LiveOrganization } from "../../../provider/gitops/live";

function anOrganization(id: string, name: string, parentId: string | null = null) {
  return { id, name, parentId, fields: { name } };
}
const snapshot = (...orgs: ReturnType<typeof anOrganization>[]): LiveOrganization[] => treeOrder(orgs);

describe("export keys", () => {
  it.each([
    ["Acme Europe", "acme-europe"],
    ["  Ünïcödé  Café ", "unicode-cafe"],
    ["日本", "org"],
    ["a".repeat(150), "a".repeat(80)],
    ["R&D / Labs.", "r-d-labs"],
  ])("turns the name %j into the key %j", (name, key) => {
    expect(keyBase(name)).toBe(key);
    expect(key).toMatch(new RegExp(KEY_PATTERN));
  });

  it("gives the bare key to the shallowest organization of a name and the parent's key to a nested one", () => {
    const keys = assignKeys(snapshot(anOrganization("r1", "Acme"), anOrganization("c1", "Europe", "r1"), anOrganization("g1", "Europe", "c1"), anOrganization("r2", "Europe")));
    expect(Object.fromEntries(keys)).toEqual({ r1: "acme", r2: "europe", c1: "acme-europe", g1: "acme-europe-europe" });
  });

  it("tells same-named roots apart by the start of their ids", () => {
    const keys = assignKeys(snapshot(anOrganization("7f3a9c21d4", "Shop"), anOrganization("0b8d0f6e1a", "shop")));
    expect(Object.fromEntries(keys)).toEqual({ "7f3a9c21d4": "shop", "0b8d0f6e1a": "shop-0b8d0f6e" });
  });

  it("keeps every key when an unrelated organization is added", () => {
    const before = assignKeys(snapshot(anOrganization("a", "Alpha"), anOrganization("b", "Beta", "a")));
    const after = assignKeys(snapshot(anOrganization("a", "Alpha"), anOrganization("b", "Beta", "a"), anOrganization("c", "Gamma")));
    for (const [id, key] of before) expect(after.get(id)).toBe(key);
  });

  it("orders parents before children and siblings by name, whatever order the API listed them in", () => {
    const order = treeOrder([anOrganization("3", "b child", "2"), anOrganization("2", "Zulu"), anOrganization("1", "alpha"), anOrganization("4", "A child", "2")]);
    expect(order.map((o) => `${"  ".repeat(o.depth)}${o.organization.name}`)).toEqual(["alpha", "Zulu", "  A child", "  b child"]);
  });
});

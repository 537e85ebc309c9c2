import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aProfile, startTestEmulator, type Answer, type TestEmulator } from "./helpers";

/**
 * Conformance: every JSON example of the Cloudflare Organizations document, replayed against the
 * emulator's answer to the same operation: same keys, same types, same envelope. Keys the document
 * types as Optional may be absent from an answer (the fixture lists them); every other key must be
 * there, and no key may be added.
 */
const fixture = JSON.parse(readFileSync(join(__dirname, "fixtures", "cloudflare-003-examples.json"), "utf8")) as {
  /** The request bodies document 003 shows (its Python examples and parameter lists), with their example values. */
  requests: Record<string, Record<string, unknown>>;
  optional: string[];
  examples: Record<string, any>;
};
const SEED = "003_060e567bbe39c631.txt";

/**
 * The seed document's folder: $ORGFORM_SEEDS_DIR, else `shared/seeds` beside the repository's folder
 * or beside one of its parents (a worktree sits one level deeper than the main checkout).
 */
function seedCandidates(): string[] {
  if (process.env.ORGFORM_SEEDS_DIR) return [resolve(process.env.ORGFORM_SEEDS_DIR, SEED)];
  const out: string[] = [];
  for (let dir = resolve(__dirname, "..", ".."); ; dir = dirname(dir)) {
    out.push(join(dirname(dir), "shared", "seeds", SEED));
    if (dirname(dir) === dir) return out;
  }
}

const kind = (v: unknown): string => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);

/** Differences between the example's shape and the answer's, as readable lines. */
function shapeDiff(example: unknown, actual: unknown, path = ""): string[] {
  const where = path || "(root)";
  if (kind(example) !== kind(actual)) return [`${where}: ${kind(actual)} where the document has ${kind(example)}`];
  if (Array.isArray(example) && Array.isArray(actual)) {
    if (example.length === 0 || actual.length === 0) return [];
    return actual.flatMap((item, i) => shapeDiff(example[0], item, `${path}[${i}]`));
  }
  if (kind(example) !== "object") {
    if (path.endsWith("create_time") && Number.isNaN(Date.parse(actual as string))) return [`${where}: not a date-time`];
    return [];
  }
  const e = example as Record<string, unknown>;
  const a = actual as Record<string, unknown>;
  const out: string[] = [];
  const logical = path.replace(/^\.?result(\[\d+\])?\.?/, "");
  for (const key of Object.keys(e)) {
    const sub = logical ? `${logical}.${key}` : key;
    if (!(key in a)) {
      if (!fixture.optional.includes(sub)) out.push(`${path}.${key}: missing`);
      continue;
    }
    out.push(...shapeDiff(e[key], a[key], `${path}.${key}`));
  }
  for (const key of Object.keys(a)) if (!(key in e)) out.push(`${path}.${key}: not in the document`);
  return out;
}

/**
 * `meta` as both official SDKs read it replaces document 003's `meta.flags` (the SDKs win;
 * schemas/README.md): cloudflare 7.3.0 Organization.Meta, cloudflare-go v7.9.0 OrganizationMeta.
 */
const SDK_META = {
  hierarchy_tags: [""],
  managed_by: "",
  tenant_flags: Object.fromEntries(
    ["account_creation", "account_creation_applies_tenant_defaults", "account_deletion", "account_migration", "account_mobility", "enterprise_capability", "member_management", "sub_org_creation"].map((f) => [f, ""]),
  ),
};
const sdkShape = (example: any): any =>
  JSON.parse(JSON.stringify(example), (key, value) => (key === "meta" && value && typeof value === "object" ? SDK_META : value));

/** The envelope's `messages` of the examples holds one item; our `messages` are empty, so compare errors to it. */
const messageShape = fixture.examples["GET /organizations"].messages[0];

let emu: TestEmulator;
let parent: any;
let org: any;

beforeAll(async () => {
  emu = await startTestEmulator({
    seed: {
      cloudflare: {
        organizations: [
          {
            name: "Parent",
            children: [{ name: "Complete", meta: { tenant_flags: { account_mobility: "enabled" }, managed_by: "partner" }, profile: aProfile() }],
          },
        ],
      },
    },
  });
  parent = (await emu.api("GET", `/organizations/${emu.seeded!.organizations[0].id}`)).body.result;
  org = (await emu.api("GET", `/organizations/${emu.seeded!.organizations[1].id}`)).body.result;
});
afterAll(async () => {
  await emu.close();
});

describe("Cloudflare conformance with the document's examples", () => {
  const replays: Record<string, () => Promise<Answer>> = {
    "GET /organizations": () => emu.api("GET", `/organizations?id=${org.id}&id=${parent.id}`),
    "GET /organizations/{organization_id}": () => emu.api("GET", `/organizations/${org.id}`),
    "POST /organizations": () => emu.api("POST", "/organizations", { body: { name: "New", parent: { id: parent.id }, profile: aProfile() } }),
    "PUT /organizations/{organization_id}": () => emu.api("PUT", `/organizations/${org.id}`, { body: { name: "Complete", parent: { id: parent.id }, profile: aProfile() } }),
    "DELETE /organizations/{organization_id}": async () => {
      const leaf = await emu.org({ name: "Leaf" });
      return emu.api("DELETE", `/organizations/${leaf.id}`);
    },
    "GET /organizations/{organization_id}/profile": () => emu.api("GET", `/organizations/${org.id}/profile`),
  };

  for (const [operation, replay] of Object.entries(replays)) {
    it(`answers ${operation} with the document's keys and types`, async () => {
      const answer = await replay();
      expect(answer.status).toBe(200);
      expect(shapeDiff(sdkShape(fixture.examples[operation]), answer.body)).toEqual([]);
    });
  }

  it("answers PUT /organizations/{organization_id}/profile (no example) as both SDKs read it: 204, no body (they send Accept: */*)", async () => {
    const answer = await emu.api("PUT", `/organizations/${org.id}/profile`, { body: aProfile() });
    expect(answer.status).toBe(204);
    expect(answer.body).toBeUndefined();
  });

  it("shows meta as the SDKs read it: hierarchy_tags root to self, eight tenant_flags, managed_by when set", () => {
    expect(org.meta).toEqual({
      managed_by: "partner",
      hierarchy_tags: [parent.id, org.id],
      tenant_flags: {
        account_creation: "enabled",
        account_creation_applies_tenant_defaults: "disabled",
        account_deletion: "enabled",
        account_migration: "disabled",
        account_mobility: "enabled",
        enterprise_capability: "disabled",
        member_management: "enabled",
        sub_org_creation: "enabled",
      },
    });
    expect(parent.meta.hierarchy_tags).toEqual([parent.id]);
    expect(parent.meta).not.toHaveProperty("managed_by");
  });

  it("answers the list with result_info {next_page_token, total_size}", async () => {
    const answer = await emu.api("GET", "/organizations?page_size=1");
    expect(answer.body.result_info.next_page_token).not.toBe("");
    expect(shapeDiff(sdkShape(fixture.examples["GET /organizations"]), answer.body)).toEqual([]);
  });

  const failures: Record<string, () => Promise<Answer>> = {
    "a validation error": () => emu.api("POST", "/organizations", { body: { name: 1 } }),
    "a not-found error": () => emu.api("GET", `/organizations/${"0".repeat(32)}`),
    "an authentication error": () => emu.api("GET", "/organizations", { auth: null }),
  };
  for (const [name, replay] of Object.entries(failures)) {
    it(`renders ${name} in the same envelope, error items shaped like the document's messages`, async () => {
      const answer = await replay();
      expect(Object.keys(answer.body).sort()).toEqual(["errors", "messages", "result", "success"]);
      expect(answer.body.success).toBe(false);
      for (const item of answer.body.errors) {
        const diff = shapeDiff(messageShape, item).filter((d) => !/\.source: missing/.test(d));
        expect(diff).toEqual([]);
      }
    });
  }

  it("the shape check itself catches a missing key, an added key and a wrong type", () => {
    const example = { result: { id: "x", name: "n", meta: { flags: {} } } };
    expect(shapeDiff(example, { result: { id: "x", meta: { flags: {} } } })).toEqual([".result.name: missing"]);
    expect(shapeDiff(example, { result: { id: "x", name: "n", meta: { flags: {} }, extra: 1 } })).toEqual([".result.extra: not in the document"]);
    expect(shapeDiff(example, { result: { id: 1, name: "n", meta: { flags: {} } } })).toEqual([".result.id: number where the document has string"]);
    expect(shapeDiff(example, { result: { id: "x", name: "n", meta: {} } })).toEqual([]);
  });

  it("keeps the fixture equal to the document's JSON examples", () => {
    const candidates = seedCandidates();
    const found = candidates.find((file) => existsSync(file));
    if (!found) throw new Error(`seed document ${SEED} not found; looked at ${candidates.join(", ")} (set ORGFORM_SEEDS_DIR to the folder holding the seeds)`);
    const doc = readFileSync(found, "utf8");
    const blocks = [...doc.matchAll(/```json (.*?) ```/gs)].map((m) => JSON.parse(m[1]));
    expect(blocks).toEqual(Object.values(fixture.examples));
  });
});

describe("every request body document 003 shows is accepted as shown, example values included", () => {
  for (const [name, template] of Object.entries(fixture.requests)) {
    it(name, async () => {
      const [method, route] = name.split(" ");
      const body = JSON.parse(JSON.stringify(template).replace(/\{parent\}/g, parent.id));
      const target = route.includes("{organization_id}")
        ? (await emu.api("POST", "/organizations", { body: { name: `target of ${name}` } })).body.result.id
        : undefined;
      const answer = await emu.api(method, route.replace("{organization_id}", target ?? ""), { body });
      // The profile PUT answers 204 without a body, as both SDKs read it.
      expect(answer.status, JSON.stringify(answer.body)).toBe(name.startsWith("PUT /organizations/{organization_id}/profile") ? 204 : 200);
      if (answer.status === 200) expect(answer.body.success).toBe(true);
      // Leave the names free for the next case (the examples reuse "name").
      const created = target ?? answer.body.result?.id;
      if (created) expect((await emu.api("DELETE", `/organizations/${created}`)).status).toBe(200);
    });
  }
});

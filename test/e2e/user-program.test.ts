// orgform from a user's own TypeScript program: resources declared in code, compiled by tsc ahead
// of time. A member's email is replace-on-change in the schema: changing it replaces the member.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_TOKEN, orgformProject, type OrgformProject } from "./orgform-harness";
import { repoRoot } from "./harness";

describe("a user's own TypeScript program", () => {
  let p: OrgformProject;
  const membersOf = async (orgId: string): Promise<{ id: string; user: { email: string } }[]> =>
    (await p.api("GET", `/organizations/${orgId}/members`)).result;

  beforeAll(async () => {
    p = await orgformProject("user-program", "backend: cloudflare\norganizations: []\n");
    const build = path.join(p.ws.dir, "..", "build");
    execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", path.join(__dirname, "fixtures", "user-program"), "--outDir", build], {
      cwd: repoRoot,
      stdio: "inherit",
    });
    fs.copyFileSync(path.join(build, "index.js"), path.join(p.ws.dir, "index.js"));
    await p.ws.pulumiOk(["config", "set", "orgName", "Corner Shop"]);
    await p.ws.pulumiOk(["config", "set", "ownerEmail", "owner@shop.example"]);
  });
  afterAll(async () => p?.close());

  it("creates the organization, its profile and one member", async () => {
    const r = await p.ws.pulumiOk(["up", "--yes", "--skip-preview"]);
    expect(r.stdout).toMatch(/orgform:OrganizationMember\s+owner\s+created/);
    const orgId = (await p.ws.pulumiOk(["stack", "output", "organizationId"])).stdout.trim();
    expect((await membersOf(orgId)).map((m) => m.user.email)).toEqual(["owner@shop.example"]);
  });

  it("replaces the member when its email (replace-on-change) changes", async () => {
    const orgId = (await p.ws.pulumiOk(["stack", "output", "organizationId"])).stdout.trim();
    const before = (await p.ws.pulumiOk(["stack", "output", "memberId"])).stdout.trim();
    await p.ws.pulumiOk(["config", "set", "ownerEmail", "new-owner@shop.example"]);
    const r = await p.ws.pulumiOk(["up", "--yes", "--skip-preview"]);
    expect(r.stdout).toMatch(/1 replaced/);
    const after = (await p.ws.pulumiOk(["stack", "output", "memberId"])).stdout.trim();
    expect(after).not.toBe(before);
    expect((await membersOf(orgId)).map((m) => m.user.email)).toEqual(["new-owner@shop.example"]);
  });

  it("renames the organization in place and leaves nothing behind on destroy", async () => {
    await p.ws.pulumiOk(["config", "set", "orgName", "Corner Shop & Co"]);
    const r = await p.ws.pulumiOk(["up", "--yes", "--skip-preview"]);
    expect(r.stdout).toMatch(/1 updated/);
    await p.ws.pulumiOk(["destroy", "--yes", "--skip-preview"]);
    const state = await p.admin("GET", "/state?backend=cloudflare");
    expect(state.organizations).toEqual([]);
    expect(JSON.stringify(state)).not.toContain(API_TOKEN);
  });
});

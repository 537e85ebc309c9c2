// orgform's plan from the engine's preview steps: each step of an orgform resource rendered from
// the handlers' own diff (the answer the provider gives the engine), and the delete guard of
// `orgform up`. The steps are built as the Automation API reports them (resourcePreEvent metadata).
import { describe, expect, it } from "vitest";
import type { EngineEvent, OpType, StepEventMetadata } from "@pulumi/pulumi/automation";
import { checkDeleteGuard, engineError, planFromEvents, renderPlanMarkdown, renderPlanText } from "../../../provider/gitops/plan";

const TYPE = { organization: "pulumi-nodejs:dynamic/orgform:Organization", profile: "pulumi-nodejs:dynamic/orgform:OrganizationProfile", members: "pulumi-nodejs:dynamic/orgform:OrganizationMembers" };

function aStep(type: keyof typeof TYPE, name: string, op: OpType, olds?: Record<string, unknown>, news?: Record<string, unknown>): EngineEvent {
  const metadata: StepEventMetadata = {
    op,
    urn: `urn:pulumi:prod::acme-orgs::${TYPE[type]}::${name}`,
    type: TYPE[type],
    provider: "",
    ...(olds ? { old: { type: TYPE[type], urn: "", id: "", parent: "", provider: "", inputs: {}, outputs: olds } as any } : {}),
    ...(news ? { new: { type: TYPE[type], urn: "", id: "", parent: "", provider: "", inputs: news, outputs: {} } as any } : {}),
  };
  return { sequence: 0, timestamp: 0, resourcePreEvent: { metadata } };
}

/** An organization as the stack holds it (outputs), built like the handler builds them. */
function anOrganization(key: string, over: Record<string, unknown> = {}) {
  return { backend: "cloudflare", key, owner: "acme-orgs/prod", fields: { name: key }, parentId: null, organizationId: `id-${key}`, live: { name: key }, liveParentId: null, readOnly: {}, created: true, ...over };
}

const events = [
  aStep("organization", "acme", "update", anOrganization("acme", { fields: { name: "Acme" }, live: { name: "Acme" } }), { backend: "cloudflare", key: "acme", owner: "acme-orgs/prod", fields: { name: "Acme Group" }, parentId: null }),
  aStep("organization", "acme-eu", "same", anOrganization("acme-eu"), { backend: "cloudflare", key: "acme-eu", fields: { name: "acme-eu" } }),
  aStep("organization", "legacy", "create", undefined, { backend: "cloudflare", key: "legacy", fields: { name: "Legacy Org" }, adopt: { id: "0123" } }),
  aStep("organization", "old-shop", "delete", anOrganization("old-shop")),
  aStep("organization", "partner", "delete", anOrganization("partner", { adopt: { id: "id-partner" }, created: false })),
  aStep("profile", "acme-profile", "update", { backend: "cloudflare", organizationId: "id-acme", fields: { business_email: "a@acme.example" }, live: { business_email: "a@acme.example" } }, { backend: "cloudflare", organizationId: "id-acme", fields: { business_email: "legal@acme.example" } }),
  aStep(
    "members",
    "acme-members",
    "update",
    // A backend whose members have roles (Commerce Layer's, per organization); "admin" is its "Admin" (x-compare: case-insensitive).
    { backend: "commercelayer", organizationId: "id-acme", mode: "authoritative", members: [], live: [{ email: "bob@acme.example", role: "Read only", id: "m1" }, { email: "eve@acme.example", role: "Billing", id: "m2" }, { email: "cto@acme.example", role: "Admin", id: "m3" }] },
    { backend: "commercelayer", organizationId: "id-acme", mode: "authoritative", members: [{ email: "bob@acme.example", role: "Admin" }, { email: "ada@acme.example", role: "Read only" }, { email: "cto@acme.example", role: "admin" }] },
  ),
];

describe("orgform plan", () => {
  it("does not replace a member set or profile, nor move a child, because its organization's id is unknown while that organization is updated", () => {
    const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"; // what the engine passes for an output not known yet
    const set = { backend: "cloudflare", organizationId: "id-acme", mode: "authoritative" as const, members: [{ email: "bob@acme.example", role: "Member" }], live: [{ email: "bob@acme.example", role: "Member", id: "m1" }] };
    const plan = planFromEvents("prod", [
      aStep("members", "acme-members", "update", set, { ...set, organizationId: unknown, live: undefined }),
      aStep("organization", "acme-eu", "update", anOrganization("acme-eu", { parentId: "id-acme", liveParentId: "id-acme" }), { backend: "cloudflare", key: "acme-eu", fields: { name: "acme-eu" }, parentId: unknown }),
    ]);
    expect(plan.steps.map((s) => [s.name, s.action, s.lines])).toEqual([
      ["acme-members", "update", []],
      ["acme-eu", "update", []],
    ]);
  });

  it("renders each change field by field from orgform's own diff: updated, adopted, deleted, released, members added, removed and re-roled", () => {
    expect(renderPlanText(planFromEvents("prod", events))).toMatchInlineSnapshot(`
      "plan for stack prod: 1 to adopt, 3 to update, 1 to delete, 1 to release (1 unchanged)
      ~ organization acme: update
          ~ name: "Acme" => "Acme Group"
      + organization legacy: adopt
          adopt id 0123
          + name: "Legacy Org"
      - organization old-shop: delete
          id id-old-shop
      - organization partner: release
          id id-partner
      ~ profile acme-profile: update
          ~ business_email: "a@acme.example" => "legal@acme.example"
      ~ members acme-members: update
          + ada@acme.example (Read only)
          ~ bob@acme.example: Read only => Admin
          - eve@acme.example (Billing)
      "
    `);
  });

  it("renders the same plan as a pull-request comment", () => {
    expect(renderPlanMarkdown(planFromEvents("prod", events))).toMatchInlineSnapshot(`
      "### orgform plan (prod)

      **plan for stack prod: 1 to adopt, 3 to update, 1 to delete, 1 to release (1 unchanged)**

      | resource | kind | action |
      | --- | --- | --- |
      | <code>acme</code> | organization | update |
      | <code>legacy</code> | organization | adopt |
      | <code>old-shop</code> | organization | delete |
      | <code>partner</code> | organization | release |
      | <code>acme-profile</code> | profile | update |
      | <code>acme-members</code> | members | update |

      <details>
      <summary><code>acme</code>: update</summary>

      \`\`\`diff
      ~ name: "Acme" => "Acme Group"
      \`\`\`

      </details>

      <details>
      <summary><code>legacy</code>: adopt</summary>

      \`\`\`diff
      adopt id 0123
      + name: "Legacy Org"
      \`\`\`

      </details>

      <details>
      <summary><code>old-shop</code>: delete</summary>

      \`\`\`diff
      id id-old-shop
      \`\`\`

      </details>

      <details>
      <summary><code>partner</code>: release</summary>

      \`\`\`diff
      id id-partner
      \`\`\`

      </details>

      <details>
      <summary><code>acme-profile</code>: update</summary>

      \`\`\`diff
      ~ business_email: "a@acme.example" => "legal@acme.example"
      \`\`\`

      </details>

      <details>
      <summary><code>acme-members</code>: update</summary>

      \`\`\`diff
      + ada@acme.example (Read only)
      ~ bob@acme.example: Read only => Admin
      - eve@acme.example (Billing)
      \`\`\`

      </details>
      "
    `);
  });

  it("counts the managed organizations and those really deleted (released ones are not)", () => {
    const plan = planFromEvents("prod", events);
    expect({ managed: plan.managedOrganizations, deleted: plan.deletedOrganizations }).toEqual({ managed: 4, deleted: 1 });
  });

  it.each([
    ["1 of 4 (25%) under the default", 1, 4, undefined, false],
    ["2 of 4 (50%) under the default", 2, 4, undefined, true],
    ["2 of 4 (50%) with --max-delete-share 0.5", 2, 4, 0.5, false],
    ["1 of 1 (100%): the last organization", 1, 1, undefined, true],
  ])("%s is %s", (_name, deleted, managed, share, refused) => {
    const plan = { stack: "prod", steps: [], managedOrganizations: managed, deletedOrganizations: deleted };
    const run = () => checkDeleteGuard(plan, share);
    if (refused) expect(run).toThrow(/refusing to delete \d+ of the \d+ managed organizations .* run again with --max-delete-share/);
    else expect(run).not.toThrow();
  });

  it("reports a failed engine command in the engine's own words, without the command line and both streams", () => {
    const failure = Object.assign(new Error("Command failed with exit code 3: pulumi stack select --stack x\nerror: no stack named 'x' found"), {
      commandResult: { stdout: "", stderr: "error: no stack named 'x' found\nerror: no stack named 'x' found\n" },
    });
    expect(engineError(failure, "selecting stack x").message).toBe("selecting stack x failed: no stack named 'x' found");
  });
});

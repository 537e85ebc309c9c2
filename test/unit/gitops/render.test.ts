// The drift report as people read it: text for terminals and CI logs, Markdown for a pull-request
// comment. Built from a report fixture (builders), so the snapshots do not depend on live ids.
import { describe, expect, it } from "vitest";
import { DRIFT_REPORT_VERSION, type DriftReport, type OrganizationDrift } from "../../../provider/gitops/drift";
import { renderDriftMarkdown, renderDriftText } from "../../../provider/gitops/render";

function anOrganization(over: Partial<OrganizationDrift> & { key: string | null; name: string }): OrganizationDrift {
  return { id: `id-${over.key ?? over.name.toLowerCase()}`, state: "in-sync", fields: [], profile: [], ...over };
}

function aReport(organizations: OrganizationDrift[], over: Partial<DriftReport> = {}): DriftReport {
  const count = (s: OrganizationDrift["state"]) => organizations.filter((o) => o.state === s).length;
  const summary = { declared: organizations.filter((o) => o.key).length, inSync: count("in-sync"), changed: count("changed"), missing: count("missing"), unmanaged: count("unmanaged"), unmanagedIgnored: 0 };
  return { version: DRIFT_REPORT_VERSION, backend: "cloudflare", authoritative: true, drift: summary.changed + summary.missing + summary.unmanaged > 0, summary, organizations, ...over };
}

const everyKind = aReport([
  anOrganization({ key: "acme", name: "Acme Group" }),
  anOrganization({
    key: "acme-eu",
    name: "Acme Europe",
    state: "changed",
    fields: [{ field: "name", kind: "update", live: "Acme EU", declared: "Acme Europe" }],
    parent: { live: null, declared: "id-acme" },
    profile: [{ field: "business_email", kind: "add", live: null, declared: "legal@acme.example" }],
    members: {
      missing: [{ email: "cto@acme.example", role: "Super Administrator" }],
      unmanaged: [{ email: "intruder@else.example", role: "Administrator" }],
      wrongRole: [{ email: "dev@acme.example", live: "Administrator", declared: "Member" }],
      inactive: [],
    },
  }),
  anOrganization({ key: "legacy", name: "Legacy Org", id: null, state: "missing" }),
  anOrganization({ key: null, name: "Shadow | <IT>", state: "unmanaged" }),
]);

describe("the drift report", () => {
  it("shows every kind of drift as text, live => declared", () => {
    expect(renderDriftText(everyKind)).toMatchInlineSnapshot(`
      "drift: cloudflare, 3 organizations declared: 1 in sync, 1 changed, 1 missing, 1 unmanaged
      ~ acme-eu "Acme Europe" (id-acme-eu): changed
          ~ name: "Acme EU" => "Acme Europe"
          ~ parent: null => id-acme
          profile:
            + business_email: "legal@acme.example"
          members:
            + cto@acme.example (Super Administrator): declared, not a member
            - intruder@else.example (Administrator): a member declared nowhere
            ~ dev@acme.example: Administrator => Member
      + legacy "Legacy Org": missing
          declared, but no live organization matches it (by adopt.id, adopt.name or name)
      - (unmanaged) "Shadow | <IT>" (id-shadow | <it>): unmanaged
          live, but declared nowhere (the config is authoritative)
      "
    `);
  });

  it("shows every kind of drift as a pull-request comment: a summary table, then details per organization", () => {
    expect(renderDriftMarkdown(everyKind)).toMatchInlineSnapshot(`
      "### orgform drift (cloudflare)

      **drift: cloudflare, 3 organizations declared: 1 in sync, 1 changed, 1 missing, 1 unmanaged**

      | organization | id | state | fields | profile | members |
      | --- | --- | --- | --- | --- | --- |
      | <code>acme-eu</code> Acme Europe | <code>id-acme-eu</code> | changed | 2 | 1 | +1 −1 ~1 |
      | <code>legacy</code> Legacy Org |  | missing |  |  |  |
      | Shadow &#124; &#60;IT&#62; | <code>id-shadow &#124; &#60;it&#62;</code> | unmanaged |  |  |  |

      <details>
      <summary><code>acme-eu</code> Acme Europe: changed</summary>

      \`\`\`diff
      ~ name: "Acme EU" => "Acme Europe"
      ~ parent: null => id-acme
      profile:
        + business_email: "legal@acme.example"
      members:
        + cto@acme.example (Super Administrator): declared, not a member
        - intruder@else.example (Administrator): a member declared nowhere
        ~ dev@acme.example: Administrator => Member
      \`\`\`

      </details>
      "
    `);
  });

  it("says there is no drift, and what it did not count, when the config is not authoritative", () => {
    const report = aReport([anOrganization({ key: "acme", name: "Acme Group" })], { authoritative: false });
    report.summary.unmanagedIgnored = 4;
    expect(renderDriftText(report)).toMatchInlineSnapshot(`
      "no drift: cloudflare, 1 organization declared: 1 in sync, 0 changed, 0 missing, 4 live but undeclared (not drift: the config is not authoritative)
      "
    `);
    expect(renderDriftMarkdown(report)).toMatchInlineSnapshot(`
      "### orgform drift (cloudflare)

      **no drift: cloudflare, 1 organization declared: 1 in sync, 0 changed, 0 missing, 4 live but undeclared (not drift: the config is not authoritative)**
      "
    `);
  });

  it("escapes terminal control sequences a live name may hold", () => {
    const report = aReport([anOrganization({ key: null, name: "Evil\u001b[31m", state: "unmanaged" })]);
    expect(renderDriftText(report)).not.toContain("\u001b");
    expect(renderDriftMarkdown(report)).not.toContain("\u001b");
  });
});

// allowDuplicateName in the desired state: declared only where a vendor creates organizations whose
// names may repeat; two organizations the config creates under one name each need it there.
import { describe, expect, it } from "vitest";
import { loadConfigText } from "../../../provider/config/load";

// The adoption warning (unguarded-adoption, test/integration/ownership.test.ts) is another rule's.
const lines = (text: string) =>
  loadConfigText(text, "orgs.yaml")
    .diagnostics.filter((d) => d.code !== "unguarded-adoption")
    .map((d) => `${d.line}:${d.column} ${d.severity}[${d.code}] ${d.path}: ${d.message}`);

describe("allowDuplicateName", () => {
  it("is read as the organization's opt-in and handed on with it", () => {
    const { config, diagnostics } = loadConfigText("backend: aiaengine\norganizations:\n  - key: a\n    name: Lab\n    allowDuplicateName: true\n", "orgs.yaml");
    expect(diagnostics).toEqual([]);
    expect(config!.organizations[0]).toMatchObject({ key: "a", allowDuplicateName: true });
  });

  it("must be true or false", () => {
    expect(lines("backend: aiaengine\norganizations:\n  - key: a\n    name: Lab\n    allowDuplicateName: yes please\n")).toEqual([
      "5:25 error[wrong-type] organizations[0].allowDuplicateName: allowDuplicateName must be true or false",
    ]);
  });

  it("does not apply where names are unique or organizations cannot be created", () => {
    expect(lines("backend: cloudflare\norganizations:\n  - key: a\n    name: Lab\n    allowDuplicateName: true\n")).toEqual([
      "5:5 error[unknown-field] organizations[0].allowDuplicateName: allowDuplicateName does not apply to Cloudflare Organizations: it keeps organization names unique",
    ]);
    expect(lines("backend: cloudomation\norganizations:\n  - key: a\n    adopt: {name: Lab}\n    allowDuplicateName: true\n")).toEqual([
      "5:5 error[unknown-field] organizations[0].allowDuplicateName: allowDuplicateName does not apply to Cloudomation Engine: its organizations cannot be created",
    ]);
  });

  it("is needed on each of two organizations created under one name, and not on an adopted one", () => {
    const twice = "backend: aiaengine\norganizations:\n  - key: a\n    name: Lab\n  - key: b\n    name: Lab\n    allowDuplicateName: true\n  - key: c\n    adopt: {name: Lab}\n";
    expect(lines(twice)).toEqual([
      '4:11 error[duplicate-name] organizations[0].name: name "Lab" is also created by "b": AIA Engine allows it, but only with allowDuplicateName: true on each',
    ]);
    expect(lines(twice.replace("    name: Lab\n  - key: b", "    name: Lab\n    allowDuplicateName: true\n  - key: b"))).toEqual([]);
  });
});

// A member's sensitive import-only field (AIA Engine's initialPassword) in YAML: only as a
// reference to the environment or a stack config secret, never a value; located diagnostics.
import { describe, expect, it } from "vitest";
import { loadConfigText, type Diagnostic } from "../../../provider/config";
import { runValidate } from "../../../provider/cli/validate";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const PASSWORD = "correct-horse-battery";
const config = (member: string, backend = "aiaengine") => `backend: ${backend}
organizations:
  - key: analytics
    name: Analytics
    members:
      - ${member}
`;
const brief = (d: Diagnostic) => `${d.severity}[${d.code}] ${d.line}:${d.column} ${d.path}`;

describe("secret references of members", () => {
  it("takes {env: NAME} and keeps the reference, never a value", () => {
    const { config: c, diagnostics } = loadConfigText(config("{ email: ada@acme.test, initialPassword: { env: ADA_PASSWORD } }"), "f.yaml", { env: { ADA_PASSWORD: PASSWORD } });
    expect(diagnostics).toEqual([]);
    const item = c!.organizations[0]!.members!.items[0]!;
    expect(item.secrets).toEqual({ initialPassword: { env: "ADA_PASSWORD", source: { file: "f.yaml", line: 6, column: 57 } } });
    expect(JSON.stringify(c)).not.toContain(PASSWORD);
  });

  it("takes {config: key}, with or without a namespace", () => {
    for (const key of ["adaPassword", "acme-orgs:adaPassword"]) {
      const { config: c, diagnostics } = loadConfigText(config(`{ email: ada@acme.test, initialPassword: { config: "${key}" } }`));
      expect(diagnostics).toEqual([]);
      expect(c!.organizations[0]!.members!.items[0]!.secrets?.initialPassword).toMatchObject({ config: key });
    }
  });

  it("refuses the value itself, with the reference to write instead", () => {
    const { config: c, diagnostics } = loadConfigText(config(`{ email: ada@acme.test, initialPassword: ${PASSWORD} }`), "f.yaml");
    expect(c).toBeUndefined();
    expect(diagnostics.map(brief)).toEqual(["error[inline-secret] 6:50 organizations[0].members[0].initialPassword"]);
    expect(diagnostics[0]!.message).toContain("{env: NAME}");
    expect(diagnostics[0]!.message).not.toContain(PASSWORD);
  });

  it("refuses malformed references where they are written", () => {
    const cases: Array<[string, string[]]> = [
      ["{ env: A, config: b }", ["error[invalid-secret-reference] 6:50 organizations[0].members[0].initialPassword"]],
      ["{}", ["error[invalid-secret-reference] 6:50 organizations[0].members[0].initialPassword"]],
      ["{ env: 9LIVES }", ["error[invalid-secret-reference] 6:57 organizations[0].members[0].initialPassword.env"]],
      ["{ env: [A] }", ["error[invalid-secret-reference] 6:57 organizations[0].members[0].initialPassword.env"]],
      ["{ config: 'a b' }", ["error[invalid-secret-reference] 6:60 organizations[0].members[0].initialPassword.config"]],
      [
        "{ vault: x }",
        ["error[invalid-secret-reference] 6:50 organizations[0].members[0].initialPassword", "error[invalid-secret-reference] 6:52 organizations[0].members[0].initialPassword.vault"],
      ],
    ];
    for (const [ref, expected] of cases) {
      const { config: c, diagnostics } = loadConfigText(config(`{ email: ada@acme.test, initialPassword: ${ref} }`), "f.yaml");
      expect(c, ref).toBeUndefined();
      expect(diagnostics.map(brief), ref).toEqual(expected);
    }
  });

  it("refuses a reference on a key the member schema has no sensitive field for", () => {
    const own = loadConfigText(config("{ email: ada@acme.test, password: { env: X } }"));
    expect(own.diagnostics.map(brief)).toEqual(["error[invalid-secret-reference] 6:33 organizations[0].members[0].password"]);
    expect(own.diagnostics[0]!.message).toContain("initialPassword");
    const other = loadConfigText(config("{ email: ada@acme.test, initialPassword: { env: X } }", "cloudflare"));
    expect(other.diagnostics.map(brief)).toEqual(["error[invalid-secret-reference] 6:33 organizations[0].members[0].initialPassword"]);
    expect(other.diagnostics[0]!.message).toMatch(/no sensitive field "initialPassword"/);
  });

  it("other secret-looking keys of a member stay inline secrets", () => {
    const { diagnostics } = loadConfigText(config(`{ email: ada@acme.test, password: ${PASSWORD} }`));
    expect(diagnostics.map(brief)).toEqual(["error[inline-secret] 6:33 organizations[0].members[0].password"]);
    expect(diagnostics[0]!.message).not.toContain(PASSWORD);
  });

  it("an unset environment variable: an error with an environment, a warning for validate, unchecked without one", () => {
    const text = config("{ email: ada@acme.test, initialPassword: { env: ORGFORM_TEST_UNSET_PASSWORD } }");
    const strict = loadConfigText(text, "f.yaml", { env: {} });
    expect(strict.config).toBeUndefined();
    expect(strict.diagnostics.map(brief)).toEqual(["error[unset-secret-reference] 6:57 organizations[0].members[0].initialPassword.env"]);
    expect(strict.diagnostics[0]!.message).toContain("ORGFORM_TEST_UNSET_PASSWORD");
    const lenient = loadConfigText(text, "f.yaml", { env: {}, unsetEnv: "warning" });
    expect(lenient.config).toBeDefined();
    expect(lenient.diagnostics.map(brief)).toEqual(["warning[unset-secret-reference] 6:57 organizations[0].members[0].initialPassword.env"]);
    expect(loadConfigText(text).diagnostics).toEqual([]);
  });

  it("orgform validate warns about an unset variable and still passes", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "orgform-secret-ref-"));
    const file = path.join(dir, "orgs.yaml");
    fs.writeFileSync(file, config("{ email: ada@acme.test, initialPassword: { env: ORGFORM_TEST_UNSET_PASSWORD } }"));
    const { output, exitCode } = runValidate(file, { env: {} });
    expect(exitCode).toBe(0);
    expect(output).toContain("warning[unset-secret-reference]");
    const set = runValidate(file, { env: { ORGFORM_TEST_UNSET_PASSWORD: PASSWORD } });
    expect(set.output).not.toContain("warning");
    expect(set.output).not.toContain(PASSWORD);
  });
});

import * as fs from "node:fs";
import * as path from "node:path";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { configSchemaText } from "../../../provider/config/config-schema";
import { schemasDir } from "../../../provider/core/paths";
import { exampleFiles } from "../examples-list";

const file = path.join(schemasDir(), "config.schema.json");

describe("schemas/config.schema.json", () => {
  it("is generated from the backend schemas and up to date", () => {
    if (process.env.UPDATE_CONFIG_SCHEMA === "1") fs.writeFileSync(file, configSchemaText());
    expect(fs.readFileSync(file, "utf8")).toBe(configSchemaText());
  });

  const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
  addFormats(ajv);
  let compiled: ReturnType<typeof ajv.compile> | undefined;
  const validate = Object.assign((data: unknown) => {
    compiled ??= ajv.compile(JSON.parse(fs.readFileSync(file, "utf8")));
    const ok = compiled(data);
    validate.errors = compiled.errors;
    return ok;
  }, { errors: undefined as unknown });

  it.each(exampleFiles())("accepts the example %s", (example) => {
    const ok = validate(parse(fs.readFileSync(example, "utf8")));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it("rejects a field the backend does not have", () => {
    expect(validate({ backend: "zenml", organizations: [{ key: "a", name: "a", colour: "red" }] })).toBe(false);
  });

  it("rejects members on a backend without members", () => {
    expect(validate({ backend: "zenml", organizations: [{ key: "a", name: "a", members: [] }] })).toBe(false);
  });

  it("requires a name unless the organization is adopted", () => {
    expect(validate({ backend: "cloudflare", organizations: [{ key: "a" }] })).toBe(false);
    expect(validate({ backend: "cloudflare", organizations: [{ key: "a", adopt: { id: "x" } }] })).toBe(true);
  });
});

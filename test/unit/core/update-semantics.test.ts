// Adapters read how their vendor applies an update from the capability matrix (`update.semantics`)
// through one helper, `updateSemantics`, and build the body with `updateBody`; a replace body is
// never built without the live object it sends back.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { BACKENDS } from "../../../provider/core/backends";
import { capabilitiesOf, updateSemantics } from "../../../provider/core/capabilities";
import { packageRoot } from "../../../provider/core/paths";
import { schemaFor } from "../../../provider/core/schema";
import { toWire, updateBody, updateNeedsLive } from "../../../provider/core/wire";

describe.each(BACKENDS)("the update semantics of %s", (backend) => {
  const caps = capabilitiesOf(backend);

  it("are its capability matrix's, for the organization", () => {
    expect(updateSemantics(backend, "organization")).toBe(caps.organization.update.semantics);
  });

  it("are its capability matrix's for the profile, or a sentence where the profile cannot be updated", () => {
    if (caps.profile.update) expect(updateSemantics(backend, "profile")).toBe(caps.profile.update.semantics);
    else expect(() => updateSemantics(backend, "profile")).toThrow(`schemas/${backend}/capabilities.json: profile.update is null: the profile cannot be updated`);
  });
});

describe("updateNeedsLive", () => {
  // The first schema with a reserved key, and one without: the tests follow the schemas, not a vendor's name.
  const withReserved = BACKENDS.map((b) => schemaFor(b, "organization")).find((s) => s.fields.some((f) => f.reservedKeys.length > 0))!;
  const reserved = withReserved.fields.find((f) => f.reservedKeys.length > 0)!;
  const plain = BACKENDS.map((b) => schemaFor(b, "organization")).find((s) => s.fields.every((f) => f.reservedKeys.length === 0))!;

  const cases = [
    { name: "a replace always needs it: every undeclared field is sent back", schema: plain, declared: { name: "A" }, semantics: "replace" as const, needs: true },
    { name: "a merge of plain fields does not", schema: plain, declared: { name: "A" }, semantics: "merge" as const, needs: false },
    { name: "a merge that sends a field with reserved keys does: their live values are kept", schema: withReserved, declared: { [reserved.name]: {} }, semantics: "merge" as const, needs: true },
    { name: "a merge that leaves that field undeclared does not", schema: withReserved, declared: { name: "A" }, semantics: "merge" as const, needs: false },
  ];
  it.each(cases)("$name", ({ schema, declared, semantics, needs }) => {
    expect(updateNeedsLive(schema, declared, semantics)).toBe(needs);
  });
});

describe("updateBody", () => {
  const schema = schemaFor(BACKENDS[0], "organization");

  it("refuses a replace without the live object instead of resetting every undeclared field", () => {
    expect(() => updateBody(schema, { name: "A" }, "replace")).toThrow(`a replace update of a ${schema.backend} organization needs the live object: every field it does not send is reset`);
    expect(updateBody(schema, { name: "A" }, "replace", toWire({ name: "Old" }, schema))).toEqual(toWire({ name: "A" }, schema));
    expect(updateBody(schema, { name: "A" }, "merge")).toEqual(toWire({ name: "A" }, schema));
  });
});

describe("the adapters", () => {
  it("pass no update semantics of their own: each reads them with updateSemantics", () => {
    const dir = path.join(packageRoot(), "provider", "backends");
    const literal = /updateBody\([^;]*["'`](merge|replace)["'`]/;
    const files = fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).flatMap((e) => fs.readdirSync(path.join(dir, e.name)).map((f) => path.join(dir, e.name, f)));
    const offenders = files.filter((f) => f.endsWith(".ts") && literal.test(fs.readFileSync(f, "utf8")));
    expect(files.length).toBeGreaterThan(BACKENDS.length);
    expect(offenders.map((f) => path.relative(packageRoot(), f))).toEqual([]);
    // The check would see one.
    expect(literal.test(`const body = updateBody(orgSchema(), declared, "merge");`)).toBe(true);
  });
});

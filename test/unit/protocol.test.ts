// The one check of a vendor's answer (provider/http/protocol.ts), as pure functions: the media type,
// the error shape, a 404 that is evidence ("no such object") against one that is not ("no such
// route"), the fields an adapter reads, and a paginated read that makes no progress.
import { describe, expect, it } from "vitest";
import { VENDORS } from "../../provider/backends";
import { PageProgress, protocolProblem, shape, type RawAnswer } from "../../provider/http/protocol";
import { expect as aiaengine } from "../../provider/backends/aiaengine/protocol";

const json = (status: number, body: unknown, contentType = "application/json"): RawAnswer => ({ status, contentType, text: JSON.stringify(body), body, json: true });

describe("protocolProblem", () => {
  const p = VENDORS.aiaengine.protocol;

  it("accepts the vendor's answer and its own 'no such object'", () => {
    expect(protocolProblem(p, json(200, { orgs: [{ id: "o1", name: "A" }] }), aiaengine.organizations)).toBeUndefined();
    // proto3 JSON leaves an empty repeated field out: an empty list is `{}`.
    expect(protocolProblem(p, json(200, {}), aiaengine.organizations)).toBeUndefined();
    expect(protocolProblem(p, json(404, { code: "not_found", message: "organization o1 not found" }))).toBeUndefined();
    expect(protocolProblem(p, { status: 204, text: "", body: undefined, json: false })).toBeUndefined();
  });

  it("names what is wrong: the media type, the body, the field, the kind of 404", () => {
    const html = "<!doctype html><title>proxy</title>";
    expect(protocolProblem(p, { status: 200, contentType: "text/html", text: html, body: html, json: false }, aiaengine.organizations)).toBe("AIA Engine's (application/json)");
    expect(protocolProblem(p, { status: 200, contentType: "application/json", text: "<x>", body: "<x>", json: false })).toBe("AIA Engine's (the body is not JSON)");
    expect(protocolProblem(p, json(200, { orgs: "<html>" }), aiaengine.organizations)).toBe("AIA Engine's answer (orgs: a string, expected an array)");
    expect(protocolProblem(p, json(200, { orgs: [{ id: 1, name: "A" }] }), aiaengine.organizations)).toBe("AIA Engine's answer (orgs[0].id: a number, expected a string)");
    expect(protocolProblem(p, json(200, { orgs: [{ name: "A" }] }), aiaengine.organizations)).toBe("AIA Engine's answer (orgs[0].id: missing, expected a string)");
    expect(protocolProblem(p, { status: 200, text: "", body: undefined, json: false }, aiaengine.organizations)).toMatch(/empty body/);
    expect(protocolProblem(p, json(404, { message: "Not Found" }))).toBe("AIA Engine's error (code: missing, expected a string)");
    // Connect's own answer to a path the service has no method for: a wrong base path, not a gone object.
    expect(protocolProblem(p, json(404, { code: "unimplemented", message: "no such procedure" }))).toMatch(/no such route/);
  });

  it("tells each vendor's 'no such object' from its 'no such route'", () => {
    const cases: [keyof typeof VENDORS, unknown, unknown, string?][] = [
      ["cloudflare", { success: false, errors: [{ code: 7003, message: "Could not route to /organizations/x" }] }, { success: false, errors: [{ code: 7000, message: "No route for that URI" }] }],
      ["zenml", { detail: ["KeyError", "organization x not found"] }, { detail: "Not Found" }],
      ["commercelayer", { errors: [{ code: "RECORD_NOT_FOUND", title: "Record not found" }] }, { errors: [{ code: "NOT_FOUND", title: "Not found" }] }, "application/vnd.api+json"],
      ["cloudomation", { status: 404, error: "Not Found", message: "organization x not found" }, { status: 404, error: "Not Found", message: "no route GET /x" }],
    ];
    for (const [vendor, object, route, type] of cases) {
      expect(protocolProblem(VENDORS[vendor].protocol, json(404, object, type)), vendor).toBeUndefined();
      expect(protocolProblem(VENDORS[vendor].protocol, json(404, route, type)), vendor).toMatch(/no such route/);
    }
  });
});

describe("shape", () => {
  it("checks only the fields it names, nullables and optionals included", () => {
    const s = shape.object({ id: shape.string, parent: shape.nullable(shape.object({ id: shape.string })), tags: shape.optional(shape.array(shape.string)) });
    expect(s({ id: "a", parent: null, extra: 1 }, "")).toBeUndefined();
    expect(s({ id: "a", parent: { id: 2 } }, "")).toBe("parent.id: a number, expected a string");
    expect(s([], "")).toBe("the body: an array, expected an object");
  });
});

describe("PageProgress", () => {
  it("lets pages that bring new items pass, and stops a repeated cursor or a page of items already listed", () => {
    const ok = new PageProgress("GET http://x/orgs");
    ok.next(["a", "b"], 2);
    ok.next(["c"], undefined);
    const repeated = new PageProgress("GET http://x/orgs");
    repeated.next(["a"], "t1");
    expect(() => repeated.next(["b"], "t1")).toThrow(/GET http:\/\/x\/orgs answered a page that makes no progress/);
    const same = new PageProgress("GET http://x/orgs");
    same.next(["a", "b"], 2);
    expect(() => same.next(["a", "b"], 4)).toThrow(expect.objectContaining({ code: "PROTOCOL" }));
    const empty = new PageProgress("GET http://x/orgs");
    expect(() => empty.next([], 2)).toThrow(/no progress/);
  });
});

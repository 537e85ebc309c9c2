// Which live organization a declaration stands for (`matchDeclarations`): without state by
// adopt, then name; with a stack's state (`orgform drift --stack`) by the id Pulumi holds for the key.
import { describe, expect, it } from "vitest";
import { loadConfigText } from "../../../provider/config";
import type { ObservedOrganization } from "../../../provider/backends/types";
import { matchDeclarations } from "../../../provider/gitops/drift";

const config = loadConfigText("backend: cloudflare\norganizations:\n  - key: acme\n    previousKeys: [acme-old]\n    name: Acme\n").config!;
const org = (id: string, name: string): ObservedOrganization => ({ id, name, parentId: null, fields: { name } });
const live = [org("id-renamed", "Acme Renamed By Hand"), org("id-other", "Acme")];

describe("matchDeclarations", () => {
  it("matches by name without state: a renamed organization is another one", () => {
    expect(matchDeclarations(config, live).get("acme")?.id).toBe("id-other");
  });

  it("matches by the id in the stack's state, as the engine does, also under a previous key", () => {
    expect(matchDeclarations(config, live, new Map([["acme", "id-renamed"]])).get("acme")?.id).toBe("id-renamed");
    expect(matchDeclarations(config, live, new Map([["acme-old", "id-renamed"]])).get("acme")?.id).toBe("id-renamed");
  });

  it("finds nothing when the state's id is gone from the API (missing, not someone else's same-named organization)", () => {
    expect(matchDeclarations(config, live, new Map([["acme", "id-gone"]])).get("acme")).toBeUndefined();
  });
});

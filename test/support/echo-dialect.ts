// A dialect for the emulator core's own tests (OAuth2 token endpoint, issued tokens, the HTTP
// client's credential kinds): it takes OAuth2 client credentials and answers who is calling.
import type { Dialect } from "../../emulator/types";

const fail = (status: number, message: string) => ({ status, body: { error: message } });

export const echoDialect: Dialect = {
  name: "echo",
  prefix: "/echo",
  oauth2: { tokenPath: "/echo/oauth/token" },
  readCredential(req) {
    const h = req.headers.authorization;
    if (typeof h !== "string" || h === "") return null;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
    return m ? { kind: "bearer", token: m[1] } : "malformed";
  },
  errors: {
    unauthenticated: (reason) => fail(401, `unauthenticated: ${reason}`),
    rateLimited: () => fail(429, "rate limited"),
    fault: (status) => fail(status, "fault"),
    noRoute: () => fail(404, "no route"),
    fromError: (err) => fail(500, (err as Error).message),
  },
  rateLimitHeaders: () => ({}),
  routes(app) {
    app.get("/whoami", async (req) => ({ kind: req.principal!.kind, issued: req.principal!.issued ?? null }));
    app.post("/things", async (req) => ({ got: req.body ?? null }));
  },
  seed: () => ({ organizations: [], members: 0 }),
  describeCredentials: () => [],
};

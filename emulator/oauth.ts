import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { EmulatorRuntime } from "./app";
import type { Dialect } from "./types";

/**
 * The OAuth2 token endpoint (RFC 6749 section 4.4, client credentials grant) the core serves for every
 * dialect that declares `oauth2`. The request is form-encoded (or JSON, as some vendors' clients
 * send it); the client authenticates with HTTP Basic or with `client_id` / `client_secret` in the
 * body. Answers `{access_token, token_type, expires_in, scope?, created_at}`; errors are RFC 6749
 * `{error, error_description}`, or the dialect's own shape (`oauth2.error`). Issued tokens are
 * bearer tokens of that dialect only.
 */

type Form = Record<string, unknown>;

type TokenErrorShape = NonNullable<Dialect["oauth2"]>["error"];

function oauthError(reply: FastifyReply, status: number, error: string, description: string, shape?: TokenErrorShape): FastifyReply {
  if (status === 401) reply.header("www-authenticate", 'Basic realm="orgform-emulator"');
  return reply.code(status).header("cache-control", "no-store").send(shape ? shape(status, error, description) : { error, error_description: description });
}

function basicCredentials(req: FastifyRequest): { id: string; secret: string } | undefined {
  const h = req.headers.authorization;
  const m = typeof h === "string" ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(h) : null;
  if (!m) return undefined;
  const decoded = Buffer.from(m[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  // RFC 6749 2.3.1: both parts are form-urlencoded inside the Basic header.
  const dec = (s: string) => {
    try {
      return decodeURIComponent(s.replace(/\+/g, " "));
    } catch {
      return s;
    }
  };
  return { id: dec(decoded.slice(0, colon)), secret: dec(decoded.slice(colon + 1)) };
}

export function registerTokenEndpoint(app: FastifyInstance, dialect: Dialect & { oauth2: { tokenPath: string } }, rt: EmulatorRuntime): void {
  const shape = dialect.oauth2.error;
  void app.register(async (scope) => {
    scope.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, text, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(text))));
    });
    scope.setErrorHandler((err, _req, reply) => oauthError(reply, 400, "invalid_request", (err as Error).message, shape));
    scope.post(dialect.oauth2.tokenPath, async (req, reply) => {
      const key = `POST ${dialect.oauth2.tokenPath}`;
      rt.counters.request(dialect.name, key);
      const answer = (status: number, send: () => FastifyReply) => {
        rt.counters.answer(dialect.name, key, status);
        return send();
      };
      const form = (req.body ?? {}) as Form;
      if (typeof form !== "object" || Array.isArray(form)) {
        return answer(400, () => oauthError(reply, 400, "invalid_request", "the body must be form-encoded or a JSON object", shape));
      }
      const other = dialect.oauth2.otherGrant;
      if (other && form.grant_type !== "client_credentials") {
        const formEncoded = /^application\/x-www-form-urlencoded\b/i.test(String(req.headers["content-type"] ?? ""));
        const fields = formEncoded ? Object.fromEntries(Object.entries(form).filter((e): e is [string, string] => typeof e[1] === "string")) : {};
        const a = other(fields, rt.ctx);
        return answer(a.status, () => reply.code(a.status).headers({ "cache-control": "no-store", ...a.headers }).send(a.body));
      }
      const basic = basicCredentials(req);
      const clientId = basic?.id ?? (typeof form.client_id === "string" ? form.client_id : undefined);
      const clientSecret = basic?.secret ?? (typeof form.client_secret === "string" ? form.client_secret : undefined);
      if (form.grant_type !== "client_credentials") {
        return answer(400, () =>
          oauthError(reply, 400, form.grant_type === undefined ? "invalid_request" : "unsupported_grant_type", "grant_type must be client_credentials", shape),
        );
      }
      if (!clientId || clientSecret === undefined) {
        return answer(401, () => oauthError(reply, 401, "invalid_client", "client authentication failed: give client_id and client_secret", shape));
      }
      const check = rt.auth.checkClient(clientId, clientSecret);
      if (!check.ok) return answer(401, () => oauthError(reply, 401, "invalid_client", "client authentication failed", shape));
      const issued = rt.auth.issue({ backend: dialect.name, via: "oauth2-client-credentials", subject: clientId, ttlSeconds: check.ttlSeconds });
      const asked = typeof form.scope === "string" && form.scope !== "" ? form.scope : dialect.oauth2.defaultScope;
      const scopeParam = asked !== undefined ? { scope: asked } : {};
      return answer(200, () =>
        reply.header("cache-control", "no-store").send({
          access_token: issued.token,
          token_type: "bearer",
          expires_in: issued.expiresIn,
          ...scopeParam,
          created_at: Math.floor(rt.ctx.now().getTime() / 1000),
        }),
      );
    });
  });
}

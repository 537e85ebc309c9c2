import { describe, expect, it } from "vitest";
import { resolveBackend, resolveConnection, tryResolveConnection, type ResolveConnectionInput } from "../../../provider/config/connection";
import { OrgformError } from "../../../provider/core/errors";

const CF = "http://127.0.0.1:8787/cloudflare/client/v4";

describe("resolveConnection", () => {
  const cases: Array<{ name: string; input: ResolveConnectionInput; expected: Record<string, unknown> }> = [
    {
      name: "takes a Cloudflare API token from the environment",
      input: { file: { backend: "cloudflare", endpoint: CF }, env: { CLOUDFLARE_API_TOKEN: "t-env" } },
      expected: { backend: "cloudflare", endpoint: CF, credentials: { method: "bearer-token", token: "t-env" } },
    },
    {
      name: "takes Cloudflare email + API key as the document shows",
      input: { file: { backend: "cloudflare" }, env: { CLOUDFLARE_EMAIL: "ops@acme.example", CLOUDFLARE_API_KEY: "k" } },
      expected: { endpoint: "https://api.cloudflare.com/client/v4", credentials: { method: "api-key", email: "ops@acme.example", apiKey: "k" } },
    },
    {
      name: "prefers a flag over the environment over stack config over the file",
      input: {
        flags: { endpoint: "http://flag.example/v4" },
        env: { ORGFORM_ENDPOINT: "http://env.example/v4", CLOUDFLARE_API_TOKEN: "t-env" },
        stackConfig: { "orgform:endpoint": "http://stack.example/v4", "orgform:token": "t-stack", "orgform:backend": "cloudflare" },
        file: { endpoint: "http://file.example/v4" },
      },
      expected: { endpoint: "http://flag.example/v4", credentials: { method: "bearer-token", token: "t-env" } },
    },
    {
      name: "prefers a complete method from the environment over one from stack config",
      input: { backend: "cloudflare", env: { CLOUDFLARE_EMAIL: "a@b.example", CLOUDFLARE_API_KEY: "k" }, stackConfig: { "orgform:token": "t-stack" } },
      expected: { credentials: { method: "api-key", email: "a@b.example", apiKey: "k" } },
    },
    {
      name: "falls back to stack config credentials",
      input: { backend: "aiaengine", stackConfig: { "orgform:endpoint": "http://127.0.0.1:8787/aiaengine", "orgform:token": "t-stack" } },
      expected: { endpoint: "http://127.0.0.1:8787/aiaengine", credentials: { method: "bearer-token", token: "t-stack" } },
    },
    {
      name: "resolves OAuth2 client credentials with a token URL from the file",
      input: { file: { backend: "zenml", endpoint: "http://127.0.0.1:8787/zenml/", tokenUrl: "http://127.0.0.1:8787/zenml/auth/token" }, env: { ZENML_CLIENT_ID: "id", ZENML_CLIENT_SECRET: "s" } },
      expected: { endpoint: "http://127.0.0.1:8787/zenml", credentials: { method: "oauth2-client-credentials", clientId: "id", clientSecret: "s", tokenUrl: "http://127.0.0.1:8787/zenml/auth/token" } },
    },
    {
      name: "uses the vendor's default token URL when none is given",
      input: { backend: "commercelayer", env: { COMMERCELAYER_CLIENT_ID: "id", COMMERCELAYER_CLIENT_SECRET: "s" } },
      expected: { endpoint: "https://provisioning.commercelayer.io/api", credentials: { method: "oauth2-client-credentials", clientId: "id", clientSecret: "s", tokenUrl: "https://auth.commercelayer.io/oauth/token" } },
    },
    {
      name: "reads the pacing rate",
      input: { backend: "cloudomation", flags: { endpoint: "http://x.example/api" }, env: { CLOUDOMATION_USER_NAME: "u", CLOUDOMATION_PASSWORD: "p", ORGFORM_RATE_LIMIT: "5" } },
      expected: { ratePerSecond: 5 },
    },
    {
      name: "resolves a session login from the environment, the password from stack config",
      input: { backend: "cloudomation", flags: { endpoint: "https://acme.cloudomation.com/api/latest" }, env: { CLOUDOMATION_USER_NAME: "kevin" }, stackConfig: { "orgform:password": "pw" } },
      expected: { credentials: { method: "session-login", userName: "kevin", password: "pw" } },
    },
    {
      name: "reads the requests in flight and bulk reads from stack config, the environment first",
      input: { backend: "cloudflare", env: { CLOUDFLARE_API_TOKEN: "t", ORGFORM_CONCURRENCY: "4" }, stackConfig: { "orgform:concurrency": "9", "orgform:bulkReads": "false" } },
      expected: { concurrency: 4, bulkReads: false, sources: { concurrency: "env", bulkReads: "stack" } },
    },
    {
      name: "reads the per-attempt request timeout in seconds, the environment before stack config",
      input: { backend: "cloudflare", env: { CLOUDFLARE_API_TOKEN: "t", ORGFORM_REQUEST_TIMEOUT: "2.5" }, stackConfig: { "orgform:requestTimeout": "60" } },
      expected: { requestTimeout: 2.5, sources: { requestTimeout: "env" } },
    },
    {
      name: "reads the request timeout from stack config",
      input: { backend: "cloudflare", env: { CLOUDFLARE_API_TOKEN: "t" }, stackConfig: { "orgform:requestTimeout": "60" } },
      expected: { requestTimeout: 60, sources: { requestTimeout: "stack" } },
    },
  ];
  it.each(cases)("$name", ({ input, expected }) => {
    expect(resolveConnection(input)).toMatchObject(expected);
  });

  const failures: Array<{ name: string; input: ResolveConnectionInput; code: string; message: RegExp }> = [
    { name: "names the missing backend", input: { env: {} }, code: "VALIDATION", message: /missing backend: set --backend, ORGFORM_BACKEND, orgform:backend/ },
    { name: "names the missing credentials and where to set them", input: { backend: "cloudflare", env: {} }, code: "AUTH", message: /CLOUDFLARE_API_TOKEN .*, or CLOUDFLARE_EMAIL .* \+ CLOUDFLARE_API_KEY/ },
    { name: "names the missing half of a credential pair", input: { backend: "cloudflare", env: { CLOUDFLARE_EMAIL: "a@b.example" } }, code: "AUTH", message: /incomplete: missing CLOUDFLARE_API_KEY/ },
    { name: "names the missing endpoint when the vendor has no public default", input: { backend: "cloudomation", env: { CLOUDOMATION_USER_NAME: "u", CLOUDOMATION_PASSWORD: "p" } }, code: "VALIDATION", message: /missing endpoint for cloudomation/ },
    { name: "names the missing password of a session login and where to set it", input: { backend: "cloudomation", flags: { endpoint: "https://acme.cloudomation.com/api/latest" }, env: { CLOUDOMATION_USER_NAME: "u" } }, code: "AUTH", message: /incomplete: missing CLOUDOMATION_PASSWORD \(or --password, orgform:password as a secret\)/ },
    { name: "rejects an unknown backend", input: { env: { ORGFORM_BACKEND: "github" } }, code: "VALIDATION", message: /unknown backend "github"/ },
    { name: "rejects a backend that contradicts the YAML file", input: { flags: { backend: "zenml" }, file: { backend: "cloudflare" }, env: {} }, code: "VALIDATION", message: /conflicts with backend cloudflare/ },
    { name: "rejects an endpoint with an impossible port", input: { backend: "cloudflare", flags: { endpoint: "https://api.example:70000/v4" }, env: { CLOUDFLARE_API_TOKEN: "t" } }, code: "VALIDATION", message: /endpoint \(from the command line\) has port 70000, which cannot exist/ },
    { name: "rejects an endpoint that new URL cannot parse", input: { backend: "cloudflare", env: { ORGFORM_ENDPOINT: "https://api.example:8o8o/v4", CLOUDFLARE_API_TOKEN: "t" } }, code: "VALIDATION", message: /endpoint \(from the environment\) is not a valid URL/ },
    { name: "rejects a credential in the endpoint's query string", input: { backend: "cloudflare", stackConfig: { "orgform:endpoint": "https://api.example/v4?access_token=abc", "orgform:token": "t" } }, code: "VALIDATION", message: /query string \("access_token"\): credentials are never part of a URL/ },
    { name: "rejects requests in flight that are not a positive whole number", input: { backend: "cloudflare", env: { CLOUDFLARE_API_TOKEN: "t", ORGFORM_CONCURRENCY: "2.5" } }, code: "VALIDATION", message: /ORGFORM_CONCURRENCY \/ orgform:concurrency must be a positive whole number/ },
    { name: "rejects a request timeout that is not a positive number of seconds", input: { backend: "cloudflare", env: { CLOUDFLARE_API_TOKEN: "t", ORGFORM_REQUEST_TIMEOUT: "0" } }, code: "VALIDATION", message: /ORGFORM_REQUEST_TIMEOUT \/ orgform:requestTimeout must be a positive number of seconds/ },
    { name: "rejects bulk reads that are neither true nor false", input: { backend: "cloudflare", stackConfig: { "orgform:token": "t", "orgform:bulkReads": "yes" } }, code: "VALIDATION", message: /orgform:bulkReads must be true or false/ },
    { name: "rejects credentials before the host of a token URL", input: { backend: "zenml", flags: { endpoint: "http://z.example", tokenUrl: "https://ml:pw@z.example/token" }, env: { ZENML_CLIENT_ID: "i", ZENML_CLIENT_SECRET: "s" } }, code: "VALIDATION", message: /token URL \(from the command line\) carries credentials before the host/ },
  ];
  it.each(failures)("$name", ({ input, code, message }) => {
    let error: unknown;
    try {
      resolveConnection(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OrgformError);
    expect((error as OrgformError).code).toBe(code);
    expect((error as OrgformError).message).toMatch(message);
  });

  it("never prints a credential from a URL in an error", () => {
    const { problems } = tryResolveConnection({ backend: "cloudflare", env: { ORGFORM_ENDPOINT: "https://u:hunter2@api.example/v4?token=zz-top", CLOUDFLARE_API_TOKEN: "t" } });
    expect(problems).toHaveLength(1);
    expect(problems.join(" ")).not.toMatch(/hunter2|zz-top/);
  });

  it("never prints a credential value in an error", () => {
    const { problems } = tryResolveConnection({ backend: "cloudflare", env: { CLOUDFLARE_EMAIL: "secret-email@x.example" }, stackConfig: { "orgform:clientSecret": "s3cr3t-value" } });
    expect(problems.join(" ")).not.toMatch(/secret-email|s3cr3t-value/);
  });

  it("says where each setting came from", () => {
    const { connection } = tryResolveConnection({ file: { backend: "cloudflare", endpoint: CF }, env: { CLOUDFLARE_API_TOKEN: "t" } });
    expect(connection?.sources).toEqual({ backend: "file", endpoint: "file", token: "env" });
  });

  it("resolves the backend alone", () => {
    expect(resolveBackend({ env: { ORGFORM_BACKEND: "zenml" }, backend: "cloudflare" })).toBe("zenml");
  });
});

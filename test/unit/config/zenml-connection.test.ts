// ZenML Pro takes three credential kinds: an API key exchanged at <endpoint>/auth/login, a user's
// API token and a service account's OAuth2 client credentials. The resolver picks the first one
// supplied in that order, and says which variables are missing when none is.
import { describe, expect, it } from "vitest";
import { tryResolveConnection } from "../../../provider/config/connection";

const resolve = (env: Record<string, string>, stackConfig?: Record<string, string>) => tryResolveConnection({ backend: "zenml", env, stackConfig });
const CLIENT = { ZENML_CLIENT_ID: "ci-robot", ZENML_CLIENT_SECRET: "s3cr3t-value", ZENML_TOKEN_URL: "https://cloudapi.zenml.example/auth/token" };

describe("resolving a ZenML Pro connection", () => {
  const cases: { what: string; env: Record<string, string>; method: string }[] = [
    { what: "a user's API token from ZENML_API_TOKEN", env: { ZENML_API_TOKEN: "user-token-1" }, method: "bearer-token" },
    { what: "a service account's client credentials and token URL", env: CLIENT, method: "oauth2-client-credentials" },
    { what: "the user's token when both are complete (only a user may create)", env: { ...CLIENT, ZENML_API_TOKEN: "user-token-1" }, method: "bearer-token" },
    { what: "an API key from ZENML_API_KEY (exchanged for an access token)", env: { ZENML_API_KEY: "ZENPROKEY_abc" }, method: "api-key-exchange" },
    { what: "the API key when it and the token are both given (the first kind of capabilities.json)", env: { ZENML_API_KEY: "ZENPROKEY_abc", ZENML_API_TOKEN: "user-token-1" }, method: "api-key-exchange" },
  ];
  for (const c of cases) {
    it(`uses ${c.what}`, () => {
      const { connection, problems } = resolve(c.env);
      expect(problems).toEqual([]);
      expect(connection?.credentials.method).toBe(c.method);
      expect(connection?.endpoint).toBe("https://cloudapi.zenml.io");
    });
  }

  it("takes the user's token from stack config (orgform:token)", () => {
    expect(resolve({}, { "orgform:token": "user-token-2" }).connection?.credentials).toEqual({ method: "bearer-token", token: "user-token-2" });
  });

  it("takes the API key from stack config (orgform:apiKey)", () => {
    expect(resolve({}, { "orgform:apiKey": "ZENPROKEY_def" }).connection?.credentials).toEqual({ method: "api-key-exchange", apiKey: "ZENPROKEY_def" });
  });

  it("names every way to authenticate when none is given", () => {
    expect(resolve({}).problems).toMatchInlineSnapshot(`
      [
        "missing credentials for zenml: set ZENML_API_KEY (or --api-key, orgform:apiKey as a secret), or ZENML_API_TOKEN (or --token, orgform:token as a secret), or ZENML_CLIENT_ID (or --client-id, orgform:clientId) + ZENML_CLIENT_SECRET (or --client-secret, orgform:clientSecret as a secret)",
      ]
    `);
  });

  it("names the missing part of incomplete client credentials, and takes ZenML's /auth/login on the endpoint as their token URL", () => {
    expect(resolve({ ZENML_CLIENT_ID: "ci-robot" }).problems).toMatchInlineSnapshot(`
      [
        "oauth2-client-credentials credentials for zenml are incomplete: missing ZENML_CLIENT_SECRET (or --client-secret, orgform:clientSecret as a secret)",
      ]
    `);
    expect(resolve({ ZENML_CLIENT_ID: "ci-robot", ZENML_CLIENT_SECRET: "s3cr3t-value" }).connection?.credentials).toMatchObject({ tokenUrl: "https://cloudapi.zenml.io/auth/login" });
    const selfHosted = tryResolveConnection({ backend: "zenml", env: { ZENML_CLIENT_ID: "ci-robot", ZENML_CLIENT_SECRET: "s3cr3t-value", ORGFORM_ENDPOINT: "http://127.0.0.1:8787/zenml/" } });
    expect(selfHosted.connection?.credentials).toMatchObject({ tokenUrl: "http://127.0.0.1:8787/zenml/auth/login" });
  });

  it("never puts a credential in a problem", () => {
    const { problems } = resolve({ ZENML_CLIENT_ID: "ci-robot", ZENML_CLIENT_SECRET: "s3cr3t-value", ZENML_TOKEN_URL: "https://user:pw@cloudapi.zenml.example/auth/token" });
    expect(problems.join("\n")).not.toMatch(/s3cr3t-value|pw@/);
  });
});

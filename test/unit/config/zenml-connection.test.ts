// ZenML Pro takes two credential kinds: a user's API token and a service account's OAuth2 client
// credentials. The resolver picks the one supplied (the token when both are complete), and says
// which variables are missing when neither is.
import { describe, expect, it } from "vitest";
import { tryResolveConnection } from "../../../provider/config/connection";

const resolve = (env: Record<string, string>, stackConfig?: Record<string, string>) => tryResolveConnection({ backend: "zenml", env, stackConfig });
const CLIENT = { ZENML_CLIENT_ID: "ci-robot", ZENML_CLIENT_SECRET: "s3cr3t-value", ZENML_TOKEN_URL: "https://cloudapi.zenml.example/auth/token" };

describe("resolving a ZenML Pro connection", () => {
  const cases = [
    { what: "a user's API token from ZENML_API_TOKEN", env: { ZENML_API_TOKEN: "user-token-1" }, method: "bearer-token" },
    { what: "a service account's client credentials and token URL", env: CLIENT, method: "oauth2-client-credentials" },
    { what: "the user's token when both are complete (only a user may create)", env: { ...CLIENT, ZENML_API_TOKEN: "user-token-1" }, method: "bearer-token" },
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

  it("names both ways to authenticate when neither is given", () => {
    expect(resolve({}).problems).toMatchInlineSnapshot(`
      [
        "missing credentials for zenml: set ZENML_API_TOKEN (or --token, orgform:token as a secret), or ZENML_CLIENT_ID (or --client-id, orgform:clientId) + ZENML_CLIENT_SECRET (or --client-secret, orgform:clientSecret as a secret)",
      ]
    `);
  });

  it("names the missing part of incomplete client credentials, and the token URL they need", () => {
    expect(resolve({ ZENML_CLIENT_ID: "ci-robot" }).problems).toMatchInlineSnapshot(`
      [
        "oauth2-client-credentials credentials for zenml are incomplete: missing ZENML_CLIENT_SECRET (or --client-secret, orgform:clientSecret as a secret)",
      ]
    `);
    expect(resolve({ ZENML_CLIENT_ID: "ci-robot", ZENML_CLIENT_SECRET: "s3cr3t-value" }).problems).toMatchInlineSnapshot(`
      [
        "missing token URL for zenml: set ZENML_TOKEN_URL (or --token-url, ORGFORM_TOKEN_URL, orgform:tokenUrl) or connection.tokenUrl in the YAML file",
      ]
    `);
  });

  it("never puts a credential in a problem", () => {
    const { problems } = resolve({ ZENML_CLIENT_ID: "ci-robot", ZENML_CLIENT_SECRET: "s3cr3t-value", ZENML_TOKEN_URL: "https://user:pw@cloudapi.zenml.example/auth/token" });
    expect(problems.join("\n")).not.toMatch(/s3cr3t-value|pw@/);
  });
});

import { describe, expect, it } from "vitest";
import { isSecretKey, secretValueKind } from "../../../provider/config/secrets";
import { suggest } from "../../../provider/core/suggest";

describe("isSecretKey", () => {
  it.each(["token", "api_key", "apiKey", "API-KEY", "secret", "client_secret", "clientSecret", "password", "private_key", "aws_access_key", "credentials", "authorization"])(
    "flags %s",
    (key) => expect(isSecretKey(key)).toBe(true),
  );
  it.each(["tokenUrl", "token_url", "key", "previousKeys", "name", "business_email", "gtm_id", "commit_message", "endpoint", "metadata"])(
    "does not flag %s",
    (key) => expect(isSecretKey(key)).toBe(false),
  );
});

describe("secretValueKind", () => {
  it.each([
    ["Bearer abcdefghijklmnop", "an Authorization bearer header"],
    ["eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", "a JSON Web Token"],
    ["-----BEGIN RSA PRIVATE KEY-----", "a private key"],
    ["https://user:pa55@example.com/api", "a URL with an embedded password"],
    ["https://api.example/v4?access_token=abc123", "a URL with a credential in its query string"],
    ["https://cdn.example/logo.png?v=2&X-Amz-Signature=abcdef", "a URL with a credential in its query string"],
    ["ghp_abcdefghijklmnopqrstuvwxyz0123456789", "a GitHub token"],
    ["AKIAABCDEFGHIJKLMNOP", "an AWS access key id"],
    ["orgform-emulator-token", "an orgform emulator credential"],
    ["Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb7cDe0f", "an API token"],
    // One of each kind more, so that every pattern is reached through the one-test pre-filter.
    ["Basic dXNlcjpwYXNzd29yZA==", "an Authorization basic header"],
    ["  bearer abcdefghijklmnop  ", "an Authorization bearer header"],
    ["-----BEGIN PRIVATE KEY-----", "a private key"],
    ["sk_live_abcdefghijklmnop1234", "an API secret key"],
    ["rk_test_ABCDEFGHIJKLMNOP1234", "an API secret key"],
    ["xoxb-1234567890-abcdef", "a Slack token"],
    ["orgform-admin-key", "an orgform emulator credential"],
    ["postgres://app:s3cret@db.internal/orgs", "a URL with an embedded password"],
  ])("recognises %s", (value, kind) => expect(secretValueKind(value)).toBe(kind));

  it.each([
    "a7b9c3d2e8f4a1b5c6d0e9f2a3b7c4d8",
    "6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b",
    "https://api.cloudflare.com/client/v4",
    "https://cdn.example/logo.png?v=2&size=large",
    "https://example.com/search?monkey=banana",
    "Acme Group Holding AG",
    "#2E7D32",
    "GTM-ABC1234",
    "legal@acme.example",
  ])("leaves %s alone", (value) => expect(secretValueKind(value)).toBeUndefined());
});

describe("suggest", () => {
  it.each([
    ["nmae", ["name", "key"], "name"],
    ["businessEmail", ["business_email", "business_name"], "business_email"],
    ["organisations", ["backend", "connection", "organizations"], "organizations"],
    ["colour", ["name", "parent_id"], undefined],
  ] as const)("suggests for %s", (input, candidates, expected) => expect(suggest(input, candidates)).toBe(expected));
});

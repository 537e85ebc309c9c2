// Credential kinds: the small, pluggable set of ways a vendor authenticates a client. Each kind
// names the parts a user supplies (environment, flags, stack config; never YAML). How a kind is
// sent (and renewed) is provider/http/credentials.ts. A vendor that logs in another way adds its
// kind here and there, never a fork of the HTTP client.

/** One part of a credential as a user supplies it. */
export interface CredentialPartSpec {
  name: string;
  /** Kept as a Pulumi secret in stack config, never printed. */
  secret: boolean;
  /**
   * A setting rather than a secret (a token URL): it may also come from the YAML `connection`
   * block and from the vendor's default in capabilities.json (`connection.default<Part>`).
   */
  setting?: boolean;
}

/** The kinds, by method name (the `method` of capabilities.json `connection.auth`). */
export const CREDENTIAL_KINDS = {
  "bearer-token": { parts: [{ name: "token", secret: true }] },
  "api-key": { parts: [{ name: "email", secret: false }, { name: "apiKey", secret: true }] },
  "oauth2-client-credentials": {
    parts: [{ name: "clientId", secret: false }, { name: "clientSecret", secret: true }, { name: "tokenUrl", secret: false, setting: true }],
  },
  /**
   * An API key exchanged for a short-lived bearer access token at the vendor's token route
   * (capabilities `exchange`), renewed before it expires and once on a 401 (ZenML Pro's
   * `POST /auth/login` with `password=<key>`).
   */
  "api-key-exchange": { parts: [{ name: "apiKey", secret: true }] },
  /** A user name and password exchanged for a session cookie at the vendor's login route (capabilities `login`). */
  "session-login": { parts: [{ name: "userName", secret: false }, { name: "password", secret: true }] },
} as const satisfies Record<string, { parts: readonly CredentialPartSpec[] }>;

export type AuthMethodKind = keyof typeof CREDENTIAL_KINDS;
type PartsOf<M extends AuthMethodKind> = (typeof CREDENTIAL_KINDS)[M]["parts"][number]["name"];
export type CredentialPart = { [M in AuthMethodKind]: PartsOf<M> }[AuthMethodKind];

/** A complete credential of one kind: its method and every part. */
export type Credentials = { [M in AuthMethodKind]: { method: M } & { [P in PartsOf<M>]: string } }[AuthMethodKind];

export const AUTH_METHOD_KINDS = Object.keys(CREDENTIAL_KINDS) as AuthMethodKind[];

export function partsOf(method: AuthMethodKind): readonly CredentialPartSpec[] {
  return CREDENTIAL_KINDS[method].parts;
}

export function isSecretPart(name: string): boolean {
  return AUTH_METHOD_KINDS.some((m) => partsOf(m).some((p) => p.name === name && p.secret));
}

/** Every part name of every kind, in a stable order (stack config keys, flags). */
export function allCredentialParts(): CredentialPartSpec[] {
  const seen = new Map<string, CredentialPartSpec>();
  for (const m of AUTH_METHOD_KINDS) for (const p of partsOf(m)) if (!seen.has(p.name)) seen.set(p.name, p);
  return [...seen.values()];
}


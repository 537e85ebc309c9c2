/** The five vendor backends orgform speaks. Code reads capabilities, never vendor names. */
export const BACKENDS = ["cloudflare", "zenml", "commercelayer", "cloudomation", "aiaengine"] as const;
export type BackendName = (typeof BACKENDS)[number];

/** The kinds of resource a backend may describe with a schema. */
export const RESOURCE_KINDS = ["organization", "profile", "member"] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

export function isBackendName(value: unknown): value is BackendName {
  return typeof value === "string" && (BACKENDS as readonly string[]).includes(value);
}

export function isResourceKind(value: unknown): value is ResourceKind {
  return typeof value === "string" && (RESOURCE_KINDS as readonly string[]).includes(value);
}

/** Fixture builders: small objects with sensible defaults, overridden per test. */
export function aCloudflareOrganization(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: "a7b9c3d2e8f4a1b5c6d0e9f2a3b7c4d8",
    name: "Acme",
    parent_name: null,
    create_time: "2019-12-27T18:11:19.117Z",
    meta: {
      hierarchy_tags: ["a7b9c3d2e8f4a1b5c6d0e9f2a3b7c4d8"],
      tenant_flags: {
        account_creation: "enabled",
        account_creation_applies_tenant_defaults: "disabled",
        account_deletion: "enabled",
        account_migration: "enabled",
        account_mobility: "enabled",
        enterprise_capability: "disabled",
        member_management: "enabled",
        sub_org_creation: "enabled",
      },
    },
    profile: null,
    ...overrides,
  };
}

export function aZenmlOrganization(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: "6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b",
    name: "ml-platform",
    description: "Machine learning platform",
    logo_url: null,
    created: "2024-05-01T10:00:00Z",
    updated: "2024-05-02T10:00:00Z",
    has_active_subscription: true,
    trial_expiry: 86400,
    ...overrides,
  };
}

export function aCommerceLayerOrganization(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: "WXlEOFrjnr",
    links_self: "https://provisioning.commercelayer.io/api/organizations/WXlEOFrjnr",
    name: "The Green Brand",
    slug: "the-green-brand",
    domain: "the-green-brand.commercelayer.io",
    primary_color: "#C8984E",
    contrast_color: "#FFFFCC",
    metadata: { tier: "gold" },
    region: "eu-west-1",
    created_at: "2018-01-01T12:00:00.000Z",
    updated_at: "2018-01-01T12:00:00.000Z",
    ...overrides,
  };
}

export function aCloudomationOrganization(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: "0c7f1e8e-2b2a-4a4e-9b8e-3f1c2d4e5a6b",
    name: "Example Org",
    city: "Vienna",
    active: true,
    usage_count_flow_dev: 12,
    ...overrides,
  };
}

export function aMember(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { email: "ada@example.com", role: "Administrator", ...overrides };
}

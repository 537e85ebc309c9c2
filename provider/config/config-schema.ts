/**
 * Builds `schemas/config.schema.json`, the JSON Schema editors use for desired-state YAML files
 * (`# yaml-language-server: $schema=<path>/schemas/config.schema.json`). It is generated from the
 * backend schemas and the keys in model.ts, so it cannot drift from what the loader accepts; a unit
 * test fails when the committed file is stale (regenerate: UPDATE_CONFIG_SCHEMA=1 npx vitest run
 * test/unit/config/config-schema.test.ts).
 */
import { BACKENDS, BackendName } from "../core/backends";
import { memberRoles } from "../core/roles";
import { namesMayRepeat } from "../core/name-check";
import { capabilitiesOf } from "../core/capabilities";
import { declarableFields, hasSchema, schemaFor } from "../core/schema";
import { CONFIG_KEY_PATTERN, ENV_NAME_PATTERN, KEY_PATTERN, MEMBERS_MODES } from "./model";

type Json = Record<string, unknown>;

function stripVocabulary(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripVocabulary);
  if (value !== null && typeof value === "object") {
    const out: Json = {};
    for (const [k, v] of Object.entries(value as Json)) if (!k.startsWith("x-")) out[k] = stripVocabulary(v);
    return out;
  }
  return value;
}

function fieldsOf(backend: BackendName, kind: "organization" | "profile" | "member"): { properties: Json; required: string[] } {
  const schema = schemaFor(backend, kind);
  const properties: Json = {};
  for (const f of declarableFields(schema)) {
    if (f.sensitive && f.access === "import-only") {
      // Never a value in YAML: a reference to the environment or a stack config secret.
      properties[f.name] = secretReference(f.description);
      continue;
    }
    const prop = stripVocabulary(f.json) as Json;
    const note = f.access === "import-only" ? "Import-only: sent, never read back; changing it is an update, never drift." : undefined;
    if (note) prop.description = prop.description ? `${String(prop.description)} ${note}` : note;
    properties[f.name] = prop;
  }
  return { properties, required: declarableFields(schema).filter((f) => f.required).map((f) => f.name) };
}

const keyString = { type: "string", pattern: KEY_PATTERN };

function secretReference(description: string | undefined): Json {
  return {
    description: `${description ? `${description} ` : ""}A reference, never the value: {env: NAME} or {config: key} (pulumi config set --secret).`,
    type: "object",
    additionalProperties: false,
    properties: {
      env: { type: "string", pattern: ENV_NAME_PATTERN, description: "An environment variable of the process that runs the program." },
      config: { type: "string", pattern: CONFIG_KEY_PATTERN, description: "A Pulumi stack config key holding a secret: name (the project's namespace) or namespace:name." },
    },
    oneOf: [
      { properties: { env: true }, required: ["env"] },
      { properties: { config: true }, required: ["config"] },
    ],
  };
}

function describeRoles(backend: BackendName): string {
  const r = memberRoles(backend);
  if (!r.hasRoles) return "Members have no roles: a member is an email.";
  const values = r.values ? `Roles: ${r.values.join(", ")}` : "Roles: those of each organization";
  return `${values}${r.defaultRole ? ` (default ${r.defaultRole})` : ""}.`;
}

function reservedProperties(backend: BackendName | undefined): Json {
  const caps = backend ? capabilitiesOf(backend) : undefined;
  const props: Json = {
    key: { ...keyString, description: "Stable key: the Pulumi resource name of this organization." },
    previousKeys: { type: "array", items: keyString, description: "Earlier keys of this organization (rename without replacement)." },
    adopt: {
      description: "Take over an existing live organization instead of creating one.",
      type: "object",
      additionalProperties: false,
      properties: {
        id: { type: "string", minLength: 1 },
        name: { type: "string", minLength: 1 },
        deleteOnRemove: {
          type: "boolean",
          default: false,
          description: "Delete the organization when it leaves the config (default: release it, since orgform did not create it).",
        },
        takeOver: {
          type: "boolean",
          default: false,
          description: "Adopt it although another stack's ownership marker says that stack manages it, and rewrite the marker to this stack's.",
        },
      },
      oneOf: [
        { properties: { id: true }, required: ["id"] },
        { properties: { name: true }, required: ["name"] },
      ],
    },
    protect: { type: "boolean", description: "Pulumi protect: refuse to delete." },
    status: { description: "Written by export; ignored on apply." },
  };
  if (!caps || namesMayRepeat(caps)) {
    props.allowDuplicateName = {
      type: "boolean",
      default: false,
      description:
        "Create this organization even where one of its name already exists. Without it, where names may repeat and the vendor offers no way to recognise what a create committed, orgform refuses to create a name it finds and asks to adopt it (so a killed or failed run is never doubled).",
    };
  }
  if (!caps || caps.hierarchy.supported) props.parent = { ...keyString, description: "Key of the parent organization in this config." };
  if (backend && caps?.profile.supported && hasSchema(backend, "profile")) {
    const { properties } = fieldsOf(backend, "profile");
    props.profile = { type: "object", additionalProperties: false, properties, description: "The organization profile." };
  } else if (!backend) props.profile = { type: "object" };
  if (backend && caps?.members.supported && hasSchema(backend, "member")) {
    const { properties, required } = fieldsOf(backend, "member");
    const member = { type: "object", additionalProperties: false, properties, ...(required.length ? { required } : {}) };
    props.members = {
      description: `Members (${memberRoles(backend).hasRoles ? "email + role" : "email"}). A list means mode additive. ${describeRoles(backend)}`,
      oneOf: [
        { type: "array", items: member },
        {
          type: "object",
          additionalProperties: false,
          required: ["items"],
          properties: {
            mode: { enum: [...MEMBERS_MODES], default: "additive" },
            minAdmins: {
              type: "integer",
              minimum: 0,
              description: memberRoles(backend).hasRoles
                ? "The fewest administrators the listed members may leave (orgform validate refuses fewer)."
                : "Cannot apply: members have no roles, so none administers (orgform validate warns).",
            },
            items: { type: "array", items: member },
          },
        },
      ],
    };
  } else if (!backend) props.members = {};
  return props;
}

export function buildConfigSchema(): Json {
  const defs: Json = {
    organization: {
      description: "An organization whatever the backend (backend-specific fields are checked by the backend branch).",
      type: "object",
      required: ["key"],
      properties: reservedProperties(undefined),
    },
  };
  const branches: Json[] = [];
  for (const backend of BACKENDS) {
    const { properties, required } = fieldsOf(backend, "organization");
    const def: Json = {
      description: `A ${capabilitiesOf(backend).displayName} organization: the keys above plus the declarable fields of schemas/${backend}/organization.schema.json.`,
      type: "object",
      additionalProperties: false,
      required: ["key"],
      properties: { ...reservedProperties(backend), ...properties },
    };
    if (required.length) {
      Object.assign(def, {
        if: { properties: { adopt: true }, required: ["adopt"] },
        else: { properties: Object.fromEntries(required.map((r) => [r, true])), required },
      });
    }
    defs[`${backend}Organization`] = def;
    branches.push({
      if: { required: ["backend"], properties: { backend: { const: backend } } },
      then: { properties: { organizations: { type: "array", items: { $ref: `#/$defs/${backend}Organization` } } } },
    });
  }
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "https://orgform.dev/schemas/config.schema.json",
    title: "orgform desired state",
    description: "Generated by provider/config/config-schema.ts from the backend schemas; do not edit by hand. One backend and one account per config; credentials never belong here.",
    type: "object",
    additionalProperties: false,
    properties: {
      backend: { enum: [...BACKENDS], description: "The vendor API this config manages." },
      connection: {
        type: "object",
        additionalProperties: false,
        description: "Connection settings without secrets (credentials come from the environment or Pulumi stack config).",
        properties: {
          endpoint: { type: "string", format: "uri", description: "Full base URL of the API (for the emulator, including the dialect prefix)." },
          tokenUrl: { type: "string", format: "uri", description: "OAuth2 token URL (backends that take OAuth2 client credentials)." },
        },
      },
      authoritative: {
        type: "boolean",
        default: false,
        description: "The config declares every organization its credential can see: orgform drift reports any other as unmanaged drift. Never a cause of deletion.",
      },
      organizations: { type: "array", items: { $ref: "#/$defs/organization" } },
      status: { description: "Written by export; ignored on apply." },
    },
    allOf: branches,
    $defs: defs,
  };
}

/** The generated file's text (stable formatting). */
export function configSchemaText(): string {
  return `${JSON.stringify(buildConfigSchema(), null, 2)}\n`;
}

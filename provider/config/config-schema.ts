/**
 * Builds `schemas/config.schema.json`, the JSON Schema editors use for desired-state YAML files
 * (`# yaml-language-server: $schema=<path>/schemas/config.schema.json`). It is generated from the
 * structure (structure.ts) and the backend schemas, so it cannot drift from what the loader accepts; a unit
 * test fails when the committed file is stale (regenerate: UPDATE_CONFIG_SCHEMA=1 npx vitest run
 * test/unit/config/config-schema.test.ts).
 */
import { BACKENDS, BackendName } from "../core/backends";
import { memberRoles } from "../core/roles";
import { namesMayRepeat } from "../core/name-check";
import { capabilitiesOf } from "../core/capabilities";
import { declarableFields, hasSchema, schemaFor } from "../core/schema";
import { CONFIG_KEY_PATTERN, ENV_NAME_PATTERN } from "./model";
import { FILE_STRUCTURE, ORGANIZATION_STRUCTURE } from "./structure";

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

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * The reserved keys of an organization of this backend: the structure's, without those the
 * backend has no use for (a parent without a hierarchy, ...), with its profile and member fields.
 */
function reservedProperties(backend: BackendName): Json {
  const caps = capabilitiesOf(backend);
  const props = clone(ORGANIZATION_STRUCTURE.properties) as Record<string, Json>;
  if (!namesMayRepeat(caps)) delete props.allowDuplicateName;
  if (!caps.hierarchy.supported) {
    delete props.parent;
    delete props.parent_id;
  }
  // The editor's help: exactly one of id or name (the loader also takes adopt: {} where a credential sees one organization).
  props.adopt!.oneOf = [
    { properties: { id: true }, required: ["id"] },
    { properties: { name: true }, required: ["name"] },
  ];
  if (caps.profile.supported && hasSchema(backend, "profile")) {
    const { properties } = fieldsOf(backend, "profile");
    props.profile = { ...props.profile, additionalProperties: false, properties };
  } else delete props.profile;
  if (caps.members.supported && hasSchema(backend, "member")) {
    const { properties, required } = fieldsOf(backend, "member");
    const member = { type: "object", additionalProperties: false, properties, ...(required.length ? { required } : {}) };
    const [list, mapping] = props.members!.oneOf as Json[];
    const mappingProps = mapping!.properties as Record<string, Json>;
    props.members = {
      description: `Members (${memberRoles(backend).hasRoles ? "email + role" : "email"}). A list means mode additive. ${describeRoles(backend)}`,
      oneOf: [
        { ...list, items: member },
        {
          ...mapping,
          properties: {
            ...mappingProps,
            minAdmins: {
              ...mappingProps.minAdmins,
              description: memberRoles(backend).hasRoles
                ? "The fewest administrators the listed members may leave (orgform validate refuses fewer)."
                : "Cannot apply: members have no roles, so none administers (orgform validate warns).",
            },
            items: { ...mappingProps.items, items: member },
          },
        },
      ],
    };
  } else delete props.members;
  return props;
}

/** The structure of a file whatever the backend (`structure.ts`), as a JSON Schema of its own: what the structure stage checks. */
export function configStructureSchema(): Json {
  return { $schema: "https://json-schema.org/draft/2020-12/schema", ...clone(FILE_STRUCTURE) };
}

export function buildConfigSchema(): Json {
  const file = clone(FILE_STRUCTURE) as Json & { properties: Record<string, Json> };
  const defs: Json = { organization: clone(ORGANIZATION_STRUCTURE) };
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
    description: "Generated by provider/config/config-schema.ts from provider/config/structure.ts and the backend schemas; do not edit by hand. One backend and one account per config; credentials never belong here.",
    ...file,
    properties: { ...file.properties, organizations: { ...file.properties.organizations, items: { $ref: "#/$defs/organization" } } },
    allOf: branches,
    $defs: defs,
  };
}

/** The generated file's text (stable formatting). */
export function configSchemaText(): string {
  return `${JSON.stringify(buildConfigSchema(), null, 2)}\n`;
}

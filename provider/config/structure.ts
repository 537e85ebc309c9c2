/**
 * The structure of a desired-state YAML file, written once: what keys exist where and what their
 * values are, whatever the backend. From it come
 * - the TypeScript types of a file as written (`RawDocument`, `RawOrganization`: `SchemaType`),
 * - the validator of the structure stage (ajv, `stages/structure.ts`),
 * - `schemas/config.schema.json` (config-schema.ts adds each backend's fields and narrows the
 *   reserved keys to what the backend has).
 * A backend's organization, profile and member fields are open here (any other key of an
 * organization is a field): schemas/<backend>/*.schema.json describe them.
 */
import { BACKENDS } from "../core/backends";
import { KEY_PATTERN } from "./model";
import type { SchemaType } from "./schema-type";

const key = { type: "string", pattern: KEY_PATTERN } as const;

/** A member as the structure knows it: a mapping (its fields are the backend's member schema's). */
const memberItem = { type: "object" } as const;

export const ORGANIZATION_STRUCTURE = {
  description: "An organization whatever the backend: the keys below, and any field of schemas/<backend>/organization.schema.json.",
  type: "object",
  required: ["key"],
  properties: {
    key: { ...key, description: "Stable key: the Pulumi resource name of this organization." },
    previousKeys: { type: "array", items: key, description: "Earlier keys of this organization (rename without replacement)." },
    parent: { ...key, description: "Key of the parent organization in this config." },
    parent_id: {
      type: ["string", "null"],
      minLength: 1,
      description: "Id of a live parent organization this config does not manage; null for the root. Give parent (a key) for one it declares.",
    },
    profile: { type: "object", description: "The organization profile." },
    members: {
      description: "Members: a list (mode additive), or a mapping with mode and items.",
      oneOf: [
        { type: "array", items: memberItem },
        {
          type: "object",
          additionalProperties: false,
          required: ["items"],
          properties: {
            mode: { enum: ["additive", "authoritative"], default: "additive" },
            minAdmins: { type: "integer", minimum: 0, description: "The fewest administrators the listed members may leave (orgform validate refuses fewer)." },
            items: { type: "array", items: memberItem },
          },
        },
      ],
    },
    adopt: {
      description: "Take over an existing live organization instead of creating one.",
      type: "object",
      additionalProperties: false,
      properties: {
        id: { type: ["string", "number"], minLength: 1 },
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
    },
    allowDuplicateName: {
      type: "boolean",
      default: false,
      description:
        "Create this organization even where one of its name already exists. Without it, where names may repeat and the vendor offers no way to recognise what a create committed, orgform refuses to create a name it finds and asks to adopt it (so a killed or failed run is never doubled).",
    },
    protect: { type: "boolean", description: "Pulumi protect: refuse to delete." },
    status: { description: "Written by export; ignored on apply." },
  },
} as const;

export const FILE_STRUCTURE = {
  type: "object",
  additionalProperties: false,
  properties: {
    backend: { enum: BACKENDS, description: "The vendor API this config manages." },
    connection: {
      type: "object",
      additionalProperties: false,
      description: "Connection settings without secrets (credentials come from the environment or Pulumi stack config).",
      properties: {
        endpoint: { type: "string", description: "Full base URL of the API (for the emulator, including the dialect prefix)." },
        tokenUrl: { type: "string", description: "OAuth2 token URL (backends that take OAuth2 client credentials)." },
      },
    },
    authoritative: {
      type: "boolean",
      default: false,
      description: "The config declares every organization its credential can see: orgform drift reports any other as unmanaged drift. Never a cause of deletion.",
    },
    organizations: { type: ["array", "null"], items: ORGANIZATION_STRUCTURE },
    status: { description: "Written by export; ignored on apply." },
  },
} as const;

/** One file as written, once its structure is checked. */
export type RawDocument = SchemaType<typeof FILE_STRUCTURE>;
/** One organization entry as written: the reserved keys typed, any other key a backend field (unknown until the fields stage). */
export type RawOrganization = SchemaType<typeof ORGANIZATION_STRUCTURE>;
type RawMembers = NonNullable<RawOrganization["members"]>;
export type RawAdopt = NonNullable<RawOrganization["adopt"]>;

/** Keys of an organization entry that are not backend fields. */
export const ORGANIZATION_KEYS = Object.keys(ORGANIZATION_STRUCTURE.properties) as ReadonlyArray<keyof typeof ORGANIZATION_STRUCTURE.properties>;
/** How a members block treats members it does not list. */
export type MembersMode = NonNullable<Extract<RawMembers, { items: unknown }>["mode"]>;

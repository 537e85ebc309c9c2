/**
 * The JSON Schema of a backend's capability matrix (`schemas/<backend>/capabilities.json`), and
 * the TypeScript type read from it: one source for both. `schemas/capabilities.schema.json` is
 * this object written out (`capabilitiesSchemaText`), for editors (each capabilities.json names it
 * in `$schema`) and readers; test/unit/core/capabilities.test.ts holds the committed file equal to
 * it (`UPDATE_CAPABILITIES_SCHEMA=1` rewrites it). The type comes from `FromSchema`
 * (json-schema-to-ts, types only: nothing of it runs).
 */
import type { FromSchema } from "json-schema-to-ts";
import { CREDENTIAL_KINDS, type AuthMethodKind } from "./credential-kinds";

/** The credential kinds a matrix may name, as a tuple (an `enum` the type can read). */
const METHODS = Object.keys(CREDENTIAL_KINDS) as [AuthMethodKind, ...AuthMethodKind[]];

export const CAPABILITIES_SCHEMA = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: "https://orgform.dev/schemas/capabilities.schema.json",
  title: "orgform backend capability matrix",
  description:
    "What a backend can do. Code and tests read this instead of naming vendors. Generated from provider/core/capabilities-schema.ts (the TypeScript type comes from the same object): edit it there.",
  type: "object",
  additionalProperties: false,
  required: ["backend", "displayName", "document", "organization", "hierarchy", "profile", "members", "pagination", "connection"],
  properties: {
    $schema: { type: "string" },
    backend: { type: "string", pattern: "^[a-z][a-z0-9]*$", description: "The backend's name: its folder under schemas/." },
    displayName: { type: "string" },
    document: { type: "string", description: "The vendor document (under the shared seeds) this matrix is taken from." },
    notes: { type: "array", items: { type: "string" } },
    organization: {
      type: "object",
      additionalProperties: false,
      required: ["create", "delete", "adopt", "update", "clientChosenId", "createsPerOwner", "visiblePerCredential", "serviceAccountsCanCreate", "nameUniqueness"],
      properties: {
        create: { type: "boolean", description: "New organizations can be created through the API." },
        delete: {
          type: "object",
          additionalProperties: false,
          required: ["supported", "preconditions"],
          properties: {
            supported: { type: "boolean" },
            preconditions: {
              type: "array",
              uniqueItems: true,
              items: { enum: ["no-sub-organizations", "no-accounts", "no-members", "no-users", "no-active-subscription"] },
            },
          },
        },
        adopt: {
          type: "object",
          additionalProperties: false,
          required: ["byId", "byName"],
          properties: { byId: { type: "boolean" }, byName: { type: "boolean" } },
        },
        update: { $ref: "#/$defs/update" },
        clientChosenId: { type: "boolean", description: "The client may choose the id on create." },
        createsPerOwner: {
          type: ["integer", "null"],
          minimum: 1,
          description: "How many organizations one owner may create (e.g. one per owner). Limits creating, not managing: adopted organizations do not count. null = no limit.",
        },
        ownerField: {
          type: ["string", "null"],
          description: "The declared organization field that names its owner, the one createsPerOwner counts by (absent: the caller owns what it creates).",
        },
        visiblePerCredential: {
          type: ["integer", "null"],
          minimum: 1,
          description: "How many organizations one credential can see and manage at all (e.g. 1 where a credential belongs to one organization's workspace). A config declaring more is refused. null = no limit.",
        },
        serviceAccountsCanCreate: { type: "boolean" },
        ownershipMarker: {
          type: ["string", "null"],
          description: "Where orgform keeps its ownership marker orgform:<project>/<stack>/<key> on the live object (a free field). Absent or null: the vendor has none, so two stacks adopting one organization cannot be told apart.",
        },
        nameUniqueness: {
          type: "object",
          additionalProperties: false,
          required: ["scope", "caseInsensitive"],
          properties: {
            scope: { enum: ["siblings", "global", "none"], description: "siblings: unique among organizations with the same parent (root organizations are siblings of each other)." },
            caseInsensitive: { type: "boolean" },
          },
        },
      },
    },
    hierarchy: {
      type: "object",
      additionalProperties: false,
      required: ["supported", "maxDepth", "reparent"],
      properties: {
        supported: { type: "boolean" },
        maxDepth: { type: ["integer", "null"], minimum: 1, description: "Longest chain root..leaf counted in organizations; null = unbounded." },
        reparent: { type: "boolean", description: "An organization can be moved under another parent by an update." },
      },
    },
    profile: {
      type: "object",
      additionalProperties: false,
      required: ["supported", "update"],
      properties: {
        supported: { type: "boolean" },
        update: { anyOf: [{ $ref: "#/$defs/update" }, { type: "null" }] },
      },
    },
    members: {
      type: "object",
      additionalProperties: false,
      required: ["supported", "authoritativeListing"],
      description: "Roles, the default role and which roles are administrators live in the member schema (role: enum, default, x-admin-values); `roles: false` says members have none.",
      properties: {
        supported: { type: "boolean" },
        authoritativeListing: { type: "boolean", description: "The API lists every member, so `mode: authoritative` can remove undeclared ones." },
        createdEmpty: {
          type: "boolean",
          description: "An organization the API has just created has no members (its creator is not made one): orgform lists none before adding the declared ones. Absent: false.",
        },
        roles: {
          type: "boolean",
          description: "Whether members have a role at all (absent: true). false: a member is an email (and the status the API reports); the member schema has no `role`, a declared role is refused, and minAdmins and the last-administrator guard cannot apply (orgform validate warns). A unit test holds it equal to the member schema.",
        },
      },
    },
    pagination: {
      type: "object",
      additionalProperties: false,
      required: ["style", "defaultPageSize", "maxPageSize"],
      properties: {
        style: { enum: ["page-token", "offset-limit", "page-number", "none"] },
        defaultPageSize: { type: ["integer", "null"], minimum: 1 },
        maxPageSize: { type: ["integer", "null"], minimum: 1 },
      },
    },
    connection: {
      type: "object",
      additionalProperties: false,
      required: ["defaultEndpoint", "auth"],
      properties: {
        defaultEndpoint: { type: ["string", "null"], description: "Full base URL of the real API; null when there is no public default." },
        defaultTokenUrl: {
          type: ["string", "null"],
          description: "The OAuth2 token URL when none is configured: a full URL, or a path beginning with / taken relative to the endpoint (e.g. /auth/login).",
        },
        auth: {
          type: "array",
          minItems: 1,
          description: "Accepted credential methods, in order of preference.",
          items: {
            type: "object",
            additionalProperties: false,
            required: ["method", "env"],
            properties: {
              method: { enum: METHODS, description: "A credential kind of provider/core/credential-kinds.ts." },
              env: {
                type: "object",
                description: "Environment variable per part of that kind (checked when loaded).",
                additionalProperties: { type: "string", pattern: "^[A-Z][A-Z0-9_]*$" },
              },
              exchange: {
                type: "object",
                additionalProperties: false,
                required: ["path", "keyField"],
                description: "api-key-exchange: the route (relative to the endpoint) the API key is posted to, form-encoded under keyField; it answers {access_token, token_type: bearer, expires_in}.",
                properties: {
                  path: { type: "string", pattern: "^/" },
                  keyField: { type: "string" },
                },
              },
              creates: {
                enum: ["yes", "no", "if-user"],
                description: "Whether this kind of credential can create organizations: yes; no (orgform refuses the create before sending it); if-user (a user's credential may, a service account's may not). Absent: yes.",
              },
              login: {
                type: "object",
                additionalProperties: false,
                required: ["path", "userField", "passwordField"],
                description: "session-login: the route (relative to the endpoint) the user name and password are posted to as JSON, under these keys (with the fixed fields); the session cookies it sets are sent back.",
                properties: {
                  path: { type: "string", pattern: "^/" },
                  userField: { type: "string" },
                  passwordField: { type: "string" },
                  fields: {
                    type: "object",
                    description: "Fixed keys sent with every login, as the vendor's own client sends them.",
                    additionalProperties: { type: "string" },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
  $defs: {
    update: {
      type: "object",
      additionalProperties: false,
      required: ["verb", "semantics"],
      properties: {
        verb: { enum: ["PUT", "PATCH", "POST"] },
        semantics: { enum: ["replace", "merge"], description: "replace: fields not sent are reset (send the full object); merge: only sent fields change." },
      },
    },
  },
} as const;

/** A backend's capability matrix, as the schema above describes it. */
export type Capabilities = FromSchema<typeof CAPABILITIES_SCHEMA>;

/** The text of schemas/capabilities.schema.json. */
export function capabilitiesSchemaText(): string {
  return `${JSON.stringify(CAPABILITIES_SCHEMA, null, 2)}\n`;
}

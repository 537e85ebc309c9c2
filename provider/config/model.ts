/**
 * Desired-state model. `RawConfig` (stages/structure.ts) is the YAML as written, its structure
 * checked; `Config` is what the loader returns once every stage (parse, structure, fields,
 * references, capability policy, defaults) passed without errors.
 */
import type { BackendName } from "../core/backends";
import type { MembersMode, RawDocument } from "./structure";

/** Where a declaration starts (1-based line and column). */
export interface SourceRef {
  file: string;
  line: number;
  column: number;
}

/**
 * Where a sensitive value comes from: never the YAML itself. `env`: an environment variable of the
 * process that runs the program; `config`: a Pulumi stack config key (`pulumi config set --secret`),
 * `name` (the project's namespace) or `namespace:name`.
 */
export type SecretRef = ({ env: string } | { config: string }) & { source: SourceRef };

/** The keys of a secret reference (exactly one is given). */
export const SECRET_REF_KEYS = ["env", "config"] as const;
/** An environment variable name. */
export const ENV_NAME_PATTERN = "^[A-Za-z_][A-Za-z0-9_]*$";
/** A stack config key: `name` or `namespace:name`, as `pulumi config set` takes it. */
export const CONFIG_KEY_PATTERN = "^(?:[A-Za-z0-9][A-Za-z0-9_.-]*:)?[A-Za-z0-9_][A-Za-z0-9_.-]*$";

export interface MemberDecl {
  email: string;
  /** Role name; the backend's default role is filled in when the YAML omits it. Absent where members have no roles. */
  role?: string;
  source: SourceRef;
  /**
   * References to the member's sensitive import-only fields (member schema `x-sensitive`,
   * `x-access: import-only`, e.g. an initial password), by field name. Resolved by the program and
   * handed to the provider as Pulumi secrets only.
   */
  secrets?: Record<string, SecretRef>;
}

export interface MembersDecl {
  /** `additive`: add/update the listed members, leave others alone; `authoritative`: also remove unlisted ones. */
  mode: MembersMode;
  items: MemberDecl[];
  /** The fewest administrators (roles in the member schema's `x-admin-values`) the declaration may leave; checked by the loader (ignored, with a warning, where members have no roles). */
  minAdmins?: number;
}

export interface AdoptDecl {
  id?: string;
  name?: string;
  /** Delete the organization when it leaves the config; by default an adopted organization is released. */
  deleteOnRemove?: boolean;
  /**
   * Adopt it although it carries another stack's ownership marker (that stack manages it), and
   * rewrite the marker to this stack's; without it such an adoption is refused before any write.
   */
  takeOver?: boolean;
}

/**
 * Where an organization sits: under another organization of this config (`key`), or under a live
 * organization this config does not manage (`id`; null: at the root). Structure, never a field of
 * the backend's schema. YAML: `parent: <key>` or `parent_id: <live id | null>`.
 */
export type ParentDecl = { key: string } | { id: string | null };

/** The parent's key when it is another organization of this config. */
export function parentKeyOf(o: { parent?: ParentDecl }): string | undefined {
  return o.parent && "key" in o.parent ? o.parent.key : undefined;
}

export interface OrganizationDecl {
  /** Stable key: the Pulumi resource name. */
  key: string;
  /** Earlier keys of the same organization (renamed without replacement: Pulumi aliases). */
  previousKeys: string[];
  /** Declared organization fields (`both` and `import-only` only), as in the backend schema. */
  fields: Record<string, unknown>;
  /** The declared parent. Absent: a created organization is a root, an adopted one keeps its live parent. */
  parent?: ParentDecl;
  profile?: Record<string, unknown>;
  members?: MembersDecl;
  adopt?: AdoptDecl;
  /**
   * Create it even where an organization of its name exists (only where names may repeat and the
   * vendor offers no way to recognise what a create committed: see `namesMayRepeat`).
   */
  allowDuplicateName?: boolean;
  protect: boolean;
  source: SourceRef;
}

/** Connection settings a YAML file may hold: never credentials. */
export type ConnectionSettings = NonNullable<RawDocument["connection"]>;

export interface Config {
  backend: BackendName;
  connection: ConnectionSettings;
  organizations: OrganizationDecl[];
  /**
   * The config declares every organization its credential can see: `orgform drift` reports any
   * other as unmanaged drift (`authoritative: true` in any file). Never a cause of deletion.
   */
  authoritative?: boolean;
  /** The files the config was read from, in load order. */
  files: string[];
}

/** Keys (and previousKeys, parent) : a Pulumi-friendly resource name. */
export const KEY_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$";

/** What each pattern asks for, in words (diagnostics say this rather than the expression). */
export const PATTERN_WORDS: Readonly<Record<string, string>> = {
  [KEY_PATTERN]: '1-100 letters, digits, ".", "_" or "-", starting with a letter or digit',
};

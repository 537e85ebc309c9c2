/**
 * The backend's fields: every key of an organization that is not a reserved key, its profile and
 * its member items, checked against schemas/<backend>/{organization,profile,member}.schema.json
 * (`validateDeclared`: unknown and read-only keys, types, formats, lengths, patterns, enums,
 * `required` unless adopted). Parts the backend does not have are left to the capability policy.
 */
import type { YAMLMap } from "yaml";
import type { BackendName } from "../../core/backends";
import { capabilitiesOf, membersHaveRoles } from "../../core/capabilities";
import { declarableFields, hasSchema, schemaFor, validateDeclared } from "../../core/schema";
import { suggest } from "../../core/suggest";
import { SECRET_REF_KEYS, type SecretRef } from "../model";
import { isSecretKey } from "../secrets";
import { PathSegment, SourceFile, entries, isMap, isSeq, navigate, setOwn } from "../source";
import { ORGANIZATION_KEYS, type RawOrganization } from "../structure";
import { Reporter, shown } from "./report";
import { type SecretOptions, memberKeyReadByFields, readSecretRef } from "./inline-secrets";
import type { RawConfig, RawOrganizationEntry } from "./structure";

export interface CheckedMember {
  email: string;
  /** As written; the defaults stage fills in the backend's default role. */
  role?: string;
  node: YAMLMap;
  secrets?: Record<string, SecretRef>;
}

/** An organization whose fields were checked: what it declares of them. */
export interface CheckedOrganization {
  entry: RawOrganizationEntry;
  /** The declarable organization fields as written. */
  fields: Record<string, unknown>;
  profile?: Record<string, unknown>;
  /** The member items that passed (where the backend has members and the block was read). */
  members?: CheckedMember[];
  /** Every member item passed. */
  membersComplete: boolean;
}

export function checkFields(raw: RawConfig, backend: BackendName, options: SecretOptions, reporter: Reporter): CheckedOrganization[] {
  // An entry without its key is checked too (all problems at once); nothing can refer to it.
  for (const entry of raw.keyless) checkOrganization(entry, backend, options, reporter);
  return raw.organizations.map((entry) => ({ entry, ...checkOrganization(entry, backend, options, reporter) }));
}

const reserved = new Set<string>(ORGANIZATION_KEYS);

function checkOrganization(
  entry: RawOrganizationEntry<Omit<RawOrganization, "key">>,
  backend: BackendName,
  options: SecretOptions,
  reporter: Reporter,
): Omit<CheckedOrganization, "entry"> {
  const { source, node, index, value } = entry;
  const base: PathSegment[] = ["organizations", index];
  const schema = schemaFor(backend, "organization");
  const declarable = declarableFields(schema).map((f) => f.name);
  const written: Record<string, unknown> = {};
  for (const { key, keyNode, value: v } of entries(node)) {
    if (reserved.has(key) || isSecretKey(key)) continue;
    if (!schema.field(key)) {
      const hint = suggest(key, [...ORGANIZATION_KEYS, ...declarable]);
      reporter.report(source, keyNode, [...base, key], "unknown-field", `unknown field "${shown(key)}" for a ${backend} organization` + (hint ? `; did you mean "${hint}"?` : ""));
      continue;
    }
    setOwn(written, key, source.toJS(v));
  }
  // An adopted organization declares what it manages: nothing is required (even where adopt itself is wrong).
  reporter.problems(source, node, base, validateDeclared(schema, written, { partial: source.entry(node, "adopt") !== undefined }));
  const fields: Record<string, unknown> = {};
  for (const k of Object.keys(written)) if (declarable.includes(k)) fields[k] = written[k];
  const checked: Omit<CheckedOrganization, "entry"> = { fields, membersComplete: true };
  const caps = capabilitiesOf(backend);
  if (value.profile !== undefined && caps.profile.supported && hasSchema(backend, "profile")) {
    const profileNode = navigate(source, node, ["profile"]).node as YAMLMap;
    checked.profile = withoutSecretKeys(source, profileNode);
    reporter.problems(source, profileNode, [...base, "profile"], validateDeclared(schemaFor(backend, "profile"), checked.profile, { partial: true }));
  }
  if (value.members !== undefined && caps.members.supported && hasSchema(backend, "member")) {
    const itemsPath = Array.isArray(value.members) ? [...base, "members"] : [...base, "members", "items"];
    const list = navigate(source, node, itemsPath.slice(2).map(String)).node;
    checked.members = [];
    if (isSeq(list)) {
      list.items.forEach((item, i) => {
        const member = checkMember(source, source.resolve(item), [...itemsPath, i], backend, options, reporter);
        if (member) checked.members!.push(member);
        else checked.membersComplete = false;
      });
    }
  }
  return checked;
}

function withoutSecretKeys(source: SourceFile, node: YAMLMap): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key, value } of entries(node)) if (!isSecretKey(key)) setOwn(out, key, source.toJS(value));
  return out;
}

/** One member item: its fields against the member schema, its sensitive fields as secret references. */
function checkMember(source: SourceFile, itemNode: unknown, ip: PathSegment[], backend: BackendName, options: SecretOptions, reporter: Reporter): CheckedMember | undefined {
  if (!isMap(itemNode)) return undefined; // (the structure stage reported it)
  const memberSchema = schemaFor(backend, "member");
  const caps = capabilitiesOf(backend);
  // Sensitive import-only fields take a secret reference, never a value; other secret-looking keys are refused.
  const value: Record<string, unknown> = {};
  const secrets: Record<string, SecretRef> = {};
  let refused = false;
  for (const { key, keyNode: k, value: v } of entries(itemNode)) {
    const field = memberSchema.field(key);
    const vNode = source.resolve(v);
    if (field?.sensitive && field.access === "import-only") {
      const ref = readSecretRef(source, k, vNode, [...ip, key], key, options, reporter);
      if (ref) secrets[key] = ref;
      else refused = true;
    } else if (isSecretKey(key)) {
      refused = true;
      if (!memberKeyReadByFields([...ip, key], backend)) continue; // the scan reported it
      const sensitive = memberSchema.fields.filter((f) => f.sensitive && f.access === "import-only").map((f) => f.name);
      if (isMap(vNode) && entries(vNode).some((e) => (SECRET_REF_KEYS as readonly string[]).includes(e.key))) {
        const hint = suggest(key, sensitive);
        reporter.report(
          source,
          k,
          [...ip, key],
          "invalid-secret-reference",
          `${caps.displayName} members have no sensitive field "${key}" a secret reference could set` +
            (sensitive.length ? ` (they have ${sensitive.join(", ")})` : "") +
            (hint ? `; did you mean "${hint}"?` : ""),
        );
      } else {
        reporter.report(source, k, [...ip, key], "inline-secret", `"${key}" looks like a credential: never write credentials in YAML` + (sensitive.length ? `; a member's ${sensitive.join(", ")} takes a reference, {env: NAME} or {config: key}` : ""));
      }
    } else if (key === "role" && !membersHaveRoles(backend)) {
      refused = true; // (no role where members have none: the capability policy says so)
    } else setOwn(value, key, source.toJS(v));
  }
  const problems = validateDeclared(memberSchema, value);
  reporter.problems(source, itemNode, ip, problems);
  if (problems.length > 0 || refused || typeof value.email !== "string") return undefined;
  return {
    email: value.email,
    ...(typeof value.role === "string" ? { role: value.role } : {}),
    node: itemNode,
    ...(Object.keys(secrets).length ? { secrets } : {}),
  };
}

/**
 * Credentials never belong in YAML. The scan reports secret-looking keys and values anywhere in a
 * file; a member's sensitive import-only field (member schema `x-sensitive`, e.g. an initial
 * password) takes a reference instead, `{env: NAME}` or `{config: key}`, read by `readSecretRef`
 * where the fields stage checks members.
 */
import type { Node } from "yaml";
import { type BackendName, isBackendName } from "../../core/backends";
import { capabilitiesOf } from "../../core/capabilities";
import { hasSchema } from "../../core/schema";
import { suggest } from "../../core/suggest";
import { CONFIG_KEY_PATTERN, ENV_NAME_PATTERN, SECRET_REF_KEYS, type SecretRef, type SourceRef } from "../model";
import { isSecretKey, secretValueKind } from "../secrets";
import { PathSegment, SourceFile, entries, isAlias, isMap, isScalar, isSeq, keyText, navigate } from "../source";
import type { ParsedFile } from "./parse";
import { Reporter, shown } from "./report";

export interface SecretOptions {
  /** The environment `{env: NAME}` references are checked against; absent: shape only. */
  env?: Readonly<Record<string, string | undefined>>;
  /** How an unset variable is reported: `error` (the program) or `warning` (`orgform validate`). */
  unsetEnv?: "error" | "warning";
}

/** Where credentials come from instead, for this backend (its variables), or in general. */
export function credentialHint(backend: BackendName | undefined): string {
  if (!backend) return "the environment or Pulumi stack config (orgform:token, as a secret)";
  const caps = capabilitiesOf(backend);
  const vars = caps.connection.auth.map((a) => Object.entries(a.env).filter(([part]) => part !== "tokenUrl").map(([, v]) => v).join(" + ")).join(" or ");
  return `${vars} in the environment, or Pulumi stack config (pulumi config set --secret orgform:...)`;
}

/**
 * Reports secret-looking keys and values in every file (aliased values where their anchor is).
 * The path is extended and restored in place (every node of a large file is visited; a copy is
 * made only for a report).
 */
export function scanSecrets(files: readonly ParsedFile[], backend: BackendName | undefined, reporter: Reporter): void {
  for (const { source, root } of files) if (root) scan(source, root, [], backend, reporter);
}

function scan(source: SourceFile, node: unknown, p: PathSegment[], backend: BackendName | undefined, reporter: Reporter): void {
  if (isAlias(node)) return;
  const resolved = source.resolve(node);
  if (isMap(resolved)) {
    for (const pair of resolved.items) {
      const key = keyText(pair.key);
      p.push(key);
      if (!isSecretKey(key)) scan(source, pair.value, p, backend, reporter);
      else if (!memberKeyReadByFields(p, backend)) {
        // (where the fields stage reads it, it reports it: a reference, or an inline value it refuses)
        reporter.report(source, pair.key as Node, [...p], "inline-secret", `"${key}" looks like a credential: never write credentials in YAML; use ${credentialHint(backend)}`);
      }
      p.pop();
    }
  } else if (isSeq(resolved)) {
    for (let i = 0; i < resolved.items.length; i++) {
      p.push(i);
      scan(source, resolved.items[i], p, backend, reporter);
      p.pop();
    }
  } else if (isScalar(resolved) && typeof resolved.value === "string") {
    const kind = secretValueKind(resolved.value);
    if (kind) reporter.report(source, resolved, [...p], "inline-secret", `this value looks like ${kind}: never write credentials in YAML`);
  }
}

/**
 * A key of a member item (`organizations[i].members[j].<key>` or `…members.items[j].<key>`) of a
 * backend that has members: the fields stage reports its secret-looking keys itself, since one may
 * be a secret reference to a sensitive field of the member schema.
 */
export function memberKeyReadByFields(p: readonly PathSegment[], backend: BackendName | undefined): boolean {
  if (!isBackendName(backend) || !capabilitiesOf(backend).members.supported || !hasSchema(backend, "member")) return false;
  const [o, i, m, a, b, c] = p;
  if (o !== "organizations" || typeof i !== "number" || m !== "members") return false;
  return (p.length === 5 && typeof a === "number") || (p.length === 6 && a === "items" && typeof b === "number" && typeof c === "string");
}

/**
 * A sensitive field's value in YAML: only a reference, `{env: NAME}` or `{config: key}`, never
 * the value. Reports what is wrong and answers the reference when it is one.
 */
export function readSecretRef(
  source: SourceFile,
  keyNode: Node,
  node: Node | null,
  p: PathSegment[],
  field: string,
  options: SecretOptions,
  reporter: Reporter,
): SecretRef | undefined {
  const how = `give a reference instead: ${field}: {env: NAME} (an environment variable) or ${field}: {config: key} (pulumi config set --secret key ...)`;
  if (!isMap(node)) {
    reporter.report(source, isScalar(node) ? node : keyNode, p, "inline-secret", `${field} is a secret: never write its value in YAML; ${how}`);
    return undefined;
  }
  const given = entries(node);
  let ref: SecretRef | undefined;
  let ok = true;
  for (const { key, keyNode: k, value } of given) {
    const vNode = source.resolve(value);
    if (!(SECRET_REF_KEYS as readonly string[]).includes(key)) {
      const hint = suggest(key, SECRET_REF_KEYS);
      reporter.report(source, k, [...p, key], "invalid-secret-reference", `a secret reference takes env or config, not "${shown(key)}"` + (hint ? `; did you mean "${hint}"?` : ""));
      ok = false;
      continue;
    }
    const pattern = key === "env" ? ENV_NAME_PATTERN : CONFIG_KEY_PATTERN;
    if (!isScalar(vNode) || typeof vNode.value !== "string" || !new RegExp(pattern).test(vNode.value)) {
      const what = key === "env" ? "an environment variable name (letters, digits and _, not starting with a digit)" : "a stack config key, name or namespace:name";
      reporter.report(source, vNode ?? k, [...p, key], "invalid-secret-reference", `${field}.${key} must be ${what}`);
      ok = false;
      continue;
    }
    const at = source.at(vNode);
    const where: SourceRef = { file: source.file, line: at.line, column: at.column };
    ref = key === "env" ? { env: vNode.value, source: where } : { config: vNode.value, source: where };
  }
  const named = given.filter((e) => (SECRET_REF_KEYS as readonly string[]).includes(e.key)).length;
  if (named !== 1) {
    reporter.report(source, node, p, "invalid-secret-reference", `a secret reference names exactly one of env or config; ${how}`);
    return undefined;
  }
  if (!ok || !ref) return undefined;
  if ("env" in ref && options.env) {
    const value = options.env[ref.env];
    if (value === undefined || value === "") {
      const severity = options.unsetEnv ?? "error";
      reporter.report(source, navigate(source, node, ["env"]).node, [...p, "env"], "unset-secret-reference", `environment variable ${ref.env} (${field}) is not set`, severity);
      if (severity === "error") return undefined;
    }
  }
  return ref;
}

// Turns a loaded desired state into orgform resources. Used by the root Pulumi.yaml program and
// by users' own programs (`declareOrganizations(loadDesiredState("orgs/"))`).
import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import { capabilitiesOf } from "../core/capabilities";
import { hasErrors, loadConfig, renderDiagnostics, type Config, type MemberDecl, type OrganizationDecl, type SecretRef } from "../config";
import { Organization, OrganizationMembers, OrganizationProfile } from "../resources";
import { parentsFirst } from "../config/order"; // parents first: a child's parentId is its parent's output

/** Loads a YAML file or directory; throws with every diagnostic (file:line:column) when invalid. */
export function loadDesiredState(fileOrDir: string): Config {
  // Secret references to the environment are checked here, where the program runs: an unset one is an error.
  const { config, diagnostics } = loadConfig(path.resolve(fileOrDir), { env: process.env });
  if (!config || hasErrors(diagnostics)) {
    throw new Error(`orgform: the desired state in ${fileOrDir} is invalid; nothing was sent to the API:\n${renderDiagnostics(diagnostics)}`);
  }
  for (const d of diagnostics) pulumi.log.warn(renderDiagnostics([d]));
  return config;
}

export interface DeclaredOrganization {
  organization: Organization;
  profile?: OrganizationProfile;
  members?: OrganizationMembers;
}


const where = (ref: SecretRef) => `${ref.source.file}:${ref.source.line}:${ref.source.column}`;

/**
 * A secret reference's value, as a Pulumi secret: from the environment, or from the stack config,
 * which must hold it as a secret (`pulumi config set --secret`). Messages name the reference,
 * never a value.
 */
export function resolveSecretRef(ref: SecretRef, what: string): pulumi.Output<string> {
  if ("env" in ref) {
    const value = process.env[ref.env];
    if (value === undefined || value === "") {
      throw new Error(`orgform: ${where(ref)}: environment variable ${ref.env} (${what}) is not set; nothing was sent to the API`);
    }
    return pulumi.secret(value);
  }
  const colon = ref.config.indexOf(":");
  const namespace = colon >= 0 ? ref.config.slice(0, colon) : pulumi.getProject();
  const name = colon >= 0 ? ref.config.slice(colon + 1) : ref.config;
  const full = `${namespace}:${name}`;
  const value = new pulumi.Config(namespace).getSecret(name);
  if (value === undefined) {
    throw new Error(`orgform: ${where(ref)}: stack config ${full} (${what}) is not set: pulumi config set --secret ${full} ...; nothing was sent to the API`);
  }
  // A plain config value sits in Pulumi.<stack>.yaml in clear text: refused. (`isConfigSecret` is the
  // SDK's own reading of the secret keys the engine hands the program; internal, hence looked up.)
  const isConfigSecret = (pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean }).isConfigSecret;
  if (isConfigSecret && !isConfigSecret(full)) {
    throw new Error(`orgform: ${where(ref)}: stack config ${full} (${what}) is not a secret: set it again with pulumi config set --secret ${full} ...; nothing was sent to the API`);
  }
  return value;
}

/** The members' sensitive fields (initial passwords...) by email, resolved: one Pulumi secret, or undefined when none is declared. */
function memberSecretsOf(items: MemberDecl[]): pulumi.Output<Record<string, Record<string, string>>> | undefined {
  const byEmail: Record<string, Record<string, pulumi.Output<string>>> = {};
  for (const m of items) {
    for (const [field, ref] of Object.entries(m.secrets ?? {})) {
      (byEmail[m.email] ??= {})[field] = resolveSecretRef(ref, `${field} of ${m.email}`);
    }
  }
  return Object.keys(byEmail).length ? pulumi.secret(pulumi.output(byEmail)) : undefined;
}

/**
 * The organization's id for what hangs off it (a child's parent, its profile, its members): the
 * resource's Pulumi id, which is the organization id. Unlike the `organizationId` output it stays
 * known in a preview while the organization is updated (an update keeps the id), so a preview
 * still compares a child's parent, and a profile's or members' organization, instead of seeing an
 * unknown value. It is unknown only where the organization is created or replaced.
 */
const organizationIdOf = (organization: Organization): pulumi.Output<string> => organization.id;

const aliasesOf = (o: OrganizationDecl, suffix = "") => o.previousKeys.map((k) => ({ name: `${k}${suffix}` }));

export function declareOrganizations(config: Config): Record<string, DeclaredOrganization> {
  const caps = capabilitiesOf(config.backend);
  const declared: Record<string, DeclaredOrganization> = {};
  const connection = { backend: config.backend, ...(config.connection.endpoint ? { endpoint: config.connection.endpoint } : {}) };
  for (const o of parentsFirst(config.organizations)) {
    const parentId: pulumi.Input<string | null> | undefined = !o.parent
      ? o.adopt
        ? undefined // an adopted org keeps its parent unless one is declared
        : null
      : "key" in o.parent
        ? organizationIdOf(declared[o.parent.key].organization)
        : o.parent.id;
    const organization = new Organization(
      o.key,
      {
        ...connection,
        fields: o.fields,
        ...(parentId !== undefined ? { parentId } : {}),
        ...(o.adopt ? { adopt: o.adopt } : {}),
        ...(o.allowDuplicateName ? { allowDuplicateName: true } : {}),
      },
      { protect: o.protect, aliases: aliasesOf(o) },
    );
    const entry: DeclaredOrganization = { organization };
    if (o.profile && caps.profile.supported) {
      entry.profile = new OrganizationProfile(
        `${o.key}-profile`,
        { ...connection, organizationId: organizationIdOf(organization), fields: o.profile },
        { aliases: aliasesOf(o, "-profile") },
      );
    }
    if (o.members && caps.members.supported) {
      const memberSecrets = memberSecretsOf(o.members.items);
      entry.members = new OrganizationMembers(
        `${o.key}-members`,
        {
          ...connection,
          organizationId: organizationIdOf(organization),
          mode: o.members.mode,
          members: o.members.items.map((m) => (m.role !== undefined ? { email: m.email, role: m.role } : { email: m.email })),
          ...(o.members.minAdmins !== undefined ? { minAdmins: o.members.minAdmins } : {}),
          ...(memberSecrets ? { memberSecrets } : {}),
        },
        { aliases: aliasesOf(o, "-members") },
      );
    }
    declared[o.key] = entry;
  }
  return declared;
}

/** Stack outputs: per key, the id and the read-only fields the API reports. */
export function outputsOf(declared: Record<string, DeclaredOrganization>) {
  const out: Record<string, pulumi.Output<unknown>> = {};
  for (const [key, d] of Object.entries(declared)) {
    out[key] = pulumi
      .all([d.organization.organizationId, d.organization.liveParentId, d.organization.readOnly])
      .apply(([id, parentId, readOnly]) => ({ id, parentId, ...readOnly }));
  }
  return out;
}

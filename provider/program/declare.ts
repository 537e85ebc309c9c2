// Turns a loaded desired state into orgform resources. Used by the root Pulumi.yaml program and
// by users' own programs (`declareOrganizations(loadDesiredState("orgs/"))`).
import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import { capabilitiesOf } from "../core/capabilities";
import { hasErrors, loadConfig, renderDiagnostics, type Config, type OrganizationDecl } from "../config";
import { Organization, OrganizationMembers, OrganizationProfile } from "../resources";
import { parentsFirst } from "../config/order"; // parents first: a child's parentId is its parent's output

/** Loads a YAML file or directory; throws with every diagnostic (file:line:column) when invalid. */
export function loadDesiredState(fileOrDir: string): Config {
  const { config, diagnostics } = loadConfig(path.resolve(fileOrDir));
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


const aliasesOf = (o: OrganizationDecl, suffix = "") => o.previousKeys.map((k) => ({ name: `${k}${suffix}` }));

export function declareOrganizations(config: Config): Record<string, DeclaredOrganization> {
  const caps = capabilitiesOf(config.backend);
  const declared: Record<string, DeclaredOrganization> = {};
  const connection = { backend: config.backend, ...(config.connection.endpoint ? { endpoint: config.connection.endpoint } : {}) };
  for (const o of parentsFirst(config.organizations)) {
    const { parent_id: literalParent, ...fields } = o.fields as Record<string, unknown> & { parent_id?: string | null };
    const parentId: pulumi.Input<string | null> | undefined = o.parent
      ? declared[o.parent].organization.organizationId
      : literalParent !== undefined
        ? literalParent
        : o.adopt
          ? undefined // an adopted org keeps its parent unless one is declared
          : null;
    const organization = new Organization(
      o.key,
      { ...connection, fields, ...(parentId !== undefined ? { parentId } : {}), ...(o.adopt ? { adopt: o.adopt } : {}) },
      { protect: o.protect, aliases: aliasesOf(o) },
    );
    const entry: DeclaredOrganization = { organization };
    if (o.profile && caps.profile.supported) {
      entry.profile = new OrganizationProfile(
        `${o.key}-profile`,
        { ...connection, organizationId: organization.organizationId, fields: o.profile },
        { aliases: aliasesOf(o, "-profile") },
      );
    }
    if (o.members && caps.members.supported) {
      entry.members = new OrganizationMembers(
        `${o.key}-members`,
        {
          ...connection,
          organizationId: organization.organizationId,
          mode: o.members.mode,
          members: o.members.items.map((m) => ({ email: m.email, role: m.role })),
          ...(o.members.minAdmins !== undefined ? { minAdmins: o.members.minAdmins } : {}),
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

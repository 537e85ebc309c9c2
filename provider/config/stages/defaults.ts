/**
 * Stage 5, defaults: a config every earlier stage passed without an error, as the `Config` the
 * program and the commands use. What the YAML leaves out is filled in here and only here:
 * previousKeys [], protect false, members mode additive, a member's role the backend's default
 * role, a created organization at the root (an adopted one keeps its parent).
 */
import type { BackendName } from "../../core/backends";
import { memberRoles } from "../../core/roles";
import type { AdoptDecl, Config, MemberDecl, OrganizationDecl, ParentDecl, SourceRef } from "../model";
import type { SourceFile } from "../source";
import type { Node } from "yaml";
import type { CheckedMember, CheckedOrganization } from "./fields";
import type { RawConfig } from "./structure";

export function withDefaults(raw: RawConfig, backend: BackendName, orgs: readonly CheckedOrganization[]): Config {
  const config: Config = { backend, connection: raw.connection, organizations: orgs.map((o) => declaration(o, backend)), files: raw.files };
  if (raw.authoritative) config.authoritative = true;
  return config;
}

const sourceRef = (source: SourceFile, node: Node | null): SourceRef => ({ file: source.file, ...source.at(node) });

function declaration(org: CheckedOrganization, backend: BackendName): OrganizationDecl {
  const { value, source, node } = org.entry;
  const decl: OrganizationDecl = {
    key: value.key,
    previousKeys: (value.previousKeys ?? []).filter((k): k is string => k !== undefined),
    fields: org.fields,
    protect: value.protect ?? false,
    source: sourceRef(source, node),
  };
  const parent: ParentDecl | undefined = value.parent !== undefined ? { key: value.parent } : value.parent_id !== undefined ? { id: value.parent_id } : undefined;
  if (parent) decl.parent = parent;
  if (org.profile) decl.profile = org.profile;
  if (org.members && value.members !== undefined) {
    const mapping = Array.isArray(value.members) ? undefined : value.members;
    decl.members = {
      mode: mapping?.mode ?? "additive",
      items: org.members.map((m) => member(m, backend, source)),
      ...(mapping?.minAdmins !== undefined ? { minAdmins: mapping.minAdmins } : {}),
    };
  }
  if (value.adopt) {
    const { id, name, deleteOnRemove, takeOver } = value.adopt;
    const adopt: AdoptDecl = {};
    if (id !== undefined) adopt.id = String(id);
    if (name !== undefined) adopt.name = name;
    if (deleteOnRemove !== undefined) adopt.deleteOnRemove = deleteOnRemove;
    if (takeOver !== undefined) adopt.takeOver = takeOver;
    decl.adopt = adopt;
  }
  if (value.allowDuplicateName) decl.allowDuplicateName = true;
  return decl;
}

function member(m: CheckedMember, backend: BackendName, source: SourceFile): MemberDecl {
  const role = m.role ?? memberRoles(backend).defaultRole;
  return { email: m.email, ...(role !== undefined ? { role } : {}), source: sourceRef(source, m.node), ...(m.secrets ? { secrets: m.secrets } : {}) };
}

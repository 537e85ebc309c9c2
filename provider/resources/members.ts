import * as pulumi from "@pulumi/pulumi";
import { OrgformResource } from "./provider";

export interface MemberAssignmentArgs {
  email: pulumi.Input<string>;
  /** A role name of the backend (schemas/<backend>/member.schema.json `role`); default: the schema's default. */
  role?: pulumi.Input<string>;
}

export interface OrganizationMembersArgs {
  backend: pulumi.Input<string>;
  endpoint?: pulumi.Input<string>;
  organizationId: pulumi.Input<string>;
  /** `authoritative`: members not listed are removed; `additive`: they are left alone. */
  mode?: pulumi.Input<"additive" | "authoritative">;
  members: pulumi.Input<pulumi.Input<MemberAssignmentArgs>[]>;
  /** The fewest administrators the declared members must keep; an update that leaves fewer fails before any write. */
  minAdmins?: pulumi.Input<number>;
  /**
   * Sensitive import-only member fields by email, e.g. `{"ada@acme.test": {initialPassword: ...}}`
   * where the backend's member schema has one (`x-sensitive`): held as a Pulumi secret (wrapped in
   * one here whatever is given), sent only when orgform creates that user, never read back, never
   * in outputs, never a cause of a diff.
   */
  memberSecrets?: pulumi.Input<Record<string, pulumi.Input<Record<string, pulumi.Input<string>>>>>;
}

/** All member assignments of one organization: one resource per organization, not per member. */
export class OrganizationMembers extends OrgformResource {
  declare readonly organizationId: pulumi.Output<string>;
  declare readonly mode: pulumi.Output<string>;
  declare readonly members: pulumi.Output<{ email: string; role: string }[]>;
  declare readonly live: pulumi.Output<{ email: string; role: string; id: string }[]>;

  constructor(name: string, args: OrganizationMembersArgs, opts?: pulumi.CustomResourceOptions) {
    const { memberSecrets, ...rest } = args;
    const props = { mode: "additive", ...rest, ...(memberSecrets !== undefined ? { memberSecrets: pulumi.secret(memberSecrets) } : {}), live: undefined };
    super("provider/resources/handlers/members", "OrganizationMembers", name, props, opts);
  }
}

export interface OrganizationMemberArgs extends MemberAssignmentArgs {
  backend: pulumi.Input<string>;
  endpoint?: pulumi.Input<string>;
  organizationId: pulumi.Input<string>;
}

/** One member assignment (additive), for programs that manage members one by one. */
export class OrganizationMember extends OrgformResource {
  declare readonly memberId: pulumi.Output<string>;
  declare readonly liveRole: pulumi.Output<string>;

  constructor(name: string, args: OrganizationMemberArgs, opts?: pulumi.CustomResourceOptions) {
    super("provider/resources/handlers/member", "OrganizationMember", name, { ...args, memberId: undefined, liveRole: undefined }, opts);
  }
}

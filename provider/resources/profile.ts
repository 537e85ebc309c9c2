import * as pulumi from "@pulumi/pulumi";
import { OrgformResource } from "./provider";

export interface OrganizationProfileArgs {
  backend: pulumi.Input<string>;
  endpoint?: pulumi.Input<string>;
  organizationId: pulumi.Input<string>;
  /** Declared profile fields, named as in schemas/<backend>/profile.schema.json. */
  fields: pulumi.Input<Record<string, pulumi.Input<unknown>>>;
}

/** The profile beside an organization. The APIs cannot delete one: deleting releases it. */
export class OrganizationProfile extends OrgformResource {
  declare readonly organizationId: pulumi.Output<string>;
  declare readonly fields: pulumi.Output<Record<string, unknown>>;
  declare readonly live: pulumi.Output<Record<string, unknown>>;

  constructor(name: string, args: OrganizationProfileArgs, opts?: pulumi.CustomResourceOptions) {
    super("provider/resources/handlers/profile", "OrganizationProfile", name, { ...args, live: undefined }, opts);
  }
}

import * as pulumi from "@pulumi/pulumi";
import { loadOrgform } from "./load";

const profileProvider: pulumi.dynamic.ResourceProvider = {
  async configure(req) {
    loadOrgform("provider/resources/runtime").configure(req.config);
  },
  async check(_olds, news) {
    return { inputs: news, failures: loadOrgform("provider/resources/handlers/profile").check(news) };
  },
  async diff(_id, olds, news) {
    const { changes, replaces, deleteBeforeReplace } = loadOrgform("provider/resources/handlers/profile").diff(olds, news);
    return { changes, replaces, deleteBeforeReplace };
  },
  async create(inputs) {
    return loadOrgform("provider/resources/handlers/profile").create(inputs);
  },
  async read(id, props) {
    return loadOrgform("provider/resources/handlers/profile").read(id, props);
  },
  async update(id, olds, news) {
    return loadOrgform("provider/resources/handlers/profile").update(id, olds, news);
  },
  async delete(id, props) {
    return loadOrgform("provider/resources/handlers/profile").remove(id, props);
  },
};

export interface OrganizationProfileArgs {
  backend: pulumi.Input<string>;
  endpoint?: pulumi.Input<string>;
  organizationId: pulumi.Input<string>;
  /** Declared profile fields, named as in schemas/<backend>/profile.schema.json. */
  fields: pulumi.Input<Record<string, pulumi.Input<unknown>>>;
}

/** The profile beside an organization. The APIs cannot delete one: deleting releases it. */
export class OrganizationProfile extends pulumi.dynamic.Resource {
  declare readonly organizationId: pulumi.Output<string>;
  declare readonly fields: pulumi.Output<Record<string, unknown>>;
  declare readonly live: pulumi.Output<Record<string, unknown>>;

  constructor(name: string, args: OrganizationProfileArgs, opts?: pulumi.CustomResourceOptions) {
    super(profileProvider, name, { ...args, live: undefined }, opts, "orgform", "OrganizationProfile");
  }
}

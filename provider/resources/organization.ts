import * as pulumi from "@pulumi/pulumi";
import type { OrganizationInputs, OrganizationOutputs } from "./handlers/organization";
import { OrgformResource } from "./provider";
import { isBackendName } from "../core/backends";
import { schemaFor } from "../core/schema";

export type { OrganizationInputs, OrganizationOutputs };

export interface OrganizationArgs {
  /** Backend name: one of `BACKENDS` (orgform/provider/core/backends). */
  backend: pulumi.Input<string>;
  /** Full base URL of the API; default: environment, stack config (`orgform:endpoint`), then the vendor's. */
  endpoint?: pulumi.Input<string>;
  /** Declared fields, named as in schemas/<backend>/organization.schema.json. */
  fields: pulumi.Input<Record<string, pulumi.Input<unknown>>>;
  /** Parent organization id (an input, not Pulumi's `parent` option: a move is an update). */
  parentId?: pulumi.Input<string | null>;
  /** Take over an existing organization by id or by name instead of creating one; it is released, not deleted, when the resource goes (unless deleteOnRemove). */
  adopt?: pulumi.Input<{ id?: pulumi.Input<string>; name?: pulumi.Input<string>; deleteOnRemove?: pulumi.Input<boolean>; takeOver?: pulumi.Input<boolean> }>;
  /**
   * Create it even where an organization of its name exists (vendors whose names may repeat and
   * that cannot recognise what a create committed, AIA Engine): by default that create is refused.
   */
  allowDuplicateName?: pulumi.Input<boolean>;
  /** Stable key for the ownership marker; default: the resource name. */
  key?: pulumi.Input<string>;
}

export class Organization extends OrgformResource {
  declare readonly organizationId: pulumi.Output<string>;
  declare readonly backend: pulumi.Output<string>;
  declare readonly fields: pulumi.Output<Record<string, unknown>>;
  declare readonly parentId: pulumi.Output<string | null | undefined>;
  /** The declarable (`both`) fields as the API last reported them. */
  declare readonly live: pulumi.Output<Record<string, unknown>>;
  declare readonly liveParentId: pulumi.Output<string | null>;
  /** The read-only (`export-only`) fields as the API last reported them. */
  declare readonly readOnly: pulumi.Output<Record<string, unknown>>;
  declare readonly created: pulumi.Output<boolean>;

  constructor(name: string, args: OrganizationArgs, opts?: pulumi.CustomResourceOptions) {
    const props = {
      key: name,
      owner: `${pulumi.getProject()}/${pulumi.getStack()}`,
      ...args,
      organizationId: undefined,
      live: undefined,
      liveParentId: undefined,
      readOnly: undefined,
      created: undefined,
    };
    // Sensitive import-only values (schema `x-sensitive`) are kept in outputs to see a changed
    // declaration: as Pulumi secrets, encrypted in state.
    const sensitive =
      typeof args.backend === "string" && isBackendName(args.backend) && schemaFor(args.backend, "organization").fields.some((f) => f.sensitive);
    const options = sensitive ? { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "fields"] } : opts;
    super("provider/resources/handlers/organization", "Organization", name, props, options);
  }
}

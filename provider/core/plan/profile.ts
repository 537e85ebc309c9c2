/**
 * The profile planner: what must change for an organization's profile to be as declared, for the
 * OrganizationProfile resource and `orgform drift`. A profile is a set of fields: `diffFields`
 * with the profile schema, import-only fields against the previous declaration where there is one.
 */
import { diffFields, type FieldDiff } from "../diff";
import type { ResourceSchema } from "../schema";

export interface ProfilePlanInput {
  /** The backend's profile schema. */
  schema: ResourceSchema;
  declared: Record<string, unknown>;
  live: Record<string, unknown> | undefined;
  /** The previous declaration's import-only fields; absent: drift detection. */
  previous?: { importOnly: Record<string, unknown> };
}

export function planProfile(input: ProfilePlanInput): FieldDiff {
  return diffFields(input.declared, input.live ?? {}, input.schema, input.previous ? { previousImportOnly: input.previous.importOnly } : {});
}

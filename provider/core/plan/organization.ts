/**
 * The organization planner: the one answer to "what must change for this organization to be as
 * declared?", for the Organization resource's diff, create (an adoption's converge) and update, and
 * for `orgform drift`. Fields by `diffFields` (the schema's access classes and comparison rules);
 * the parent as structure: compared only where the backend has a hierarchy.
 */
import { diffFields, type FieldDiff } from "../diff";
import type { ResourceSchema } from "../schema";

export interface OrganizationPlanInput {
  /** The backend's organization schema. */
  schema: ResourceSchema;
  /** Whether the backend has an organization hierarchy (capabilities `hierarchy.supported`): the parent is compared only then. */
  hierarchy: boolean;
  declared: {
    fields: Record<string, unknown>;
    /** The declared parent id (null: the root); undefined: none declared. */
    parentId?: string | null;
    /** An adopted organization with no declared parent keeps its live one; a created one is a root. */
    adopted: boolean;
  };
  live: { fields: Record<string, unknown>; parentId: string | null };
  /**
   * The previous declaration (Pulumi state): its import-only fields are what the API last got.
   * Absent: drift detection, where import-only fields never differ.
   */
  previous?: { importOnly: Record<string, unknown> };
  /** A value not known yet (a preview's unknown parent id): compared as unchanged. */
  isUnknown?: (value: unknown) => boolean;
}

export interface OrganizationChanges {
  fields: FieldDiff;
  /** The parent the organization must end under, when it differs from the live one. */
  parent?: { from: string | null; to: string | null };
  /** The parent the declaration asks for (the live one where it asks for none). */
  wantParent: string | null;
  hasChanges: boolean;
}

/** The parent a declaration asks for: an adopted organization keeps its own unless one is declared. */
export function wantedParent(declared: OrganizationPlanInput["declared"], liveParentId: string | null): string | null {
  return declared.adopted && declared.parentId === undefined ? liveParentId : (declared.parentId ?? null);
}

export function planOrganization(input: OrganizationPlanInput): OrganizationChanges {
  const fields = diffFields(input.declared.fields, input.live.fields, input.schema, input.previous ? { previousImportOnly: input.previous.importOnly } : {});
  const wantParent = wantedParent(input.declared, input.live.parentId);
  const unknown = input.isUnknown?.(wantParent) ?? false;
  const parent = input.hierarchy && !unknown && wantParent !== input.live.parentId ? { from: input.live.parentId, to: wantParent } : undefined;
  return { fields, ...(parent ? { parent } : {}), wantParent, hasChanges: fields.hasChanges || !!parent };
}

import type { Problem, ResourceSchema, Access } from "../../core/schema";
import type { Fields } from "../../backends/types";

export interface CheckFailure {
  property: string;
  reason: string;
}

/** Validation problems as Pulumi check failures, each naming the property path. */
export function checkFailures(prefix: string, problems: Problem[]): CheckFailure[] {
  return problems.map((p) => ({ property: [prefix, ...p.path].join("."), reason: p.message }));
}

/** The declared fields of one access class. */
export function pickDeclared(fields: Fields, schema: ResourceSchema, access: Access): Fields {
  const out: Fields = {};
  for (const [k, v] of Object.entries(fields)) if (schema.field(k)?.access === access) out[k] = v;
  return out;
}

/**
 * The value the engine passes for an input not known yet during a preview (an output of a
 * resource being updated, e.g. the organization's id). An organization keeps its id on update, so
 * an unknown id is compared as unchanged: after the update the engine asks again with the value.
 */
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Whether `next` differs from `previous`, an unknown `next` counting as the same. */
export function changedUnlessUnknown(previous: unknown, next: unknown): boolean {
  return next !== UNKNOWN_VALUE && previous !== next;
}

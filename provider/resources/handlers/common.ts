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

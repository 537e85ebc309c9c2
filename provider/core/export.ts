/**
 * Export projection: what an observed (live) object looks like to a user.
 * - `declared`: the `both` fields (what a YAML file may declare to keep the object as it is);
 * - `readOnly`: the `export-only` fields (reported, never declarable);
 * - nothing else: `import-only` values are never read back, `neither` fields are internal and
 *   `x-volatile` values change by themselves.
 * Fields come in schema order; absent fields stay absent, `null` values are kept unless `omitNull`.
 */
import type { ResourceSchema } from "./schema";

export interface ExportProjection {
  declared: Record<string, unknown>;
  readOnly: Record<string, unknown>;
}

export function projectForExport(
  observed: Record<string, unknown>,
  schema: ResourceSchema,
  options: { omitNull?: boolean } = {},
): ExportProjection {
  const declared: Record<string, unknown> = {};
  const readOnly: Record<string, unknown> = {};
  for (const spec of schema.fields) {
    if (spec.volatile) continue;
    if (!Object.prototype.hasOwnProperty.call(observed, spec.name)) continue;
    const value = observed[spec.name];
    if (value === undefined || (options.omitNull && value === null)) continue;
    if (spec.access === "both") declared[spec.name] = value;
    else if (spec.access === "export-only") readOnly[spec.name] = value;
  }
  return { declared, readOnly };
}

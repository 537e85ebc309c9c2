/**
 * Up-to-date is a pure function: `diffFields(desired, observed, schema)` decides what differs.
 * The Pulumi diff, the drift report and export all call it.
 *
 * Rules (see values.ts for value semantics):
 * - Only fields present in `desired` are compared: an undeclared field is unmanaged.
 * - `both` fields: desired vs observed (live) value.
 * - `import-only` fields: desired vs the previously declared value (`previousImportOnly`); when
 *   that option is absent (drift detection) they are never a change. The live API never reports them.
 * - `export-only`, `neither` and `x-volatile` fields are never a change.
 * - A change of an `x-replace-on-change` field forces replacement.
 * - A change of an `x-create-only` field cannot be applied at all (`createOnly`): the caller
 *   refuses it with a message instead of updating or replacing.
 * - The `x-reserved-keys` of an object field (orgform's marker) are never compared.
 * - Strings compare case-insensitively where the schema says so (`format: email`, `x-compare`).
 * - kind: `add` when the old value is unset, `remove` when the new value is unset (declared null),
 *   `update` otherwise.
 */
import { diffLines } from "diff";
import type { Access, FieldSpec, ResourceSchema } from "./schema";
import { canonicalJson, deepEqual, isUnset } from "./values";

export interface FieldChange {
  field: string;
  kind: "update" | "add" | "remove";
  /** The current value: live for `both`, previously declared for `import-only`. */
  from: unknown;
  to: unknown;
  replace: boolean;
  access: Access;
  /** Set for an `x-create-only` field: the vendor cannot change it after create. */
  createOnly?: true;
}

export interface FieldDiff {
  changes: FieldChange[];
  /** Fields whose change forces replacement. */
  replaces: string[];
  /** `x-create-only` fields whose declared value differs from the live one: refused, never applied. */
  createOnly: string[];
  hasChanges: boolean;
}

export interface DiffOptions {
  /** Import-only values as last declared (from Pulumi state); omit for drift detection. */
  previousImportOnly?: Record<string, unknown>;
}

export function diffFields(
  desired: Record<string, unknown>,
  observed: Record<string, unknown> | undefined | null,
  schema: ResourceSchema,
  options: DiffOptions = {},
): FieldDiff {
  const changes: FieldChange[] = [];
  const live = observed ?? {};
  for (const spec of schema.fields) {
    if (!Object.prototype.hasOwnProperty.call(desired, spec.name)) continue;
    const to = withoutReserved(desired[spec.name], spec.reservedKeys);
    if (to === undefined || spec.volatile) continue;
    let from: unknown;
    if (spec.access === "both") from = withoutReserved(live[spec.name], spec.reservedKeys);
    else if (spec.access === "import-only" && options.previousImportOnly) from = options.previousImportOnly[spec.name];
    else continue;
    if (sameValue(spec, from, to)) continue;
    changes.push({
      field: spec.name,
      kind: isUnset(from) ? "add" : isUnset(to) ? "remove" : "update",
      from: from === undefined ? null : from,
      to,
      replace: spec.replaceOnChange,
      access: spec.access,
      ...(spec.createOnly ? { createOnly: true as const } : {}),
    });
  }
  return {
    changes,
    replaces: changes.filter((c) => c.replace).map((c) => c.field),
    createOnly: changes.filter((c) => c.createOnly).map((c) => c.field),
    hasChanges: changes.length > 0,
  };
}

/**
 * Whether two values of one field are the same by the schema's comparison rule (`values.ts`;
 * case-insensitive for `format: email` and `x-compare: case-insensitive`). The one equality every
 * planner, matcher and guard uses for a field.
 */
export function sameValue(spec: FieldSpec | undefined, a: unknown, b: unknown): boolean {
  return deepEqual(a, b, { caseInsensitive: spec?.caseInsensitive ?? false });
}

/** An object field's value without orgform's reserved keys. */
function withoutReserved(value: unknown, reserved: string[]): unknown {
  if (reserved.length === 0 || value === null || typeof value !== "object" || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).filter(([k]) => !reserved.includes(k)));
}

const SYMBOL: Record<FieldChange["kind"], string> = { update: "~", add: "+", remove: "-" };

/**
 * Readable rendering, one block per change:
 *   ~ name: "Acme" => "Acme Corp"
 *   + description: "Shop"
 *   - logo_url: "https://x/logo.png" => null
 *   ~ id: "a" => "b" (forces replacement)
 * Objects, arrays and long or multi-line strings are shown as a line diff of their JSON.
 */
export function renderDiff(diff: FieldDiff, options: { indent?: string } = {}): string {
  const indent = options.indent ?? "";
  if (!diff.hasChanges) return `${indent}(no changes)`;
  const out: string[] = [];
  for (const c of diff.changes) {
    const suffix = (c.replace ? " (forces replacement)" : "") + (c.access === "import-only" ? " (import-only)" : "") + (c.createOnly ? " (set at create only: cannot change)" : "");
    if (isBlock(c.from) || isBlock(c.to)) {
      out.push(`${indent}${SYMBOL[c.kind]} ${c.field}:${suffix}`);
      out.push(...blockDiff(c.from, c.to).map((l) => `${indent}    ${l}`));
    } else {
      const from = c.kind === "add" ? "" : `${show(c.from)} => `;
      out.push(`${indent}${SYMBOL[c.kind]} ${c.field}: ${from}${show(c.to)}${suffix}`);
    }
  }
  return out.join("\n");
}

function isBlock(value: unknown): boolean {
  if (value !== null && typeof value === "object") return true;
  return typeof value === "string" && (value.length > 60 || value.includes("\n"));
}

function show(value: unknown): string {
  return value === undefined ? "null" : JSON.stringify(value);
}

function blockText(value: unknown): string {
  if (isUnset(value)) return "null\n";
  if (typeof value === "string") return value.endsWith("\n") ? value : `${value}\n`;
  return `${canonicalJson(value)}\n`;
}

function blockDiff(from: unknown, to: unknown): string[] {
  const lines: string[] = [];
  for (const part of diffLines(blockText(from), blockText(to))) {
    const mark = part.added ? "+ " : part.removed ? "- " : "  ";
    const body = part.value.endsWith("\n") ? part.value.slice(0, -1) : part.value;
    for (const line of body.split("\n")) lines.push(`${mark}${line}`);
  }
  return lines;
}

// One manager per organization: what an adoption does with the ownership marker it finds
// (`orgform:<project>/<stack>/<key>`, left by the stack that created the organization or took it
// over). A pure decision: the organization handler asks it before any write of an adoption.

/** Who a marker names: the stack `<project>/<stack>` and the organization's key in it. */
export function parseMarker(marker: string): { stack: string; key: string } | undefined {
  const m = /^orgform:([^/]+\/[^/]+)\/(.+)$/.exec(marker);
  return m ? { stack: m[1]!, key: m[2]! } : undefined;
}

export type AdoptionOwnership =
  /** No marker, or this stack's own for this key: adopted as it is (no write for the marker). */
  | { action: "adopt" }
  /** Another stack's marker and `takeOver`: adopted, the marker rewritten to this stack's. */
  | { action: "take-over"; from: string }
  /** Another stack's marker without `takeOver`: refused before any write. */
  | { action: "refuse"; message: string };

/**
 * Whether this stack may adopt an organization carrying `found.marker`. Adoption itself writes
 * no marker (an organization nobody marked stays unmarked: two stacks adopting it cannot be told
 * apart, see README "One manager per organization"); only `takeOver` writes one, and only over
 * another stack's marker (orgform's own value, never one a user wrote).
 */
export function adoptionOwnership(input: {
  key: string;
  found: { id: string; name: string; marker?: string };
  ownMarker: string;
  takeOver: boolean;
  adopt: { id?: string; name?: string };
}): AdoptionOwnership {
  const { found, ownMarker } = input;
  if (!found.marker || found.marker === ownMarker) return { action: "adopt" };
  const other = parseMarker(found.marker);
  const who = other ? `stack ${other.stack} (as "${other.key}")` : `another orgform stack (marker ${JSON.stringify(found.marker)})`;
  if (input.takeOver) return { action: "take-over", from: who };
  const how = input.adopt.id !== undefined ? `id: "${input.adopt.id}"` : input.adopt.name !== undefined ? `name: ${JSON.stringify(input.adopt.name)}` : "";
  return {
    action: "refuse",
    message:
      `cannot adopt organization ${input.key}: "${found.name}" (${found.id}) is managed by ${who}, whose ownership marker it carries; ` +
      `one organization has one manager, so nothing was written. To move it to this stack, remove it from that stack's config and declare ` +
      `adopt: {${how ? `${how}, ` : ""}takeOver: true} here (orgform then rewrites the marker)`,
  };
}

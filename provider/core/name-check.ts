// Whether a create first looks for an organization of its name: one decision, used by the
// Organization handler (before every create) and by the config loader and schema (where
// `allowDuplicateName` may be declared).
import type { DuplicateGuard } from "../backends/types";
import type { Capabilities } from "./capabilities";

/** The vendor creates organizations and lets two of them share a name: `allowDuplicateName` may be declared. */
export function namesMayRepeat(caps: Pick<Capabilities, "organization">): boolean {
  return caps.organization.create && caps.organization.nameUniqueness.scope === "none";
}

/**
 * Where a create first looks for an organization of its name, or null for nowhere. Where the
 * vendor keeps names unique: among the names it compares (it would refuse the create anyway).
 * Where names may repeat and nothing recognises what a create committed (duplicate guard `none`):
 * among every organization the credential can see, since an earlier run killed mid-create, or a
 * create that failed after it was sent, may have left one that a second create would double.
 * `allowDuplicateName` opts out of that second look only (and, with it, out of that protection).
 */
export function nameCheckBeforeCreate(
  caps: Pick<Capabilities, "organization">,
  guard: DuplicateGuard,
  allowDuplicateName: boolean,
): "siblings" | "global" | "visible" | null {
  const { scope } = caps.organization.nameUniqueness;
  if (scope !== "none") return scope;
  return guard === "none" && !allowDuplicateName ? "visible" : null;
}

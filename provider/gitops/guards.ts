// Guard rails after well-known incidents where a bad config removed every member of an
// organization: an authoritative member set removes at most a share of an organization's members
// in one update (default 25%) and never its last administrator, unless a setting allows it. They
// hold for plain `pulumi up` too: the members handler checks them before its first write.
import { OrgformError } from "../core/errors";
import type { LiveMember, MemberChanges } from "../core/plan/members";

/** The settings that relax the guards: environment first, then Pulumi stack config. */
export const GUARD_SETTINGS = {
  maxMemberRemovalShare: { env: "ORGFORM_MAX_MEMBER_REMOVAL_SHARE", stack: "orgform:maxMemberRemovalShare", default: 0.25 },
  allowRemovingLastAdmin: { env: "ORGFORM_ALLOW_REMOVING_LAST_ADMIN", stack: "orgform:allowRemovingLastAdmin", default: false },
} as const;

/** The default share of managed organizations `orgform up` may delete in one run. */
export const DEFAULT_MAX_DELETE_SHARE = 0.25;

/** A share written `0.3`, `30%` or `1` (everything); undefined when it is neither. */
export function parseShare(text: string): number | undefined {
  const t = text.trim();
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(t);
  if (!m) return undefined;
  const n = Number(m[1]) / (m[2] ? 100 : 1);
  return n >= 0 && n <= 1 ? n : undefined;
}

export const percent = (share: number) => `${Math.round(share * 1000) / 10}%`;

export interface GuardSettings {
  maxMemberRemovalShare: number;
  allowRemovingLastAdmin: boolean;
}

/** The guard settings from a lookup of environment / stack values; a bad value is an error naming the setting. */
export function guardSettings(lookup: (setting: { env: string; stack: string }) => string | undefined): GuardSettings {
  const shareSetting = GUARD_SETTINGS.maxMemberRemovalShare;
  const shareText = lookup(shareSetting);
  const share = shareText === undefined ? shareSetting.default : parseShare(shareText);
  if (share === undefined) throw new OrgformError("VALIDATION", `${shareSetting.stack} / ${shareSetting.env} must be a share between 0 and 1 (e.g. 0.5 or 50%)`);
  const adminSetting = GUARD_SETTINGS.allowRemovingLastAdmin;
  const adminText = lookup(adminSetting)?.trim().toLowerCase();
  if (adminText !== undefined && adminText !== "true" && adminText !== "false") throw new OrgformError("VALIDATION", `${adminSetting.stack} / ${adminSetting.env} must be true or false`);
  return { maxMemberRemovalShare: share, allowRemovingLastAdmin: adminText === "true" };
}

/**
 * Refuses a planned member change (`planMembers`) that removes more than the allowed share of the
 * live members in force, or leaves an organization that had an administrator without one; the
 * message names the counts and the setting that allows it. Nothing has been sent when it throws.
 * Re-creating a declared member whose membership is inactive removes nobody. Where members have no
 * roles nobody is an administrator, so the last-administrator guard cannot apply (validate says so).
 */
export function checkMemberGuards(
  organization: string,
  plan: MemberChanges,
  settings: GuardSettings,
  // The schema's `x-admin-values`, or, where roles belong to each organization, the live role's own property.
  isAdmin: (role: string | undefined) => boolean,
): void {
  const removed = plan.remove.length;
  const total = plan.live.length;
  if (removed > 0 && removed / total > settings.maxMemberRemovalShare) {
    const s = GUARD_SETTINGS.maxMemberRemovalShare;
    throw new OrgformError(
      "REFUSED",
      `refusing to remove ${removed} of the ${total} members of organization ${organization} (${percent(removed / total)}) in one update: ` +
        `more than the ${percent(settings.maxMemberRemovalShare)} allowed. Nothing was changed. If this is intended, allow it with ` +
        `\`pulumi config set ${s.stack} ${Math.ceil((removed / total) * 100) / 100}\` (or ${s.env}), or remove fewer members per update`,
    );
  }
  // The planner's own matching: the live members it removes or re-roles are the very objects it was given.
  const removedMembers = new Set<LiveMember>(plan.remove.map((m) => plan.live.find((l) => l.email === m.email)!));
  const roleAfter = new Map(plan.setRole.map((c) => [c.email, c.to]));
  const adminsBefore = plan.live.filter((m) => isAdmin(m.role)).length;
  const adminsAfter =
    plan.live.filter((m) => !removedMembers.has(m) && isAdmin(roleAfter.get(m.email) ?? m.role)).length +
    [...plan.add, ...plan.recreate].filter((m) => isAdmin(m.role)).length;
  if (adminsBefore > 0 && adminsAfter === 0 && !settings.allowRemovingLastAdmin) {
    const s = GUARD_SETTINGS.allowRemovingLastAdmin;
    throw new OrgformError(
      "REFUSED",
      `refusing to leave organization ${organization} without an administrator: this update removes or demotes all ${adminsBefore} of its administrators. ` +
        `Nothing was changed. Declare an administrator, or allow it with \`pulumi config set ${s.stack} true\` (or ${s.env}=true)`,
    );
  }
}

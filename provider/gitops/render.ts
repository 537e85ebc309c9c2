// Reports people read: drift (text for terminals and CI logs, Markdown for a pull-request
// comment), one renderer of field changes for both (`renderDiff`, as `orgform plan` uses).
import { renderDiff, type FieldChange, type FieldDiff } from "../core/diff";
import { escapeControls } from "../config/diagnostics";
import type { DriftReport, FieldDrift, MemberDrift, OrganizationDrift } from "./drift";

/** Field drift as the diff renderer shows it: live => declared (what `pulumi up` would do). */
function asDiff(drifts: FieldDrift[]): FieldDiff {
  const changes: FieldChange[] = drifts.map((d) => ({ field: d.field, kind: d.kind, from: d.live, to: d.declared, replace: false, access: "both" }));
  return { changes, replaces: [], createOnly: [], hasChanges: changes.length > 0 };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function memberLines(m: MemberDrift | undefined): string[] {
  if (!m) return [];
  const who = (x: { email: string; role?: string }) => (x.role !== undefined ? `${x.email} (${x.role})` : x.email);
  return [
    ...m.missing.map((x) => `+ ${who(x)}: declared, not a member`),
    ...m.unmanaged.map((x) => `- ${who(x)}: a member declared nowhere`),
    ...m.wrongRole.map((x) => `~ ${x.email}: ${x.live} => ${x.declared}`),
    ...(m.inactive ?? []).map((x) => `+- ${x.email}: declared, its membership is ${x.status} (re-created)`),
  ];
}

/** The detail lines of one organization (indented under its heading). */
export function detailLines(o: OrganizationDrift): string[] {
  switch (o.state) {
    case "missing":
      return ["declared, but no live organization matches it (by adopt.id, adopt.name or name)"];
    case "unmanaged":
      return ["live, but declared nowhere (the config is authoritative)"];
    case "in-sync":
      return [];
  }
  const lines: string[] = [];
  if (o.fields.length) lines.push(...renderDiff(asDiff(o.fields)).split("\n"));
  if (o.parent) lines.push(`~ parent: ${o.parent.live ?? "null"} => ${o.parent.declared ?? "null"}`);
  if (o.profile.length) lines.push("profile:", ...renderDiff(asDiff(o.profile), { indent: "  " }).split("\n"));
  const members = memberLines(o.members);
  if (members.length) lines.push("members:", ...members.map((l) => `  ${l}`));
  const who = changedByLine(o);
  if (who) lines.push(who);
  return lines;
}

/** "last changed by <actor> (<via>) at <time>: <action> <resource>", from the vendor's audit log. */
export function changedByLine(o: OrganizationDrift): string | undefined {
  const c = o.lastChange;
  if (c) return `last changed by ${c.actor}${c.via ? ` (${c.via})` : ""} at ${c.time}: ${c.action} ${c.resource}`;
  return o.lastChangeUnknown ? `last change unknown: ${o.lastChangeUnknown}` : undefined;
}

const MARK: Record<OrganizationDrift["state"], string> = { "in-sync": "=", changed: "~", missing: "+", unmanaged: "-" };

function label(o: OrganizationDrift): string {
  return `${o.key ?? "(unmanaged)"} "${o.name}"${o.id ? ` (${o.id})` : ""}`;
}

export function summaryLine(r: DriftReport): string {
  const s = r.summary;
  const parts = [`${s.inSync} in sync`, `${s.changed} changed`, `${s.missing} missing`];
  if (r.authoritative) parts.push(`${s.unmanaged} unmanaged`);
  else if (s.unmanagedIgnored) parts.push(`${s.unmanagedIgnored} live but undeclared (not drift: the config is not authoritative)`);
  return `${r.drift ? "drift" : "no drift"}: ${r.backend}, ${plural(s.declared, "organization")} declared: ${parts.join(", ")}`;
}

/** Text for a terminal or a CI log; control characters from the API are escaped. */
export function renderDriftText(r: DriftReport): string {
  const out = [summaryLine(r)];
  for (const o of r.organizations) {
    if (o.state === "in-sync") continue;
    out.push(`${MARK[o.state]} ${label(o)}: ${o.state}`);
    out.push(...detailLines(o).map((l) => `    ${l}`));
  }
  return `${out.map(escapeControls).join("\n")}\n`;
}

/** Markdown table cells and summaries (drift's and plan's): no pipes, no HTML, no line breaks from the API. */
export function markdownText(text: string): string {
  return escapeControls(text).replace(/[\\`*_|<>&[\]]/g, (c) => `&#${c.charCodeAt(0)};`).replace(/\s+/g, " ");
}

function memberCell(m?: MemberDrift): string {
  if (!m) return "";
  const parts = [m.missing.length ? `+${m.missing.length}` : "", m.unmanaged.length ? `−${m.unmanaged.length}` : "", m.wrongRole.length ? `~${m.wrongRole.length}` : "", m.inactive?.length ? `±${m.inactive.length}` : ""].filter(Boolean);
  return parts.join(" ");
}

/** A pull-request comment: a summary table, then collapsible details per organization. */
export function renderDriftMarkdown(r: DriftReport): string {
  const out = [`### orgform drift (${r.backend})`, "", `**${markdownText(summaryLine(r))}**`];
  const drifted = r.organizations.filter((o) => o.state !== "in-sync");
  if (drifted.length) {
    // The "changed by" column only where the vendor's audit log named someone.
    const who = drifted.some((o) => o.lastChange);
    out.push("", `| organization | id | state | fields | profile | members |${who ? " changed by |" : ""}`, `| --- | --- | --- | --- | --- | --- |${who ? " --- |" : ""}`);
    for (const o of drifted) {
      const fields = o.fields.length + (o.parent ? 1 : 0);
      const by = who ? ` ${o.lastChange ? `${markdownText(o.lastChange.actor)}, ${markdownText(o.lastChange.time)}` : ""} |` : "";
      out.push(`| ${o.key ? `<code>${markdownText(o.key)}</code> ` : ""}${markdownText(o.name)} | ${o.id ? `<code>${markdownText(o.id)}</code>` : ""} | ${o.state} | ${fields || ""} | ${o.profile.length || ""} | ${memberCell(o.members)} |${by}`);
    }
    for (const o of drifted.filter((d) => d.state === "changed")) {
      out.push("", "<details>", `<summary>${o.key ? `<code>${markdownText(o.key)}</code> ` : ""}${markdownText(o.name)}: ${o.state}</summary>`, "", "```diff");
      out.push(...detailLines(o).map((l) => escapeControls(l).replace(/```/g, "`\u200b``")));
      out.push("```", "", "</details>");
    }
  }
  return `${out.join("\n")}\n`;
}

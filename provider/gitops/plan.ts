// `orgform plan` and `orgform up`: the stack's preview through Pulumi's Automation API (a
// workspace on the project directory), rendered field by field from orgform's own diff (the
// handlers' `diff`, which is what the provider answers the engine), as text and Markdown. `up`
// runs the same preview and refuses before anything is touched when too many managed
// organizations would be deleted.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { EngineEvent, StepEventMetadata } from "@pulumi/pulumi/automation";
import { capabilitiesOf } from "../core/capabilities";
import { isBackendName } from "../core/backends";
import { OrgformError } from "../core/errors";
import { packageRoot } from "../core/paths";
import { escapeControls } from "../config/diagnostics";
import * as organization from "../resources/handlers/organization";
import * as profile from "../resources/handlers/profile";
import * as members from "../resources/handlers/members";
import { DEFAULT_MAX_DELETE_SHARE, percent } from "./guards";
import { markdownText } from "./render";

export type PlanKind = "organization" | "profile" | "members" | "member";
export type PlanAction = "create" | "adopt" | "update" | "replace" | "delete" | "release" | "same";

export interface PlanStep {
  kind: PlanKind;
  /** The Pulumi resource name (the organization's key, `<key>-profile`, `<key>-members`). */
  name: string;
  action: PlanAction;
  /** What changes, one line each (`~ name: "a" => "b"`, `+ ada@x (Member)`...). */
  lines: string[];
}

export interface Plan {
  stack: string;
  steps: PlanStep[];
  /** Organizations in the stack's state before this run. */
  managedOrganizations: number;
  /** Organizations this run deletes from the API (released ones are not deleted). */
  deletedOrganizations: number;
}

const KIND_OF: Record<string, PlanKind> = {
  "orgform:Organization": "organization",
  "orgform:OrganizationProfile": "profile",
  "orgform:OrganizationMembers": "members",
  "orgform:OrganizationMember": "member",
};

function kindOf(type: string): PlanKind | undefined {
  const token = type.split("/").pop() ?? "";
  return KIND_OF[token];
}

const nameOf = (urn: string) => urn.split("::").pop() ?? urn;
const detail = (text: string) => (text && text !== "(no changes)" ? text.split("\n") : []);

/** Whether deleting this organization's resource leaves it in the API (the provider's own rule). */
function released(outputs: Record<string, any>): boolean {
  const backend = outputs.backend;
  if (isBackendName(backend) && !capabilitiesOf(backend).organization.delete.supported) return true;
  return !!outputs.adopt && !outputs.created && !outputs.adopt.deleteOnRemove;
}

/** One engine step in orgform's terms, its lines from the handlers' own diff. */
export function planStep(step: StepEventMetadata): PlanStep | undefined {
  const kind = kindOf(step.type);
  if (!kind) return undefined;
  const olds = (step.old?.outputs ?? {}) as Record<string, any>;
  const news = (step.new?.inputs ?? {}) as Record<string, any>;
  const name = nameOf(step.urn);
  const op = step.op;
  if (op === "same" || op === "read" || op === "refresh") return { kind, name, action: "same", lines: [] };
  if (op === "delete" || op === "discard") {
    if (kind === "organization") return { kind, name, action: released(olds) ? "release" : "delete", lines: olds.organizationId ? [`id ${olds.organizationId}`] : [] };
    if (kind === "members") return { kind, name, action: "release", lines: [`${(olds.live ?? []).length} members left as they are`] };
    if (kind === "profile") return { kind, name, action: "release", lines: [] };
    return { kind, name, action: "delete", lines: olds.email ? [`- ${olds.email}`] : [] };
  }
  if (op === "create" || op === "create-replacement" || op === "import") {
    if (op === "create-replacement") return undefined; // shown once, by its replace step
    if (kind === "organization") {
      const fields = Object.entries(news.fields ?? {}).map(([f, v]) => `+ ${f}: ${JSON.stringify(v)}`);
      return news.adopt ? { kind, name, action: "adopt", lines: [`adopt ${news.adopt.id ? `id ${news.adopt.id}` : `name ${JSON.stringify(news.adopt.name)}`}`, ...fields] } : { kind, name, action: "create", lines: fields };
    }
    if (kind === "members") return { kind, name, action: "create", lines: [`${news.mode} set:`, ...(news.members ?? []).map((m: { email: string; role?: string }) => `+ ${m.email}${m.role ? ` (${m.role})` : ""}`)] };
    if (kind === "profile") return { kind, name, action: "create", lines: Object.entries(news.fields ?? {}).map(([f, v]) => `+ ${f}: ${JSON.stringify(v)}`) };
    return { kind, name, action: "create", lines: [`+ ${news.email}${news.role ? ` (${news.role})` : ""}`] };
  }
  // update, replace, delete-replaced (the latter shown by its replace step)
  if (op === "delete-replaced") return undefined;
  const action: PlanAction = op === "replace" ? "replace" : "update";
  switch (kind) {
    case "organization":
      return { kind, name, action, lines: detail(organization.diff(olds as organization.OrganizationOutputs, news as organization.OrganizationInputs).detail) };
    case "profile":
      return { kind, name, action, lines: detail(profile.diff(olds as profile.ProfileOutputs, news as profile.ProfileInputs).detail) };
    case "members":
      return { kind, name, action, lines: detail(members.diff(olds as members.MembersOutputs, news as members.MembersInputs).detail) };
    case "member":
      return { kind, name, action, lines: detail(members.diffOne(olds as members.MemberOutputs, news as members.MemberInputs).detail) };
  }
}

export function planFromEvents(stack: string, events: readonly EngineEvent[]): Plan {
  const steps: PlanStep[] = [];
  for (const e of events) {
    const metadata = e.resourcePreEvent?.metadata;
    if (!metadata) continue;
    const step = planStep(metadata);
    if (step) steps.push(step);
  }
  const orgSteps = steps.filter((s) => s.kind === "organization");
  return {
    stack,
    steps,
    managedOrganizations: orgSteps.filter((s) => s.action !== "create" && s.action !== "adopt").length,
    deletedOrganizations: orgSteps.filter((s) => s.action === "delete").length,
  };
}

const VERB: Record<PlanAction, string> = { create: "create", adopt: "adopt", update: "update", replace: "replace", delete: "delete", release: "release", same: "unchanged" };
const MARK: Record<PlanAction, string> = { create: "+", adopt: "+", update: "~", replace: "+-", delete: "-", release: "-", same: " " };

export function planSummary(plan: Plan): string {
  const counts = new Map<PlanAction, number>();
  for (const s of plan.steps) counts.set(s.action, (counts.get(s.action) ?? 0) + 1);
  const changes = (["create", "adopt", "update", "replace", "delete", "release"] as PlanAction[]).filter((a) => counts.get(a)).map((a) => `${counts.get(a)} to ${VERB[a]}`);
  return `plan for stack ${plan.stack}: ${changes.length ? changes.join(", ") : "no changes"}${counts.get("same") ? ` (${counts.get("same")} unchanged)` : ""}`;
}

export function renderPlanText(plan: Plan): string {
  const out = [planSummary(plan)];
  for (const s of plan.steps) {
    if (s.action === "same") continue;
    out.push(`${MARK[s.action]} ${s.kind} ${s.name}: ${VERB[s.action]}`);
    out.push(...s.lines.map((l) => `    ${l}`));
  }
  return `${out.map(escapeControls).join("\n")}\n`;
}

/** A pull-request comment: the summary, a table of what changes, then the field changes per resource. */
export function renderPlanMarkdown(plan: Plan): string {
  const out = [`### orgform plan (${markdownText(plan.stack)})`, "", `**${markdownText(planSummary(plan))}**`];
  const changing = plan.steps.filter((s) => s.action !== "same");
  if (changing.length) {
    out.push("", "| resource | kind | action |", "| --- | --- | --- |");
    for (const s of changing) out.push(`| <code>${markdownText(s.name)}</code> | ${s.kind} | ${VERB[s.action]} |`);
    for (const s of changing.filter((c) => c.lines.length)) {
      out.push("", "<details>", `<summary><code>${markdownText(s.name)}</code>: ${VERB[s.action]}</summary>`, "", "```diff");
      out.push(...s.lines.map((l) => escapeControls(l).replace(/```/g, "`\u200b``")));
      out.push("```", "", "</details>");
    }
  }
  return `${out.join("\n")}\n`;
}

/**
 * Refuses an `up` that deletes more than `maxShare` of the stack's managed organizations; the
 * message names the counts and the flag.
 */
export function checkDeleteGuard(plan: Plan, maxShare = DEFAULT_MAX_DELETE_SHARE): void {
  const { managedOrganizations: managed, deletedOrganizations: deleted } = plan;
  if (deleted === 0 || managed === 0 || deleted / managed <= maxShare) return;
  throw new OrgformError(
    "REFUSED",
    `refusing to delete ${deleted} of the ${managed} managed organizations (${percent(deleted / managed)}) of stack ${plan.stack}: more than the ` +
      `${percent(maxShare)} allowed. Nothing was changed. If this is intended, run again with --max-delete-share ${Math.ceil((deleted / managed) * 100) / 100}`,
  );
}

/** `pulumi` on PATH for the Automation API: the one found there, else the engine scripts/ensure-pulumi provides. */
export function ensurePulumiOnPath(env: NodeJS.ProcessEnv = process.env): void {
  const dirs = (env.PATH ?? "").split(path.delimiter);
  if (dirs.some((d) => d && fs.existsSync(path.join(d, "pulumi")))) return;
  const bin = execFileSync(path.join(packageRoot(), "scripts", "ensure-pulumi"), { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
  env.PATH = `${bin}${path.delimiter}${env.PATH ?? ""}`;
}

export interface StackOptions {
  /** The project directory (holding Pulumi.yaml). */
  cwd: string;
  stack: string;
  refresh?: boolean;
}

/**
 * The engine's own words of a failed Automation API command (its `error:` lines, once each),
 * instead of the command line and both output streams.
 */
export function engineError(err: unknown, what: string): OrgformError {
  const text = String((err as { commandResult?: { stderr?: string } })?.commandResult?.stderr ?? (err as Error)?.message ?? err);
  const lines = [...new Set(text.split("\n").map((l) => l.trim()).filter((l) => /^error:/i.test(l)).map((l) => l.replace(/^error:\s*/i, "")))];
  return new OrgformError("REFUSED", `${what} failed: ${lines.length ? lines.join("; ") : text.trim().split("\n").pop()}`, { cause: err });
}

async function engine<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw err instanceof OrgformError ? err : engineError(err, what);
  }
}

async function selectStack(options: StackOptions) {
  ensurePulumiOnPath();
  // Loaded when used: the other commands do not pay for the Automation API.
  const { LocalWorkspace } = require("@pulumi/pulumi/automation") as typeof import("@pulumi/pulumi/automation");
  return engine(`selecting stack ${options.stack}`, () => LocalWorkspace.selectStack({ stackName: options.stack, workDir: path.resolve(options.cwd) }));
}

/**
 * The organization id the stack's state holds for each key (its Organization resources), for
 * `orgform drift --stack`: drift then matches as the engine does, by id.
 */
export async function stateOrganizationIds(options: StackOptions): Promise<Map<string, string>> {
  const stack = await selectStack(options);
  const state = await engine(`reading the state of stack ${options.stack}`, () => stack.exportStack());
  const ids = new Map<string, string>();
  for (const r of (state.deployment?.resources ?? []) as { type?: string; id?: string; outputs?: Record<string, unknown> }[]) {
    if (kindOf(r.type ?? "") !== "organization" || r.outputs?.key === undefined) continue;
    const id = r.outputs.organizationId ?? r.id;
    if (typeof id === "string" && id) ids.set(String(r.outputs.key), id);
  }
  return ids;
}

/** The stack's preview as orgform's plan. */
export async function previewPlan(options: StackOptions): Promise<Plan> {
  const stack = await selectStack(options);
  const events: EngineEvent[] = [];
  await engine(`the preview of stack ${options.stack}`, () => stack.preview({ onEvent: (e: EngineEvent) => events.push(e), refresh: options.refresh, color: "never" }));
  return planFromEvents(options.stack, events);
}

/** The same preview, the delete guard, then `pulumi up`; returns the plan and the engine's summary. */
export async function upWithGuard(options: StackOptions & { maxDeleteShare?: number; onOutput?: (text: string) => void }): Promise<{ plan: Plan; summary: string }> {
  const plan = await previewPlan(options);
  checkDeleteGuard(plan, options.maxDeleteShare);
  const stack = await selectStack(options);
  const result = await engine(`pulumi up of stack ${options.stack}`, () => stack.up({ refresh: options.refresh, color: "never", onOutput: options.onOutput }));
  const changes = Object.entries(result.summary.resourceChanges ?? {}).map(([op, n]) => `${n} ${op}`).join(", ");
  return { plan, summary: `up for stack ${options.stack}: ${result.summary.result}${changes ? ` (${changes})` : ""}` };
}

// What the Organization resource does, free of Pulumi's serialization concerns: the dynamic
// provider object only forwards here (see ../organization.ts).
import { renderDiff, type FieldDiff } from "../../core/diff";
import { planOrganization, type OrganizationChanges } from "../../core/plan/organization";
import { OrgformError, isOrgformError } from "../../core/errors";
import { projectForExport } from "../../core/export";
import { validateDeclared, type ResourceSchema } from "../../core/schema";
import { unusableBackend } from "../../backends";
import { hasMembers, type CreateIdentity, type Fields, type ObservedOrganization } from "../../backends/types";
import { nameCheckBeforeCreate } from "../../core/name-check";
import { v5 as uuidv5 } from "uuid";
import type { ConnectionInputs } from "../runtime";
import { backendContext, openCall, type BackendContext, type CallContext } from "../context";
import { adoptionOwnership } from "./ownership";
import { UNKNOWN_VALUE, checkFailures, pickDeclared, type CheckFailure } from "./common";

export interface OrganizationInputs extends ConnectionInputs {
  /** Stable key of the organization in the desired state (its Pulumi resource name). */
  key: string;
  /** `<project>/<stack>`: with the key, it makes the ownership marker a create leaves behind. */
  owner: string;
  /** Declared fields, schema names; the parent is `parentId`, not a field. */
  fields: Fields;
  /** Parent organization id; null or absent for a root organization. */
  parentId?: string | null;
  /**
   * Take over an existing organization instead of creating one. It is released (left in the API)
   * when the resource is deleted, unless `deleteOnRemove`: orgform did not create it.
   */
  adopt?: { id?: string; name?: string; deleteOnRemove?: boolean; takeOver?: boolean };
  /**
   * Create it even where an organization of its name already exists, on a vendor whose names may
   * repeat and that offers no way to recognise what a create committed (see `nameCheckBeforeCreate`).
   * Read by create only.
   */
  allowDuplicateName?: boolean;
}

export interface OrganizationOutputs extends OrganizationInputs {
  organizationId: string;
  /** The `both` fields as the API last reported them. */
  live: Fields;
  liveParentId: string | null;
  /** The `export-only` fields as the API last reported them. */
  readOnly: Fields;
  /** Whether this resource created the organization (false when adopted). */
  created: boolean;
}

// As many attempts as the HTTP client gives an idempotent request (each ambiguous one looked up first).
const CREATE_ATTEMPTS = 6;

export function markerFor(inputs: Pick<OrganizationInputs, "owner" | "key">): string {
  return `orgform:${inputs.owner}/${inputs.key}`;
}

/** orgform's UUID namespace (v5): the client-chosen id of a create is derived from its marker. */
const ORGFORM_UUID_NAMESPACE = "6f72676f-726d-5e00-9a1d-6f72676f726d";

export function identityFor(inputs: Pick<OrganizationInputs, "owner" | "key">): CreateIdentity {
  const marker = markerFor(inputs);
  return { marker, clientId: uuidv5(marker, ORGFORM_UUID_NAMESPACE) };
}

export function check(news: OrganizationInputs): CheckFailure[] {
  const unusable = unusableBackend(news.backend);
  if (unusable) return [{ property: "backend", reason: unusable }];
  const { schemas, capabilities: caps } = backendContext(news.backend);
  const problems = validateDeclared(schemas.organization, news.fields ?? {}, { partial: !!news.adopt });
  const failures = checkFailures("fields", problems);
  if (!news.adopt && !caps.organization.create) {
    failures.push({
      property: "adopt",
      reason:
        `${caps.displayName} organizations cannot be created: declare adopt: {id: ...} or adopt: {name: ...}` +
        `${caps.organization.visiblePerCredential === 1 ? " (or adopt: {}, the one organization the credential sees)" : ""} to manage an existing one`,
    });
  }
  if (news.parentId && !caps.hierarchy.supported) {
    failures.push({ property: "parentId", reason: `${caps.displayName} has no organization hierarchy` });
  }
  return failures;
}

function outputsFor(schema: ResourceSchema, inputs: OrganizationInputs, observed: ObservedOrganization, created: boolean): OrganizationOutputs {
  const projection = projectForExport(observed.fields, schema);
  return {
    ...inputs,
    organizationId: observed.id,
    live: projection.declared,
    liveParentId: observed.parentId,
    readOnly: projection.readOnly,
    created,
  };
}

function describeParent(parentId: string | null | undefined): string {
  return parentId ? `under parent ${parentId}` : "at the root";
}

async function adopt({ api: backend, capabilities: caps }: CallContext, inputs: OrganizationInputs): Promise<ObservedOrganization> {
  const how = inputs.adopt!;
  if (how.id) {
    const found = await backend.getOrganization(how.id);
    if (!found) throw new OrgformError("NOT_FOUND", `cannot adopt organization ${inputs.key}: no organization has id ${how.id}`);
    return found;
  }
  if (how.name === undefined && caps.organization.visiblePerCredential === 1) {
    // `adopt: {}`: the one organization this credential (a workspace) sees.
    const visible = await backend.findOrganizations({});
    if (visible.length !== 1) {
      throw new OrgformError(
        visible.length === 0 ? "NOT_FOUND" : "CONFLICT",
        `cannot adopt organization ${inputs.key}: the credential sees ${visible.length} ${caps.displayName} organizations, not one` +
          (visible.length > 1 ? ` (ids ${visible.map((o) => o.id).join(", ")}); adopt one by id` : ""),
      );
    }
    return visible[0];
  }
  const name = how.name ?? String(inputs.fields.name);
  const found = await backend.findOrganizations({ name });
  if (found.length === 0) throw new OrgformError("NOT_FOUND", `cannot adopt organization ${inputs.key}: no organization is named "${name}"`);
  if (found.length > 1) {
    throw new OrgformError(
      "CONFLICT",
      `cannot adopt organization ${inputs.key}: ${found.length} organizations are named "${name}" (ids ${found.map((o) => o.id).join(", ")}); adopt one by id`,
    );
  }
  return found[0];
}

/** The refusal of a create whose name an organization already has, saying how to adopt it (or opt in). */
function sameNameExists(inputs: OrganizationInputs, vendor: string, check: "siblings" | "global" | "visible", existing: ObservedOrganization[], parentId: string | null): OrgformError {
  const name = String(inputs.fields.name);
  const ids = existing.map((o) => o.id).join(", ");
  if (check !== "visible") {
    return new OrgformError(
      "CONFLICT",
      `cannot create organization ${inputs.key}: an organization named "${name}" already exists ${describeParent(parentId)} ` +
        `(id ${existing[0].id}). To manage it, add to its declaration: adopt: {id: "${existing[0].id}"} (or adopt: {name: "${name}"})`,
    );
  }
  return new OrgformError(
    "CONFLICT",
    `cannot create organization ${inputs.key}: ${existing.length === 1 ? "an organization" : `${existing.length} organizations`} named "${name}" ` +
      `already exist${existing.length === 1 ? "s" : ""} (id ${ids}), and ${vendor} offers no way to tell whether an earlier run created ` +
      `${existing.length === 1 ? "it" : "one of them"}. To manage ${existing.length === 1 ? "it" : "one"}, add to its declaration: adopt: {id: "${existing[0].id}"}` +
      `${existing.length === 1 ? ` (or adopt: {name: "${name}"})` : ""}; to create another organization of the same name, add allowDuplicateName: true`,
  );
}

/**
 * Creates the organization exactly once, by the vendor's duplicate guard. Before creating, an
 * organization an earlier run committed and never recorded is taken back (marker, client-chosen
 * id); a same-named organization that is not ours is someone else's and never taken silently.
 * After an ambiguous failure (timeout, reset, 5xx after the request left) the guard finds what
 * the create committed before any retry; a vendor without one is not retried (fail closed).
 */
async function createOnce({ api: backend, capabilities: caps }: CallContext, inputs: OrganizationInputs): Promise<ObservedOrganization> {
  const identity = identityFor(inputs);
  const parentId = inputs.parentId ?? null;
  const name = String(inputs.fields.name);
  const guard = backend.duplicateGuard;

  if (guard === "marker" || guard === "client-id") {
    // Left behind by an earlier run of this stack that died before recording it: it is ours
    // (looked up in this deployment's bulk list; after an ambiguous create, below, in the API).
    const ours = await backend.findCreatedBefore(inputs.fields, parentId, identity);
    if (ours) return ours;
  }
  const nameCheck = nameCheckBeforeCreate(caps, guard, !!inputs.allowDuplicateName);
  if (nameCheck) {
    const existing = await backend.findOrganizations({ name, ...(nameCheck === "siblings" ? { parentId } : {}) });
    if (existing.length > 0) throw sameNameExists(inputs, caps.displayName, nameCheck, existing, parentId);
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return await backend.createOrganization(inputs.fields, parentId, identity);
    } catch (err) {
      if (!isOrgformError(err, "AMBIGUOUS")) throw err;
      if (guard === "none") {
        throw new OrgformError(
          "AMBIGUOUS",
          `cannot tell whether organization ${inputs.key} ("${name}") was created: the request failed after it was sent, and ` +
            `${caps.displayName} offers no way to recognise what it created, so orgform does not send it again. Look for "${name}" ` +
            `in ${caps.displayName}: if it exists, add adopt: {name: "${name}"} (or adopt: {id: ...}) to its declaration; if not, run again` +
            (nameCheck === "visible" ? ` (a run that finds it refuses to create it a second time)` : ""),
          { cause: err },
        );
      }
      const found = await backend.findCreated(inputs.fields, parentId, identity);
      if (found) return found;
      if (attempt >= CREATE_ATTEMPTS) throw err;
    }
  }
}

/**
 * One manager per organization: an organization carrying another stack's ownership marker is
 * refused before any write, or (`takeOver`) its marker is rewritten to this stack's.
 */
async function claim({ api: backend }: CallContext, inputs: OrganizationInputs, found: ObservedOrganization): Promise<ObservedOrganization> {
  const decision = adoptionOwnership({
    key: inputs.key,
    found,
    ownMarker: markerFor(inputs),
    takeOver: !!inputs.adopt?.takeOver,
    adopt: inputs.adopt ?? {},
  });
  if (decision.action === "adopt") return found;
  if (decision.action === "refuse") throw new OrgformError("CONFLICT", decision.message);
  if (!backend.writeMarker) return found; // (no marker field: nothing could have been found)
  warn(`organization ${inputs.key} (${found.id}) taken over from ${decision.from}: its ownership marker now names this stack`);
  return backend.writeMarker(found.id, markerFor(inputs));
}

export async function create(inputs: OrganizationInputs): Promise<{ id: string; outs: OrganizationOutputs }> {
  const call = await openCall(inputs);
  const schema = call.schemas.organization;
  if (inputs.adopt) {
    const found = await claim(call, inputs, await adopt(call, inputs));
    // Converge the adopted object to what is declared.
    const converged = await converge(call, inputs, found);
    return { id: found.id, outs: outputsFor(schema, inputs, converged, false) };
  }
  const created = await createOnce(call, inputs);
  // The create sent every declared import-only field: they need no second write.
  const converged = await converge(call, inputs, created, pickDeclared(inputs.fields, schema, "import-only"));
  return { id: created.id, outs: outputsFor(schema, inputs, converged, true) };
}

/**
 * The planner's answer for these inputs against what is live (`olds` outputs or a fresh read);
 * `importOnly`: what the API last got of the import-only fields.
 */
function planFor(known: BackendContext, inputs: OrganizationInputs, live: { fields: Fields; parentId: string | null }, importOnly: Fields): OrganizationChanges {
  return planOrganization({
    schema: known.schemas.organization,
    hierarchy: known.capabilities.hierarchy.supported,
    declared: { fields: inputs.fields ?? {}, parentId: inputs.parentId, adopted: !!inputs.adopt },
    live,
    previous: { importOnly },
    isUnknown: (v) => v === UNKNOWN_VALUE,
  });
}

/**
 * A declared `x-create-only` field that differs from the live value cannot be applied: neither an
 * update (the vendor cannot change it) nor a replacement (orgform never deletes to rename a
 * region). Refused in one sentence, so the preview fails instead of ignoring the declaration.
 */
function refuseCreateOnly(vendor: string, inputs: OrganizationInputs, organizationId: string, fieldDiff: FieldDiff): void {
  if (fieldDiff.createOnly.length === 0) return;
  const what = fieldDiff.changes
    .filter((c) => c.createOnly)
    .map((c) => `${c.field} is ${JSON.stringify(c.from)}, declared ${JSON.stringify(c.to)}`)
    .join("; ");
  throw new OrgformError(
    "VALIDATION",
    `cannot change organization ${inputs.key} (${organizationId}): ${what}. ${vendor} sets ${fieldDiff.createOnly.join(", ")} ` +
      `when an organization is created and can never change it; declare the live value (or leave it out) to keep this organization`,
  );
}

/**
 * Updates the live object when it differs from the declaration; no call when it does not.
 * Import-only fields are never read back: they are sent unless `sentImportOnly` says they just were.
 */
async function converge(call: CallContext, inputs: OrganizationInputs, observed: ObservedOrganization, sentImportOnly: Fields = {}): Promise<ObservedOrganization> {
  const plan = planFor(call, inputs, observed, sentImportOnly);
  refuseCreateOnly(call.capabilities.displayName, inputs, observed.id, plan.fields);
  if (!plan.hasChanges) return observed;
  return call.api.updateOrganization(observed.id, inputs.fields, plan.wantParent);
}

export interface DiffAnswer {
  changes: boolean;
  replaces: string[];
  deleteBeforeReplace: boolean;
  /** For orgform's own reports: the rendering of what differs. */
  detail: string;
}

export function diff(olds: OrganizationOutputs, news: OrganizationInputs): DiffAnswer {
  const known = backendContext(news.backend);
  const caps = known.capabilities;
  // A parent id is unknown in a preview only where that parent is created or replaced (the program
  // passes the parent's resource id, known through an update): compared as unchanged then, and
  // diffed again by the engine with the real id when it applies.
  const plan = planFor(known, news, { fields: olds.live ?? olds.fields ?? {}, parentId: olds.liveParentId ?? null }, previousImportOnly(known.schemas.organization, olds));
  const fieldDiff = plan.fields;
  if (olds.backend === news.backend) refuseCreateOnly(caps.displayName, news, olds.organizationId, fieldDiff);
  const replaces = fieldDiff.replaces.map((f) => `fields.${f}`);
  if (olds.backend !== news.backend) replaces.push("backend");
  // What happens on removal is state only (no API call), but it must be recorded.
  const removalChanged = !!olds.adopt?.deleteOnRemove !== !!news.adopt?.deleteOnRemove;
  return {
    changes: plan.hasChanges || replaces.length > 0 || removalChanged,
    replaces,
    deleteBeforeReplace: caps.organization.nameUniqueness.scope !== "none",
    detail: [
      renderDiff(fieldDiff),
      plan.parent ? `~ parent: ${plan.parent.from ?? "null"} => ${plan.parent.to ?? "null"}` : "",
      removalChanged ? `~ adopt.deleteOnRemove: ${!!olds.adopt?.deleteOnRemove} => ${!!news.adopt?.deleteOnRemove}` : "",
    ]
      .filter((l) => l && l !== "(no changes)")
      .join("\n"),
  };
}

/** The import-only fields as last declared (what the API last got of them). */
function previousImportOnly(schema: ResourceSchema, olds: OrganizationOutputs): Fields {
  return pickDeclared(olds.fields ?? {}, schema, "import-only");
}

export async function update(id: string, olds: OrganizationOutputs, news: OrganizationInputs): Promise<{ outs: OrganizationOutputs }> {
  const known = backendContext(news.backend);
  const plan = planFor(known, news, { fields: olds.live ?? olds.fields ?? {}, parentId: olds.liveParentId ?? null }, previousImportOnly(known.schemas.organization, olds));
  if (!plan.hasChanges) {
    // Only what orgform records changed (adopt.deleteOnRemove): nothing to send.
    return { outs: { ...news, organizationId: olds.organizationId, live: olds.live, liveParentId: olds.liveParentId, readOnly: olds.readOnly, created: olds.created ?? false } };
  }
  // The API is reached only now: an update of what orgform records alone needs no connection.
  const { api } = await openCall(news, known);
  const parentId = news.adopt && news.parentId === undefined ? undefined : (news.parentId ?? null);
  const observed = await api.updateOrganization(id, news.fields, parentId);
  return { outs: outputsFor(known.schemas.organization, news, observed, olds.created ?? false) };
}

export async function read(
  id: string,
  props: OrganizationOutputs,
): Promise<{ id: string; props: OrganizationOutputs | Record<string, never>; inputs?: OrganizationInputs }> {
  const { api, schemas } = await openCall(props);
  const schema = schemas.organization;
  const observed = await api.getOrganization(id);
  // Gone from the API: an empty id tells the engine to drop it from state.
  if (!observed) return { id: "", props: {} };
  const outs = outputsFor(schema, stripOutputs(props), observed, props.created ?? false);
  // Inputs as they would have to be declared to match what is live (so refresh shows drift).
  const fields: Fields = { ...props.fields };
  for (const name of Object.keys(fields)) {
    if (schema.field(name)?.access === "both" && name in outs.live) fields[name] = outs.live[name];
  }
  const inputs: OrganizationInputs = { ...stripOutputs(props), fields };
  if (props.parentId !== undefined || observed.parentId !== null) inputs.parentId = observed.parentId;
  return { id, props: { ...outs, fields, ...(inputs.parentId !== undefined ? { parentId: inputs.parentId } : {}) }, inputs };
}

function stripOutputs(props: OrganizationOutputs): OrganizationInputs {
  const { organizationId: _a, live: _b, liveParentId: _c, readOnly: _d, created: _e, ...inputs } = props;
  return inputs;
}

export async function remove(id: string, props: OrganizationOutputs): Promise<void> {
  const known = backendContext(props.backend);
  const caps = known.capabilities;
  if (!caps.organization.delete.supported) {
    // The vendor cannot delete organizations (they exist and are adopted): release it.
    warn(`${caps.displayName} organization ${props.key} (${id}) cannot be deleted through the API: released from management, left as it is`);
    return;
  }
  if (props.adopt && !props.created && !props.adopt.deleteOnRemove) {
    // orgform did not create it: leaving the config releases it (adopt.deleteOnRemove opts in to deletion).
    warn(`organization ${props.key} (${id}) was adopted, not created, by orgform: released from management and left in ${caps.displayName} (set adopt.deleteOnRemove: true to delete it instead)`);
    return;
  }
  // The API is reached only now: releasing an organization needs no connection.
  const { api: client } = await openCall(props, known);
  try {
    // Member sets release their members when deleted; an organization orgform deletes takes them
    // with it where the vendor deletes only empty organizations.
    const preconditions = caps.organization.delete.preconditions;
    const hasChildren = preconditions.includes("no-sub-organizations") && caps.hierarchy.supported && (await client.findOrganizations({ parentId: id })).length > 0;
    // Never empty an organization the vendor will refuse to delete anyway (it still has sub-organizations).
    if (!hasChildren && preconditions.includes("no-members") && hasMembers(client)) {
      const members = await client.listMembers(id).catch((err) => (isOrgformError(err, "NOT_FOUND") ? [] : Promise.reject(err)));
      if (members.length) warn(`organization ${props.key} (${id}) is deleted with its ${members.length} remaining member${members.length === 1 ? "" : "s"}`);
      for (const m of members) await client.removeMember(id, m.id);
    }
    await client.deleteOrganization(id);
  } catch (err) {
    if (isOrgformError(err, "NOT_FOUND")) return;
    throw new OrgformError(
      isOrgformError(err) ? err.code : "REFUSED",
      `cannot delete organization ${props.key} (${id}): ${(err as Error).message}`,
      { cause: err },
    );
  }
}

function warn(message: string): void {
  // The dynamic provider's stderr reaches the engine's diagnostics.
  process.stderr.write(`warning: ${message}\n`);
}

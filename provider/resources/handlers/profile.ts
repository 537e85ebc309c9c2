// The OrganizationProfile resource: the vendor's profile beside an organization. The API has no
// DELETE for it, so deleting the resource releases it (with a warning) and leaves it as it is.
import { renderDiff } from "../../core/diff";
import { planProfile } from "../../core/plan/profile";
import { OrgformError } from "../../core/errors";
import { projectForExport } from "../../core/export";
import { validateDeclared, type ResourceSchema } from "../../core/schema";
import { unusableBackend } from "../../backends";
import { hasProfiles, type Fields } from "../../backends/types";
import type { ConnectionInputs } from "../runtime";
import { backendContext, openCall, type BackendContext, type CallContext } from "../context";
import { changedUnlessUnknown, checkFailures, pickDeclared, type CheckFailure } from "./common";

export interface ProfileInputs extends ConnectionInputs {
  organizationId: string;
  fields: Fields;
}

export interface ProfileOutputs extends ProfileInputs {
  live: Fields;
}

export function check(news: ProfileInputs): CheckFailure[] {
  const unusable = unusableBackend(news.backend);
  if (unusable) return [{ property: "backend", reason: unusable }];
  const { capabilities: caps, schemas } = backendContext(news.backend);
  if (!caps.profile.supported || !schemas.profile) return [{ property: "backend", reason: `${caps.displayName} has no organization profile` }];
  return checkFailures("fields", validateDeclared(schemas.profile, news.fields ?? {}, { partial: true }));
}

/** The profile schema of a backend that has profiles (check refused any other). */
function schemaOf(known: BackendContext): ResourceSchema {
  if (!known.schemas.profile) throw new OrgformError("UNSUPPORTED", `the ${known.name} backend has no organization profile`);
  return known.schemas.profile;
}

/** The adapter's profile calls and the profile schema of a call. */
function profilesOf(call: CallContext) {
  const { api } = call;
  if (!hasProfiles(api)) throw new OrgformError("UNSUPPORTED", `the ${call.name} backend has no organization profile`);
  return { api, schema: schemaOf(call) };
}

function outputsFor(schema: ResourceSchema, inputs: ProfileInputs, observed: Fields): ProfileOutputs {
  return { ...inputs, live: projectForExport(observed, schema).declared };
}

export async function create(inputs: ProfileInputs): Promise<{ id: string; outs: ProfileOutputs }> {
  const { api, schema } = profilesOf(await openCall(inputs));
  // An adopted organization's profile already as declared is taken as it is: no write.
  const live = await api.getProfile(inputs.organizationId);
  const unchanged = live && Object.keys(live).length > 0 && !planProfile({ schema, declared: inputs.fields ?? {}, live, previous: { importOnly: {} } }).hasChanges;
  const observed = unchanged ? live : await api.putProfile(inputs.organizationId, inputs.fields);
  return { id: `${inputs.organizationId}/profile`, outs: outputsFor(schema, inputs, observed) };
}

export function diff(olds: ProfileOutputs, news: ProfileInputs) {
  const schema = schemaOf(backendContext(news.backend));
  const importOnly = pickDeclared(olds.fields ?? {}, schema, "import-only");
  const fieldDiff = planProfile({ schema, declared: news.fields ?? {}, live: olds.live, previous: { importOnly } });
  const replaces = [...fieldDiff.replaces.map((f) => `fields.${f}`)];
  if (changedUnlessUnknown(olds.organizationId, news.organizationId)) replaces.push("organizationId");
  return {
    changes: fieldDiff.hasChanges || replaces.length > 0,
    replaces,
    deleteBeforeReplace: false,
    detail: renderDiff(fieldDiff),
  };
}

export async function update(_id: string, _olds: ProfileOutputs, news: ProfileInputs): Promise<{ outs: ProfileOutputs }> {
  const { api, schema } = profilesOf(await openCall(news));
  const observed = await api.putProfile(news.organizationId, news.fields);
  return { outs: outputsFor(schema, news, observed) };
}

export async function read(id: string, props: ProfileOutputs) {
  const { api, schema } = profilesOf(await openCall(props));
  const observed = await api.getProfile(props.organizationId);
  if (!observed) return { id: "", props: {} };
  const { live: _live, ...inputs } = props;
  const outs = outputsFor(schema, inputs, observed);
  const fields: Fields = { ...props.fields };
  for (const name of Object.keys(fields)) if (name in outs.live) fields[name] = outs.live[name];
  return { id, props: { ...outs, fields }, inputs: { ...inputs, fields } };
}

export async function remove(id: string, props: ProfileOutputs): Promise<void> {
  process.stderr.write(
    `warning: the ${props.backend} API cannot delete an organization profile: ${id} is released from management and left as it is\n`,
  );
}

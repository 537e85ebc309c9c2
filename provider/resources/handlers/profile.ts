// The OrganizationProfile resource: the vendor's profile beside an organization. The API has no
// DELETE for it, so deleting the resource releases it (with a warning) and leaves it as it is.
import { capabilitiesOf } from "../../core/capabilities";
import { renderDiff } from "../../core/diff";
import { planProfile } from "../../core/plan/profile";
import { OrgformError } from "../../core/errors";
import { projectForExport } from "../../core/export";
import { schemaFor, validateDeclared } from "../../core/schema";
import type { BackendName } from "../../core/backends";
import { unusableBackend } from "../../backends";
import { hasProfiles, type Fields } from "../../backends/types";
import { cachedBackendFor, type ConnectionInputs } from "../runtime";
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
  const backend = news.backend as BackendName;
  if (!capabilitiesOf(backend).profile.supported) {
    return [{ property: "backend", reason: `${capabilitiesOf(backend).displayName} has no organization profile` }];
  }
  return checkFailures("fields", validateDeclared(schemaFor(backend, "profile"), news.fields ?? {}, { partial: true }));
}

async function profiles(inputs: ProfileInputs) {
  const backend = await cachedBackendFor(inputs);
  if (!hasProfiles(backend)) throw new OrgformError("UNSUPPORTED", `the ${inputs.backend} backend has no organization profile`);
  return backend;
}

function outputsFor(inputs: ProfileInputs, observed: Fields): ProfileOutputs {
  return { ...inputs, live: projectForExport(observed, schemaFor(inputs.backend as BackendName, "profile")).declared };
}

export async function create(inputs: ProfileInputs): Promise<{ id: string; outs: ProfileOutputs }> {
  const api = await profiles(inputs);
  // An adopted organization's profile already as declared is taken as it is: no write.
  const live = await api.getProfile(inputs.organizationId);
  const unchanged = live && Object.keys(live).length > 0 && !planProfile({ backend: inputs.backend as BackendName, declared: inputs.fields ?? {}, live, previous: { importOnly: {} } }).hasChanges;
  const observed = unchanged ? live : await api.putProfile(inputs.organizationId, inputs.fields);
  return { id: `${inputs.organizationId}/profile`, outs: outputsFor(inputs, observed) };
}

export function diff(olds: ProfileOutputs, news: ProfileInputs) {
  const backend = news.backend as BackendName;
  const importOnly = pickDeclared(olds.fields ?? {}, schemaFor(backend, "profile"), "import-only");
  const fieldDiff = planProfile({ backend, declared: news.fields ?? {}, live: olds.live, previous: { importOnly } });
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
  const observed = await (await profiles(news)).putProfile(news.organizationId, news.fields);
  return { outs: outputsFor(news, observed) };
}

export async function read(id: string, props: ProfileOutputs) {
  const observed = await (await profiles(props)).getProfile(props.organizationId);
  if (!observed) return { id: "", props: {} };
  const { live: _live, ...inputs } = props;
  const outs = outputsFor(inputs, observed);
  const fields: Fields = { ...props.fields };
  for (const name of Object.keys(fields)) if (name in outs.live) fields[name] = outs.live[name];
  return { id, props: { ...outs, fields }, inputs: { ...inputs, fields } };
}

export async function remove(id: string, props: ProfileOutputs): Promise<void> {
  process.stderr.write(
    `warning: the ${props.backend} API cannot delete an organization profile: ${id} is released from management and left as it is\n`,
  );
}

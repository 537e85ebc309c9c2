import * as pulumi from "@pulumi/pulumi";
import { loadOrgform, type OrgformModules } from "./load";
import type { ProviderMethod } from "./dispatch";

/** What every handlers module exports: the six calls of a dynamic provider, in orgform's terms. */
export interface ResourceHandlers {
  check(news: any): { property: string; reason: string }[];
  diff(olds: any, news: any): { changes: boolean; replaces: string[]; deleteBeforeReplace: boolean };
  create(inputs: any): Promise<{ id: string; outs: any }>;
  read(id: string, props: any): Promise<{ id: string; props: any; inputs?: any }>;
  update(id: string, olds: any, news: any): Promise<{ outs: any }>;
  remove(id: string, props: any): Promise<void>;
}

/** The loadable modules that are handlers modules (a module that is not fails the typecheck). */
export type HandlersModule = {
  [K in keyof OrgformModules]: OrgformModules[K] extends ResourceHandlers ? K : never;
}[keyof OrgformModules];

/** The dynamic provider of one resource type: each method forwards to `dispatch.ts`, loaded at its first call. */
function forwardingProvider(handlers: HandlersModule): pulumi.dynamic.ResourceProvider {
  const call = (method: ProviderMethod, args: unknown[]) => loadOrgform("provider/resources/dispatch").forward(handlers, method, args);
  return {
    configure: (...args) => call("configure", args),
    check: (...args) => call("check", args),
    diff: (...args) => call("diff", args),
    create: (...args) => call("create", args),
    read: (...args) => call("read", args),
    update: (...args) => call("update", args),
    delete: (...args) => call("delete", args),
  };
}

const hosted = new Map<HandlersModule, pulumi.dynamic.ResourceProvider>();

/** The provider the text of `providerSource(handlers)` answers with, in the dynamic provider's process: one per type. */
export function hostedProvider(handlers: HandlersModule): pulumi.dynamic.ResourceProvider {
  let provider = hosted.get(handlers);
  if (!provider) hosted.set(handlers, (provider = forwardingProvider(handlers)));
  return provider;
}

/**
 * The `__provider` input of a resource of this type: the module text that Pulumi's Node.js dynamic
 * provider loads (`require-from-string`) and asks for `handler()`, the same contract as the SDK's
 * own serialized closures. Pulumi writes it into state twice per resource (inputs and outputs),
 * sends it with every check, diff and registration, and rewrites it at every checkpoint, so it
 * is one line (~205 bytes; the SDK's closure of the forwarders above was 2.7 KB) that loads the
 * project's installed orgform by name: `createRequire` anchored at the project's package.json, so
 * that inside orgform's own repository it resolves by self-reference. It holds no path of this
 * machine and no secret, and only names `hostedProvider` and a handlers module, so an upgrade of
 * orgform changes the code that runs, not the state.
 */
export function providerSource(handlers: HandlersModule): string {
  return `exports.handler = () => require("module").createRequire(require("path").join(process.cwd(), "package.json"))("orgform/provider/resources/provider").hostedProvider(${JSON.stringify(handlers)});`;
}

/**
 * An orgform resource: a dynamic resource (type `pulumi-nodejs:dynamic/orgform:<type>`, served by
 * the Node.js language host's dynamic provider) whose `__provider` is `providerSource`, written
 * here rather than by `pulumi.dynamic.Resource`, which would serialize the provider's closure.
 */
export class OrgformResource extends pulumi.CustomResource {
  constructor(handlers: HandlersModule, type: string, name: string, props: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
    super(`pulumi-nodejs:dynamic/orgform:${type}`, name, { ...props, __provider: providerSource(handlers) }, opts);
  }
}

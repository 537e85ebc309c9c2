import type * as pulumi from "@pulumi/pulumi";
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

/**
 * The dynamic provider of one resource type. Pulumi serializes it into state with every resource
 * (in its inputs and again in its outputs, sent with each check and diff and rewritten at each
 * checkpoint), so it is one line per method: each forwards to `dispatch.ts`, loaded at call time.
 * It captures nothing but the handlers module's name and `loadOrgform`.
 */
export function forwardingProvider(handlers: HandlersModule): pulumi.dynamic.ResourceProvider {
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

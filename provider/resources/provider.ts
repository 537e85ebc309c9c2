import type * as pulumi from "@pulumi/pulumi";
import { loadOrgform, type OrgformModules } from "./load";

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
 * The dynamic provider of one resource type: it forwards every call to a handlers module
 * (`provider/resources/handlers/<name>`) loaded at call time. Serialized into state, it captures
 * nothing but that module's name and `loadOrgform`.
 */
export function forwardingProvider(handlers: HandlersModule): pulumi.dynamic.ResourceProvider {
  return {
    async configure(req) {
      loadOrgform("provider/resources/runtime").configure(req.config);
    },
    async check(_olds, news) {
      // `check` answers failures, never throws: a throw would surface as an engine error without the property.
      try {
        return { inputs: news, failures: loadOrgform(handlers).check(news) };
      } catch (err) {
        return { inputs: news, failures: [{ property: "", reason: `orgform could not check this resource: ${(err as Error).message}` }] };
      }
    },
    async diff(_id, olds, news) {
      // Always an explicit answer: left undefined, the engine would compare every property.
      const { changes, replaces, deleteBeforeReplace } = loadOrgform(handlers).diff(olds, news);
      return { changes, replaces, deleteBeforeReplace };
    },
    async create(inputs) {
      return loadOrgform(handlers).create(inputs);
    },
    async read(id, props) {
      try {
        return await loadOrgform(handlers).read(id, props);
      } catch (err) {
        // The engine prints a failed read or delete as `${err}: ${err.stack}`: the message is the sentence, the trace only noise.
        if (err instanceof Error) err.stack = "";
        throw err;
      }
    },
    async update(id, olds, news) {
      return loadOrgform(handlers).update(id, olds, news);
    },
    async delete(id, props) {
      try {
        return await loadOrgform(handlers).remove(id, props);
      } catch (err) {
        if (err instanceof Error) err.stack = "";
        throw err;
      }
    },
  };
}

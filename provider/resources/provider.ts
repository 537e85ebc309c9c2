import type * as pulumi from "@pulumi/pulumi";
import { loadOrgform } from "./load";

/**
 * The dynamic provider of one resource type: it forwards every call to a handlers module
 * (`provider/resources/handlers/<name>`, exporting check/diff/create/read/update/remove) loaded at
 * call time. Serialized into state, it captures nothing but that module's name and `loadOrgform`.
 */
export function forwardingProvider(handlers: string): pulumi.dynamic.ResourceProvider {
  return {
    async configure(req) {
      loadOrgform("provider/resources/runtime").configure(req.config);
    },
    async check(_olds, news) {
      return { inputs: news, failures: loadOrgform(handlers).check(news) };
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
      return loadOrgform(handlers).read(id, props);
    },
    async update(id, olds, news) {
      return loadOrgform(handlers).update(id, olds, news);
    },
    async delete(id, props) {
      return loadOrgform(handlers).remove(id, props);
    },
  };
}

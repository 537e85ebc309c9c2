// The bodies of the dynamic providers' methods. `provider.ts` serializes only a forwarder per
// method into state (with every resource, in its inputs and its outputs); the code that does the
// work is here, loaded by the package's name at call time, so it is never serialized.
import type * as pulumi from "@pulumi/pulumi";
import { loadOrgform } from "./load";
import type { HandlersModule, ResourceHandlers } from "./provider";
import { configure } from "./runtime";

export type ProviderMethod = Exclude<keyof pulumi.dynamic.ResourceProvider, "readOnly">;

/** The engine prints a failed read or delete as `${err}: ${err.stack}`: the message is the sentence, the trace only noise. */
async function withoutTrace<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof Error) err.stack = "";
    throw err;
  }
}

/** The handlers module, as the six calls every one of them offers. */
const load = (handlers: HandlersModule): ResourceHandlers => loadOrgform(handlers);

const methods: { [M in ProviderMethod]-?: (handlers: HandlersModule, ...args: any[]) => unknown } = {
  configure: (_handlers, req: pulumi.dynamic.ConfigureRequest) => configure(req.config),
  check: (handlers, _olds: unknown, news: any) => {
    // `check` answers failures, never throws: a throw would surface as an engine error without the property.
    try {
      return { inputs: news, failures: load(handlers).check(news) };
    } catch (err) {
      return { inputs: news, failures: [{ property: "", reason: `orgform could not check this resource: ${(err as Error).message}` }] };
    }
  },
  diff: (handlers, _id: string, olds: unknown, news: unknown) => {
    // Always an explicit answer: left undefined, the engine would compare every property.
    const { changes, replaces, deleteBeforeReplace } = load(handlers).diff(olds, news);
    return { changes, replaces, deleteBeforeReplace };
  },
  create: (handlers, inputs: unknown) => load(handlers).create(inputs),
  read: (handlers, id: string, props: unknown) => withoutTrace(() => load(handlers).read(id, props)),
  update: (handlers, id: string, olds: unknown, news: unknown) => load(handlers).update(id, olds, news),
  delete: (handlers, id: string, props: unknown) => withoutTrace(() => load(handlers).remove(id, props)),
};

/** One call of a dynamic provider's method, forwarded from state to this process's orgform. */
export async function forward(handlers: HandlersModule, method: ProviderMethod, args: unknown[]): Promise<any> {
  return methods[method](handlers, ...args);
}

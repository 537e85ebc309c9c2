// Dynamic providers are serialized into Pulumi state. Each provider method therefore loads the
// real code by the package's own name at call time: `orgform/...` resolves through the
// `exports` of the orgform package the project has installed, or, inside orgform's own
// repository, by self-reference (createRequire anchored at the project's package.json).
// `loadOrgform` is captured by the serialized methods: it must stay small and hold no path.
// The module map below is types only (erased at compile time): a renamed module or handler
// fails the typecheck instead of failing at run time inside the engine.

/** What each loadable subpath exports. */
export interface OrgformModules {
  "provider/resources/runtime": typeof import("./runtime");
  "provider/resources/dispatch": typeof import("./dispatch");
  "provider/resources/handlers/organization": typeof import("./handlers/organization");
  "provider/resources/handlers/profile": typeof import("./handlers/profile");
  "provider/resources/handlers/members": typeof import("./handlers/members");
  "provider/resources/handlers/member": typeof import("./handlers/member");
}

/**
 * The project's require is made once per process (every check and diff of every resource loads
 * through here: a new one per call cost ~9 µs each). It lives on globalThis because this function
 * is serialized, and a serialized function keeps no state of its own between calls. (No comment
 * inside the body: the body is written into state with every resource.)
 */
export function loadOrgform<K extends keyof OrgformModules>(subpath: K): OrgformModules[K] {
  const g = globalThis as { __orgformRequire?: (id: string) => unknown };
  g.__orgformRequire ??= require("module").createRequire(require("path").join(process.cwd(), "package.json")) as (id: string) => unknown;
  return g.__orgformRequire(`orgform/${subpath}`) as OrgformModules[K];
}

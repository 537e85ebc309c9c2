// The dynamic provider's process loads orgform's code by the package's own name: `orgform/...`
// resolves through the `exports` of the orgform package the project has installed, or, inside
// orgform's own repository, by self-reference (createRequire anchored at the project's
// package.json). The one-line `__provider` of every resource (`providerSource` in provider.ts)
// reaches this package that way; the closures earlier versions wrote into state carry their own
// copy of this function and load `dispatch` by the same name. The module map below is types only
// (erased at compile time): a renamed module or handler fails the typecheck instead of failing at
// run time inside the engine.

/** What each loadable subpath exports. */
export interface OrgformModules {
  "provider/resources/provider": typeof import("./provider");
  "provider/resources/runtime": typeof import("./runtime");
  "provider/resources/dispatch": typeof import("./dispatch");
  "provider/resources/handlers/organization": typeof import("./handlers/organization");
  "provider/resources/handlers/profile": typeof import("./handlers/profile");
  "provider/resources/handlers/members": typeof import("./handlers/members");
  "provider/resources/handlers/member": typeof import("./handlers/member");
}

let projectRequire: ((id: string) => unknown) | undefined;

/** The project's require is made once per process: every check and diff of every resource loads through here. */
export function loadOrgform<K extends keyof OrgformModules>(subpath: K): OrgformModules[K] {
  projectRequire ??= require("module").createRequire(require("path").join(process.cwd(), "package.json")) as (id: string) => unknown;
  return projectRequire(`orgform/${subpath}`) as OrgformModules[K];
}

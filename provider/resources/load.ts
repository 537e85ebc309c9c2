// Dynamic providers are serialized into Pulumi state. Each provider method therefore loads the
// real code by the package's own name at call time: `orgform/...` resolves through the
// `exports` of the orgform package the project has installed, or, inside orgform's own
// repository, by self-reference (createRequire anchored at the project's package.json).
// `loadOrgform` is captured by the serialized methods: it must stay small and hold no path.
export function loadOrgform(subpath: string): any {
  const nodeModule = require("module");
  const nodePath = require("path");
  const projectRequire = nodeModule.createRequire(nodePath.join(process.cwd(), "package.json"));
  return projectRequire(`orgform/${subpath}`);
}

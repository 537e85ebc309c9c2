// orgform's public API for users' own Pulumi programs.
export * from "./resources";
export { declareOrganizations, loadDesiredState, outputsOf, type DeclaredOrganization } from "./program/declare";
export { loadConfig, renderDiagnostics, type Config, type Diagnostic } from "./config";

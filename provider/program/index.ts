// The program behind the root Pulumi.yaml: the YAML desired state named by stack config
// `orgform:config` (default examples/quickstart) becomes orgform resources.
import * as pulumi from "@pulumi/pulumi";
import { declareOrganizations, loadDesiredState, outputsOf } from "./declare";

const config = new pulumi.Config("orgform");
const desired = loadDesiredState(config.get("config") ?? "examples/quickstart");

export const backend = desired.backend;
export const organizations = outputsOf(declareOrganizations(desired));

/** provider/config: YAML desired state -> {config, diagnostics}; the connection resolver. */
export * from "./model";
export * from "./structure";
export * from "./diagnostics";
export * from "./load";
export * from "./secrets";
export * from "./connection";
export * from "./config-schema";

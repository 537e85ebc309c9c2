/** provider/core: pure, unit-tested building blocks shared by every other part. */
export * from "./backends";
export * from "./errors";
export * from "./paths";
export * from "./schema";
export * from "./capabilities";
export * from "./diff";
export * from "./export";
export * from "./values";
export * from "./suggest";

/** orgform's emulator of the vendor APIs, as a library. See emulator/README.md. */
export { buildEmulator, startEmulator } from "./app";
export type { Emulator, EmulatorOptions, EmulatorRuntime, StartOptions, StartedEmulator } from "./app";
export { DEFAULT_CREDENTIALS } from "./types";
export type { Credentials, Dialect, DialectContext, Principal } from "./types";
export { DIALECTS } from "./dialects";
export { parseFaultSpec } from "./faults";
export type { FaultRule, FaultRuleJson } from "./faults";
export { parseRateLimit } from "./ratelimit";
export type { RateLimitConfig } from "./ratelimit";
export { Store } from "./store";
export { parseSeedText, readSeedFile, SeedError } from "./seed";
export type { SeedResult } from "./seed";
export { registerEmulator } from "./cli";

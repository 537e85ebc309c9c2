import type { Dialect } from "../types";
import { cloudflare } from "./cloudflare";
import { cloudomation } from "./cloudomation";

/**
 * The mounted dialects, one entry per vendor: the only list of dialects in the emulator. A new
 * vendor is one folder `dialects/<vendor>/` exporting a `Dialect` (see `../types.ts`) and its entry
 * here; `test/unit/registries.test.ts` checks these keys against `schemas/*` and the provider's
 * registry.
 */
export const DIALECTS = {
  cloudflare,
  cloudomation,
} satisfies Record<string, Dialect>;

export type DialectName = keyof typeof DIALECTS;

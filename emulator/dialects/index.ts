import type { Dialect } from "../types";
import { aiaengine } from "./aiaengine";
import { cloudflare } from "./cloudflare";
import { commercelayer } from "./commercelayer";
import { zenml } from "./zenml";
import { cloudomation } from "./cloudomation";

/**
 * The mounted dialects, one entry per vendor: the only list of dialects in the emulator. A new
 * vendor is one folder `dialects/<vendor>/` exporting a `Dialect` (see `../types.ts`) and its entry
 * here; `test/unit/registries.test.ts` checks these keys against `schemas/*` and the provider's
 * registry.
 */
export const DIALECTS = {
  cloudflare,
  aiaengine,
  commercelayer,
  zenml,
  cloudomation,
} satisfies Record<string, Dialect>;

export type DialectName = keyof typeof DIALECTS;

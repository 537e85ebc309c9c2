import type { Dialect } from "../types";
import { cloudflare } from "./cloudflare";

/**
 * The mounted dialects. A new vendor is one folder `dialects/<vendor>/` exporting a `Dialect`
 * (see `../types.ts`), added here.
 */
export const DIALECTS: readonly Dialect[] = [cloudflare];

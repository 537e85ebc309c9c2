/**
 * The TypeScript type of the values a JSON Schema written `as const` accepts, as the structure
 * stage hands them on: `FromSchema` (json-schema-to-ts, types only, as for the capability matrix),
 * with a hole (`undefined`) allowed in every list, where the stage left out an item that failed
 * its check so that the items after it keep their index (a diagnostic path names the index as
 * written).
 */
import type { FromSchema, JSONSchema } from "json-schema-to-ts";

export type SchemaType<S extends JSONSchema> = WithHoles<FromSchema<S>>;

type WithHoles<T> = T extends ReadonlyArray<infer U> ? Array<WithHoles<U> | undefined> : T extends object ? { [K in keyof T]: WithHoles<T[K]> } : T;

/**
 * The TypeScript type of the values a JSON Schema (written `as const`) accepts, for the keywords the
 * desired-state structure uses: `type` (one or several), `enum`, `properties` / `required` /
 * `additionalProperties: false`, `items`, `oneOf`. Types only: nothing here runs.
 *
 * Arrays may have holes (`undefined`): the structure stage leaves an item that failed its check
 * as one, so the items after it keep their index (a diagnostic path names the index as written).
 */
export type SchemaType<S> = S extends { enum: readonly (infer E)[] }
  ? E
  : S extends { oneOf: readonly (infer B)[] }
    ? B extends unknown
      ? SchemaType<B>
      : never
    : S extends { type: infer T }
      ? T extends readonly (infer U)[]
        ? OfType<S, U>
        : OfType<S, T>
      : unknown;

type OfType<S, T> = T extends "object"
  ? ObjectType<S>
  : T extends "array"
    ? S extends { items: infer I }
      ? Array<SchemaType<I> | undefined>
      : unknown[]
    : T extends "string"
      ? string
      : T extends "number" | "integer"
        ? number
        : T extends "boolean"
          ? boolean
          : T extends "null"
            ? null
            : never;

type ObjectType<S> = S extends { properties: infer P }
  ? Flatten<
      { -readonly [K in keyof P as K extends RequiredOf<S> ? K : never]: SchemaType<P[K]> } & {
        -readonly [K in keyof P as K extends RequiredOf<S> ? never : K]?: SchemaType<P[K]>;
      }
    > &
      (S extends { additionalProperties: false } ? unknown : { [other: string]: unknown })
  : { [key: string]: unknown };

type RequiredOf<S> = S extends { required: readonly (infer R)[] } ? R : never;
type Flatten<T> = { [K in keyof T]: T[K] };

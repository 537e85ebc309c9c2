/** A JSON object (a mapping): not null, not an array. The one test every body, seed and document reader uses. */
export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** A parsed JSON value that is an object: not null, not an array (what `{...}` parses to). */
export const isJsonObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

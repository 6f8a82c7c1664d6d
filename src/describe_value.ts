/**
 * How error messages show a value the caller passed: short, and never the
 * whole of a large or secret value.
 *
 * @module
 */

/** `"text"` (first 40 characters), `5`, `null`, `a Map`, `an object`. */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.slice(0, 40));
  if (value === null || (typeof value !== "object" && typeof value !== "function")) {
    return String(value);
  }
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === "string" && name !== "" && name !== "Object" ? `a ${name}` : "an object";
}

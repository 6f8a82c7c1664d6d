/**
 * Worker entry points are found next to the module that starts them. The
 * source runs as .ts (Deno, Bun) and the npm build as .js (Node, Bun), so the
 * extension is taken from the caller's own URL.
 *
 * @module
 */

/** The URL of module `stem` beside `base` (an `import.meta.url`), with base's extension. */
export function siblingModule(stem: string, base: string): URL {
  const extension = new URL(base).pathname.endsWith(".js") ? ".js" : ".ts";
  return new URL(`./${stem}${extension}`, base);
}

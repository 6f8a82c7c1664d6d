/**
 * The default context, as a module-level value.
 *
 * @module
 */
import { type Context, defaultContextInstance } from "./context.ts";

/**
 * The default context, shared by every socket made without a `context` option.
 *
 * @example
 * ```ts
 * import * as zmq from "./mod.ts";
 * console.log(typeof zmq.context.handle); // "bigint"
 * ```
 */
export const context: Context = defaultContextInstance();

/**
 * What the loaded libzmq is and can do.
 *
 * @module
 */
import { loadNative } from "../ffi/load.ts";

// Read as the module loads, but never thrown from there: a program that
// imports the library where libzmq is missing gets the helpful error from its
// first call that needs libzmq (a socket, a context's handle, has()).
function readVersion(): string {
  let native;
  try {
    native = loadNative();
  } catch {
    return "";
  }
  const parts = new Int32Array(3);
  native.zmq.zmq_version(parts.subarray(0, 1), parts.subarray(1, 2), parts.subarray(2, 3));
  return parts.join(".");
}

/**
 * The version of the libzmq in use, such as "4.3.4"; an empty string where
 * libzmq cannot be loaded (the first call that needs it throws a
 * `LibraryLoadError` that says why and what to do).
 *
 * @example
 * ```ts
 * import * as zmq from "./mod.ts";
 * console.log(zmq.version);
 * ```
 */
export const version: string = readVersion();

/** A capability libzmq may have been built with. */
export type Capability = "ipc" | "pgm" | "tipc" | "norm" | "curve" | "gssapi" | "draft" | string;

/**
 * Whether libzmq was built with a capability (a transport or a security mechanism).
 *
 * @example
 * ```ts
 * import * as zmq from "./mod.ts";
 * if (!zmq.has("curve")) console.log("no CURVE security here");
 * ```
 */
export function has(capability: Capability): boolean {
  if (typeof capability !== "string") {
    throw new TypeError(`has() takes a capability name such as "curve", got ${typeof capability}`);
  }
  return loadNative().zmq.zmq_has(new TextEncoder().encode(capability + "\0")) === 1;
}

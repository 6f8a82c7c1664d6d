/**
 * The Node adapter: the only file that uses koffi, the FFI package Node users
 * already trust. koffi is an optional peer dependency of the npm package, so
 * it is loaded here only, and only when running on Node.
 *
 * @module
 */
import type { Adapter, Functions, Pointer } from "./native.ts";
import { nodeDefinition } from "./mapping.ts";
import { createRequire } from "node:module";
import process from "node:process";

/** The subset of koffi 3 this adapter uses, typed here so Deno can check the file. */
interface Koffi {
  load(path: string): {
    func(name: string, result: string, parameters: string[]): (...args: unknown[]) => unknown;
  };
  address(view: ArrayBufferView): bigint;
  view(pointer: bigint, length: number): ArrayBuffer;
  decode(pointer: bigint, type: string, length: number): string;
}

/** Thrown when koffi is missing: names the package to install. */
export class KoffiMissingError extends Error {
  /** Always "ELIBACC", like libzmq's own load error. */
  readonly code = "ELIBACC";
  /** Builds the error from the import failure. */
  constructor(cause: unknown) {
    const detail = cause instanceof Error ? cause.message.split("\n")[0] : String(cause);
    super(
      "zmq on Node calls libzmq through the koffi package, which is not installed: " +
        `run "npm install koffi" in your project. (${detail})`,
    );
    this.name = "KoffiMissingError";
  }
}

// koffi's pointers are bigints and NULL is null; the library only passes them back.
const asPointer = (p: bigint | null): Pointer => (p || null) as unknown as Pointer;
const fromPointer = (p: Pointer): bigint | null => p as unknown as bigint | null;

/**
 * The adapter load.ts uses in Node (made only there). koffi is required here,
 * not imported at the top: without it, importing the library still works
 * (the first call that needs libzmq reports it), and with no top-level await
 * Node can require() the npm package.
 */
export function nodeAdapter(): Adapter {
  let koffi: Koffi;
  let koffiMissing: KoffiMissingError | undefined;
  try {
    const required = createRequire(import.meta.url)("koffi") as { default?: Koffi } & Koffi;
    koffi = required.default ?? required;
  } catch (error) {
    koffiMissing = new KoffiMissingError(error);
  }
  return {
    runtime: "node",
    os: process.platform === "win32" ? "windows" : process.platform,
    env(name) {
      return process.env[name];
    },
    open(path, table) {
      if (koffiMissing !== undefined) throw koffiMissing;
      const library = koffi.load(path);
      const functions: Record<string, unknown> = {};
      for (const [key, symbol] of Object.entries(nodeDefinition(table))) {
        functions[key] = library.func(symbol.name, symbol.result, symbol.parameters);
      }
      return functions as unknown as Functions<typeof table>;
    },
    isPermissionError() {
      return false; // Node has no FFI permission
    },
    sizeArgument(size) {
      return size;
    },
    pointerOf(view) {
      // Reading .buffer moves a small typed array's bytes off the V8 heap for
      // good, so the address stays valid while the view lives.
      void view.buffer;
      return asPointer(koffi.address(view));
    },
    pointerToBigInt(pointer) {
      return fromPointer(pointer) ?? 0n;
    },
    pointerFromBigInt(value) {
      return asPointer(value);
    },
    readCString(pointer) {
      const p = fromPointer(pointer);
      return p === null ? "" : koffi.decode(p, "char", -1);
    },
    copyInto(source, destination) {
      const p = fromPointer(source);
      if (p !== null && destination.length > 0) {
        destination.set(new Uint8Array(koffi.view(p, destination.length)));
      }
    },
  };
}

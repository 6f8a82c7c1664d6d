/**
 * The Bun adapter: the only file that uses `bun:ffi`. It maps the neutral
 * symbol table onto Bun's FFI types.
 *
 * @module
 */
import type { Adapter, Functions, Pointer } from "./native.ts";
import { bunDefinition, bunTypes } from "./mapping.ts";
import { createRequire } from "node:module";
import process from "node:process";

/** The subset of `bun:ffi` this adapter uses, typed here so Deno can check the file. */
interface BunFfi {
  dlopen(
    path: string,
    symbols: Record<string, { args: string[]; returns: string }>,
  ): { symbols: Record<string, ((...args: unknown[]) => unknown) & { ptr?: number }> };
  linkSymbols(
    symbols: Record<string, { args: string[]; returns: string; ptr: number }>,
  ): { symbols: Record<string, (...args: unknown[]) => unknown> };
  ptr(view: ArrayBufferView): number;
  toArrayBuffer(
    pointer: number,
    offset: number,
    length: number,
    context?: number,
    deallocator?: number,
  ): ArrayBuffer;
  CString: new (pointer: number) => string;
  JSCallback: new (
    fn: (...args: unknown[]) => void,
    definition: { args: string[]; returns: string; threadsafe: boolean },
  ) => { readonly ptr: number; close(): void };
}

// Bun's pointers are plain numbers and NULL is null; the library only passes them back.
const asPointer = (p: number | null): Pointer => (p || null) as unknown as Pointer;
const fromPointer = (p: Pointer): number => (p ?? 0) as unknown as number;

/**
 * The adapter load.ts uses in Bun (made only there). bun:ffi is required
 * here, not imported at the top: the module must load everywhere without a
 * top-level await, or Node's require() of the npm package fails.
 */
export function bunAdapter(): Adapter {
  const ffi = createRequire(import.meta.url)("bun:ffi") as BunFfi;
  return {
    runtime: "bun",
    os: process.platform === "win32" ? "windows" : process.platform,
    env(name) {
      return process.env[name];
    },
    open(path, table) {
      const library = ffi.dlopen(path, bunDefinition(table));
      const symbols: Record<string, unknown> = { ...library.symbols };
      // Bun's dlopen binds by C name only; an alias is the same address, relinked.
      const aliases: Record<string, { args: string[]; returns: string; ptr: number }> = {};
      for (const [key, spec] of Object.entries(table)) {
        if (spec.name === undefined || spec.name === key) continue;
        const target = library.symbols[spec.name];
        if (target?.ptr === undefined) {
          throw new Error(`symbol ${spec.name} (for ${key}) must also be bound by its own name`);
        }
        aliases[key] = {
          args: spec.parameters.map((t) => bunTypes[t]),
          returns: bunTypes[spec.result],
          ptr: target.ptr,
        };
      }
      if (Object.keys(aliases).length > 0) {
        Object.assign(symbols, ffi.linkSymbols(aliases).symbols);
      }
      return symbols as unknown as Functions<typeof table>;
    },
    isPermissionError() {
      return false; // Bun has no FFI permission
    },
    sizeArgument(size) {
      return size;
    },
    pointerOf(view) {
      return asPointer(ffi.ptr(view));
    },
    pointerToBigInt(pointer) {
      return BigInt(fromPointer(pointer));
    },
    pointerFromBigInt(value) {
      return asPointer(Number(value));
    },
    readCString(pointer) {
      const p = fromPointer(pointer);
      return p === 0 ? "" : String(new ffi.CString(p));
    },
    copyInto(source, destination) {
      const p = fromPointer(source);
      if (p !== 0 && destination.length > 0) {
        destination.set(new Uint8Array(ffi.toArrayBuffer(p, 0, destination.length)));
      }
    },
    callback(fn) {
      // threadsafe: a call from another thread (or from a garbage collection)
      // is queued to this thread's event loop and returns at once. A
      // JSCallback never keeps the process alive.
      const callback = new ffi.JSCallback(
        (a, b) => fn(asPointer(a as number | null), asPointer(b as number | null)),
        { args: ["ptr", "ptr"], returns: "void", threadsafe: true },
      );
      return { pointer: asPointer(callback.ptr), close: () => callback.close() };
    },
    callbackBlocksCallingThread: false,
    externalBuffer(pointer, length, onFree, context) {
      // The deallocator belongs to the backing store: it runs once no
      // ArrayBuffer refers to the memory, wherever the buffer was transferred.
      return ffi.toArrayBuffer(
        fromPointer(pointer),
        0,
        length,
        fromPointer(context),
        fromPointer(onFree.pointer),
      );
    },
  };
}

/**
 * The Deno adapter: the only file that touches `Deno.dlopen` and Deno's
 * pointer types. It maps the neutral symbol table onto Deno's FFI types.
 *
 * @module
 */
import type { Adapter, Functions, Pointer } from "./native.ts";
import { denoDefinition } from "./mapping.ts";

// A pointer from Deno is an opaque object (or null); the library only passes it back.
const asPointer = (p: Deno.PointerValue): Pointer => p as unknown as Pointer;
const fromPointer = (p: Pointer): Deno.PointerValue => p as unknown as Deno.PointerValue;

/** The adapter load.ts uses in Deno (made only there: it reads Deno's globals). */
export function denoAdapter(): Adapter {
  // Deno's fast FFI path takes 64-bit integers as bigints; a number argument
  // for a size_t costs ~200 ns more per call. Small sizes come from a table.
  const smallSizes = Array.from({ length: 4097 }, (_, i) => BigInt(i));
  return {
    runtime: "deno",
    os: Deno.build.os,
    env(name) {
      // Ask quietly: without --allow-env, Deno would otherwise prompt on a TTY.
      try {
        const status = Deno.permissions.querySync({ name: "env", variable: name });
        return status.state === "granted" ? Deno.env.get(name) : undefined;
      } catch {
        return undefined;
      }
    },
    open(path, table) {
      const definition = denoDefinition(table) as unknown as Deno.ForeignLibraryInterface;
      const library = Deno.dlopen(path, definition);
      return library.symbols as unknown as Functions<typeof table>;
    },
    isPermissionError(error) {
      return error instanceof Deno.errors.PermissionDenied ||
        (Deno.errors.NotCapable !== undefined && error instanceof Deno.errors.NotCapable);
    },
    // new ArrayBuffer(16) costs ~300 ns in Deno, a view into a slab ~30 ns.
    sizeArgument(size) {
      return size < smallSizes.length ? smallSizes[size] : BigInt(size);
    },
    pointerOf(view) {
      return asPointer(Deno.UnsafePointer.of(view as BufferSource));
    },
    pointerToBigInt(pointer) {
      return BigInt(Deno.UnsafePointer.value(fromPointer(pointer)));
    },
    pointerFromBigInt(value) {
      return asPointer(Deno.UnsafePointer.create(value));
    },
    readCString(pointer) {
      const p = fromPointer(pointer);
      return p === null ? "" : Deno.UnsafePointerView.getCString(p);
    },
    copyInto(source, destination) {
      const p = fromPointer(source);
      if (p !== null && destination.length > 0) {
        Deno.UnsafePointerView.copyInto(p, destination);
      }
    },
    callback(fn) {
      // threadSafe: a call from libzmq's I/O thread wakes the event loop (and
      // that thread waits until the function ran); unref: it never keeps the
      // process alive.
      const callback = Deno.UnsafeCallback.threadSafe(
        { parameters: ["pointer", "pointer"], result: "void" } as const,
        (a, b) => fn(asPointer(a), asPointer(b)),
      );
      callback.unref();
      return { pointer: asPointer(callback.pointer), close: () => callback.close() };
    },
    callbackBlocksCallingThread: true,
    // No externalBuffer: getArrayBuffer's memory has no deallocator, so a
    // buffer transferred elsewhere could outlive libzmq's memory.
  };
}

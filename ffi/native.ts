/**
 * The runtime-neutral shape of the C boundary: what an adapter (deno.ts,
 * bun.ts) hands to the rest of the library. src/ sees only these types.
 *
 * @module
 */
import type { LibcSymbols, NativeType, PpollSymbols, SymbolSpec, ZmqSymbols } from "./symbols.ts";

declare const pointerBrand: unique symbol;
/** An opaque C pointer; `null` is NULL. Its representation belongs to the adapter. */
export type Pointer = { readonly [pointerBrand]: true } | null;

/** The TypeScript type accepted for a parameter of each C type. */
export interface ParameterTypes {
  i32: number;
  u32: number;
  i64: number | bigint;
  usize: number | bigint;
  isize: number | bigint;
  pointer: Pointer;
  buffer: ArrayBufferView;
  function: Pointer;
  void: undefined;
}

/** The TypeScript type returned for each C type. */
export interface ResultTypes {
  i32: number;
  u32: number;
  i64: number | bigint;
  usize: number | bigint;
  isize: number | bigint;
  pointer: Pointer;
  buffer: Pointer;
  function: Pointer;
  void: void;
}

type Parameters<P extends readonly NativeType[]> = {
  [K in keyof P]: P[K] extends NativeType ? ParameterTypes[P[K]] : never;
};

/** A table of C signatures turned into callable functions. */
export type Functions<T extends Record<string, SymbolSpec>> = {
  [K in keyof T]: (
    ...args: Parameters<T[K]["parameters"]>
  ) => ResultTypes[T[K]["result"]];
};

/** What an adapter provides: both libraries bound, and memory helpers. */
export interface Native {
  /** Which runtime's FFI this is. */
  readonly runtime: "deno" | "bun" | "node";
  /** The operating system, as the runtime names it ("linux", "darwin", "windows"). */
  readonly os: string;
  /** The path libzmq was loaded from. */
  readonly libraryPath: string;
  /** libzmq's functions. */
  readonly zmq: Functions<ZmqSymbols>;
  /** The address of a long-lived buffer's memory; the caller keeps the buffer alive. */
  pointerOf(view: ArrayBufferView): Pointer;
  /** A pointer as a number that can cross threads. */
  pointerToBigInt(pointer: Pointer): bigint;
  /** A pointer rebuilt from {@link Native.pointerToBigInt}'s result. */
  pointerFromBigInt(value: bigint): Pointer;
  /** Reads a NUL-terminated UTF-8 string. */
  readCString(pointer: Pointer): string;
  /** Copies `destination.length` bytes from C memory into `destination`. */
  copyInto(source: Pointer, destination: Uint8Array): void;
  /** A size_t argument in the form this runtime passes fastest. */
  sizeArgument(size: number): number | bigint;
  /** See {@link Adapter.callback}; undefined where the runtime has none. */
  readonly callback?: (fn: (a: Pointer, b: Pointer) => void) => NativeCallback;
  /** See {@link Adapter.callbackBlocksCallingThread}. */
  readonly callbackBlocksCallingThread?: boolean;
  /** See {@link Adapter.externalBuffer}; undefined where the runtime has none. */
  readonly externalBuffer?: (
    pointer: Pointer,
    length: number,
    onFree: NativeCallback,
    context: Pointer,
  ) => ArrayBuffer;
}

/**
 * A JavaScript function behind a C function pointer of the one shape this
 * library needs, `void f(void *a, void *b)`: libzmq's zmq_free_fn(data, hint)
 * and an external buffer's deallocator(bytes, context).
 */
export interface NativeCallback {
  /** The C function pointer; valid until {@link NativeCallback.close}. */
  readonly pointer: Pointer;
  /** Frees the function pointer: C must never call it again. */
  close(): void;
}

/** libc, bound by the same adapter (poll for the poller thread, dlopen for the loader). */
export type Libc = Functions<LibcSymbols>;
/** libc's ppoll, where it exists. */
export type Ppoll = Functions<PpollSymbols>;

/** The part of an adapter that load.ts drives. */
export interface Adapter {
  readonly runtime: "deno" | "bun" | "node";
  readonly os: string;
  /** Reads an environment variable; undefined when unset or not permitted. */
  env(name: string): string | undefined;
  /** Opens a library and binds a table; throws the runtime's own error on failure. */
  open<T extends Record<string, SymbolSpec>>(
    path: string,
    table: T,
  ): Functions<T>;
  /** True when the error means "not allowed" (Deno without --allow-ffi). */
  isPermissionError(error: unknown): boolean;
  /** Memory helpers, independent of any one library. */
  pointerOf(view: ArrayBufferView): Pointer;
  pointerToBigInt(pointer: Pointer): bigint;
  pointerFromBigInt(value: bigint): Pointer;
  readCString(pointer: Pointer): string;
  copyInto(source: Pointer, destination: Uint8Array): void;
  sizeArgument(size: number): number | bigint;
  /**
   * Optional (without it, large frames are copied like small ones): makes `fn`
   * callable from C, from any thread, as `void f(void *, void *)`, until
   * `close()`. A call on the JavaScript thread that made it may run `fn` at
   * once, even in the middle of an FFI call on that thread (Deno), or soon
   * after on the event loop (Bun). A call from another thread runs `fn` later
   * on the maker's event loop; the calling thread either waits until it ran
   * (Deno, koffi) or goes on at once (Bun): say which in
   * `callbackBlocksCallingThread`. It never keeps the process alive, and
   * `fn` must not throw.
   */
  callback?(fn: (a: Pointer, b: Pointer) => void): NativeCallback;
  /**
   * True (or absent) where a {@link Adapter.callback} called from another
   * thread blocks that thread until it ran on the JavaScript thread (Deno,
   * koffi): that thread then depends on the event loop, so a JavaScript
   * thread blocked in libzmq (zmq_ctx_term) deadlocks with it. False where
   * the call returns at once (Bun). Known without making a callback: merely
   * having a thread-safe callback costs Deno's event loop.
   */
  readonly callbackBlocksCallingThread?: boolean;
  /**
   * Optional (without it, received frames are copied): an ArrayBuffer over
   * `length` bytes of C memory at `pointer`, without copying, whose memory
   * stays in use for as long as any ArrayBuffer refers to it: wherever it was
   * transferred, until collected or detached. Then `onFree(pointer, context)`
   * runs (on the JavaScript thread, later). Only a runtime that ties a
   * deallocator to the buffer's backing store can offer this (Bun's
   * toArrayBuffer); Deno's getArrayBuffer and koffi's view cannot, since a
   * transferred buffer would outlive the memory.
   */
  externalBuffer?(
    pointer: Pointer,
    length: number,
    onFree: NativeCallback,
    context: Pointer,
  ): ArrayBuffer;
}

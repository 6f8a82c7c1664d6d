/**
 * Finds libzmq, picks the adapter for the running runtime, and explains in
 * one message what to do when libzmq cannot be loaded.
 *
 * @module
 */
import type { Adapter, Libc, Native, Ppoll } from "./native.ts";
import { libcSymbols, ppollSymbols, zmqSymbols } from "./symbols.ts";
import { bunAdapter } from "./bun.ts";
import { denoAdapter } from "./deno.ts";
import { nodeAdapter } from "./node.ts";

/** The environment variable that names libzmq's path, overriding the search. */
export const LIBRARY_PATH_VARIABLE = "LIBZMQ_PATH";

// Each adapter is made only in its own runtime; none is loaded with a
// top-level await (Node refuses to require() a module graph that has one).
const runtimeAdapter: Adapter = "Deno" in globalThis
  ? denoAdapter()
  : "Bun" in globalThis
  ? bunAdapter()
  : nodeAdapter();

/** Where libzmq is looked for, in order, on each OS. */
export function libraryCandidates(os: string): string[] {
  switch (os) {
    case "darwin":
      return [
        "/opt/homebrew/lib/libzmq.5.dylib",
        "/opt/homebrew/opt/zeromq/lib/libzmq.5.dylib",
        "/usr/local/lib/libzmq.5.dylib",
        "/usr/local/opt/zeromq/lib/libzmq.5.dylib",
        "/opt/local/lib/libzmq.5.dylib",
        "libzmq.5.dylib",
        "libzmq.dylib",
      ];
    case "windows":
      return ["libzmq.dll", "libzmq-mt-4_3_5.dll", "libzmq-mt-4_3_4.dll"];
    default:
      return [
        "libzmq.so.5",
        "/usr/lib/x86_64-linux-gnu/libzmq.so.5",
        "/usr/lib/aarch64-linux-gnu/libzmq.so.5",
        "/usr/local/lib/libzmq.so.5",
        "/usr/lib64/libzmq.so.5",
        "/usr/lib/libzmq.so.5",
        "libzmq.so",
      ];
  }
}

const installHint = [
  "Install libzmq with your package manager:",
  "  Debian/Ubuntu: sudo apt-get install libzmq5   (or libzmq3-dev)",
  "  Fedora:        sudo dnf install zeromq",
  "  macOS:         brew install zeromq",
  `or set ${LIBRARY_PATH_VARIABLE} to the full path of libzmq (e.g. /opt/zmq/lib/libzmq.so.5).`,
].join("\n");

/** Thrown when libzmq cannot be loaded; the message says what was tried and what to do. */
export class LibraryLoadError extends Error {
  /** Always "ELIBACC", so callers can tell it from libzmq's own errors. */
  readonly code = "ELIBACC";
  /** Every path that was tried, with why it failed. */
  readonly tried: string[];
  /** Builds the error from the attempts. */
  constructor(message: string, tried: string[]) {
    super(message);
    this.name = "LibraryLoadError";
    this.tried = tried;
  }
}

let libcCache: Libc | null | undefined;

/** libc, or null where it cannot be opened (Windows). */
export function loadLibc(): Libc | null {
  if (libcCache !== undefined) return libcCache;
  const names = runtimeAdapter.os === "darwin"
    ? ["libSystem.B.dylib"]
    : runtimeAdapter.os === "windows"
    ? []
    : ["libc.so.6", "libc.so"];
  libcCache = null;
  for (const name of names) {
    try {
      libcCache = runtimeAdapter.open(name, libcSymbols);
      break;
    } catch (error) {
      if (runtimeAdapter.isPermissionError(error)) throw permissionError(error);
    }
  }
  return libcCache;
}

let ppollCache: Ppoll | null | undefined;

/** libc's ppoll, or null where libc lacks it (macOS, Windows). */
export function loadPpoll(): Ppoll | null {
  if (ppollCache !== undefined) return ppollCache;
  ppollCache = null;
  if (runtimeAdapter.os === "linux") {
    for (const name of ["libc.so.6", "libc.so"]) {
      try {
        ppollCache = runtimeAdapter.open(name, ppollSymbols);
        break;
      } catch {
        // try the next name
      }
    }
  }
  return ppollCache;
}

function permissionError(error: unknown): LibraryLoadError {
  const detail = error instanceof Error ? error.message : String(error);
  return new LibraryLoadError(
    "Loading libzmq needs FFI permission: run Deno with --allow-ffi " +
      "(and --allow-env to honour " + LIBRARY_PATH_VARIABLE + "); a Worker also needs ffi " +
      `allowed in its deno.permissions. (${detail})`,
    [],
  );
}

// The runtime may unload a library when its handle is collected or at exit,
// while libzmq's I/O threads still run; a second dlopen with RTLD_NODELETE
// pins the library for the life of the process.
function pinForProcessLifetime(path: string): void {
  const libc = loadLibc();
  if (libc === null) return;
  const RTLD_NOW = 2;
  const RTLD_NODELETE = runtimeAdapter.os === "darwin" ? 0x80 : 0x1000;
  libc.dlopen(new TextEncoder().encode(path + "\0"), RTLD_NOW | RTLD_NODELETE);
}

// libc's memcpy through the FFI beats both runtimes' own pointer-copy helpers.
function fastestCopy(): Native["copyInto"] {
  const libc = loadLibc();
  if (libc === null) return runtimeAdapter.copyInto;
  const size = runtimeAdapter.sizeArgument;
  return (source, destination) => {
    if (destination.length > 0) libc.memcpy(destination, source, size(destination.length));
  };
}

let nativeCache: Native | undefined;

/** libzmq bound for this runtime; loaded once, on first use. */
export function loadNative(): Native {
  if (nativeCache !== undefined) return nativeCache;
  const override = runtimeAdapter.env(LIBRARY_PATH_VARIABLE);
  const candidates = override ? [override] : libraryCandidates(runtimeAdapter.os);
  const tried: string[] = [];
  for (const path of candidates) {
    try {
      const zmq = runtimeAdapter.open(path, zmqSymbols);
      pinForProcessLifetime(path);
      nativeCache = {
        runtime: runtimeAdapter.runtime,
        os: runtimeAdapter.os,
        libraryPath: path,
        zmq,
        pointerOf: runtimeAdapter.pointerOf,
        pointerToBigInt: runtimeAdapter.pointerToBigInt,
        pointerFromBigInt: runtimeAdapter.pointerFromBigInt,
        readCString: runtimeAdapter.readCString,
        copyInto: fastestCopy(),
        sizeArgument: runtimeAdapter.sizeArgument,
        callback: runtimeAdapter.callback,
        callbackBlocksCallingThread: runtimeAdapter.callbackBlocksCallingThread,
        externalBuffer: runtimeAdapter.externalBuffer,
      };
      return nativeCache;
    } catch (error) {
      if (runtimeAdapter.isPermissionError(error)) throw permissionError(error);
      // The runtime's FFI itself is missing (koffi on Node): no path will do.
      if ((error as { code?: unknown })?.code === "ELIBACC") throw error;
      const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
      tried.push(`${path} (${reason})`);
    }
  }
  const where = override
    ? `${LIBRARY_PATH_VARIABLE}=${override} could not be loaded`
    : `libzmq not found`;
  throw new LibraryLoadError(
    `${where}: tried\n  ${tried.join("\n  ")}\n${installHint}`,
    tried,
  );
}

/** Facts about the runtime the library runs in, for the few places that need them. */
export const runtime = {
  name: runtimeAdapter.runtime,
  os: runtimeAdapter.os,
  env: runtimeAdapter.env,
  /**
   * A thread started from a Deno Worker (node:worker_threads) takes ~0.5 s to
   * run, and a message posted to it ~0.5-1 s to arrive (measured here; Deno's
   * main thread, Bun and Node take a few ms).
   */
  threadsStartSlowlyInWorkers: runtimeAdapter.runtime === "deno",
};

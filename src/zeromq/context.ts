/**
 * zeromq.js's Context: options settable at any time (ioThreads, maxSockets,
 * blocky, ...), sealed against unknown properties; built on the main API's
 * Context, whose C context it configures.
 *
 * @module
 */
import process from "node:process";
import { isMainThread } from "node:worker_threads";
import { ContextOption } from "../../ffi/constants.ts";
import { Context as MainContext, defaultContextInstance } from "../context.ts";
import { lastErrno } from "../errors.ts";
import { errnoError, errorForErrno } from "./errors.ts";
import { checkAccessorArguments } from "./option_access.ts";
import { defineOptions } from "./socket_options.ts";
import { assignOptions, checkArgumentCount } from "./arguments.ts";

/**
 * The options a Context takes, as properties and in its constructor.
 *
 * @example
 * ```ts
 * import * as zmq from "./zeromq.ts";
 * const options: zmq.ContextOptions = { ioThreads: 2, blocky: false };
 * const context = new zmq.Context(options);
 * console.log(context.ioThreads); // 2
 * ```
 */
export interface ContextOptions {
  /** ZMQ_BLOCKY: false gives new sockets a linger of 0, so that terminating never waits. */
  blocky?: boolean;
  /** ZMQ_IO_THREADS: the size of libzmq's I/O thread pool (default 1). */
  ioThreads?: number;
  /** ZMQ_MAX_MSGSZ: the largest message the context allows. */
  maxMessageSize?: number;
  /** ZMQ_MAX_SOCKETS: the most sockets the context allows (default 1023). */
  maxSockets?: number;
  /** ZMQ_IPV6: sockets of this context use IPv6 by default. */
  ipv6?: boolean;
  /** ZMQ_THREAD_PRIORITY: the I/O threads' scheduling priority (write-only). */
  threadPriority?: number;
  /** ZMQ_THREAD_SCHED_POLICY: the I/O threads' scheduling policy (write-only). */
  threadSchedulingPolicy?: number;
}

// libzmq aborts when it cannot start an I/O thread: bounded as the main API bounds it.
const MAX_IO_THREADS = 256;

// Each Context's main-API context, or how to get it on first use (the shared one).
const mains = new WeakMap<Context, MainContext | (() => MainContext)>();

/** @ignore The main API's context behind a zeromq.js Context. */
export function mainContext(context: Context): MainContext {
  let main = mains.get(context)!;
  if (typeof main === "function") {
    main = main();
    mains.set(context, main);
  }
  return main;
}

// zeromq.js's default context is one for the whole process, Worker threads
// included (so inproc works between them). The main thread's default context
// publishes its handle here when first used; a Worker's default context then
// borrows it. The process id guards against a child process inheriting it.
const SHARED_CONTEXT = "ZMQ_COMPAT_SHARED_CONTEXT";

function sharedDefaultContext(): MainContext {
  if (isMainThread) {
    const main = defaultContextInstance();
    try {
      process.env[SHARED_CONTEXT] = `${process.pid}:${main.handle}`;
    } catch {
      // No permission to set the environment: Workers make their own.
    }
    return main;
  }
  let shared: string | undefined;
  try {
    shared = process.env[SHARED_CONTEXT];
  } catch {
    shared = undefined;
  }
  const [pid, handle] = shared?.split(":") ?? [];
  if (Number(pid) === process.pid && handle !== undefined) {
    try {
      return MainContext.fromHandle(BigInt(handle));
    } catch {
      // Terminated or not a handle: this thread makes its own.
    }
  }
  return defaultContextInstance();
}

/** True for a zeromq.js Context. */
export function isContext(value: unknown): value is Context {
  return typeof value === "object" && value !== null && mains.has(value as Context);
}

let wrapping: MainContext | (() => MainContext) | undefined;

/**
 * A ZeroMQ context, as zeromq.js has it. Every socket belongs to one; most
 * programs use the shared {@link context}.
 *
 * @example
 * ```ts
 * import * as zmq from "./zeromq.ts";
 * const context = new zmq.Context({ ioThreads: 2 });
 * context.blocky = false;
 * const sock = new zmq.Dealer({ context });
 * console.log(sock.context === context, context.ioThreads); // true 2
 * sock.close();
 * ```
 */
export class Context {
  /**
   * Makes a context and sets `options` on it, as properties. Unknown options
   * are a TypeError: the object is sealed.
   */
  constructor(options?: ContextOptions) {
    checkArgumentCount(arguments, 1);
    if (options !== undefined && (options === null || typeof options !== "object")) {
      throw new TypeError("Options must be an object");
    }
    mains.set(this, wrapping ?? new MainContext());
    Object.seal(this);
    if (options !== undefined) assignOptions(this, options, "Context");
  }

  /**
   * Reads a boolean context option by number (zmq_ctx_get).
   *
   * @example
   * ```ts
   * import * as zmq from "./zeromq.ts";
   * class MyContext extends zmq.Context {
   *   get blockyFlag() {
   *     return this.getBoolOption(70);
   *   }
   * }
   * ```
   */
  protected getBoolOption(option: number): boolean {
    return this.#get(arguments, option, "Bool") !== 0;
  }

  /** Sets a boolean context option by number (zmq_ctx_set). */
  protected setBoolOption(option: number, value: boolean): void {
    this.#set(arguments, option, value ? 1 : 0, "Bool");
  }

  /** Reads an integer context option by number (zmq_ctx_get). */
  protected getInt32Option(option: number): number {
    return this.#get(arguments, option, "Int32");
  }

  /** Sets an integer context option by number (zmq_ctx_set). */
  protected setInt32Option(option: number, value: number): void {
    this.#set(arguments, option, value, "Int32");
  }

  #get(args: IArguments, option: number, type: "Bool" | "Int32"): number {
    checkAccessorArguments(args, type, false);
    const value = mainContext(this).nativeOption(option);
    if (value < 0) throw errorForErrno(lastErrno());
    return value;
  }

  #set(args: IArguments, option: number, value: number, type: "Bool" | "Int32"): void {
    checkAccessorArguments(args, type, true);
    const number = Math.trunc(value) | 0;
    if (option === ContextOption.IO_THREADS && (number < 0 || number > MAX_IO_THREADS)) {
      throw errnoError("EINVAL");
    }
    if (!mainContext(this).setNativeOption(option, number)) {
      throw errorForErrno(lastErrno());
    }
  }
}

/** The option properties of a Context. */
export interface Context extends Required<ContextOptions> {
  /** ZMQ_SOCKET_LIMIT: the largest maxSockets libzmq allows (read-only). */
  readonly maxSocketsLimit: number;
}

defineOptions(Context, [
  { name: "ioThreads", id: ContextOption.IO_THREADS, type: "Int32", access: "rw" },
  { name: "maxSockets", id: ContextOption.MAX_SOCKETS, type: "Int32", access: "rw" },
  { name: "maxSocketsLimit", id: ContextOption.SOCKET_LIMIT, type: "Int32", access: "r" },
  { name: "threadPriority", id: ContextOption.THREAD_PRIORITY, type: "Int32", access: "w" },
  {
    name: "threadSchedulingPolicy",
    id: ContextOption.THREAD_SCHED_POLICY,
    type: "Int32",
    access: "w",
  },
  { name: "maxMessageSize", id: ContextOption.MAX_MSGSZ, type: "Int32", access: "rw" },
  { name: "ipv6", id: ContextOption.IPV6, type: "Bool", access: "rw" },
  { name: "blocky", id: ContextOption.BLOCKY, type: "Bool", access: "rw" },
], "Context");

/** Wraps a main context made on first use (the shared default one). */
function wrap(main: () => MainContext): Context {
  wrapping = main;
  try {
    return new Context();
  } finally {
    wrapping = undefined;
  }
}

/**
 * The shared context every socket uses unless given another: the main API's
 * default context, with zeromq.js's option properties. As in zeromq.js it is
 * one context for the whole process: a Worker's `context` is the main
 * thread's (once the main thread has used it), so inproc works between them.
 *
 * @example
 * ```ts
 * import * as zmq from "./zeromq.ts";
 * zmq.context.blocky = false; // do not wait for unsent messages at exit
 * ```
 */
export const context: Context = wrap(sharedDefaultContext);

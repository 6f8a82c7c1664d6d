/**
 * zeromq.js's Context: options settable at any time (ioThreads, maxSockets,
 * blocky, ...), sealed against unknown properties; built on the main API's
 * Context, whose C context it configures.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
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

// libzmq allocates a slot table of this size when the context starts and
// aborts when it cannot (std::bad_alloc, or out of memory): bounded as the
// main API bounds it (libzmq's own ZMQ_SOCKET_LIMIT on Linux and macOS).
const MAX_SOCKETS_LIMIT = 65_535;

// libzmq 4.3.4 applies the thread options when a context starts its I/O
// threads, and aborts the process (posix_assert in thread.cpp) when the
// system refuses them: a scheduling policy that is not one, a real-time
// policy without a priority in 1-99, any of these without the privilege to
// change scheduling (CAP_SYS_NICE, or root: EPERM), a CPU the process may
// not run on. zmq_ctx_set accepts them all, so the compat Context checks
// them here, as libzmq would have refused them.
const SCHED_OTHER = 0;
const SCHED_FIFO = 1;
const SCHED_RR = 2;
const SCHED_BATCH = 3;
const SCHED_IDLE = 5;
const POLICIES = new Set([-1, SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_IDLE]);

interface ThreadSettings {
  priority: number;
  policy: number;
}

const threadSettingsOf = new WeakMap<Context, ThreadSettings>();

function threadSettings(context: Context): ThreadSettings {
  let settings = threadSettingsOf.get(context);
  if (settings === undefined) {
    settings = { priority: -1, policy: -1 };
    threadSettingsOf.set(context, settings);
  }
  return settings;
}

/** The thread settings after setting `option`, or the ErrnoError libzmq's abort would have been. */
function checkThreadSetting(
  current: ThreadSettings,
  option: number,
  value: number,
): Partial<ThreadSettings> {
  if (option === ContextOption.THREAD_PRIORITY || option === ContextOption.THREAD_SCHED_POLICY) {
    const next = option === ContextOption.THREAD_PRIORITY
      ? { ...current, priority: value }
      : { ...current, policy: value };
    // What libzmq itself refuses (a negative priority) it refuses with its own errno.
    if (option === ContextOption.THREAD_PRIORITY && value < 0) return {};
    if (option === ContextOption.THREAD_SCHED_POLICY && !POLICIES.has(value)) {
      throw errnoError("EINVAL");
    }
    const realTime = next.policy === SCHED_FIFO || next.policy === SCHED_RR;
    if (realTime && (next.priority < 1 || next.priority > 99)) throw errnoError("EINVAL");
    if ((realTime || next.priority >= 0) && !maySchedule()) throw errnoError("EPERM");
    return next;
  }
  if (option === ContextOption.THREAD_AFFINITY_CPU_ADD && !mayRunOn(value)) {
    throw errnoError("EINVAL");
  }
  return {};
}

/** The process/status text on Linux, or undefined. */
function procStatus(): string | undefined {
  try {
    return readFileSync("/proc/self/status", "utf8");
  } catch {
    return undefined;
  }
}

// CAP_SYS_NICE (bit 23 of CapEff) where /proc tells; elsewhere, root.
function maySchedule(): boolean {
  const capabilities = procStatus()?.match(/^CapEff:\s*([0-9a-f]+)$/m)?.[1];
  if (capabilities !== undefined) return (BigInt(`0x${capabilities}`) & (1n << 23n)) !== 0n;
  return process.getuid?.() === 0;
}

// A CPU the process may run on (Cpus_allowed_list where /proc tells).
function mayRunOn(cpu: number): boolean {
  const allowed = procStatus()?.match(/^Cpus_allowed_list:\s*(\S+)$/m)?.[1];
  if (allowed === undefined) return cpu >= 0 && cpu < cpus().length;
  return allowed.split(",").some((range) => {
    const [low, high = low] = range.split("-").map(Number);
    return cpu >= low && cpu <= high;
  });
}

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
    if (value >= 0) return value;
    // libzmq's default scheduling policy is -1, returned as a value, not a
    // failure (errno then holds nothing, or something stale).
    if (option === ContextOption.THREAD_SCHED_POLICY) return value;
    const errno = lastErrno();
    throw errno === 0 ? errnoError("EINVAL") : errorForErrno(errno);
  }

  #set(args: IArguments, option: number, value: number, type: "Bool" | "Int32"): void {
    checkAccessorArguments(args, type, true);
    const number = Math.trunc(value) | 0;
    if (option === ContextOption.IO_THREADS && (number < 0 || number > MAX_IO_THREADS)) {
      throw errnoError("EINVAL");
    }
    if (option === ContextOption.MAX_SOCKETS && number > MAX_SOCKETS_LIMIT) {
      throw errnoError("EINVAL");
    }
    const threads = threadSettings(this);
    const next = checkThreadSetting(threads, option, number);
    if (!mainContext(this).setNativeOption(option, number)) {
      throw errorForErrno(lastErrno());
    }
    Object.assign(threads, next);
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

/**
 * The context: libzmq's container for I/O threads and inproc endpoints.
 *
 * @module
 */
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { ContextOption, SocketType } from "../ffi/constants.ts";
import { loadNative } from "../ffi/load.ts";
import type { Pointer } from "../ffi/native.ts";
import { errorFor, misuse, zmqFailure } from "./errors.ts";
import { retryInterrupted } from "./interrupted_calls.ts";
import { publishHandle, resolveHandle, retireHandle } from "./context_handles.ts";
import { pendingInprocAddresses } from "./inproc_guard.ts";
import { findOption, writeOption } from "./options.ts";

/** Options for a new {@link Context}. */
export interface ContextOptions {
  /** ZMQ_IO_THREADS: threads doing network I/O (default 1). */
  ioThreads?: number;
  /** ZMQ_MAX_SOCKETS: the most sockets the context allows (default 1023). */
  maxSockets?: number;
  /** ZMQ_IPV6: sockets of this context use IPv6 by default. */
  ipv6?: boolean;
  /** ZMQ_BLOCKY: false makes terminate() drop unsent messages instead of waiting (default true). */
  blocky?: boolean;
  /** ZMQ_THREAD_NAME_PREFIX: a number prefixed to the I/O threads' names. */
  threadNamePrefix?: number;
}

/** Something a context must close before it terminates (its sockets). */
export interface ContextMember {
  /** Closes it; the promise settles once libzmq has it back. */
  release(): Promise<void>;
  /**
   * True when closing it may leave messages that libzmq keeps trying to
   * deliver (its linger is not 0): zmq_ctx_term waits for those.
   */
  lingers?(): boolean;
}

// Set while fromHandle builds a context around an existing pointer.
let borrowing: bigint | undefined;

// The Context objects of one C context in this thread (its owner and the
// contexts borrowed from its handle) share one key for the inproc guard, so
// that terminate() sees every pending inproc connection this thread made.
const inprocKeys = new Map<bigint, object>();

/**
 * A ZeroMQ context. Most programs use the default, {@link context}; a
 * separate context isolates inproc endpoints and I/O threads.
 *
 * @example
 * ```ts
 * import * as zmq from "./mod.ts";
 * const ctx = new zmq.Context({ ioThreads: 2 });
 * const pull = new zmq.Pull({ context: ctx });
 * await pull.bind("inproc://work");
 * await ctx.terminate(); // closes pull too
 * ```
 */
export class Context {
  // Made on first use (see #native), so that making a Context (the default
  // one, at import) never loads libzmq.
  #made: Pointer | undefined;
  // A socket of our own in a slot kept free for it (see #pointer): at
  // terminate() it binds the inproc addresses still waiting for a binder.
  #resolver: Pointer | undefined;
  #options: ContextOptions;
  #owned: boolean;
  // Made on first read of .handle (owner) or given (borrower): see context_handles.ts.
  #handle: bigint | undefined;
  #shared = false;
  #inprocKey: object | undefined;
  #terminated = false;
  #members = new Set<ContextMember>();
  #closing = new Set<Promise<void>>();
  // A socket was closed with a linger other than 0: zmq_ctx_term may block.
  #lingering = false;

  /**
   * Creates a context with the given options. Nothing is asked of libzmq yet:
   * the C context is made when the first socket needs it. Options of the
   * wrong type or out of range are a TypeError or RangeError here.
   */
  constructor(options: ContextOptions = {}) {
    if (options === null || typeof options !== "object") {
      throw new TypeError("Context options must be an object");
    }
    if (borrowing !== undefined) {
      this.#made = resolveHandle(borrowing);
      this.#handle = borrowing;
      this.#owned = false;
      this.#options = {};
      return;
    }
    this.#owned = true;
    this.#options = checkContextOptions(options);
  }

  /**
   * The C context, made (with its options applied) on first use. It starts
   * (its I/O threads, and the socket of its own below) with the first socket
   * or handle, so that options set before then still apply (libzmq reads
   * ioThreads and maxSockets when it starts).
   *
   * zmq_ctx_term connects every inproc connection still waiting for a binder
   * by binding a new socket to its address, and aborts the process when the
   * context has no free socket slot for it (a full context, maxSockets: 1
   * and one connecting socket). So the context gets one slot more than asked
   * for and keeps it busy with a socket of its own, which does that binding
   * at terminate() (see #resolvePending) and then gives the slot back.
   */
  get #pointer(): Pointer {
    if (this.#made !== undefined) return this.#made;
    const zmq = loadNative().zmq;
    const pointer = zmq.zmq_ctx_new();
    if (pointer === null) throw zmqFailure("Cannot create a context");
    try {
      for (const [name, value] of Object.entries(this.#options)) {
        if (value === undefined || name === "maxSockets") continue;
        const id = contextOptionIds[name as keyof ContextOptions];
        const numeric = typeof value === "boolean" ? (value ? 1 : 0) : value;
        if (zmq.zmq_ctx_set(pointer, id, numeric) !== 0) {
          throw zmqFailure(`Cannot set context option ${name} to ${String(value)}`);
        }
      }
      const maxSockets = this.#options.maxSockets ??
        zmq.zmq_ctx_get(pointer, ContextOption.MAX_SOCKETS);
      if (zmq.zmq_ctx_set(pointer, ContextOption.MAX_SOCKETS, maxSockets + 1) !== 0) {
        throw zmqFailure(`Cannot set context option maxSockets to ${maxSockets}`);
      }
    } catch (error) {
      zmq.zmq_ctx_term(pointer);
      throw error;
    }
    this.#made = pointer;
    return pointer;
  }

  /** The C context, started: its own socket holds the slot kept for it. */
  get #started(): Pointer {
    const pointer = this.#pointer;
    if (this.#resolver !== undefined || !this.#owned || this.#terminated) return pointer;
    const resolver = loadNative().zmq.zmq_socket(pointer, SocketType.DEALER);
    if (resolver === null) throw zmqFailure("Cannot start the context");
    writeOption(resolver, findOption("LINGER")!, 0);
    this.#resolver = resolver;
    return pointer;
  }

  /**
   * Before zmq_ctx_term: binds the context's own socket to every inproc
   * address that this thread's sockets connected to and nobody bound, so
   * that libzmq finds no pending connection left to bind itself (which needs
   * a free slot, see #pointer), then closes that socket. A DEALER takes any
   * number of connections from any socket type. Addresses bound meanwhile by
   * another thread fail to bind here, and need nothing.
   */
  #resolvePending(): void {
    const resolver = this.#resolver;
    if (resolver === undefined) return;
    this.#resolver = undefined;
    const zmq = loadNative().zmq;
    const address = loadNative().pointerToBigInt(this.#pointer);
    const key = this.inprocKey;
    // A later context at the same address is another context.
    if (inprocKeys.get(address) === key) inprocKeys.delete(address);
    for (const address of pendingInprocAddresses(key)) {
      zmq.zmq_bind(resolver, new TextEncoder().encode(address + "\0"));
    }
    zmq.zmq_close(resolver);
  }

  /**
   * A context made by another thread, from its {@link Context.handle}. It shares
   * inproc endpoints with the original; terminating it only closes its own sockets.
   * A bigint that is not a handle is a TypeError; the handle of a context that
   * was terminated is a ZmqError with code ETERM (here, and for every new
   * socket on a borrowed context once its owner terminated it).
   *
   * @example
   * ```ts
   * import * as zmq from "./mod.ts";
   * const shared = zmq.Context.fromHandle(zmq.context.handle);
   * ```
   */
  static fromHandle(handle: bigint): Context {
    if (typeof handle !== "bigint" || handle <= 0n) {
      throw new TypeError(
        `Context.fromHandle needs a context's handle (a bigint), got ${typeof handle}`,
      );
    }
    borrowing = handle;
    try {
      return new Context();
    } finally {
      borrowing = undefined;
    }
  }

  /**
   * A bigint to hand to a Worker for {@link Context.fromHandle}: the address of
   * a small record that says which context it is and whether it still lives
   * (24 bytes, kept for the life of the process), never the bare C pointer.
   */
  get handle(): bigint {
    // Its C context is gone: a handle now would point at freed memory.
    if (this.#terminated) throw misuse("ETERM", "The context was terminated: it has no handle");
    // Other threads may now hold sockets of this context: see terminate().
    this.#shared = true;
    return this.#handle ??= publishHandle(this.#started);
  }

  /**
   * @ignore The key of this context's inproc bookkeeping (inproc_guard.ts):
   * one per C context in this thread.
   */
  get inprocKey(): object {
    if (this.#inprocKey !== undefined) return this.#inprocKey;
    const address = loadNative().pointerToBigInt(this.#pointer);
    let key = inprocKeys.get(address);
    if (key === undefined) inprocKeys.set(address, key = {});
    return this.#inprocKey = key;
  }

  /** True once {@link Context.terminate} ran. */
  get terminated(): boolean {
    return this.#terminated;
  }

  /**
   * @ignore True while the C context lives: not terminated here, nor (for a
   * context borrowed with fromHandle) by its owner.
   */
  get live(): boolean {
    if (this.#terminated) return false;
    if (this.#owned || this.#handle === undefined) return true;
    try {
      resolveHandle(this.#handle);
      return true;
    } catch {
      return false;
    }
  }

  /** ZMQ_IO_THREADS. */
  get ioThreads(): number {
    return this.#get(ContextOption.IO_THREADS);
  }

  /** ZMQ_MAX_SOCKETS: the most sockets the context allows. */
  get maxSockets(): number {
    return this.nativeOption(ContextOption.MAX_SOCKETS);
  }

  /** ZMQ_IPV6. */
  get ipv6(): boolean {
    return this.#get(ContextOption.IPV6) !== 0;
  }

  /**
   * Closes every socket this context made in this thread, then ends the
   * context. With `blocky` (the default) libzmq waits for each socket's linger;
   * set `linger` on sockets so queued messages cannot hold this up forever.
   * When some socket's linger is not 0, that wait happens off the JavaScript
   * thread, and terminate() rejects with EBUSY after `timeout` ms (default
   * 10,000) if messages are still undelivered.
   *
   * Once its {@link Context.handle} was taken, a context may have sockets in
   * other threads: terminate() then first tells them (their pending and later
   * operations fail with ETERM), waits off the JavaScript thread for them to
   * be closed, and rejects with EBUSY after `timeout` ms (default 10,000) if
   * some are still open, leaving the context to end once they close. A
   * borrowed context ({@link Context.fromHandle}) only closes its own sockets.
   *
   * A socket lent to a running Proxy closes when the Proxy ends
   * (terminate() ends it); a Proxy that cannot end in time (blocked sending
   * to its capture socket, whose sendTimeout is long) makes terminate()
   * reject with EBUSY after `timeout` ms too, and the context ends once the
   * Proxy does. `timeout` may be Infinity (no limit); a negative or
   * non-numeric one is a RangeError or TypeError.
   */
  terminate(options: { timeout?: number } = {}): Promise<void> {
    let timeout: number;
    try {
      timeout = terminateTimeout(options);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#terminated) return Promise.resolve();
    this.#terminated = true;
    // Never made: nothing to end in libzmq.
    if (this.#made === undefined) return Promise.resolve();
    // Shutting down first (it never blocks) ends what other threads do with
    // this context: a running Proxy returns, Workers' operations fail with ETERM.
    if (this.#owned) {
      // Borrowers check the handle before each new socket: refuse them from now on.
      if (this.#handle !== undefined) retireHandle(this.#handle, this.#pointer);
      // Before the shutdown: a socket of a shut-down context can no longer bind.
      this.#resolvePending();
      loadNative().zmq.zmq_ctx_shutdown(this.#pointer);
    }
    const mayBlock = this.#lingering || [...this.#members].some((member) => member.lingers?.());
    const released = [...this.#members].map((member) => member.release());
    released.push(...this.#closing);
    this.#members.clear();
    const allReleased = Promise.all(released).then(() => {});
    if (!mayBlock) {
      // Every socket closes at once (none is lent to a Proxy, none lingers).
      if (!this.#owned) return allReleased;
      if (!this.#shared) {
        return allReleased.then(() => {
          const pointer = this.#pointer;
          if (retryInterrupted(() => loadNative().zmq.zmq_ctx_term(pointer)) !== 0) {
            throw zmqFailure("Cannot terminate the context");
          }
        });
      }
    }
    // A socket lent to a Proxy closes when the Proxy gives it back, which a
    // Proxy stalled on its capture socket may not do for long: bounded too.
    const started = performance.now();
    const closed = settleWithin(allReleased, timeout, () =>
      misuse(
        "EBUSY",
        `A socket of this context is still in use by a Proxy that has not ended after ` +
          `${timeout} ms (its capture socket may be blocked on a long sendTimeout); ` +
          "the context ends once the Proxy does",
      ));
    if (!this.#owned) return closed;
    const handle = loadNative().pointerToBigInt(this.#pointer);
    // zmq_ctx_term blocks until every socket is closed (also in other
    // threads), and while closed sockets linger with undelivered messages
    // (maybe forever, by default): it runs off the JavaScript thread.
    return closed.then(
      () => terminateShared(handle, Math.max(0, timeout - (performance.now() - started))),
      (error) => {
        // Still ended once the sockets are back, without holding the process.
        allReleased.then(() => terminateShared(handle, Infinity)).catch(() => {});
        throw error;
      },
    );
  }

  /** @ignore The pointer, for the sockets this context makes. */
  pointerFor(member: ContextMember): Pointer {
    if (this.#terminated) throw misuse("ETERM", "The context was terminated");
    // A borrowed context's owner may have terminated it meanwhile.
    if (!this.#owned && this.#handle !== undefined) resolveHandle(this.#handle);
    const pointer = this.#started;
    this.#members.add(member);
    return pointer;
  }

  /**
   * @ignore Forgets a closed socket; `released` settles when libzmq has it back,
   * which terminate() must wait for (zmq_ctx_term blocks on open sockets).
   */
  forget(member: ContextMember, released?: Promise<void>, lingers = false): void {
    this.#members.delete(member);
    if (lingers) this.#lingering = true;
    if (released === undefined) return;
    this.#closing.add(released);
    void released.then(() => this.#closing.delete(released));
  }

  #get(id: number): number {
    return loadNative().zmq.zmq_ctx_get(this.#pointer, id);
  }

  /**
   * @ignore A context option as libzmq has it (zmq_ctx_get; -1 with errno set
   * when refused), except maxSockets, which leaves out the slot kept for the
   * context's own socket (see #pointer).
   */
  nativeOption(id: number): number {
    const value = this.#get(id);
    return id === ContextOption.MAX_SOCKETS && value > 0 ? value - 1 : value;
  }

  /**
   * @ignore Sets a context option in libzmq (zmq_ctx_set; false with errno set
   * when refused), maxSockets with the slot kept for the context's own socket.
   * ioThreads and maxSockets apply only before the first socket (libzmq's rule).
   */
  setNativeOption(id: number, value: number): boolean {
    const native = id === ContextOption.MAX_SOCKETS && value > 0 ? value + 1 : value;
    return loadNative().zmq.zmq_ctx_set(this.#pointer, id, native) === 0;
  }
}

const contextOptionIds: Record<keyof ContextOptions, number> = {
  ioThreads: ContextOption.IO_THREADS,
  maxSockets: ContextOption.MAX_SOCKETS,
  ipv6: ContextOption.IPV6,
  blocky: ContextOption.BLOCKY,
  threadNamePrefix: ContextOption.THREAD_NAME_PREFIX,
};

// libzmq aborts when it cannot start an I/O thread or allocate a socket table
// (std::bad_alloc), so sizes are bounded before it sees them.
const MAX_IO_THREADS = 256;
const MAX_SOCKETS_LIMIT = 65_535; // libzmq's own ZMQ_SOCKET_LIMIT on Linux and macOS

/** The options, checked: a TypeError or RangeError names the first bad one. */
function checkContextOptions(options: ContextOptions): ContextOptions {
  const checked: ContextOptions = {};
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if (!Object.hasOwn(contextOptionIds, name)) {
      throw new TypeError(
        `Unknown context option "${name}" (expected ${Object.keys(contextOptionIds).join(", ")})`,
      );
    }
    const key = name as keyof ContextOptions;
    if (key === "ipv6" || key === "blocky") {
      if (typeof value !== "boolean") {
        throw new TypeError(`Context option ${name} must be a boolean, got ${String(value)}`);
      }
    } else if (!Number.isInteger(value)) {
      throw new TypeError(`Context option ${name} must be an integer, got ${String(value)}`);
    }
    const range = key === "ioThreads"
      ? [0, MAX_IO_THREADS]
      : key === "maxSockets"
      ? [1, MAX_SOCKETS_LIMIT]
      : key === "threadNamePrefix"
      ? [0, 2 ** 31 - 1]
      : undefined;
    if (range !== undefined && ((value as number) < range[0] || (value as number) > range[1])) {
      throw new RangeError(
        `Context option ${name} must be from ${range[0]} to ${range[1]}, got ${value}` +
          (key === "maxSockets"
            ? " (libzmq's own socket limit; the process's file descriptor limit may be lower)"
            : key === "ioThreads"
            ? " (libzmq aborts the process when it cannot start a thread)"
            : ""),
      );
    }
    (checked as Record<string, unknown>)[name] = value;
  }
  return checked;
}

let defaultContext: Context | undefined;

/** The default context, created on first use and never terminated. */
export function defaultContextInstance(): Context {
  return defaultContext ??= new Context();
}

const TERM_KEY = "zmq.context.term";

/**
 * Ends a context that other threads may still use: zmq_ctx_shutdown here (it
 * never blocks), then the blocking zmq_ctx_term on a thread of its own.
 */
/** terminate()'s timeout, checked: a number of milliseconds (Infinity: no limit). */
function terminateTimeout(options: unknown): number {
  if (options === undefined) return 10_000;
  if (options === null || typeof options !== "object") {
    throw new TypeError(`terminate() options must be an object like { timeout }, got ${options}`);
  }
  const timeout = (options as { timeout?: unknown }).timeout;
  if (timeout === undefined) return 10_000;
  if (typeof timeout !== "number" || Number.isNaN(timeout)) {
    throw new TypeError(
      `terminate() timeout must be a number of milliseconds, got ${typeof timeout}`,
    );
  }
  if (timeout < 0) throw new RangeError(`terminate() timeout must not be negative, got ${timeout}`);
  return timeout;
}

/**
 * `promise`, or a rejection with `late()` once `timeout` ms passed first (a
 * ref'd timer: it holds the process while it waits; Infinity waits without one).
 */
function settleWithin<T>(promise: Promise<T>, timeout: number, late: () => Error): Promise<T> {
  if (timeout === Infinity || timeout > MAX_TIMER_MS) return promise;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(late()), timeout);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

// setTimeout fires at once beyond this.
const MAX_TIMER_MS = 2 ** 31 - 1;

function terminateShared(handle: bigint, timeout: number): Promise<void> {
  const native = loadNative();
  if (native.zmq.zmq_ctx_shutdown(native.pointerFromBigInt(handle)) !== 0) {
    return Promise.reject(zmqFailure("Cannot shut the context down"));
  }
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: { [TERM_KEY]: handle } });
    const timer = timeout === Infinity || timeout > MAX_TIMER_MS ? undefined : setTimeout(() => {
      reject(misuse(
        "EBUSY",
        `The context still has sockets open in other threads, or closed sockets still ` +
          `delivering messages (their linger is not 0), after ${timeout} ms; ` +
          "it ends once they are done",
      ));
    }, timeout);
    worker.once("message", ({ rc, errno }: { rc: number; errno: number }) => {
      clearTimeout(timer);
      if (rc === 0) resolve();
      else reject(errorFor(errno, "Cannot terminate the context"));
    });
    worker.once("error", (error: Error) => {
      clearTimeout(timer);
      reject(error);
    });
    // The timer above holds the process while we wait; the thread, which may
    // stay blocked in zmq_ctx_term after EBUSY, must not. Last: in Bun, adding
    // a "message" listener refs a Worker again.
    worker.unref();
  });
}

// The thread terminateShared starts: it may block in zmq_ctx_term for long.
if (!isMainThread && parentPort !== null) {
  const data = workerData as Record<string, unknown> | null | undefined;
  const handle = typeof data === "object" && data !== null ? data[TERM_KEY] : undefined;
  if (typeof handle === "bigint") {
    const native = loadNative();
    const pointer = native.pointerFromBigInt(handle);
    const rc = retryInterrupted(() => native.zmq.zmq_ctx_term(pointer));
    parentPort.postMessage({ rc, errno: rc === 0 ? 0 : native.zmq.zmq_errno() });
  }
}

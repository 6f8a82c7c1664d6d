/**
 * Polling many sockets (and plain file descriptors) at once: the public
 * {@link Poller} and the one-shot {@link poll}, ZeroMQ's `zmq_poll` as a
 * promise. Waiting uses the one shared poller thread (see poller_thread.ts):
 * no thread or timer per socket, and the JavaScript thread never blocks for
 * longer than a brief wait (see wait_policy.ts).
 *
 * A socket's readiness is read from ZMQ_EVENTS, never from its ZMQ_FD alone:
 * that fd is an edge-triggered signal that any libzmq call on the socket may
 * drain. So every wait looks at ZMQ_EVENTS first (already ready: no waiting),
 * and again after every wake-up; and all interest in one socket goes through
 * its engine (socket_engine.ts), which tells every waiter after each read.
 *
 * @module
 */
import { Poll, PosixPoll } from "../ffi/constants.ts";
import { loadLibc, loadNative } from "../ffi/load.ts";
import type { Libc } from "../ffi/native.ts";
import { misuse } from "./errors.ts";
import { pollerThread, type PollTarget } from "./poller_thread.ts";
import { PollfdList } from "./pollfd_list.ts";
import { WaitHistory, yieldToEventLoop } from "./wait_policy.ts";
import { engine, Socket } from "./socket.ts";
import { checkWaitOptions, type ReadinessWatcher } from "./socket_engine.ts";
import { describeValue } from "./describe_value.ts";

/** What a {@link Poller} watches: a socket, or a plain file descriptor (a non-negative integer). */
export type Pollable = Socket | number;

/** What to wait for on one socket or file descriptor. */
export type PollInterest = "readable" | "writable" | "both";

/** One socket or file descriptor that is ready, as {@link Poller.wait} and {@link poll} report it. */
export interface PollReady<T extends Pollable = Pollable> {
  /** The socket or file descriptor, exactly as it was added. */
  readonly socket: T;
  /**
   * A message can be received now: `tryReceive()` returns it. For a file
   * descriptor: a read will not block (data, or end of file / an error).
   */
  readonly readable: boolean;
  /**
   * A message can be sent now: `trySend()` takes it. For a file descriptor:
   * a write will not block.
   */
  readonly writable: boolean;
  /**
   * File descriptors only: poll() reported POLLERR or POLLHUP (the other end
   * closed or failed). Always false for sockets.
   */
  readonly error: boolean;
}

/** Options for {@link Poller.wait} and {@link poll}. */
export interface PollOptions {
  /**
   * Give up after this many milliseconds and resolve with an empty array
   * (`zmq_poll`'s timeout). 0 looks once without waiting; omitted,
   * `undefined` or `Infinity` waits until something is ready.
   * Negative or NaN is a RangeError / TypeError, as for `receive()`.
   */
  timeout?: number;
  /** Give up when this signal aborts: the wait rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** One entry of {@link poll}'s list. */
export interface PollItem<T extends Pollable = Pollable> {
  /** The socket, or a plain file descriptor. */
  socket: T;
  /** Wait until a message can be received (or the fd read). */
  readable?: boolean;
  /** Wait until a message can be sent (or the fd written). */
  writable?: boolean;
}

let nextHistory: WaitHistory | undefined;

const READ = Poll.IN;
const WRITE = Poll.OUT;
const MAX_FD = 0x7fffffff;

function interestBits(interest: unknown): number {
  switch (interest) {
    case "readable":
      return READ;
    case "writable":
      return WRITE;
    case "both":
      return READ | WRITE;
    default:
      throw new TypeError(
        `Poll interest must be "readable", "writable" or "both", got ${describeValue(interest)}`,
      );
  }
}

/** Throws a clear error unless `item` can be polled for `bits`. */
function checkPollable(item: unknown, bits: number, where: string): void {
  if (item instanceof Socket) {
    item[engine].assertOpen(); // closed: ENOTSOCK; in a running Proxy: EBUSY
    const name = item.constructor.name;
    if (
      (bits & READ) !== 0 && typeof (item as { tryReceive?: unknown }).tryReceive !== "function"
    ) {
      throw new TypeError(`A ${name} socket cannot receive, so it never becomes readable`);
    }
    if ((bits & WRITE) !== 0 && typeof (item as { trySend?: unknown }).trySend !== "function") {
      throw new TypeError(`A ${name} socket cannot send, so it never becomes writable`);
    }
    return;
  }
  if (typeof item === "number") {
    if (!Number.isInteger(item) || item < 0 || item > MAX_FD) {
      throw new TypeError(`A file descriptor must be a non-negative integer, got ${item}`);
    }
    libc(); // where there is no poll(), say so now rather than at wait()
    return;
  }
  throw new TypeError(
    `${where} takes a socket or a file descriptor (a non-negative integer), got ${
      describeValue(item)
    }`,
  );
}

function libc(): Libc {
  const found = loadLibc();
  if (found === null) {
    throw misuse(
      "ENOTSUP",
      "Watching plain file descriptors needs libc's poll(), which this OS lacks",
    );
  }
  return found;
}

// ---- plain file descriptors: level-triggered, checked with poll(fds, n, 0) ----

interface FdState {
  readable: boolean;
  writable: boolean;
  error: boolean;
}

// One list serves every check and brief wait: JavaScript runs one at a time.
const pollfds = new PollfdList(16);

function posixEvents(bits: number): number {
  return ((bits & READ) !== 0 ? PosixPoll.IN : 0) | ((bits & WRITE) !== 0 ? PosixPoll.OUT : 0);
}

/** The state of each fd right now, without blocking; an fd that is not open is EBADF. */
function checkFds(fds: readonly (readonly [number, number])[]): FdState[] {
  if (fds.length === 0) return [];
  pollfds.reserve(fds.length);
  for (let i = 0; i < fds.length; i++) pollfds.set(i, fds[i][0], posixEvents(fds[i][1]));
  const rc = libc().poll(pollfds.bytes, loadNative().sizeArgument(fds.length), 0);
  return fds.map(([fd, bits], i) => {
    const revents = rc > 0 ? pollfds.revents(i) : 0;
    if ((revents & PosixPoll.NVAL) !== 0) {
      throw misuse(
        "EBADF",
        `File descriptor ${fd} is not open: remove it from the Poller before closing it`,
      );
    }
    // A hung-up or failed fd does not block either: a read gives end of file,
    // a write an error. Flag what was asked for, and say why.
    const failed = (revents & (PosixPoll.ERR | PosixPoll.HUP)) !== 0;
    return {
      readable: (bits & READ) !== 0 && (failed || (revents & PosixPoll.IN) !== 0),
      writable: (bits & WRITE) !== 0 && (failed || (revents & PosixPoll.OUT) !== 0),
      error: failed,
    };
  });
}

/** One-shot poll() calls share a history. */
const oneShotHistory = new WaitHistory();

// ---- one pending wait ----

interface Entry {
  bits: number;
  watcher?: ReadinessWatcher;
  target?: PollTarget;
}

/** A wait in progress: registrations with the engine, the timer and the abort listener. */
class PollWait<T extends Pollable> {
  #entries = new Map<T, Entry>();
  #resolve: (ready: PollReady<T>[]) => void;
  #reject: (error: unknown) => void;
  #onSettled: () => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #signal: AbortSignal | undefined;
  #onAbort: (() => void) | undefined;
  #history: WaitHistory;
  #waitStarted = 0;
  settled = false;

  constructor(
    items: ReadonlyMap<T, number>,
    history: WaitHistory,
    resolve: (ready: PollReady<T>[]) => void,
    reject: (error: unknown) => void,
    onSettled: () => void,
  ) {
    for (const [item, bits] of items) this.#entries.set(item, { bits });
    this.#history = history;
    this.#resolve = resolve;
    this.#reject = reject;
    this.#onSettled = onSettled;
  }

  /** Looks once; if nothing is ready, registers everything and arms the timeout and signal. */
  start(options: PollOptions | undefined): void {
    const signal = options?.signal ?? undefined;
    if (signal?.aborted) return this.#fail(signal.reason);
    let ready: PollReady<T>[];
    try {
      ready = this.#scan();
    } catch (error) {
      return this.#fail(error);
    }
    if (ready.length > 0) {
      if (!this.#history.completedAtOnce()) return this.#finish(ready);
      // Settled now (nothing stays registered), delivered after a turn of the loop.
      this.#settle();
      yieldToEventLoop(() => this.#resolve(ready));
      return;
    }
    this.#history.waiting();
    const timeout = options?.timeout ?? Infinity;
    if (timeout === 0) return this.#finish([]);
    if (this.#entries.size === 0 && timeout === Infinity) {
      return this.#fail(misuse(
        "EINVAL",
        "Poller.wait() on an empty Poller without a timeout would never end: " +
          "add a socket first, or pass a timeout",
      ));
    }
    const started = performance.now();
    if (this.#entries.size > 0) {
      const briefly = this.#history.waitBriefly(
        pollfds,
        () => this.#writeBriefPollfds(),
        () => {
          this.#check();
          return this.settled;
        },
        timeout,
      );
      if (briefly || this.settled) return;
    }
    this.#waitStarted = performance.now();
    if (timeout !== Infinity) {
      const left = timeout - (this.#waitStarted - started);
      if (left <= 0) return this.#finish([]); // the brief wait used it all
      // One last look: a wake-up may still be on its way from the poller thread.
      this.#timer = setTimeout(() => this.#check(() => this.#finish([])), left);
    }
    if (signal !== undefined) {
      this.#signal = signal;
      this.#onAbort = () => this.#fail(signal.reason);
      signal.addEventListener("abort", this.#onAbort, { once: true });
    }
    for (const [item, entry] of this.#entries) {
      if (this.settled) return; // a registration failed at once
      this.#register(item, entry);
    }
  }

  /** Every fd of this wait into the shared pollfd buffer: sockets' ZMQ_FD for POLLIN. */
  #writeBriefPollfds(): number {
    const count = this.#entries.size;
    pollfds.reserve(count);
    let i = 0;
    for (const [item, entry] of this.#entries) {
      if (typeof item === "number") pollfds.set(i++, item, posixEvents(entry.bits));
      else pollfds.set(i++, (item as Socket)[engine].fd);
    }
    return count;
  }

  /** The Poller's interest in `item` changed (added, or re-added with other bits). */
  update(item: T, bits: number): void {
    if (this.settled) return;
    const old = this.#entries.get(item);
    if (old !== undefined) this.#unregister(item, old);
    const entry: Entry = { bits };
    this.#entries.set(item, entry);
    this.#check(() => this.#register(item, entry));
  }

  /** The Poller no longer watches `item`. */
  drop(item: T): void {
    if (this.settled) return;
    const entry = this.#entries.get(item);
    if (entry === undefined) return;
    this.#unregister(item, entry);
    this.#entries.delete(item);
  }

  #register(item: T, entry: Entry): void {
    if (typeof item === "number") {
      entry.target = {
        fd: item,
        pollEvents: posixEvents(entry.bits),
        holdsProcess: true, // a pending wait keeps the process alive, as receive() does
        onSignal: () => this.#check(),
        onPollerFailure: (error) => this.#fail(error),
      };
      pollerThread().watch(entry.target);
    } else {
      const socket = item as Socket;
      entry.watcher = {
        interest: entry.bits,
        onReady: () => this.#check(),
        onFailure: (error) => {
          this.#fail(
            socket[engine].closed
              ? misuse(
                "ENOTSOCK",
                `${socket[engine].describe} was closed while a Poller waited on it`,
              )
              : error,
          );
        },
      };
      socket[engine].addWatcher(entry.watcher);
    }
  }

  #unregister(item: T, entry: Entry): void {
    if (entry.watcher !== undefined) (item as Socket)[engine].removeWatcher(entry.watcher);
    if (entry.target !== undefined) pollerThread().unwatch(entry.target);
    entry.watcher = undefined;
    entry.target = undefined;
  }

  /** Something may be ready: look at everything, and finish if so (else `otherwise`). */
  #check(otherwise?: () => void): void {
    if (this.settled) return;
    let ready: PollReady<T>[];
    try {
      ready = this.#scan();
    } catch (error) {
      return this.#fail(error);
    }
    if (ready.length > 0) this.#finish(ready);
    else otherwise?.();
  }

  /** What is ready right now, in the order the items were added. */
  #scan(): PollReady<T>[] {
    const fds: [number, number][] = [];
    for (const [item, entry] of this.#entries) {
      if (typeof item === "number") fds.push([item, entry.bits]);
    }
    const fdStates = checkFds(fds);
    const ready: PollReady<T>[] = [];
    let fdIndex = 0;
    for (const [item, entry] of this.#entries) {
      if (typeof item === "number") {
        const state = fdStates[fdIndex++];
        if (state.readable || state.writable) ready.push({ socket: item, ...state });
        continue;
      }
      const socketEngine = (item as Socket)[engine];
      if (socketEngine.closed) {
        throw misuse("ENOTSOCK", `${socketEngine.describe} is closed: remove it from the Poller`);
      }
      socketEngine.assertOpen(); // lent to a running Proxy: EBUSY
      const bits = socketEngine.readiness() & entry.bits;
      if (bits !== 0) {
        ready.push({
          socket: item,
          readable: (bits & READ) !== 0,
          writable: (bits & WRITE) !== 0,
          error: false,
        });
      }
    }
    return ready;
  }

  #finish(ready: PollReady<T>[]): void {
    if (!this.#settle()) return;
    if (ready.length > 0 && this.#waitStarted > 0) {
      this.#history.endedThroughThread(performance.now() - this.#waitStarted);
    }
    this.#resolve(ready);
  }

  #fail(error: unknown): void {
    if (this.#settle()) this.#reject(error);
  }

  /** Ends the wait: false if it had already ended. */
  #settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    for (const [item, entry] of this.#entries) this.#unregister(item, entry);
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#onAbort !== undefined) this.#signal!.removeEventListener("abort", this.#onAbort);
    this.#timer = undefined;
    this.#onAbort = undefined;
    this.#onSettled();
    return true;
  }
}

/**
 * Waits until any of a set of sockets (or plain file descriptors) is
 * readable or writable, and says which: pyzmq's `Poller` and `zmq_poll`, as a
 * promise. Use it to serve several sockets from one loop, such as a broker's
 * frontend and backend, or a service's work and control sockets.
 *
 * `wait()` looks at each socket's state first and resolves at once when one
 * is ready; otherwise it waits on the library's one shared poller thread
 * (nothing blocks, nothing spins). It resolves with the ready entries, in the
 * order they were added; a ready socket can be used right away with
 * `tryReceive()` / `trySend()`.
 *
 * A socket's own pending `receive()` / `send()` (and `for await` loops) come
 * first: a Poller reports a socket readable only when a message is left over
 * for `tryReceive()`, and writable only when no `send()` is queued. A Poller
 * never takes messages itself, so mixing the two never deadlocks.
 *
 * Sockets from any context can share a Poller (the poll is per thread, not
 * per context). Adding or removing while a wait is pending changes that wait
 * too. Closing a socket while a wait is pending rejects the wait with an
 * `ENOTSOCK` ZmqError; waiting with a closed socket in the Poller does too.
 * A plain fd (from `node:fs`'s `openSync`, 0 for stdin, ...) must be removed
 * before it is closed.
 *
 * As with `receive()`, a Poller whose waits have been short first waits up
 * to 500 µs on the JavaScript thread (`ZMQ_BRIEF_WAITS=0` turns that off),
 * and a loop whose waits always find something ready yields to the event
 * loop every 256 waits, so timers and I/O keep running.
 *
 * @example A broker loop: Router frontend, Dealer backend
 * ```ts
 * import * as zmq from "./mod.ts";
 *
 * const frontend = new zmq.Router();
 * await frontend.bind("tcp://127.0.0.1:*");
 * const backend = new zmq.Dealer();
 * await backend.bind("tcp://127.0.0.1:*");
 *
 * const poller = new zmq.Poller<zmq.Router | zmq.Dealer>()
 *   .add(frontend, "readable")
 *   .add(backend, "readable");
 * for (;;) {
 *   const ready = await poller.wait({ timeout: 1000 });
 *   if (ready.length === 0) break; // a second without traffic
 *   for (const { socket } of ready) {
 *     const message = socket.tryReceive();
 *     if (message === null) continue;
 *     if (socket === frontend) await backend.send(message);
 *     else await frontend.send(message);
 *   }
 * }
 * frontend.close();
 * backend.close();
 * ```
 */
export class Poller<T extends Pollable = Pollable> {
  #items = new Map<T, number>();
  #waits = new Set<PollWait<T>>();
  #history: WaitHistory;

  /** An empty Poller; {@link Poller.add} what to watch. */
  constructor() {
    // poll() passes its shared history through this private channel.
    this.#history = nextHistory ?? new WaitHistory();
    nextHistory = undefined;
  }

  /**
   * Watches `socket` (a socket, or a plain file descriptor) for `interest`
   * (default "readable"). Adding it again replaces its interest. Returns the
   * Poller, so calls chain.
   *
   * Throws a TypeError for anything else than a socket or a non-negative
   * integer, for an unknown interest, and for an interest the socket type
   * cannot have (a Publisher is never readable); a ZmqError for a closed socket.
   *
   * @example
   * ```ts
   * import * as zmq from "./mod.ts";
   * const work = new zmq.Pull();
   * const results = new zmq.Push();
   * const poller = new zmq.Poller().add(work).add(results, "writable");
   * work.close();
   * results.close();
   * ```
   */
  add(socket: T, interest: PollInterest = "readable"): this {
    const bits = interestBits(interest);
    checkPollable(socket, bits, "Poller.add");
    this.#items.set(socket, bits);
    for (const wait of this.#waits) wait.update(socket, bits);
    return this;
  }

  /**
   * Stops watching `socket`; false if it was not watched.
   *
   * @example
   * ```ts
   * import * as zmq from "./mod.ts";
   * const pull = new zmq.Pull();
   * const poller = new zmq.Poller().add(pull);
   * poller.remove(pull); // true
   * pull.close();
   * ```
   */
  remove(socket: T): boolean {
    if (!this.#items.delete(socket)) return false;
    for (const wait of this.#waits) wait.drop(socket);
    return true;
  }

  /** True if `socket` is watched. */
  has(socket: T): boolean {
    return this.#items.has(socket);
  }

  /** How many sockets and file descriptors are watched. */
  get size(): number {
    return this.#items.size;
  }

  /**
   * Resolves with the entries that are ready, waiting until at least one is
   * (or the timeout passes: then with an empty array). Rejects with the
   * signal's reason when `signal` aborts (at once if it already has), with a
   * ZmqError `ENOTSOCK` if a watched socket is or gets closed, and with a
   * ZmqError `EINVAL` for an empty Poller without a timeout. Several waits
   * may be pending at once; each one settles independently.
   *
   * @example
   * ```ts
   * import * as zmq from "./mod.ts";
   * const pull = new zmq.Pull();
   * await pull.bind("inproc://poller-wait");
   * const push = new zmq.Push();
   * push.connect("inproc://poller-wait");
   * await push.send("job");
   *
   * const poller = new zmq.Poller().add(pull);
   * const ready = await poller.wait({ timeout: 1000 });
   * console.log(ready.length, pull.tryReceive()); // 1 [ Uint8Array ]
   * push.close();
   * pull.close();
   * ```
   */
  wait(options?: PollOptions): Promise<PollReady<T>[]> {
    if (options !== undefined) {
      const invalid = checkWaitOptions(options);
      if (invalid !== undefined) return Promise.reject(invalid);
    }
    return new Promise((resolve, reject) => {
      const wait: PollWait<T> = new PollWait(
        this.#items,
        this.#history,
        resolve,
        reject,
        () => this.#waits.delete(wait),
      );
      this.#waits.add(wait);
      wait.start(options);
    });
  }
}

/**
 * Waits once until any of `items` is ready, like `zmq_poll`: each item names
 * a socket (or a plain file descriptor) and whether to wait for `readable`,
 * `writable` or both. Resolves with the ready entries in the order given, or
 * an empty array when `timeout` passes. The same rules as {@link Poller.wait}.
 *
 * @example A service that waits for work and for a stop command at once
 * ```ts
 * import * as zmq from "./mod.ts";
 * const work = new zmq.Pull();
 * await work.bind("inproc://poll-work");
 * const control = new zmq.Subscriber();
 * control.subscribe();
 * await control.bind("inproc://poll-control");
 *
 * const ready = await zmq.poll(
 *   [{ socket: work, readable: true }, { socket: control, readable: true }],
 *   { timeout: 100 },
 * );
 * console.log(ready); // [] after 100 ms: nothing arrived
 * work.close();
 * control.close();
 * ```
 */
export function poll<T extends Pollable = Pollable>(
  items: readonly PollItem<T>[],
  options?: PollOptions,
): Promise<PollReady<T>[]> {
  nextHistory = oneShotHistory;
  const poller = new Poller<T>();
  try {
    if (!Array.isArray(items)) {
      throw new TypeError(
        `poll() takes an array of { socket, readable?, writable? }, got ${describeValue(items)}`,
      );
    }
    const wanted = new Map<T, number>();
    items.forEach((item, index) => {
      if (item === null || typeof item !== "object") {
        throw new TypeError(
          `poll() item ${index} must be { socket, readable?, writable? }, got ${
            describeValue(item)
          }`,
        );
      }
      const bits = (item.readable ? READ : 0) | (item.writable ? WRITE : 0);
      if (bits === 0) {
        throw new TypeError(`poll() item ${index} asks for neither readable nor writable`);
      }
      wanted.set(item.socket, (wanted.get(item.socket) ?? 0) | bits);
    });
    for (const [socket, bits] of wanted) {
      poller.add(
        socket,
        bits === (READ | WRITE) ? "both" : bits === READ ? "readable" : "writable",
      );
    }
  } catch (error) {
    return Promise.reject(error);
  }
  return poller.wait(options);
}

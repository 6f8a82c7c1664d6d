/**
 * One socket's engine: the fast path (try without blocking), queues of
 * pending sends and receives kept in call order, and waiting on the shared
 * poller when libzmq would block.
 *
 * @module
 */
import { setTimeout as setUnrefableTimeout } from "node:timers";
import { Flag, Poll, SocketOption, type SocketTypeName } from "../ffi/constants.ts";
import { loadLibc, loadNative } from "../ffi/load.ts";
import type { Pointer } from "../ffi/native.ts";
import { lastErrno, misuse, type ZmqError, zmqFailure } from "./errors.ts";
import { type Frame, receiveFrames, sendFrame, sendFrames } from "./frames.ts";
import { cutOffAction } from "./cut_off_messages.ts";
import { interrupted, retryInterrupted } from "./interrupted_calls.ts";
import { pollerThread, type PollTarget } from "./poller_thread.ts";
import { PollfdList } from "./pollfd_list.ts";
import {
  completedAtOnce,
  LIBZMQ_BRIEF_WAIT_MS,
  loopStarved,
  WaitHistory,
  yieldToEventLoop,
} from "./wait_policy.ts";

/** Options for one `receive()` or `send()`. */
export interface WaitOptions {
  /** Give up after this many milliseconds with a ZmqError "EAGAIN". */
  timeout?: number;
  /** Give up when this signal aborts, with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Something besides the socket's own operations that waits for it to become
 * readable or writable (a public Poller's wait). All readiness interest in a
 * socket goes through its one engine, so every read of ZMQ_EVENTS (which
 * drains the edge-triggered ZMQ_FD) is seen by everyone waiting.
 */
export interface ReadinessWatcher {
  /** Poll.IN and/or Poll.OUT. */
  readonly interest: number;
  /** The socket is ready for `ready` (a non-empty part of `interest`). */
  onReady(ready: number): void;
  /** The socket closed or failed; the watcher was removed. */
  onFailure(error: unknown): void;
}

interface Waiter<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
  timer?: ReturnType<typeof setTimeout>;
  /** When its time is up (performance.now() ms), for blocking sockets, which have no timers. */
  deadline?: number;
  /** Its timeout, for the error message. */
  timeout?: number;
  signal?: AbortSignal;
  onAbort?: () => void;
  /** A receiver's own way of reading a message (receiveWith); receiveFrames otherwise. */
  read?: MessageReader<unknown>;
}

/** Reads one whole message without blocking; null when none is waiting. */
export type MessageReader<T> = (socket: Pointer) => T | null;

interface PendingSend extends Waiter<void> {
  frames: readonly Frame[];
  next: number;
}

const SETTLE_DELAYS_MS = [1, 10, 50, 200, 1000];

// Every send that completes at once returns this one settled promise: a
// promise carries no value here, so sharing it is invisible to callers and
// saves an allocation per message.
const SENT: Promise<void> = Promise.resolve();

// A receive served by libzmq's wait sooner than this found its message
// queued, not on its way (a loopback round trip takes tens of µs).
const AT_ONCE_MS = 0.01;

const DONE: IteratorResult<Uint8Array[], undefined> = Object.freeze({
  done: true,
  value: undefined,
});

/** The engine behind a Socket; not part of the public API. */
export class SocketEngine implements PollTarget {
  readonly pointer: Pointer;
  readonly fd: number;
  readonly describe: string;
  /** Small received frames share pooled buffers (the socket's `pooledFrames`). */
  pooledFrames = false;
  /** Waits block this thread in poll() (the socket's `blocking`); see #block. */
  blocking = false;
  /** See PollTarget.waitedBriefly. */
  waitedBriefly = false;
  /** The socket type, where known (internal sockets may leave it out). */
  readonly type: SocketTypeName | undefined;
  // Set when a REQ lost its request state: every later send fails with it.
  #broken: ZmqError | undefined;
  // A failure of a message left to finish in the background, for the next send.
  #deferred: unknown;
  #receivers: Waiter<Uint8Array[]>[] = [];
  #senders: PendingSend[] = [];
  #closed = false;
  #owner: WeakRef<object> | undefined;
  // Never read: a strong reference that keeps the owner alive while it waits.
  #anchor: object | undefined;
  #released: Promise<void> | undefined;
  #lentTo: string | undefined;
  #onCloseWhileLent: (() => void) | undefined;
  #releaseAfterLoan: (() => void) | undefined;
  #history = new WaitHistory();
  #pollfd = new PollfdList(1);
  #waitStarted = 0;
  #watchers = new Set<ReadinessWatcher>();
  #recheckQueued = false;
  #eventsBuffer = new Int32Array(1);
  // The last receive had to wait (see #willWaitInLibzmq).
  #receivesWait = false;
  #sizeBuffer = new BigUint64Array(1);

  /** False for background sockets: their waits do not keep the process alive. */
  readonly holdsProcess: boolean;

  /**
   * `owner` is the public socket, if any: held weakly, and strongly only while
   * an operation waits, so a pending receive keeps its socket from being collected.
   */
  constructor(pointer: Pointer, describe: string, owner?: object, type?: SocketTypeName) {
    this.pointer = pointer;
    this.describe = describe;
    this.type = type;
    this.holdsProcess = owner !== undefined;
    this.#owner = owner === undefined ? undefined : new WeakRef(owner);
    this.fd = this.#readInt(SocketOption.FD);
    this.#pollfd.set(0, this.fd);
    pollerThread().prepare();
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The error every operation on a closed socket gives. */
  closedError(): ZmqError {
    return misuse("ENOTSOCK", `${this.describe} is closed`);
  }

  assertOpen(): void {
    if (this.#closed) throw this.closedError();
    if (this.#lentTo !== undefined) throw this.#busyError();
  }

  #busyError(): ZmqError {
    return misuse(
      "EBUSY",
      `${this.describe} is in use by a running ${this.#lentTo}; it can be used again when that ends`,
    );
  }

  /**
   * Hands the socket to another thread (a proxy) until {@link SocketEngine.giveBack}.
   * `onClose` runs if the socket is closed meanwhile, so the borrower can end.
   */
  lend(borrower: string, onClose: () => void): void {
    this.assertOpen();
    if (this.#receivers.length > 0 || this.#senders.length > 0) {
      throw misuse("EBUSY", `${this.describe} has operations pending and cannot be lent`);
    }
    if (this.#watchers.size > 0) {
      throw misuse("EBUSY", `${this.describe} is in a pending Poller wait and cannot be lent`);
    }
    this.#lentTo = borrower;
    this.#onCloseWhileLent = onClose;
    pollerThread().unwatch(this);
  }

  /** The borrower is done; a close that came meanwhile happens now. */
  giveBack(): void {
    this.#lentTo = undefined;
    this.#onCloseWhileLent = undefined;
    const release = this.#releaseAfterLoan;
    this.#releaseAfterLoan = undefined;
    release?.();
  }

  /** True while another thread uses the socket. */
  get lent(): boolean {
    return this.#lentTo !== undefined;
  }

  // ---- receiving ----

  tryReceive(): Uint8Array[] | null {
    this.assertOpen();
    if (this.#receivers.length > 0) return null; // earlier callers come first
    const frames = receiveFrames(this.pointer, this.pooledFrames);
    this.#afterOperation();
    return frames;
  }

  receive(options?: WaitOptions): Promise<Uint8Array[]> {
    return this.#receive(options, false) as Promise<Uint8Array[]>;
  }

  /**
   * The next step of async iteration: `{ done: true }` once the socket is
   * closed. Built here rather than with an async generator, which would cost
   * several extra promises per message.
   */
  next(): Promise<IteratorResult<Uint8Array[], undefined>> {
    return this.#receive(undefined, true) as Promise<IteratorResult<Uint8Array[], undefined>>;
  }

  #receive(
    options: WaitOptions | undefined,
    iterating: boolean,
  ): Promise<Uint8Array[] | IteratorResult<Uint8Array[], undefined>> {
    if (this.#closed) {
      return iterating ? Promise.resolve(DONE) : Promise.reject(this.closedError());
    }
    if (this.#lentTo !== undefined) return Promise.reject(this.#busyError());
    if (options !== undefined) {
      const invalid = checkWaitOptions(options);
      if (invalid !== undefined) return Promise.reject(invalid);
    }
    // A blocking socket's plain receive is libzmq's own blocking receive,
    // bounded by ZMQ_RCVTIMEO as libzmq bounds it: nothing to arm or queue,
    // as in a C program.
    const inLibzmq = options === undefined && this.blocking && this.#receivers.length === 0 &&
      this.#senders.length === 0 && this.#watchers.size === 0;
    // A receive that will wait in libzmq anyway lets libzmq look first (its
    // blocking receive does): one call and one poll() fewer per round trip.
    const unchecked = !inLibzmq && this.#receivers.length === 0 && this.#willWaitInLibzmq();
    let ranOut = false;
    if (unchecked && options === undefined) {
      // Nothing to arm or queue if the brief wait serves it; else on as unchecked.
      const briefly = this.#receiveBrieflyAlone(iterating);
      if (typeof briefly !== "boolean") return briefly;
      ranOut = briefly;
    }
    if (this.#receivers.length === 0 && !unchecked) {
      let frames: Uint8Array[] | null;
      try {
        frames = receiveFrames(this.pointer, this.pooledFrames, inLibzmq ? 0 : Flag.DONTWAIT);
        if (frames === null && inLibzmq && !interrupted(lastErrno())) {
          throw this.#timedOut("Receive", this.#readInt(SocketOption.RCVTIMEO));
        }
      } catch (error) {
        return Promise.reject(error);
      }
      if (frames !== null) {
        this.#afterOperation();
        const result = iterating ? { done: false as const, value: frames } : frames;
        if (!completedAtOnce()) return Promise.resolve(result);
        return new Promise((resolve) => yieldToEventLoop(() => resolve(result)));
      }
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter<Uint8Array[]> = iterating
        ? {
          resolve: (value) => resolve({ done: false as const, value }),
          // Closing the socket ends the iteration; other errors surface.
          reject: (error) => this.#closed ? resolve(DONE) : reject(error),
        }
        : { resolve, reject };
      const lookNow = unchecked ? () => this.#receiveNow(waiter) : undefined;
      if (!this.#arm(waiter, this.#receivers, options, "Receive", lookNow)) return;
      this.#receivers.push(waiter);
      this.#receivesWait = true;
      this.#wait(this.#receivers.length === 1, unchecked, ranOut);
    });
  }

  /**
   * The next receive, plain and alone (nothing else pending, no watcher),
   * will wait inside libzmq: a blocking socket's (whose blocking receive
   * costs what a non-blocking one does when a message is queued), or, after
   * a receive that had to wait, a brief wait recent history favours.
   */
  #willWaitInLibzmq(): boolean {
    return this.#senders.length === 0 && this.#watchers.size === 0 &&
      (this.blocking || (this.#receivesWait && this.#history.likelyInLibzmq()));
  }

  /** A receive without waiting for `waiter` (whose timeout is 0): true when it settled. */
  #receiveNow(waiter: Waiter<Uint8Array[]>): boolean {
    let frames: Uint8Array[] | null;
    try {
      frames = receiveFrames(this.pointer, this.pooledFrames);
    } catch (error) {
      waiter.reject(error);
      return true;
    }
    if (frames === null) return false;
    this.#afterOperation();
    waiter.resolve(frames);
    return true;
  }

  /**
   * Like receive(), reading the message with `read` (metadata, zero-copy
   * views): queued in call order with plain receives. The plain path is
   * left as it is.
   */
  receiveWith<T>(read: MessageReader<T>, options?: WaitOptions): Promise<T> {
    if (this.#closed) return Promise.reject(this.closedError());
    if (this.#lentTo !== undefined) return Promise.reject(this.#busyError());
    if (options !== undefined) {
      const invalid = checkWaitOptions(options);
      if (invalid !== undefined) return Promise.reject(invalid);
    }
    if (this.#receivers.length === 0) {
      let result: T | null;
      try {
        result = read(this.pointer);
      } catch (error) {
        return Promise.reject(error);
      }
      if (result !== null) {
        this.#afterOperation();
        if (!completedAtOnce()) return Promise.resolve(result);
        return new Promise((resolve) => yieldToEventLoop(() => resolve(result)));
      }
    }
    return new Promise<T>((resolve, reject) => {
      const waiter = { resolve, reject, read } as Waiter<unknown>;
      if (!this.#arm(waiter, this.#receivers, options, "Receive")) return;
      this.#receivers.push(waiter as Waiter<Uint8Array[]>);
      this.#wait(this.#receivers.length === 1);
    });
  }

  get readable(): boolean {
    return !this.#closed && !this.lent && (this.#eventsRechecked() & Poll.IN) !== 0;
  }

  // ---- sending ----

  /**
   * Sends now if libzmq takes the whole message without blocking; false when
   * it takes none of it. All or nothing: a message libzmq cut off halfway
   * (its connection closed between two frames) is not delivered, so this
   * says false and the caller may send it again. A single frame may come
   * bare: it is then sent without building a list.
   */
  trySend(message: readonly Frame[] | Frame): boolean {
    this.#assertCanSend();
    if (this.#senders.length > 0) return false; // earlier callers come first
    if (!Array.isArray(message)) {
      if (!sendFrame(this.pointer, message as Frame, Flag.DONTWAIT)) return false;
      this.#afterOperation();
      return true;
    }
    const frames = message as readonly Frame[];
    const next = this.#sendFrom(frames, 0);
    if (next === 0) return false;
    if (next < frames.length) {
      // Only for socket types libzmq is not known to cut off: the rest must
      // follow before anything else, and a failure shows on the next call.
      this.#senders.push({
        frames,
        next,
        resolve() {},
        reject: (error) => this.#deferred ??= error,
      });
      this.#wait();
    }
    this.#afterOperation();
    return true;
  }

  /** A single frame may come bare, as for {@link SocketEngine.trySend}. */
  send(message: readonly Frame[] | Frame, options?: WaitOptions): Promise<void> {
    if (this.#closed) return Promise.reject(this.closedError());
    if (this.#lentTo !== undefined) return Promise.reject(this.#busyError());
    if (this.#broken !== undefined) return Promise.reject(this.#broken);
    if (this.#deferred !== undefined) return Promise.reject(this.#takeDeferred());
    if (options !== undefined) {
      const invalid = checkWaitOptions(options);
      if (invalid !== undefined) return Promise.reject(invalid);
    }
    const single = !Array.isArray(message);
    let next = 0;
    if (this.#senders.length === 0) {
      let done: boolean;
      try {
        if (single) {
          done = sendFrame(this.pointer, message as Frame, Flag.DONTWAIT);
        } else {
          next = this.#sendFrom(message as readonly Frame[], 0);
          done = next === (message as readonly Frame[]).length;
        }
      } catch (error) {
        return Promise.reject(error);
      }
      if (done) {
        this.#afterOperation();
        if (!completedAtOnce()) return SENT;
        return new Promise((resolve) => yieldToEventLoop(resolve));
      }
    }
    const frames = single ? [message as Frame] : message as readonly Frame[];
    return new Promise<void>((resolve, reject) => {
      const pending: PendingSend = { frames, next, resolve, reject };
      if (!this.#arm(pending, this.#senders, options, "Send")) return;
      this.#senders.push(pending);
      this.#wait();
    });
  }

  /**
   * Sends `frames` from `start` without blocking: the index of the first
   * frame libzmq has not taken. `frames.length`: all went; 0: nothing did
   * (try the whole message again later); anything between: the rest must
   * follow (only for socket types libzmq is not known to cut off; see
   * cut_off_messages.ts). Throws what libzmq refuses, or the socket's
   * breakage when a REQ lost its state.
   */
  #sendFrom(frames: readonly Frame[], start: number): number {
    const next = sendFrames(this.pointer, frames, start);
    if (next === 0 || next === frames.length || next === start) return next;
    switch (cutOffAction(this.type, next, frames.length)) {
      case "restart":
        return 0;
      case "drop-rest-then-restart":
        // libzmq drops frames until the message's end: hand them over.
        return sendFrames(this.pointer, frames, next) === frames.length ? 0 : next;
      case "drop-rest":
        return sendFrames(this.pointer, frames, next);
      case "broken":
        this.#broken = misuse(
          "EFSM",
          `${this.describe} lost a request in the middle when its connection closed, and ` +
            "libzmq cannot send a well-formed request on it again: close it and make a new " +
            "one (as the Lazy Pirate pattern does)",
        );
        throw this.#broken;
      case "finish":
        return next;
    }
  }

  #assertCanSend(): void {
    this.assertOpen();
    if (this.#broken !== undefined) throw this.#broken;
    if (this.#deferred !== undefined) throw this.#takeDeferred();
  }

  /** The failure of a message trySend left to finish, once: the next call reports it. */
  #takeDeferred(): unknown {
    const error = this.#deferred;
    this.#deferred = undefined;
    return error;
  }

  get writable(): boolean {
    return !this.#closed && !this.lent && (this.#eventsRechecked() & Poll.OUT) !== 0;
  }

  // ---- waiting ----

  /**
   * Sets up timeout and abort for a waiter; false when it already failed.
   * Without a `timeout` of its own, the socket's ZMQ_RCVTIMEO / ZMQ_SNDTIMEO
   * bounds the wait (-1: no bound; 0: fail now, as libzmq does). `lookNow`:
   * a receive that has not looked yet, tried before failing at once.
   */
  #arm<T>(
    waiter: Waiter<T>,
    queue: Waiter<T>[],
    options: WaitOptions | undefined,
    what: "Receive" | "Send",
    lookNow?: () => boolean,
  ): boolean {
    const signal = options?.signal;
    if (signal?.aborted) {
      if (lookNow?.() !== true) waiter.reject(signal.reason);
      return false;
    }
    let timeout = options?.timeout ?? undefined;
    if (timeout === undefined) {
      let option: number;
      try {
        option = this.#readInt(what === "Receive" ? SocketOption.RCVTIMEO : SocketOption.SNDTIMEO);
      } catch (error) {
        waiter.reject(error);
        return false;
      }
      if (option >= 0) timeout = option;
    }
    if (timeout === 0) {
      // A receive that has not looked yet (see #receive) looks once first.
      if (lookNow?.() !== true) waiter.reject(this.#timedOut(what, 0));
      return false;
    }
    if (timeout !== undefined && timeout !== Infinity) {
      const limit = timeout;
      waiter.timeout = limit;
      waiter.deadline = performance.now() + limit;
      // A blocking socket expires its waiters itself (timers cannot run while it blocks).
      if (!this.blocking) {
        waiter.timer = setTimeout(
          () => this.#expire(waiter, queue, this.#timedOut(what, limit)),
          limit,
        );
      }
    }
    if (signal !== undefined && signal !== null) {
      waiter.signal = signal;
      waiter.onAbort = () => this.#expire(waiter, queue, signal.reason);
      signal.addEventListener("abort", waiter.onAbort, { once: true });
    }
    return true;
  }

  #timedOut(what: "Receive" | "Send", milliseconds: number): ZmqError {
    return misuse(
      "EAGAIN",
      milliseconds === 0
        ? `${what} found the socket not ready and its timeout is 0 (${this.describe})`
        : `${what} timed out after ${milliseconds} ms on ${this.describe}`,
    );
  }

  /**
   * A waiter's time is up (or its signal aborted): it fails with `error`. A
   * message libzmq has started taking stays at the head of the queue until
   * its rest is taken, so that no later message is spliced onto it.
   */
  #expire<T>(waiter: Waiter<T>, queue: Waiter<T>[], error: unknown): void {
    const started = (waiter as Partial<PendingSend>).next ?? 0;
    if (started > 0) {
      settle(waiter);
      waiter.deadline = undefined; // it finishes in the background, unbounded
      const reject = waiter.reject;
      waiter.resolve = () => {};
      waiter.reject = (failure) => this.#deferred ??= failure;
      reject(error);
      return;
    }
    this.#drop(waiter, queue);
    waiter.reject(error);
  }

  #drop<T>(waiter: Waiter<T>, queue: Waiter<T>[]): void {
    const index = queue.indexOf(waiter);
    if (index >= 0) queue.splice(index, 1);
    settle(waiter);
    if (this.#receivers.length === 0 && this.#senders.length === 0) this.#idle();
  }

  /**
   * `afterFailedReceive`: a receive without blocking just found nothing, so
   * libzmq has processed its pending commands and the next message will
   * signal ZMQ_FD anew; unless a send waits too, looking again is wasted.
   * `unchecked`: the lone receive has not looked at all (see #receive):
   * libzmq's own wait looks first, any other wait must look before it.
   * `ranOut`: its brief wait in libzmq was tried already (and looked).
   */
  #wait(afterFailedReceive = false, unchecked = false, ranOut = false): void {
    this.#anchor = this.#owner?.deref();
    // Serving below (and brief waits) read ZMQ_EVENTS: tell watchers afterwards.
    if (this.#watchers.size > 0) this.#recheckSoon();
    // ZMQ_FD is edge-triggered: the state may already be ready without a
    // new edge coming, so look before waiting.
    const lookFirst = !unchecked && (!afterFailedReceive || this.#senders.length > 0);
    if (lookFirst && !this.#serve()) return;
    if (this.blocking) return this.#block(!afterFailedReceive || !this.#loneReceive());
    if (this.#loneReceive()) {
      // (One that ran out already goes straight to the poller thread.)
      if (!ranOut && this.#briefWaitEnded(unchecked)) return;
    } else if (this.#history.waitBriefly(this.#pollfd, () => 1, () => !this.#serve())) return;
    this.waitedBriefly = this.#history.ranOut;
    this.#waitStarted = performance.now();
    pollerThread().watch(this);
  }

  /** A brief wait served at once found messages queued: the next receive looks first again. */
  #notePromptness(): void {
    if (this.#history.lastServedMs < AT_ONCE_MS) this.#receivesWait = false;
  }

  /**
   * The lone receive's brief wait inside libzmq: true when the wait is over.
   * `unchecked`: nothing has looked yet, so if no brief wait is tried (too
   * little time left), look now.
   */
  #briefWaitEnded(unchecked: boolean): boolean {
    const limit = (this.#receivers[0].deadline ?? Infinity) - performance.now();
    const started = this.#history.beginInLibzmq(limit);
    const tried = !Number.isNaN(started);
    if (tried && this.#history.endInLibzmq(started, this.#receiveInLibzmq(LIBZMQ_BRIEF_WAIT_MS))) {
      this.#notePromptness();
      return true;
    }
    return unchecked && !tried && !this.#serve();
  }

  /**
   * A blocking socket's wait: this thread sleeps in poll() on the socket's
   * fd until what waits is served or its time is up, as a blocking libzmq
   * call would. Nothing else on this thread runs meanwhile; that is the
   * price of a round trip without a trip through the event loop.
   */
  #block(lookFirst: boolean): void {
    const libc = loadLibc()!;
    // A lone receive that just looked (or has not: libzmq's wait looks first) skips the look.
    for (let look = lookFirst; !look || this.#serve(); look = true) {
      const left = Math.min(
        this.#expireDue(this.#receivers, "Receive"),
        this.#expireDue(this.#senders, "Send"),
      );
      if (!this.#busy()) return;
      if (this.#loneReceive()) {
        this.#receiveInLibzmq(left);
        continue;
      }
      // ZMQ_FD is edge-triggered, but serving just read the state, so the
      // next change signals it anew.
      const milliseconds = left === Infinity ? -1 : Math.max(1, Math.ceil(left));
      libc.poll(this.#pollfd.bytes, loadNative().sizeArgument(1), milliseconds);
    }
    this.#idle();
  }

  /**
   * A blocking socket's timers: fails the waiters of `queue` whose time is
   * up; the milliseconds left to the nearest other deadline (Infinity: none).
   */
  #expireDue<T>(queue: Waiter<T>[], what: "Receive" | "Send"): number {
    let left = Infinity;
    // Backwards: an expired waiter leaves the queue.
    for (let i = queue.length - 1; i >= 0; i--) {
      const waiter = queue[i];
      if (waiter.deadline === undefined) continue;
      const ms = waiter.deadline - performance.now();
      if (ms > 0) left = Math.min(left, ms);
      else this.#expire(waiter, queue, this.#timedOut(what, waiter.timeout!));
    }
    return left;
  }

  /** One plain receive waits, and nothing else does: libzmq itself may wait for it. */
  #loneReceive(): boolean {
    return this.#receivers.length === 1 && this.#receivers[0].read === undefined &&
      this.#senders.length === 0 && this.#watchers.size === 0;
  }

  /**
   * The lone receive (see #loneReceive) waits inside libzmq, on its own
   * mailbox, for up to `milliseconds` (Infinity: no bound), lent to libzmq
   * as ZMQ_RCVTIMEO and put back afterwards. One call where poll() on
   * ZMQ_FD and a receive take two, and the system calls of a C program's
   * blocking receive (Deno's blocking round trip went from 1.31x to 1.08x C,
   * its brief waits from 155 to ~133 µs). True when the receive was served
   * (or failed); false when the time ran out or a signal came.
   */
  #receiveInLibzmq(milliseconds: number): boolean {
    const waiter = this.#receivers[0];
    let frames: Uint8Array[] | null;
    try {
      frames = this.#receiveWithin(milliseconds);
    } catch (error) {
      this.#receivers.shift();
      settle(waiter);
      waiter.reject(error);
      return true;
    }
    if (frames === null) return false;
    deliver(this.#receivers.shift()!, frames);
    return true;
  }

  /**
   * A blocking receive in libzmq for up to `milliseconds` (Infinity: no
   * bound), lent as ZMQ_RCVTIMEO; `timeout`, the socket's own value if
   * already read, is put back. Null when the time ran out or a signal came.
   */
  #receiveWithin(milliseconds: number, timeout?: number): Uint8Array[] | null {
    if (milliseconds === Infinity) return receiveFrames(this.pointer, this.pooledFrames, 0);
    const own = timeout ?? this.#readInt(SocketOption.RCVTIMEO);
    this.#writeInt(SocketOption.RCVTIMEO, Math.max(1, Math.ceil(milliseconds)));
    try {
      return receiveFrames(this.pointer, this.pooledFrames, 0);
    } finally {
      this.#writeInt(SocketOption.RCVTIMEO, own);
    }
  }

  /**
   * The brief wait in libzmq of a lone receive with no bound of its own (no
   * options, ZMQ_RCVTIMEO -1), done before anything is armed or queued: its
   * settled promise, or else whether that wait ran out (false: not tried,
   * the socket has a receive timeout or history advises against it).
   */
  #receiveBrieflyAlone(
    iterating: boolean,
  ): Promise<Uint8Array[] | IteratorResult<Uint8Array[], undefined>> | boolean {
    let frames: Uint8Array[] | null;
    try {
      if (this.#readInt(SocketOption.RCVTIMEO) !== -1) return false;
    } catch (error) {
      return Promise.reject(error);
    }
    const started = this.#history.beginInLibzmq();
    if (Number.isNaN(started)) return false;
    try {
      frames = this.#receiveWithin(LIBZMQ_BRIEF_WAIT_MS, -1);
    } catch (error) {
      this.#history.endInLibzmq(started, true);
      return Promise.reject(error);
    }
    if (frames === null) return !this.#history.endInLibzmq(started, false);
    this.#history.endInLibzmq(started, true);
    this.#notePromptness();
    this.#afterOperation();
    const result = iterating ? { done: false as const, value: frames } : frames;
    // (The clock was read as the wait ended: Deno's costs ~170 ns.)
    if (!loopStarved(started + this.#history.lastServedMs)) return Promise.resolve(result);
    return new Promise((resolve) => yieldToEventLoop(() => resolve(result)));
  }

  /** Called by the poller thread when the fd is signalled. */
  onSignal(here: boolean): void {
    const working = this.#receivers.length > 0 || this.#senders.length > 0;
    if (!this.#serve()) {
      // Seen ready before a poller-thread cycle: this thread's own work, or
      // a message that came just after a brief wait ran out. Either way it
      // says nothing of whether a brief wait pays off, so it is not recorded.
      if (working && !here) {
        this.#history.endedThroughThread(performance.now() - this.#waitStarted);
      }
      this.#idle();
    }
    // Pending operations were served first; watchers get what is left.
    this.#dispatch();
  }

  onPollerFailure(error: Error): void {
    this.#failAll(error);
  }

  /**
   * Serves queued operations while libzmq allows; true while some still wait.
   * If the socket's state cannot be read (its context was shut down: ETERM),
   * everything waiting fails with that error instead.
   */
  #serve(): boolean {
    try {
      return this.#serveQueues();
    } catch (error) {
      this.#failAll(error);
      return false;
    }
  }

  #serveQueues(): boolean {
    let progressed = true;
    while (progressed && !this.#closed && this.#busy()) {
      progressed = false;
      if (this.#senders.length === 0) {
        // A receive that finds nothing processes libzmq's pending commands,
        // as reading ZMQ_EVENTS would: one call instead of two. (A send that
        // would block may skip them, so senders still look at ZMQ_EVENTS.)
        progressed = this.#serveReceivers();
        continue;
      }
      const events = this.#events();
      if ((events & Poll.IN) !== 0 && this.#receivers.length > 0) {
        progressed = this.#serveReceivers() || progressed;
      }
      if ((events & Poll.OUT) !== 0 && this.#senders.length > 0) {
        progressed = this.#serveSenders() || progressed;
      }
    }
    return !this.#closed && this.#busy();
  }

  /** Some receive or send is pending. */
  #busy(): boolean {
    return this.#receivers.length > 0 || this.#senders.length > 0;
  }

  #serveReceivers(): boolean {
    let served = false;
    while (this.#receivers.length > 0) {
      let frames: Uint8Array[] | null;
      try {
        const read = this.#receivers[0].read;
        frames = read === undefined
          ? receiveFrames(this.pointer, this.pooledFrames)
          : read(this.pointer) as Uint8Array[] | null;
      } catch (error) {
        const waiter = this.#receivers.shift()!;
        settle(waiter);
        waiter.reject(error);
        continue;
      }
      if (frames === null) break;
      deliver(this.#receivers.shift()!, frames);
      served = true;
    }
    return served;
  }

  #serveSenders(): boolean {
    let served = false;
    while (this.#senders.length > 0) {
      const pending = this.#senders[0];
      let next: number;
      try {
        next = this.#sendFrom(pending.frames, pending.next);
      } catch (error) {
        this.#senders.shift();
        settle(pending);
        pending.reject(error);
        continue;
      }
      if (next > pending.next) served = true;
      pending.next = next;
      if (next < pending.frames.length) break;
      deliver(this.#senders.shift()!, undefined);
    }
    return served;
  }

  // An operation in one direction can consume the fd's edge that announced
  // the other: whoever waits on the other side must look again.
  #afterOperation(): void {
    if (this.#receivers.length > 0 || this.#senders.length > 0 || this.#watchers.size > 0) {
      this.#recheckSoon();
    }
  }

  #recheckSoon(): void {
    if (this.#recheckQueued) return;
    this.#recheckQueued = true;
    queueMicrotask(() => {
      this.#recheckQueued = false;
      if (this.#closed) return;
      if (!this.#serve()) this.#idle();
      this.#dispatch();
    });
  }

  /**
   * Any other libzmq call on the socket (bind, connect, an option) may process
   * its commands and so consume the fd's edge: whoever waits looks again.
   */
  afterOtherCall(): void {
    if (!this.#closed && !this.lent) this.#afterOperation();
  }

  /** ZMQ_EVENTS, for a caller outside the queues: whoever waits looks again. */
  #eventsRechecked(): number {
    const events = this.#events();
    this.#afterOperation();
    return events;
  }

  // ---- readiness watchers (public Pollers) ----

  /**
   * Poll.IN / Poll.OUT for what a watcher may use right away: a direction
   * with its own receive()/send() pending is not ready for anyone else.
   * Reading drains the fd, so everyone else waiting looks again.
   */
  readiness(): number {
    return this.#readyBits(this.#eventsRechecked());
  }

  #readyBits(events: number): number {
    let ready = events & (Poll.IN | Poll.OUT);
    if (this.#receivers.length > 0) ready &= ~Poll.IN;
    if (this.#senders.length > 0) ready &= ~Poll.OUT;
    return ready;
  }

  /** Calls `watcher` once the socket is ready for its interest (until removed). */
  addWatcher(watcher: ReadinessWatcher): void {
    this.assertOpen();
    this.#watchers.add(watcher);
    pollerThread().watch(this);
  }

  removeWatcher(watcher: ReadinessWatcher): void {
    if (!this.#watchers.delete(watcher)) return;
    if (this.#watchers.size === 0 && this.#receivers.length === 0 && this.#senders.length === 0) {
      pollerThread().unwatch(this);
    }
  }

  /** Reads ZMQ_EVENTS once and tells every watcher whose interest is ready. */
  #dispatch(): void {
    if (this.#watchers.size === 0 || this.#closed) return;
    let ready: number;
    try {
      ready = this.#readyBits(this.#events());
    } catch (error) {
      this.#failAll(error);
      this.#idle();
      return;
    }
    if (ready === 0) return;
    for (const watcher of [...this.#watchers]) {
      if ((watcher.interest & ready) !== 0 && this.#watchers.has(watcher)) {
        watcher.onReady(watcher.interest & ready);
      }
    }
  }

  #events(): number {
    return this.#readInt(SocketOption.EVENTS);
  }

  #readInt(option: number): number {
    this.#sizeBuffer[0] = 4n;
    const zmq = loadNative().zmq;
    let rc = zmq.zmq_getsockopt(this.pointer, option, this.#eventsBuffer, this.#sizeBuffer);
    if (rc !== 0 && interrupted(lastErrno())) {
      rc = retryInterrupted(() =>
        zmq.zmq_getsockopt(this.pointer, option, this.#eventsBuffer, this.#sizeBuffer)
      );
    }
    if (rc !== 0) throw zmqFailure(`Cannot read the state of ${this.describe}`);
    return this.#eventsBuffer[0];
  }

  #writeInt(option: number, value: number): void {
    this.#eventsBuffer[0] = value;
    const native = loadNative();
    const zmq = native.zmq;
    // (A size from sizeArgument: Deno takes a plain number there ~200 ns slower.)
    if (
      zmq.zmq_setsockopt(this.pointer, option, this.#eventsBuffer, native.sizeArgument(4)) !== 0
    ) {
      throw zmqFailure(`Cannot set the state of ${this.describe}`);
    }
  }

  /** Nothing waits any more: stop polling and let the socket be collected again. */
  #idle(): void {
    this.#anchor = undefined;
    if (this.#watchers.size === 0) pollerThread().unwatch(this);
  }

  #failAll(error: unknown): void {
    this.#anchor = undefined;
    const waiters = [...this.#receivers, ...this.#senders];
    this.#receivers = [];
    this.#senders = [];
    for (const waiter of waiters) {
      settle(waiter);
      waiter.reject(error);
    }
    const watchers = [...this.#watchers];
    this.#watchers.clear();
    for (const watcher of watchers) watcher.onFailure(error);
  }

  /**
   * libzmq acts on a disconnect or unbind only when the socket is next
   * called; an idle socket may not be called for a long time. Calling it a
   * few times over the next second lets the change take effect.
   */
  settleSoon(): void {
    for (const delay of SETTLE_DELAYS_MS) {
      const timer = setUnrefableTimeout(() => {
        if (this.#closed || this.lent) return;
        if (this.#receivers.length > 0 || this.#senders.length > 0) {
          if (!this.#serve()) this.#idle();
        } else {
          this.#events();
        }
        this.#dispatch();
      }, delay);
      timer.unref(); // never keeps the process alive
    }
  }

  /** True while some receive is pending (an iterator uses this to end cleanly). */
  get receiving(): boolean {
    return this.#receivers.length > 0;
  }

  /**
   * Fails pending operations and closes the socket once no poll holds its fd.
   * The promise settles when libzmq has the socket back.
   */
  close(): Promise<void> {
    if (this.#released !== undefined) return this.#released;
    this.#closed = true;
    this.#failAll(this.closedError());
    const pointer = this.pointer;
    this.#released = new Promise((resolve) => {
      const release = () =>
        pollerThread().release(this, () => {
          loadNative().zmq.zmq_close(pointer);
          resolve();
        });
      if (this.#lentTo === undefined) {
        release();
      } else {
        // Another thread is using it: close once that thread gives it back.
        this.#releaseAfterLoan = release;
        this.#onCloseWhileLent?.();
      }
    });
    return this.#released;
  }
}

/** Why `options` cannot be used, or undefined when they can (checked before anything starts). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export function checkWaitOptions(options: WaitOptions): TypeError | RangeError | undefined {
  if (options === null || typeof options !== "object") {
    return new TypeError(
      `Options must be an object like { timeout, signal }, got ${String(options)}`,
    );
  }
  const { timeout, signal } = options;
  if (timeout !== undefined && timeout !== null) {
    if (typeof timeout !== "number" || Number.isNaN(timeout)) {
      return new TypeError(`timeout must be a number of milliseconds, got ${typeof timeout}`);
    }
    if (timeout < 0) return new RangeError(`timeout must not be negative, got ${timeout}`);
    if (timeout > MAX_TIMEOUT_MS && timeout !== Infinity) {
      // A longer timer would fire at once.
      return new RangeError(
        `timeout must be at most ${MAX_TIMEOUT_MS} ms (about 24.8 days), got ${timeout}; ` +
          "leave it out (or pass Infinity) to wait without a limit",
      );
    }
  }
  if (signal !== undefined && signal !== null) {
    const candidate = signal as Partial<AbortSignal>;
    if (
      typeof candidate.addEventListener !== "function" ||
      typeof candidate.removeEventListener !== "function" || typeof candidate.aborted !== "boolean"
    ) {
      return new TypeError("signal must be an AbortSignal");
    }
  }
  return undefined;
}

/**
 * Resolves a waiter whose operation completed: now, or after a turn of the
 * event loop when a run of completions has kept the loop waiting too long
 * (a ping-pong of brief waits never returns to it by itself).
 */
function deliver<T>(waiter: Waiter<T>, value: T): void {
  settle(waiter);
  if (loopStarved()) yieldToEventLoop(() => waiter.resolve(value));
  else waiter.resolve(value);
}

// deno-lint-ignore no-explicit-any
function settle(waiter: Waiter<any>): void {
  if (waiter.timer !== undefined) clearTimeout(waiter.timer);
  if (waiter.onAbort !== undefined) waiter.signal!.removeEventListener("abort", waiter.onAbort);
  waiter.timer = undefined;
  waiter.onAbort = undefined;
}

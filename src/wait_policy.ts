/**
 * When and how long the JavaScript thread itself waits, and when it must let
 * the event loop run: the one policy the socket engine (socket_engine.ts),
 * the public Poller (poller.ts) and the poller thread's scheduler
 * (poller_thread.ts) share.
 *
 * A wait handed to the poller thread and back costs two thread wake-ups
 * (~25-40 µs each on a small VM, and a tail of milliseconds); when recent
 * waits have been short, blocking in the kernel for up to
 * BRIEF_WAIT_BUDGET_US on this thread is faster and burns no CPU.
 *
 * Work that never goes back to the event loop (operations that complete at
 * once, waits that end within a brief wait, each resolving a promise whose
 * continuation starts the next) would starve timers and I/O: once such a run
 * has kept the event loop waiting for MAX_LOOP_DELAY_MS, the next completion
 * is delivered after a turn of the loop instead.
 *
 * @module
 */
import { setImmediate } from "node:timers";
import { loadLibc, loadNative, loadPpoll, runtime } from "../ffi/load.ts";
import type { PollfdList } from "./pollfd_list.ts";
import { waitStatistics } from "./wait_statistics.ts";

/** The longest a brief wait blocks the thread, in microseconds. */
export const BRIEF_WAIT_BUDGET_US = 500;
const BRIEF_WAIT_BUDGET_MS = BRIEF_WAIT_BUDGET_US / 1000;

/**
 * A brief wait that libzmq does for a lone receive (ZMQ_RCVTIMEO counts
 * whole milliseconds): its shortest bound.
 */
export const LIBZMQ_BRIEF_WAIT_MS = 1;

/** The longest a run of completions keeps the event loop from its turn, in milliseconds. */
export const MAX_LOOP_DELAY_MS = 2;

/** Runs `resume` after a turn of the event loop (timers and I/O get theirs first). */
export function yieldToEventLoop(resume: () => void): void {
  setImmediate(resume);
}

// A turn of the event loop is requested with setImmediate when a run of
// completions starts; until it comes, the run has kept the loop waiting.
let turnRequested = false;
let turnRequestedAt = 0;
const turnCame = () => turnRequested = false;

/**
 * True when the event loop has been kept from its turn for longer than
 * MAX_LOOP_DELAY_MS: the caller should deliver its result through
 * {@link yieldToEventLoop}. `now`: the clock, if the caller just read it.
 */
export function loopStarved(now = performance.now()): boolean {
  if (!turnRequested) {
    turnRequested = true;
    turnRequestedAt = now;
    setImmediate(turnCame);
    return false;
  }
  return now - turnRequestedAt > MAX_LOOP_DELAY_MS;
}

// Reading the clock costs ~60-120 ns, a fast operation ~100 ns: operations
// that complete at once look at it every few, which still bounds the delay
// to a few microseconds past MAX_LOOP_DELAY_MS.
const CLOCK_EVERY = 16;
let sinceClock = 0;

/** An operation completed without waiting: true when its result should wait for a loop turn. */
export function completedAtOnce(): boolean {
  waitStatistics.completedAtOnce++;
  if (++sinceClock < CLOCK_EVERY) return false;
  sinceClock = 0;
  return loopStarved();
}

let briefWaitsOn: boolean | undefined;

/** Brief waits need ppoll (Linux); ZMQ_BRIEF_WAITS=0 turns them off. */
function briefWaitsEnabled(): boolean {
  return briefWaitsOn ??= runtime.env("ZMQ_BRIEF_WAITS") !== "0" && loadPpoll() !== null;
}

const timespec = new BigInt64Array(2); // struct timespec { time_t tv_sec; long tv_nsec; }

/** Blocks up to `microseconds` (< 1 s) until one of the first `count` fds is signalled. */
function ppollFor(pollfds: PollfdList, count: number, microseconds: number): boolean {
  timespec[0] = 0n;
  timespec[1] = BigInt(Math.max(0, Math.round(microseconds * 1000)));
  const sizeArgument = loadNative().sizeArgument(count);
  return loadPpoll()!.ppoll(pollfds.bytes, sizeArgument, timespec, null) > 0;
}

/** True when one of the first `count` fds of `pollfds` is signalled now (no waiting). */
export function signalledNow(pollfds: PollfdList, count: number): boolean {
  if (loadPpoll() !== null) return ppollFor(pollfds, count, 0);
  const libc = loadLibc();
  return libc !== null && libc.poll(pollfds.bytes, loadNative().sizeArgument(count), 0) > 0;
}

/**
 * The recent waits of one waiter (a socket's engine, a Poller, the thread's
 * scheduler): how long they took, and whether a brief wait is worth trying.
 */
export class WaitHistory {
  #typicalMs = Infinity;
  #backoff = 0;
  #skips = 0;
  /** The last waitBriefly() tried and ran out (rather than skipping or ending the wait). */
  ranOut = false;
  /** How long the last brief wait that ended the wait took, in milliseconds. */
  lastServedMs = Infinity;

  /** A wait that went to the poller thread ended after `milliseconds`. */
  endedThroughThread(milliseconds: number): void {
    waitStatistics.thread++;
    this.record(milliseconds);
  }

  /** A wait ended after `milliseconds` (brief or through the poller thread). */
  record(milliseconds: number): void {
    this.#typicalMs = this.#typicalMs === Infinity
      ? milliseconds
      : this.#typicalMs * 0.75 + milliseconds * 0.25;
    if (milliseconds < LIBZMQ_BRIEF_WAIT_MS) this.#backoff = 0;
  }

  /**
   * Waits on this thread, up to the budget (and `limitMs`), while `done()`
   * says the wait goes on: true when it ended within that time. `count()`
   * (re)writes the fds to watch into `pollfds` and says how many; it runs
   * before each ppoll, since a check may reuse the list.
   */
  waitBriefly(
    pollfds: PollfdList,
    count: () => number,
    done: () => boolean,
    limitMs = Infinity,
  ): boolean {
    this.ranOut = false;
    if (!this.#worthTrying(BRIEF_WAIT_BUDGET_MS)) return false;
    const started = performance.now();
    const deadline = started + Math.min(BRIEF_WAIT_BUDGET_MS, limitMs);
    for (let now = started; now < deadline; now = performance.now()) {
      if (!ppollFor(pollfds, count(), (deadline - now) * 1000)) break;
      if (done()) return this.#ended(started, true);
    }
    return this.#ended(started, false);
  }

  /**
   * Like {@link WaitHistory.waitBriefly}, the waiting done by libzmq for one
   * receive, which the caller makes itself (blocking in libzmq for
   * LIBZMQ_BRIEF_WAIT_MS: ZMQ_RCVTIMEO counts whole milliseconds), then
   * reports with {@link WaitHistory.endInLibzmq}: the start time, or NaN
   * when a brief wait is not worth trying now or less than that is left
   * before `limitMs`.
   */
  beginInLibzmq(limitMs = Infinity): number {
    this.ranOut = false;
    if (limitMs < LIBZMQ_BRIEF_WAIT_MS || !this.#worthTrying(LIBZMQ_BRIEF_WAIT_MS)) return NaN;
    return performance.now();
  }

  /** The brief wait in libzmq begun at `started` ended the wait (`served`) or ran out: counted, and returned. */
  endInLibzmq(started: number, served: boolean): boolean {
    return this.#ended(started, served);
  }

  /** The next lone receive would wait briefly in libzmq (see beginInLibzmq), as far as history tells. */
  likelyInLibzmq(): boolean {
    return this.#typicalMs <= LIBZMQ_BRIEF_WAIT_MS && this.#skips === 0 && briefWaitsEnabled();
  }

  /** A brief wait begun at `started` ended the wait (`served`) or ran out: counted, and returned. */
  #ended(started: number, served: boolean): boolean {
    if (served) {
      waitStatistics.brief++;
      this.lastServedMs = performance.now() - started;
      this.record(this.lastServedMs);
      return true;
    }
    waitStatistics.briefRanOut++;
    this.ranOut = true;
    this.#failed();
    return false;
  }

  /** Recent waits were shorter than `budgetMs`, and the last brief waits did not all run out. */
  #worthTrying(budgetMs: number): boolean {
    if (this.#typicalMs > budgetMs || !briefWaitsEnabled()) return false;
    if (this.#skips > 0) {
      this.#skips--;
      return false;
    }
    return true;
  }

  // Only brief waits that run out in a row back off (doubling): a lone slow
  // reply costs one wait through the poller thread, nothing more. A wait
  // there costs more (~250 µs against ~140 µs for a tcp round trip here), and
  // skipping 16 brief waits after each outlier made Bun's round trips ~15%
  // slower.
  #failed(): void {
    this.#skips = this.#backoff;
    this.#backoff = Math.min(Math.max(this.#backoff * 2, 1), 4096);
  }
}

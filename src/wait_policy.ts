/**
 * When and how long the JavaScript thread itself waits: the one policy the
 * socket engine (socket_engine.ts) and the public Poller (poller.ts) share.
 *
 * A wait handed to the poller thread and back costs two thread wake-ups
 * (~25-40 µs each on a small VM, and a tail of milliseconds); when the waits
 * of a socket (or a Poller) have been short, blocking in the kernel for up to
 * BRIEF_WAIT_BUDGET_US on this thread is faster and burns no CPU. The budget
 * is bounded, so timers and other I/O are delayed by at most that much. And
 * a run of operations that never waited yields to the event loop now and
 * then, so one busy socket cannot starve timers and I/O.
 *
 * @module
 */
import { loadNative, loadPpoll, runtime } from "../ffi/load.ts";
import type { PollfdList } from "./pollfd_list.ts";
import { waitStatistics } from "./wait_statistics.ts";

/** The longest a brief wait blocks the thread, in microseconds. */
export const BRIEF_WAIT_BUDGET_US = 500;
const BRIEF_WAIT_BUDGET_MS = BRIEF_WAIT_BUDGET_US / 1000;

/** After this many operations in a row that never waited, one yields to the event loop. */
export const SYNC_RUN_LIMIT = 256;

/** Runs `resume` after a turn of the event loop (timers and I/O get theirs first). */
export const yieldToEventLoop: (resume: () => void) => void = typeof setImmediate === "function"
  ? (resume) => setImmediate(resume)
  : (resume) => setTimeout(resume, 0);

let briefWaitsOn: boolean | undefined;

/** Brief waits need ppoll (Linux); ZMQ_BRIEF_WAITS=0 turns them off. */
function briefWaitsEnabled(): boolean {
  return briefWaitsOn ??= runtime.env("ZMQ_BRIEF_WAITS") !== "0" && loadPpoll() !== null;
}

const timespec = new BigInt64Array(2); // struct timespec { time_t tv_sec; long tv_nsec; }

/** Blocks up to `microseconds` until one of the first `count` fds is signalled. */
function ppollFor(pollfds: PollfdList, count: number, microseconds: number): boolean {
  timespec[0] = 0n;
  timespec[1] = BigInt(Math.max(0, Math.round(microseconds * 1000)));
  const sizeArgument = loadNative().sizeArgument(count);
  return loadPpoll()!.ppoll(pollfds.bytes, sizeArgument, timespec, null) > 0;
}

/**
 * The recent waits of one waiter (a socket's engine, a Poller): how long they
 * took, whether a brief wait is worth trying, and the run of operations that
 * completed without waiting.
 */
export class WaitHistory {
  #typicalMs = Infinity;
  #backoff = 0;
  #skips = 0;
  #syncRun = 0;

  /**
   * An operation completed without waiting: true when this one should
   * resolve after a turn of the event loop (see {@link yieldToEventLoop}).
   */
  completedAtOnce(): boolean {
    waitStatistics.completedAtOnce++;
    if (++this.#syncRun < SYNC_RUN_LIMIT) return false;
    this.#syncRun = 0;
    return true;
  }

  /** An operation has to wait: the run of immediate completions ends. */
  waiting(): void {
    this.#syncRun = 0;
  }

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
    if (milliseconds < BRIEF_WAIT_BUDGET_MS) this.#backoff = 0;
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
    if (!this.#worthTrying()) return false;
    const started = performance.now();
    const deadline = started + Math.min(BRIEF_WAIT_BUDGET_MS, limitMs);
    for (let now = started; now < deadline; now = performance.now()) {
      if (!ppollFor(pollfds, count(), (deadline - now) * 1000)) break;
      if (done()) {
        waitStatistics.brief++;
        this.record(performance.now() - started);
        return true;
      }
    }
    waitStatistics.briefRanOut++;
    this.#failed();
    return false;
  }

  #worthTrying(): boolean {
    if (this.#typicalMs > BRIEF_WAIT_BUDGET_MS || !briefWaitsEnabled()) return false;
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

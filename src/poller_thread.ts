/**
 * The poller thread: one background thread waits in poll() on every socket
 * that has an operation pending, so the JavaScript thread never blocks and
 * never spins. The JavaScript thread keeps every libzmq call; the poller
 * thread only watches file descriptors (its code: poller_thread_worker.ts).
 *
 * @module
 */
import process from "node:process";
import { setTimeout as setUnrefableTimeout } from "node:timers";
import { isMainThread, Worker } from "node:worker_threads";
import { loadLibc, runtime } from "../ffi/load.ts";
import type { Libc } from "../ffi/native.ts";
import { misuse } from "./errors.ts";
import {
  HEADER_BYTES,
  MAX_POLL_FDS,
  type PollerStart,
  SHARED_BYTES,
  Slot,
  WOKE_AT_BYTE,
} from "./poller_thread_protocol.ts";
import { waitStatistics } from "./wait_statistics.ts";
import { signalledNow, WaitHistory } from "./wait_policy.ts";
import { PollfdList } from "./pollfd_list.ts";
import { siblingModule } from "./sibling_module.ts";

/** Something that waits for its fd to become readable (a socket with a pending operation). */
export interface PollTarget {
  /** The fd to watch for readability (a socket's ZMQ_FD). */
  readonly fd: number;
  /** poll(2) events to watch for; default POLLIN (all a socket's ZMQ_FD needs). */
  readonly pollEvents?: number;
  /**
   * The fd was signalled: re-read the socket's state and serve what waits.
   * `here`: seen on this thread before a poller-thread cycle (so most likely
   * made ready by this thread's own work), not by the poller thread.
   */
  onSignal(here: boolean): void;
  /** The poller cannot run: fail what waits. */
  onPollerFailure(error: Error): void;
  /** False for background sockets (monitors, the ZAP handler) that must not keep the process alive. */
  readonly holdsProcess: boolean;
  /** True when this wait already spent a brief wait of its own on this thread, in vain. */
  readonly waitedBriefly?: boolean;
}

// A ref'd timer holds the process open while something waits: the poller
// thread is unref'd, and Bun also stalls cross-thread wake-ups without one.
const KEEP_ALIVE_MS = 1 << 30;
// Until the poller thread runs, waits are served by looking on this thread this often.
const STARTING_LOOK_MS = 1;
const START_EARLY = runtime.threadsStartSlowlyInWorkers && !isMainThread;

class PollerThread {
  #libc: Libc;
  #worker: Worker | undefined;
  #control: Int32Array;
  #wokeAt: Float64Array;
  #list: PollfdList;
  #wakeWrite = -1;
  #wakeRead = -1;
  #wakeByte = new Uint8Array(1);
  #waiting = new Set<PollTarget>();
  #holders = new Set<PollTarget>();
  #inFlight = new Set<PollTarget>();
  #inFlightOrder: PollTarget[] = [];
  #afterCycle: (() => void)[] = [];
  #polling = false;
  #startQueued = false;
  #wakeSent = false;
  #keepAlive: ReturnType<typeof setInterval> | undefined;
  #running = false;
  #startingLook: ReturnType<typeof setUnrefableTimeout> | undefined;
  #failure: Error | undefined;
  // For looking on this thread before each cycle (see #serveReadyHere).
  #hereList = new PollfdList(16);
  #history = new WaitHistory();
  #cycleStarted = 0;

  constructor() {
    const libc = loadLibc();
    if (libc === null) {
      throw new Error("Waiting on sockets needs libc's poll(), which this OS lacks");
    }
    this.#libc = libc;
    const shared = new SharedArrayBuffer(SHARED_BYTES);
    this.#control = new Int32Array(shared, 0, HEADER_BYTES / 4);
    this.#wokeAt = new Float64Array(shared, WOKE_AT_BYTE, 1);
    this.#list = new PollfdList(MAX_POLL_FDS, shared, HEADER_BYTES);
  }

  /** Starts waiting for `target`'s fd (idempotent). */
  watch(target: PollTarget): void {
    if (this.#failure !== undefined) {
      target.onPollerFailure(this.#failure);
      return;
    }
    if (this.#waiting.has(target)) return;
    if (this.#waiting.size + 1 >= MAX_POLL_FDS) {
      // One poll() list holds this many; beyond it a wait would never end.
      target.onPollerFailure(misuse(
        "EMFILE",
        `More than ${MAX_POLL_FDS - 2} sockets and fds are waiting at once in this thread; ` +
          "spread them over Workers or wait on fewer at a time",
      ));
      return;
    }
    this.#waiting.add(target);
    if (target.holdsProcess) {
      this.#holders.add(target);
      this.#holdProcess();
    }
    if (this.#polling) {
      if (!this.#inFlight.has(target)) this.#wake();
    } else {
      this.#queueStart();
    }
  }

  /** Stops waiting for `target`. A poll in progress may still hold its fd. */
  unwatch(target: PollTarget): void {
    if (!this.#waiting.delete(target)) return;
    if (this.#holders.delete(target) && this.#holders.size === 0) this.#releaseProcess();
  }

  /**
   * Runs `release` (closing the socket) once no poll() holds the target's fd:
   * closing an fd that poll() watches would leave the thread on a dead or reused fd.
   */
  release(target: PollTarget, release: () => void): void {
    this.unwatch(target);
    if (this.#polling && this.#inFlight.has(target)) {
      // Whoever awaits this close (a context terminating) needs the process alive.
      this.#afterCycle.push(release);
      this.#holdProcess();
      this.#wake();
    } else {
      release();
    }
  }

  #queueStart(): void {
    if (this.#startQueued) return;
    this.#startQueued = true;
    // One poll per tick, covering every socket that started waiting in it.
    queueMicrotask(() => {
      this.#startQueued = false;
      if (this.#polling || this.#waiting.size === 0) return;
      if (this.#serveReadyHere()) {
        // Their continuations (queued first) run before the next look.
        this.#queueStart();
        return;
      }
      if (this.#threadRunning()) this.#startCycle();
      else this.#lookAgainSoon();
    });
  }

  /**
   * True once the poller thread runs; starts it if need be. A thread started
   * from a Deno Worker takes ~0.5 s to run: the first waits would stall that
   * long (a Worker's first 100,000 messages went at ~150k msgs/s instead of
   * ~1M), so until then they are served by looking here every millisecond.
   */
  #threadRunning(): boolean {
    if (this.#running) return true;
    try {
      this.#ensureThread();
    } catch (error) {
      this.#fail(error instanceof Error ? error : new Error(String(error)));
      return false;
    }
    return this.#running = Atomics.load(this.#control, Slot.RUNNING) === 1;
  }

  #lookAgainSoon(): void {
    if (this.#startingLook !== undefined || this.#failure !== undefined) return;
    this.#startingLook = setUnrefableTimeout(() => {
      this.#startingLook = undefined;
      this.#queueStart();
    }, STARTING_LOOK_MS);
    // What holds the process while sockets wait is #keepAlive, as later.
    this.#startingLook.unref();
  }

  /**
   * Before handing the waits to the poller thread, looks on this thread: a
   * peer in this same thread (inproc, or over tcp through libzmq's I/O
   * thread) is made ready by this thread's own work, so its readiness shows
   * at once or within a brief wait, and a trip through the poller thread
   * (two thread wake-ups for each hop of a round trip) is saved. True when
   * some fd was signalled (its target has been told).
   */
  #serveReadyHere(): boolean {
    const targets = [...this.#waiting];
    const count = Math.min(targets.length, MAX_POLL_FDS);
    const list = this.#hereList;
    list.reserve(count);
    const write = () => {
      for (let i = 0; i < count; i++) list.set(i, targets[i].fd, targets[i].pollEvents);
      return count;
    };
    let signalled = false;
    const tell = () => {
      for (let i = 0; i < count; i++) {
        if (list.revents(i) === 0 || !this.#waiting.has(targets[i])) continue;
        signalled = true;
        this.#signal(targets[i], true);
      }
      return signalled;
    };
    if (signalledNow(list, write()) && tell()) return true;
    // Nothing yet: worth a brief wait where waits here have been short,
    // unless every waiter just spent one of its own in vain.
    if (targets.every((target) => target.waitedBriefly === true)) return false;
    return this.#history.waitBriefly(list, write, tell);
  }

  #signal(target: PollTarget, here: boolean): void {
    try {
      target.onSignal(here);
    } catch (error) {
      // One socket's failure must not stall the others.
      target.onPollerFailure(error instanceof Error ? error : new Error(String(error)));
    }
  }

  #ensureThread(): void {
    if (this.#worker !== undefined) return;
    const pipe = new Int32Array(2);
    if (this.#libc.pipe(pipe) !== 0) throw new Error("Cannot create the poller's wake-up pipe");
    [this.#wakeRead, this.#wakeWrite] = pipe;
    // workerData, not a message: a message to a thread started from a Deno
    // Worker arrives ~0.5-1 s late.
    const start: PollerStart = {
      shared: this.#control.buffer as SharedArrayBuffer,
      wakeFd: this.#wakeRead,
    };
    const worker = new Worker(siblingModule("poller_thread_worker", import.meta.url), {
      workerData: start,
    });
    worker.unref();
    worker.on("error", (error: Error) => this.#fail(error));
    this.#worker = worker;
    // Exiting stops every thread first, and a thread inside poll() cannot be
    // stopped (Node's exit waited for it forever): end the poll before that.
    process.once("exit", () => this.#stopThread());
  }

  /** Ends the poller thread's loop: it leaves poll() at once and does not poll again. */
  #stopThread(): void {
    Atomics.store(this.#control, Slot.STOP, 1);
    this.#libc.write(this.#wakeWrite, this.#wakeByte, 1);
    Atomics.store(this.#control, Slot.TURN, 1);
    Atomics.notify(this.#control, Slot.TURN);
  }

  /**
   * Starts the thread now, before anything waits, where starting one takes
   * long (see runtime.threadsStartSlowlyInWorkers): the first wait then does
   * not pay for it.
   */
  prepare(): void {
    if (!START_EARLY || this.#failure !== undefined) return;
    try {
      this.#ensureThread();
    } catch (error) {
      this.#fail(error instanceof Error ? error : new Error(String(error)));
    }
  }

  #startCycle(): void {
    this.#list.set(0, this.#wakeRead);
    const order = this.#inFlightOrder;
    order.length = 0;
    for (const target of this.#waiting) {
      if (order.length + 1 >= MAX_POLL_FDS) break;
      this.#list.set(order.length + 1, target.fd, target.pollEvents);
      order.push(target);
      this.#inFlight.add(target);
    }
    this.#cycleStarted = performance.now();
    const control = this.#control;
    const done = Atomics.load(control, Slot.DONE);
    Atomics.store(control, Slot.COUNT, order.length + 1);
    this.#polling = true;
    Atomics.store(control, Slot.TURN, 1);
    Atomics.notify(control, Slot.TURN);
    const result = Atomics.waitAsync(control, Slot.DONE, done);
    if (result.async) {
      result.value.then(() => this.#finishCycle());
    } else {
      queueMicrotask(() => this.#finishCycle());
    }
  }

  #finishCycle(): void {
    waitStatistics.threadWake(performance.timeOrigin + performance.now() - this.#wokeAt[0]);
    this.#polling = false;
    this.#wakeSent = false;
    const order = this.#inFlightOrder.slice();
    this.#inFlight.clear();
    const released = this.#afterCycle;
    this.#afterCycle = [];
    for (const release of released) release();
    if (released.length > 0 && this.#holders.size === 0) this.#releaseProcess();
    let signalled = false;
    for (let i = 0; i < order.length; i++) {
      const revents = this.#list.revents(i + 1);
      const target = order[i];
      if (revents !== 0 && this.#waiting.has(target)) {
        signalled = true;
        this.#signal(target, false);
      }
    }
    if (signalled) this.#history.record(performance.now() - this.#cycleStarted);
    if (this.#waiting.size > 0 && !this.#polling) this.#queueStart();
  }

  #wake(): void {
    if (this.#wakeSent || this.#wakeWrite < 0) return;
    this.#wakeSent = true;
    this.#libc.write(this.#wakeWrite, this.#wakeByte, 1);
  }

  #holdProcess(): void {
    this.#keepAlive ??= setInterval(() => {}, KEEP_ALIVE_MS);
  }

  #releaseProcess(): void {
    if (this.#keepAlive !== undefined) {
      clearInterval(this.#keepAlive);
      this.#keepAlive = undefined;
    }
  }

  #fail(error: Error): void {
    const permission = /read access/i.test(error.message);
    const hint = permission
      ? " (Deno: the library starts its poller thread from its own files, so it needs --allow-read as well as --allow-ffi)"
      : "";
    this.#failure = misuse(
      permission ? "EACCES" : "EFAULT",
      `The socket poller thread failed: ${error.message}${hint}`,
    );
    const targets = [...this.#waiting];
    this.#waiting.clear();
    this.#holders.clear();
    this.#releaseProcess();
    for (const target of targets) target.onPollerFailure(this.#failure);
  }
}

let shared: PollerThread | undefined;

/** The process's one poller thread, started on first use. */
export function pollerThread(): PollerThread {
  return shared ??= new PollerThread();
}

// Where starting the thread takes long, start it as this module loads: a
// Worker usually sets up for a while before its first wait.
if (START_EARLY) {
  try {
    pollerThread().prepare();
  } catch {
    // no libc or no permission: the first wait reports it
  }
}

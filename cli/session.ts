/**
 * One run of a command: the library, a context of its own, the sockets made,
 * stdout and stderr, live statistics, and a clean end on Ctrl-C, SIGTERM or a
 * closed stdout. Closing a session closes its sockets with their linger (so
 * queued messages still go out) and terminates the context.
 *
 * @module
 */
import process from "node:process";
import type * as Zmq from "../mod.ts";
import { Output, Reporter, stderrIsTerminal } from "./output.ts";
import { Progress, Stats } from "./progress.ts";
import { RuntimeError } from "./errors.ts";

/** The library module, loaded only once a command needs libzmq. */
export type ZmqModule = typeof Zmq;

/** Each socket type's class, by its zmq.h name. */
export type SocketClasses = typeof import("../src/socket_classes.ts").socketClasses;

/** Loads the library (and with it libzmq). */
export async function loadLibrary(): Promise<ZmqModule> {
  return await import("../mod.ts");
}

/** What a session needs from the command line. */
export interface SessionOptions {
  /** "zmq push": the label of notes and the progress line. */
  label: string;
  quiet?: boolean;
  verbose?: boolean;
  /** --progress: draw progress even when stderr is not a terminal. */
  progress?: boolean;
}

const SIGNALS = ["SIGINT", "SIGTERM"] as const;

/** A command's run; see the module doc. */
export class Session {
  readonly zmq: ZmqModule;
  readonly socketClasses: SocketClasses;
  readonly context: Zmq.Context;
  readonly reporter: Reporter;
  readonly output: Output;
  readonly stats: Stats = new Stats();
  #stop = new AbortController();
  #sockets: Zmq.Socket[] = [];
  #options: SessionOptions;
  #onSignal = (signal: string) => this.#signalled(signal);
  #signals = 0;
  #closed = false;
  #failure: Error | undefined;

  private constructor(zmq: ZmqModule, socketClasses: SocketClasses, options: SessionOptions) {
    this.zmq = zmq;
    this.socketClasses = socketClasses;
    this.#options = options;
    this.context = new zmq.Context();
    this.reporter = new Reporter(options.label, options);
    this.output = new Output((error) => {
      if (error === undefined) this.reporter.detail("stdout was closed; stopping");
      else this.#failure ??= new RuntimeError(`cannot write to stdout: ${messageOf(error)}`);
      this.stop();
    });
    for (const signal of SIGNALS) {
      try {
        process.on(signal, this.#onSignal);
      } catch {
        // Not every platform has every signal (SIGTERM on Windows).
      }
    }
  }

  /** Loads the library and starts a session. */
  static async open(options: SessionOptions): Promise<Session> {
    const zmq = await loadLibrary();
    const { socketClasses } = await import("../src/socket_classes.ts");
    return new Session(zmq, socketClasses, options);
  }

  /** Aborts when the run should end (a signal, a closed stdout, {@link Session.stop}). */
  get signal(): AbortSignal {
    return this.#stop.signal;
  }

  /** True once the run was asked to end. */
  get stopped(): boolean {
    return this.#stop.signal.aborted;
  }

  /** Asks the run to end: every wait given {@link Session.signal} gives up. */
  stop(): void {
    if (!this.stopped) this.#stop.abort();
  }

  /** Remembers a socket so that closing the session closes it. */
  track<T extends Zmq.Socket>(socket: T): T {
    this.#sockets.push(socket);
    return socket;
  }

  /**
   * Starts the progress line if it should show: stderr is a terminal and not
   * --quiet, or --progress. `show` picks the directions counted;
   * `extra` replaces the counts with a text of its own.
   * True when it shows.
   */
  startProgress(
    options: { show?: ("sent" | "received")[]; extra?: () => string | undefined } = {},
  ): boolean {
    const terminal = stderrIsTerminal();
    const forced = this.#options.progress === true;
    if (!forced && (!terminal || this.reporter.quiet)) return false;
    const progress = new Progress(this.#options.label, this.stats, {
      inPlace: terminal,
      ...options,
    });
    this.reporter.progress = progress;
    progress.start();
    return true;
  }

  /** Resolves after `ms`, or early when the run is stopped. */
  pause(ms: number): Promise<void> {
    if (ms <= 0 || this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.signal.addEventListener("abort", done, { once: true });
    });
  }

  /**
   * Ends the run: progress off, output flushed, sockets closed, context
   * terminated. `failed` drops unsent messages instead of lingering.
   */
  async close(failed = false): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.reporter.progress?.stop();
    this.reporter.progress = undefined;
    await this.output.end();
    for (const socket of this.#sockets) {
      try {
        if (failed && !socket.closed) socket.setOption("linger", 0);
      } catch {
        // a socket still lent to a proxy keeps its linger
      }
      try {
        socket.close();
      } catch {
        // closing is best effort at the end
      }
    }
    // Waits for each socket's linger, so queued messages leave before exit.
    await this.context.terminate();
    for (const signal of SIGNALS) {
      try {
        process.off(signal, this.#onSignal);
      } catch {
        // as in the constructor
      }
    }
    // A failure outside the command's own flow (stdout broke) still fails the run.
    if (this.#failure !== undefined) throw this.#failure;
  }

  #signalled(signal: string): void {
    this.#signals++;
    if (this.#signals > 1) {
      // A second Ctrl-C means now, whatever is still queued.
      process.exit(130);
    }
    this.reporter.detail(`${signal}: stopping`);
    this.stop();
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** True when `error` is the rejection of a wait that {@link Session.signal} cut short. */
export function isAbort(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === "AbortError";
}

/** True when `error` is a ZmqError for a wait that timed out. */
export function isTimeout(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "EAGAIN";
}

/**
 * Where output goes: messages to stdout (buffered, with back-pressure, and a
 * closed pipe such as `| head -1` ending the command quietly), notes and
 * errors to stderr, which they share with the progress line.
 *
 * @module
 */
import process from "node:process";
import { setImmediate } from "node:timers";
import { isatty } from "node:tty";
import type { Progress } from "./progress.ts";

const FLUSH_AT = 64 * 1024;

/** True when `error` says the reader of a pipe went away. */
function isBrokenPipe(error: unknown): boolean {
  const { code, name } = (error ?? {}) as { code?: unknown; name?: unknown };
  return code === "EPIPE" || name === "BrokenPipe" || code === "ERR_STREAM_DESTROYED";
}

/** Lines to stdout, batched so that a fast receiver is not slowed by one write per message. */
export class Output {
  #chunks: string[] = [];
  #size = 0;
  #scheduled = false;
  #waiting: Promise<void> | undefined;
  #closed = false;
  #onClosed: (error?: unknown) => void;

  /**
   * `onClosed` runs once if stdout stops taking output: without an argument
   * when its reader went away (a normal end), with the error otherwise.
   */
  constructor(onClosed: (error?: unknown) => void) {
    this.#onClosed = onClosed;
    process.stdout.on("error", (error: unknown) => this.#fail(error));
  }

  /** True once stdout's reader went away. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Queues one line. Returns a promise only when stdout is behind: await it
   * before producing more.
   */
  line(text: string): Promise<void> | undefined {
    if (this.#closed) return undefined;
    this.#chunks.push(text, "\n");
    this.#size += text.length + 1;
    if (this.#size >= FLUSH_AT) this.flush();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => {
        this.#scheduled = false;
        this.flush();
      });
    }
    return this.#waiting;
  }

  /** Writes what is queued now. */
  flush(): void {
    if (this.#size === 0 || this.#closed) return;
    const text = this.#chunks.join("");
    this.#chunks = [];
    this.#size = 0;
    try {
      const more = process.stdout.write(text);
      if (!more && this.#waiting === undefined) {
        this.#waiting = new Promise((resolve) => {
          process.stdout.once("drain", () => {
            this.#waiting = undefined;
            resolve();
          });
        });
      }
    } catch (error) {
      this.#fail(error);
    }
  }

  /** Flushes and waits until stdout has taken everything. */
  async end(): Promise<void> {
    this.flush();
    if (this.#closed) return;
    await new Promise<void>((resolve) => {
      try {
        process.stdout.write("", () => resolve());
      } catch {
        resolve();
      }
    });
  }

  #fail(error: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#chunks = [];
    this.#size = 0;
    this.#onClosed(isBrokenPipe(error) ? undefined : error);
  }
}

/** Notes and errors on stderr, kept off the progress line. */
export class Reporter {
  readonly quiet: boolean;
  readonly verbose: boolean;
  /** The label in front of every note: "zmq" or "zmq push". */
  readonly label: string;
  progress: Progress | undefined;

  /** A reporter for `label` honouring --quiet and --verbose. */
  constructor(label: string, options: { quiet?: boolean; verbose?: boolean }) {
    this.label = label;
    this.quiet = options.quiet === true;
    this.verbose = !this.quiet && options.verbose === true;
  }

  /** A note worth showing unless --quiet (a wildcard bind's real endpoint). */
  note(message: string): void {
    if (!this.quiet) this.#write(message);
  }

  /** A note shown only with --verbose. */
  detail(message: string): void {
    if (this.verbose) this.#write(message);
  }

  /** An error line; always shown. */
  error(message: string): void {
    this.#write(message);
  }

  #write(message: string): void {
    this.progress?.interrupt();
    process.stderr.write(`zmq: ${message}\n`);
  }
}

/** True when stderr is a terminal (progress is drawn only there unless forced). */
export function stderrIsTerminal(): boolean {
  return isatty(2);
}

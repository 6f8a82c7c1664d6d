/**
 * Live counts and rates on stderr: one line rewritten in place a few times a
 * second when stderr is a terminal, nothing otherwise (or, with --progress,
 * one plain line per second, for logs).
 *
 * @module
 */
import process from "node:process";
import { clearInterval, setInterval } from "node:timers";

/** Messages and bytes one direction has moved. */
export interface Tally {
  messages: number;
  bytes: number;
}

/** What a command moved so far; the progress line and the totals read it. */
export class Stats {
  readonly sent: Tally = { messages: 0, bytes: 0 };
  readonly received: Tally = { messages: 0, bytes: 0 };
  readonly started: number = performance.now();

  /** Counts one message sent. */
  countSent(bytes: number): void {
    this.sent.messages++;
    this.sent.bytes += bytes;
  }

  /** Counts one message received. */
  countReceived(bytes: number): void {
    this.received.messages++;
    this.received.bytes += bytes;
  }
}

/** 12345 -> "12,345". */
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString("en-US");
}

/** A byte rate or size, in the unit that reads best. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${Math.round(bytes)} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} kB`;
  if (bytes < 1e9) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e9).toFixed(2)} GB`;
}

/** "sent 1,234 (567 msg/s, 1.2 MB/s)" for one direction over one interval. */
export function describeTally(
  verb: string,
  now: Tally,
  before: Tally,
  seconds: number,
): string {
  const rate = seconds > 0 ? (now.messages - before.messages) / seconds : 0;
  const bytes = seconds > 0 ? (now.bytes - before.bytes) / seconds : 0;
  return `${verb} ${formatCount(now.messages)} (${formatCount(rate)} msg/s, ${
    formatBytes(bytes)
  }/s)`;
}

/** Where progress goes; a stream in tests, process.stderr otherwise. */
export interface LineSink {
  write(text: string): unknown;
}

/** The updating line. Other stderr output goes through {@link Progress.interrupt}. */
export class Progress {
  #label: string;
  #stats: Stats;
  #sink: LineSink;
  #inPlace: boolean;
  #timer: ReturnType<typeof setInterval> | undefined;
  #shown = false;
  #last: { sent: Tally; received: Tally; at: number };
  #extra: (() => string | undefined) | undefined;
  #show: readonly ("sent" | "received")[];

  /**
   * `inPlace`: rewrite one line (a terminal); otherwise print a line per tick.
   * `show` picks the directions to count; `extra` replaces the counts with a
   * text of the command's own (a proxy's traffic).
   */
  constructor(
    label: string,
    stats: Stats,
    options: {
      inPlace: boolean;
      sink?: LineSink;
      show?: readonly ("sent" | "received")[];
      extra?: () => string | undefined;
    },
  ) {
    this.#label = label;
    this.#stats = stats;
    this.#sink = options.sink ?? process.stderr;
    this.#inPlace = options.inPlace;
    this.#extra = options.extra;
    this.#show = options.show ?? ["sent", "received"];
    this.#last = this.#snapshot();
  }

  /** Starts updating: every 250 ms in place, every second as lines. */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.render(), this.#inPlace ? 250 : 1000);
    // Progress alone must never keep the process alive.
    this.#timer.unref();
  }

  /** The current line, and the rates since the last call. */
  line(): string {
    const now = this.#snapshot();
    const before = this.#last;
    const seconds = (now.at - before.at) / 1000;
    this.#last = now;
    if (this.#extra !== undefined) return `${this.#label}: ${this.#extra() ?? "starting"}`;
    const parts: string[] = [];
    const { sent, received } = this.#stats;
    const show = this.#show;
    if (show.includes("sent") && (sent.messages > 0 || !show.includes("received"))) {
      parts.push(describeTally("sent", now.sent, before.sent, seconds));
    }
    if (show.includes("received") && (received.messages > 0 || parts.length === 0)) {
      parts.push(describeTally("received", now.received, before.received, seconds));
    }
    return `${this.#label}: ${parts.join(", ")}`;
  }

  /** Draws the line now. */
  render(): void {
    const text = this.line();
    if (this.#inPlace) {
      this.#sink.write(`\r\x1b[2K${text}`);
      this.#shown = true;
    } else {
      this.#sink.write(`${text}\n`);
    }
  }

  /** Clears the line so other stderr output starts on a clean line; it redraws on the next tick. */
  interrupt(): void {
    if (this.#shown) {
      this.#sink.write("\r\x1b[2K");
      this.#shown = false;
    }
  }

  /** Stops updating and removes the line. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.interrupt();
  }

  #snapshot() {
    return {
      sent: { ...this.#stats.sent },
      received: { ...this.#stats.received },
      at: performance.now(),
    };
  }
}

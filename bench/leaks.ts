/**
 * Leak hunting, reported as figures (not asserted): file descriptors and RSS
 * at the start, the peak and the end of
 *
 * - sockets: opening and closing `--sockets` sockets (every type, in batches;
 *   some bind tcp or inproc, some connect),
 * - contexts: `--contexts` contexts, each with a Pair round trip, terminated,
 * - messages: `--messages` messages PUSH -> PULL over tcp (16 B, every
 *   10,000th 64 KiB), RSS sampled every million,
 * - finalizer: `--abandoned` sockets dropped without close(), reclaimed by
 *   the finalizer safety net under forced garbage collection.
 *
 * ```sh
 * deno run -A --v8-flags=--expose-gc bench/leaks.ts [--sockets 100000]
 *     [--contexts 5000] [--messages 10000000] [--abandoned 1000]
 *     [--only sockets,contexts,messages,finalizer]
 * bun bench/leaks.ts ...
 * ```
 *
 * Prints a table, then one JSON line per section. fds are counted in
 * /proc/self/fd (Linux); elsewhere they show as -1.
 *
 * @module
 */
import { existsSync, readdirSync } from "node:fs";
import process from "node:process";
import * as zmq from "../mod.ts";
import { emit, num, parseArgs, runtime, watchdog } from "./common.ts";

const args = parseArgs(process.argv.slice(2), {
  sockets: "100000",
  contexts: "5000",
  messages: "10000000",
  abandoned: "1000",
  only: "sockets,contexts,messages,finalizer",
  timeout: "1800",
});
const only = new Set(String(args.only).split(","));
const cancel = watchdog("leaks.ts", num(args, "timeout"));

const mib = (bytes: number) => Math.round(bytes / 104857.6) / 10;
const rss = () => process.memoryUsage().rss;
const fds = () => existsSync("/proc/self/fd") ? readdirSync("/proc/self/fd").length : -1;
const g = globalThis as { gc?: () => void; Bun?: { gc(force: boolean): void } };
const canCollect = g.Bun !== undefined || typeof g.gc === "function";
function collect(): void {
  if (g.Bun !== undefined) g.Bun.gc(true);
  else g.gc?.();
}
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Start, peak and end of one measure. */
class Track {
  start: number;
  peak: number;
  end: number;
  constructor(private read: () => number) {
    this.start = this.peak = this.end = read();
  }
  sample(): number {
    const value = this.read();
    if (value > this.peak) this.peak = value;
    this.end = value;
    return value;
  }
}

/** Collects garbage a few times (where allowed), so the end figures show what stays. */
async function settleHeap(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    collect();
    await tick();
  }
}
const heapMiB = () => mib(process.memoryUsage().heapUsed);

/** Waits (up to `ms`) for libzmq's reaper to give fds back after closes. */
async function settleFds(target: number, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (fds() > target && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const rows: string[][] = [];
function report(
  section: string,
  count: number,
  seconds: number,
  fd: Track,
  memory: Track,
  extra: Record<string, unknown> = {},
) {
  rows.push([
    section,
    count.toLocaleString("en-US"),
    `${fd.start} / ${fd.peak} / ${fd.end}`,
    `${mib(memory.start)} / ${mib(memory.peak)} / ${mib(memory.end)}`,
    seconds.toFixed(1),
  ]);
  emit({
    test: "leaks",
    section,
    count,
    seconds: Math.round(seconds * 10) / 10,
    fds_start: fd.start,
    fds_peak: fd.peak,
    fds_end: fd.end,
    rss_start_mb: mib(memory.start),
    rss_peak_mb: mib(memory.peak),
    rss_end_mb: mib(memory.end),
    heap_used_end_mb: heapMiB(),
    ...extra,
  });
}

const CLASSES = [
  zmq.Pair,
  zmq.Publisher,
  zmq.Subscriber,
  zmq.XPublisher,
  zmq.XSubscriber,
  zmq.Request,
  zmq.Reply,
  zmq.Dealer,
  zmq.Router,
  zmq.Push,
  zmq.Pull,
  zmq.Stream,
] as const;

// ---------------------------------------------------------------- sockets

// libzmq frees a closed socket's slot (ZMQ_MAX_SOCKETS, 1023 per context) on
// its reaper thread, a little later: closing and opening faster than that
// gives EMFILE for a moment. Such waits are counted, not hidden.
let slotWaits = 0;
async function create<T>(make: () => T): Promise<T> {
  for (let attempt = 0;; attempt++) {
    try {
      return make();
    } catch (error) {
      if ((error as { code?: string }).code !== "EMFILE" || attempt > 1000) throw error;
      slotWaits++;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

async function sockets(total: number): Promise<void> {
  const batch = 500; // well under ZMQ_MAX_SOCKETS (1023)
  // Warm up the poller thread and the default context before the baseline.
  const warm = new zmq.Pull({ linger: 0 });
  await warm.receive({ timeout: 1 }).catch(() => {});
  warm.close();
  await settleFds(0, 200);
  const fd = new Track(fds);
  const memory = new Track(rss);
  const started = performance.now();
  const listener = new zmq.Pull({ linger: 0 });
  await listener.bind("tcp://127.0.0.1:*");
  const target = listener.lastEndpoint!;
  for (let done = 0; done < total; done += batch) {
    const open: zmq.Socket[] = [];
    for (let i = 0; i < batch && done + i < total; i++) {
      const n = done + i;
      const Class = CLASSES[n % CLASSES.length];
      const socket = await create(() => new Class({ linger: 0 }) as zmq.Socket);
      if (n % 50 === 0 && Class !== zmq.Stream) await socket.bind("tcp://127.0.0.1:*");
      else if (n % 50 === 1 && Class !== zmq.Stream) {
        await socket.bind(`inproc://leaks-${n}`);
      } else if (n % 50 === 2 && Class === zmq.Push) socket.connect(target);
      open.push(socket);
    }
    fd.sample();
    memory.sample();
    for (const socket of open) socket.close();
    await tick();
  }
  listener.close();
  await settleFds(fd.start);
  await settleHeap();
  fd.sample();
  memory.sample();
  report("sockets", total, (performance.now() - started) / 1000, fd, memory, {
    emfile_waits: slotWaits,
  });
}

// ---------------------------------------------------------------- contexts

async function contexts(total: number): Promise<void> {
  const fd = new Track(fds);
  const memory = new Track(rss);
  const started = performance.now();
  for (let n = 0; n < total; n++) {
    const context = new zmq.Context();
    const a = new zmq.Pair({ context, linger: 0 });
    const b = new zmq.Pair({ context, linger: 0 });
    await a.bind(`inproc://leaks-context-${n}`);
    b.connect(`inproc://leaks-context-${n}`);
    await b.send("ping");
    await a.receive();
    if (n % 100 === 0) {
      fd.sample();
      memory.sample();
    }
    a.close();
    b.close();
    await context.terminate();
  }
  await settleFds(fd.start);
  await settleHeap();
  fd.sample();
  memory.sample();
  report("contexts", total, (performance.now() - started) / 1000, fd, memory);
}

// ---------------------------------------------------------------- messages

async function messages(total: number): Promise<void> {
  const pull = new zmq.Pull({ linger: 0 });
  await pull.bind("tcp://127.0.0.1:*");
  const push = new zmq.Push({ linger: 0 });
  push.connect(pull.lastEndpoint!);
  const small = new Uint8Array(16).fill(1);
  const large = new Uint8Array(64 * 1024).fill(2);
  const every = 1_000_000;
  const fd = new Track(fds);
  const memory = new Track(rss);
  const samples: number[] = [];
  const started = performance.now();
  const window = 1_000;
  const receiving = (async () => {
    let received = 0;
    for await (const [frame] of pull) {
      received++;
      if (frame.byteLength !== (received % 10_000 === 0 ? large.byteLength : 16)) {
        throw new Error(`message ${received} has ${frame.byteLength} bytes`);
      }
      if (received % every === 0) {
        samples.push(mib(memory.sample()));
        fd.sample();
      }
      if (received === total) return;
    }
  })();
  for (let sent = 1; sent <= total; sent++) {
    await push.send(sent % 10_000 === 0 ? large : small);
    // Keep the queue bounded by waiting on the receiver now and then.
    if (sent % window === 0) await tick();
  }
  await receiving;
  const seconds = (performance.now() - started) / 1000;
  push.close();
  pull.close();
  await settleHeap();
  memory.sample();
  const warm = samples[0] ?? mib(memory.start);
  const growth = Math.round((mib(memory.end) - warm) * 10) / 10;
  report("messages", total, seconds, fd, memory, {
    rss_warm_mb: warm,
    growth_after_warmup_mb: growth,
    samples_mb: samples,
    messages_per_second: Math.round(total / seconds),
  });
}

// ---------------------------------------------------------------- finalizer

async function finalizer(total: number): Promise<void> {
  if (!canCollect) {
    console.error("finalizer: skipped (Deno needs --v8-flags=--expose-gc)");
    return;
  }
  await settleFds(0, 200);
  const fd = new Track(fds);
  const memory = new Track(rss);
  const started = performance.now();
  let collected = 0;
  const watch = new FinalizationRegistry<number>(() => collected++);
  const peer = new zmq.Pull({ linger: 0 });
  await peer.bind("tcp://127.0.0.1:*");
  const endpoint = peer.lastEndpoint!;
  (() => {
    for (let n = 0; n < total; n++) {
      // Never closed, never referenced again.
      const socket = n % 2 === 0 ? new zmq.Push({ linger: 0 }) : new zmq.Dealer({ linger: 0 });
      socket.connect(endpoint);
      watch.register(socket, n);
    }
  })();
  fd.sample();
  memory.sample();
  const deadline = Date.now() + 30_000;
  while (collected < total && Date.now() < deadline) {
    collect();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  // Our registry ran; give the library's own finalizer and libzmq's reaper a moment.
  for (let i = 0; i < 20; i++) {
    collect();
    await tick();
  }
  peer.close();
  await settleFds(fd.start - total); // the sockets' own fds must all be gone
  await settleHeap();
  fd.sample();
  memory.sample();
  report("finalizer", total, (performance.now() - started) / 1000, fd, memory, {
    reclaimed: collected,
  });
}

// ---------------------------------------------------------------- main

const baselineFds = fds();
const baselineRss = rss();
if (only.has("sockets")) await sockets(num(args, "sockets"));
if (only.has("contexts")) await contexts(num(args, "contexts"));
if (only.has("messages")) await messages(num(args, "messages"));
if (only.has("finalizer")) await finalizer(num(args, "abandoned"));
cancel();

console.error(
  `\nleaks (${runtime}, zmq ${zmq.version}): process fds ${baselineFds} -> ${fds()}, ` +
    `RSS ${mib(baselineRss)} -> ${mib(rss())} MiB\n`,
);
const header = ["section", "count", "fds start / peak / end", "RSS MiB start / peak / end", "s"];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ");
console.error(line(header));
for (const row of rows) console.error(line(row));

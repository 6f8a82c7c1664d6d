/**
 * REQ <-> REP round trip for Deno and Bun, against ../mod.ts. Same
 * measurement and JSON line as c/latency.c and node/latency.mjs.
 *
 * ```sh
 * deno run -A bench/latency.ts [--endpoint tcp://127.0.0.1:*] [--size 16]
 *     [--count 20000] [--warmup 100] [--mode two-process|one-process]
 *     [--style await|try] [--timeout 120]
 * bun bench/latency.ts ...same arguments...
 * ```
 *
 * This process binds a REQ; the REP echo peer connects to it, in a child
 * process (two-process, the default; the child runs the same style) or in
 * this process (one-process). Style "await": `await send` / `await receive`.
 * Style "try": `trySend` / `tryReceive` busy loops that fall back to awaiting.
 * Style "blocking": `await send` / `await receive` on sockets made with
 * `blocking: true` (waits block the thread in poll(), as pyzmq's do).
 * Warm-up round trips (connection setup) are not timed. Prints
 * `{"impl":"deno"|"bun","test":"latency","style":..,"transport":..,"mode":..,
 * "size":..,"count":..,"rtt_us":..}`.
 *
 * @module
 */
import process from "node:process";
import type { ChildProcess } from "node:child_process";
import * as zmq from "../mod.ts";
import { waitStatistics, WAKE_BUCKETS_US } from "../src/wait_statistics.ts";
import {
  benchOptions,
  emit,
  now,
  num,
  parentGone,
  parseArgs,
  spawnSelf,
  transportOf,
  watchdog,
} from "./common.ts";

const args = parseArgs(process.argv.slice(2), {
  endpoint: "tcp://127.0.0.1:*",
  size: "16",
  count: "20000",
  warmup: "100",
  mode: "two-process",
  style: "await",
  timeout: "120",
  child: "",
});
const { endpoint, size, count, style, timeout, mode } = benchOptions(args);
const warmup = num(args, "warmup");
const total = count + warmup;
/** Where the timed side got to, for the watchdog's message on a hang. */
let progress = "starting";

async function send(
  socket: zmq.Request | zmq.Reply,
  frame: Uint8Array,
): Promise<void> {
  if (style !== "try" || !socket.trySend(frame)) await socket.send(frame);
}

async function receive(socket: zmq.Request | zmq.Reply): Promise<Uint8Array> {
  const msg = style !== "try"
    ? await socket.receive()
    : socket.tryReceive() ?? await socket.receive();
  return msg[0];
}

/** Echoes n requests on a REP connected to peer; returns the open socket. */
async function echo(peer: string, n: number): Promise<zmq.Reply> {
  const rep = new zmq.Reply({ blocking: style === "blocking" });
  rep.connect(peer);
  for (let i = 0; i < n; i++) await send(rep, await receive(rep));
  return rep;
}

async function pingPong(req: zmq.Request): Promise<number> {
  const frame = new Uint8Array(size);
  let start = 0;
  for (let i = 0; i < total; i++) {
    if (i === warmup) {
      start = now();
      waitStatistics.reset();
    }
    progress = `round trip ${i + 1} of ${total}: sending`;
    await send(req, frame);
    progress = `round trip ${i + 1} of ${total}: waiting for the reply`;
    const reply = await receive(req);
    if (reply.length !== size) {
      throw new Error(`wrong reply size ${reply.length}`);
    }
  }
  return now() - start;
}

/**
 * Where the timed side's waits ended (`waits`): operations that did not wait,
 * brief waits on this thread, waits through the poller thread, and how long
 * the poller thread's wake-ups took to reach this thread (mean and histogram
 * by upper bound in µs).
 */
function waitBreakdown(): Record<string, unknown> {
  const s = waitStatistics;
  return {
    at_once: s.completedAtOnce,
    brief: s.brief,
    brief_ran_out: s.briefRanOut,
    thread: s.thread,
    thread_wake_us: s.wakes === 0 ? 0 : Math.round(s.wakeMicroseconds / s.wakes),
    thread_wake_histogram: Object.fromEntries(
      WAKE_BUCKETS_US.map((
        bound,
        i,
      ) => [bound === Infinity ? "more" : `<${bound}`, s.wakeHistogram[i]]),
    ),
  };
}

async function main(): Promise<void> {
  let kid: ChildProcess | undefined;
  const cancel = watchdog("latency.ts", timeout, () => kid, () => progress);
  const req = new zmq.Request({ blocking: style === "blocking" });
  await req.bind(endpoint);
  let peer: Promise<number>;
  if (mode === "two-process") {
    const spawned = spawnSelf(import.meta.url, [
      "--child",
      req.lastEndpoint!,
      "--count",
      String(total),
      "--warmup",
      "0",
      "--style",
      style,
    ]);
    kid = spawned.child;
    peer = spawned.exited;
  } else {
    peer = echo(req.lastEndpoint!, total).then((rep) => {
      rep.close();
      return 0;
    });
  }
  const elapsed = await pingPong(req);
  progress = "done; waiting for the peer to exit";
  kid?.stdin?.end();
  const code = await peer;
  cancel();
  req.close();
  emit({
    test: "latency",
    style,
    transport: transportOf(endpoint),
    mode,
    size,
    count,
    rtt_us: Math.round(elapsed / count * 1e8) / 100,
    waits: waitBreakdown(),
  });
  if (code !== 0) process.exitCode = 1;
}

if (args.child) {
  // Keep the REP open until the parent has its last reply and closes our
  // stdin (closing right after the last send can drop that reply); exit as
  // well if the parent dies, so a killed run leaves no straggler.
  const gone = parentGone();
  const rep = await Promise.race([echo(String(args.child), count), gone]);
  await gone;
  rep?.close();
  process.exit(0);
} else {
  await main();
}

/**
 * The Poller's wake-up latency next to a plain `receive()`: a REQ <-> REP
 * ping-pong where the timed side waits for each reply in one of three ways,
 * against the same echo peer:
 *
 * - `receive`: `await req.receive()`
 * - `poller`:  `await poller.wait()` on a Poller holding the REQ, then `req.tryReceive()`
 * - `poll`:    `await zmq.poll([{ socket: req, readable: true }])`, then `req.tryReceive()`
 *
 * ```sh
 * deno run -A bench/poll_latency.ts [--endpoint tcp://127.0.0.1:*] [--size 16]
 *     [--count 2000] [--warmup 200] [--rounds 7] [--style all|receive|poller|poll]
 *     [--timeout 120]
 * bun bench/poll_latency.ts ...same arguments...
 * ZMQ_BRIEF_WAITS=0 deno run -A bench/poll_latency.ts   # every wait via the poller thread
 * ```
 *
 * The REP echo peer runs in a child process (for inproc: in this process) and
 * always uses `receive()`. Styles are interleaved over `--rounds` rounds and
 * each reports its median. Prints a table, then one JSON line per style:
 * `{"impl":"deno"|"bun","test":"poll_latency","style":..,"transport":..,
 * "size":..,"count":..,"brief_waits":..,"rtt_us":..}`.
 *
 * @module
 */
import process from "node:process";
import type { ChildProcess } from "node:child_process";
import * as zmq from "../mod.ts";
import {
  emit,
  num,
  parentGone,
  parseArgs,
  runtime,
  spawnSelf,
  transportOf,
  watchdog,
} from "./common.ts";

const STYLES = ["receive", "poller", "poll"] as const;
type Style = typeof STYLES[number];

const args = parseArgs(process.argv.slice(2), {
  endpoint: "tcp://127.0.0.1:*",
  size: "16",
  count: "2000",
  warmup: "200",
  rounds: "7",
  style: "all",
  timeout: "120",
  child: "",
});
const endpoint = String(args.endpoint);
const size = num(args, "size");
const count = num(args, "count");
const warmup = num(args, "warmup");
const rounds = num(args, "rounds");
const timeout = num(args, "timeout");
const styles: readonly Style[] = args.style === "all"
  ? STYLES
  : STYLES.includes(args.style as Style)
  ? [args.style as Style]
  : (() => {
    throw new Error(`--style must be all, ${STYLES.join(", ")}`);
  })();
const briefWaits = process.env.ZMQ_BRIEF_WAITS !== "0";
let progress = "starting";

/** Echoes every request until the socket closes. */
async function echo(rep: zmq.Reply): Promise<void> {
  try {
    for (;;) await rep.send(await rep.receive());
  } catch (error) {
    if (!rep.closed) throw error;
  }
}

/** `n` round trips waiting in `style`; returns seconds. */
async function pingPong(req: zmq.Request, style: Style, n: number): Promise<number> {
  const frame = new Uint8Array(size);
  const poller = new zmq.Poller().add(req, "readable");
  const items = [{ socket: req, readable: true }];
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    progress = `${style}: round trip ${i + 1} of ${n}`;
    await req.send(frame);
    let reply: Uint8Array[] | null;
    if (style === "receive") {
      reply = await req.receive();
    } else {
      const ready = style === "poller" ? await poller.wait() : await zmq.poll(items);
      reply = ready.length === 1 ? req.tryReceive() : null;
    }
    if (reply === null || reply[0].length !== size) throw new Error(`${style}: bad reply`);
  }
  return (performance.now() - start) / 1000;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
  let kid: ChildProcess | undefined;
  const cancel = watchdog("poll_latency.ts", timeout, () => kid, () => progress);
  const req = new zmq.Request();
  await req.bind(endpoint);
  let local: zmq.Reply | undefined;
  let echoing: Promise<void> | undefined;
  if (endpoint.startsWith("inproc://")) {
    local = new zmq.Reply();
    local.connect(req.lastEndpoint!);
    echoing = echo(local);
  } else {
    kid = spawnSelf(import.meta.url, ["--child", req.lastEndpoint!]).child;
  }
  for (const style of styles) await pingPong(req, style, warmup);
  const times = new Map<Style, number[]>(styles.map((style) => [style, []]));
  for (let round = 0; round < rounds; round++) {
    for (const style of styles) times.get(style)!.push(await pingPong(req, style, count));
  }
  progress = "done";
  kid?.stdin?.end();
  local?.close();
  await echoing;
  req.close();
  cancel();

  const label: Record<Style, string> = {
    receive: "await receive()",
    poller: "await poller.wait() + tryReceive()",
    poll: "await zmq.poll([...]) + tryReceive()",
  };
  const results = styles.map((style) => ({
    style,
    rtt_us: Math.round(median(times.get(style)!) / count * 1e8) / 100,
  }));
  const base = results.find((r) => r.style === "receive")?.rtt_us;
  console.log(
    `REQ/REP round trip, ${runtime}, ${transportOf(endpoint)}, ${size} B, ` +
      `${count} round trips x ${rounds} rounds (median), brief waits ${briefWaits ? "on" : "off"}`,
  );
  for (const { style, rtt_us } of results) {
    const ratio = base !== undefined && style !== "receive"
      ? `  (${(rtt_us / base).toFixed(2)}x)`
      : "";
    console.log(`  ${label[style].padEnd(40)} ${rtt_us.toFixed(1).padStart(8)} µs${ratio}`);
  }
  for (const { style, rtt_us } of results) {
    emit({
      test: "poll_latency",
      style,
      transport: transportOf(endpoint),
      size,
      count,
      brief_waits: briefWaits,
      rtt_us,
    });
  }
}

if (args.child) {
  // Echo until the parent closes our stdin (or dies).
  const rep = new zmq.Reply();
  rep.connect(String(args.child));
  const echoing = echo(rep);
  await parentGone();
  rep.close();
  await echoing;
  process.exit(0);
} else {
  await main();
}

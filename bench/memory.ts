/**
 * RSS over many messages (the "flat RSS" bar), for Deno and Bun.
 *
 * ```sh
 * deno run -A bench/memory.ts [--messages 10000000] [--size 16]
 *     [--endpoint inproc://bench-memory] [--style await|try] [--every N]
 * bun bench/memory.ts ...
 * ```
 *
 * PUSH -> PULL in one process (inproc by default; tcp/ipc also work),
 * `--messages` messages of `--size` bytes. RSS is sampled before the first
 * message and after every `--every` received messages (default 1,000,000, or
 * a tenth of `--messages` if that is smaller). Prints
 * `{"impl":..,"test":"memory","messages":..,"rss_start_mb":..,
 * "rss_warm_mb":..,"rss_peak_mb":..,"rss_end_mb":..,"growth_mb":..,
 * "samples_mb":[..],"heap_used_samples_mb":[..],"external_samples_mb":[..],
 * "flat":bool}` where growth is
 * end minus the first sample
 * after warm-up, and flat means growth < max(8 MB, 10% of the warm RSS).
 *
 * @module
 */
import process from "node:process";
import * as zmq from "../mod.ts";
import { emit, num, parseArgs, transportOf, watchdog } from "./common.ts";

const args = parseArgs(process.argv.slice(2), {
  messages: "10000000",
  size: "16",
  endpoint: "inproc://bench-memory",
  style: "await",
  every: "0",
  timeout: "600",
});
const messages = num(args, "messages");
const size = num(args, "size");
const endpoint = String(args.endpoint);
const style = String(args.style);
const every = num(args, "every") ||
  Math.max(1, Math.min(1_000_000, Math.floor(messages / 10)));
if (style !== "await" && style !== "try") throw new Error(`bad --style`);
const cancel = watchdog("memory.ts", num(args, "timeout"));

const mb = (bytes: number) => Math.round(bytes / 1e5) / 10;
const rss = () => process.memoryUsage().rss;
const heap = () => process.memoryUsage().heapUsed;
const external = () => process.memoryUsage().external;

const pull = new zmq.Pull();
await pull.bind(endpoint);
const push = new zmq.Push();
push.connect(pull.lastEndpoint!);

const start = rss();
const samples: number[] = [];
const heapSamples: number[] = [];
const externalSamples: number[] = [];
const sample = () => {
  samples.push(rss());
  heapSamples.push(heap());
  externalSamples.push(external());
};
const t0 = performance.now();

async function sendAll(): Promise<void> {
  const frame = new Uint8Array(size);
  for (let i = 0; i < messages; i++) {
    if (style === "await" || !push.trySend(frame)) await push.send(frame);
  }
}

async function receiveAll(): Promise<void> {
  let n = 0;
  if (style === "await") {
    for await (const _ of pull) {
      if (++n % every === 0) sample();
      if (n === messages) break;
    }
  } else {
    while (n < messages) {
      pull.tryReceive() ?? await pull.receive();
      if (++n % every === 0) sample();
    }
  }
}

await Promise.all([receiveAll(), sendAll()]);
const seconds = (performance.now() - t0) / 1000;
push.close();
pull.close();
cancel();

const end = rss();
const warm = samples[0] ?? start;
const peak = Math.max(start, end, ...samples);
const growth = end - warm;
const flat = growth < Math.max(8e6, warm * 0.1);
emit({
  test: "memory",
  style,
  transport: transportOf(endpoint),
  size,
  messages,
  seconds: Math.round(seconds * 10) / 10,
  rss_start_mb: mb(start),
  rss_warm_mb: mb(warm),
  rss_peak_mb: mb(peak),
  rss_end_mb: mb(end),
  growth_mb: mb(growth),
  samples_mb: samples.map(mb),
  heap_used_samples_mb: heapSamples.map(mb),
  external_samples_mb: externalSamples.map(mb),
  flat,
});

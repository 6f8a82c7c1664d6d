/**
 * PUSH -> PULL throughput for Deno and Bun, against ../mod.ts. Same
 * measurement and JSON line as c/throughput.c and node/throughput.mjs.
 *
 * ```sh
 * deno run -A bench/throughput.ts [--endpoint tcp://127.0.0.1:*] [--size 16]
 *     [--count 1000000] [--mode two-process|one-process] [--style await|try]
 *     [--timeout 120] [--sender deno|bun] [--warmup 0]
 * bun bench/throughput.ts ...same arguments...
 * ```
 *
 * - two-process (default for tcp/ipc): this process binds the PULL and spawns
 *   itself as the PUSH child; the child keeps its socket open until this
 *   process closes the child's stdin after counting every message (libzmq
 *   4.3.4 can drop the tail over ipc when a PUSH closes early).
 *   `--sender` runs that child in the other runtime (from node_modules/.bin),
 *   to tell a slow sender from a slow receiver (bench/senders.sh).
 * - one-process: both sockets here (tcp, ipc or inproc).
 * - style "await": `await push.send(frame)` / `for await (const [frame] of
 *   pull)`. Style "try": `trySend` / `tryReceive` busy loops that fall back to
 *   `await send` / `await receive` when they return false / null.
 *
 * The receiver times from the first message after the warm-up (`--warmup`
 * messages more, sent first: the JIT's tiers) to the last; prints
 * `{"impl":"deno"|"bun","test":"throughput","style":..,"transport":..,
 * "mode":..,"size":..,"count":..,"msgs_per_s":..,"mb_per_s":..}`.
 *
 * @module
 */
import process from "node:process";
import * as zmq from "../mod.ts";
import {
  benchOptions,
  emit,
  now,
  num,
  parentGone,
  parseArgs,
  runtime,
  spawnSelf,
  transportOf,
  watchdog,
} from "./common.ts";

const args = parseArgs(process.argv.slice(2), {
  endpoint: "tcp://127.0.0.1:*",
  size: "16",
  count: "1000000",
  mode: "two-process",
  style: "await",
  timeout: "120",
  child: "",
  sender: "",
  warmup: "0",
}, ["pooled"]);
// --pooled: the Pull is made with pooledFrames (small frames share buffers).
const pooledFrames = args.pooled === true;
const { endpoint, size, count, style, timeout, mode } = benchOptions(args);
// Messages before the clock starts (the JIT's tiers, the first waits).
const warmup = num(args, "warmup");
const total = warmup + count;
if (style === "blocking") throw new Error("--style blocking is for latency.ts");

async function sendAll(push: zmq.Push): Promise<void> {
  const frame = new Uint8Array(size);
  if (style === "await") {
    for (let i = 0; i < total; i++) await push.send(frame);
  } else {
    for (let i = 0; i < total; i++) {
      if (!push.trySend(frame)) await push.send(frame);
    }
  }
}

function check(frame: Uint8Array): void {
  if (frame.length !== size) {
    throw new Error(`wrong message size ${frame.length}`);
  }
}

/** Messages received so far, for the watchdog's message on a hang. */
let received = 0;
const progress = () => `received ${received} of ${total}`;

async function receiveAll(pull: zmq.Pull): Promise<number> {
  let start = 0;
  let n = 0;
  if (style === "await") {
    for await (const [frame] of pull) {
      if (n === warmup) start = now();
      check(frame);
      received = ++n;
      if (n === total) break;
    }
  } else {
    while (n < total) {
      const msg = pull.tryReceive() ?? await pull.receive();
      if (n === warmup) start = now();
      check(msg[0]);
      received = ++n;
    }
  }
  return now() - start;
}

function report(elapsed: number): void {
  const rate = count / Math.max(elapsed, 1e-9);
  emit({
    test: "throughput",
    style,
    transport: transportOf(endpoint),
    mode,
    size,
    count,
    msgs_per_s: Math.round(rate),
    mb_per_s: Math.round(rate * size / 1e5) / 10,
    ...(pooledFrames ? { pooled: true } : {}),
    ...(args.sender !== "" ? { sender: args.sender } : {}),
  });
}

async function child(peer: string): Promise<void> {
  const gone = parentGone();
  const push = new zmq.Push();
  push.connect(peer);
  await Promise.race([sendAll(push), gone]);
  // Stay open until the parent has counted everything and closes our stdin.
  await gone;
  push.close();
  process.exit(0);
}

function senderRuntime(): typeof runtime {
  const sender = String(args.sender);
  if (sender === "") return runtime;
  if (sender !== "deno" && sender !== "bun") throw new Error("--sender must be deno or bun");
  return sender;
}

async function twoProcess(): Promise<void> {
  const pull = new zmq.Pull({ pooledFrames });
  await pull.bind(endpoint);
  const { child: kid, exited } = spawnSelf(import.meta.url, [
    "--child",
    pull.lastEndpoint!,
    "--size",
    String(size),
    "--count",
    String(count),
    "--style",
    style,
    "--warmup",
    String(warmup),
  ], senderRuntime());
  const cancel = watchdog("throughput.ts", timeout, () => kid, progress);
  const elapsed = await receiveAll(pull);
  kid.stdin!.end();
  const code = await exited;
  cancel();
  pull.close();
  report(elapsed);
  if (code !== 0) process.exitCode = 1;
}

async function oneProcess(): Promise<void> {
  const cancel = watchdog("throughput.ts", timeout, undefined, progress);
  const pull = new zmq.Pull({ pooledFrames });
  await pull.bind(endpoint);
  const push = new zmq.Push();
  push.connect(pull.lastEndpoint!);
  const [elapsed] = await Promise.all([receiveAll(pull), sendAll(push)]);
  cancel();
  push.close();
  pull.close();
  report(elapsed);
}

if (args.child) await child(String(args.child));
else if (mode === "two-process") await twoProcess();
else await oneProcess();

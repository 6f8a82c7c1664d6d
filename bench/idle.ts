/**
 * Idle CPU with sockets open and a receive pending, for Deno and Bun.
 *
 * ```sh
 * deno run -A bench/idle.ts [--seconds 5] [--endpoint tcp://127.0.0.1:*]
 *     [--baseline]
 * bun bench/idle.ts ...
 * ```
 *
 * Binds a PULL, connects a PUSH to it, warms up the waiting path with one
 * message, starts `pull.receive()`, lets things settle for 0.5 s and measures
 * this process's CPU time (`process.cpuUsage()`, user + system) over the
 * next `--seconds`. Then sends one message so the receive completes, closes
 * both sockets and prints
 * `{"impl":..,"test":"idle","transport":..,"seconds":..,"cpu_user_ms":..,
 * "cpu_system_ms":..,"cpu_percent":..}`. The bar is ~0% CPU.
 *
 * `--baseline` measures the same wait with the library imported but no
 * socket: the runtime's own idle cost (GC, JIT threads), for comparison.
 *
 * @module
 */
import process from "node:process";
import * as zmq from "../mod.ts";
import { emit, num, parseArgs, transportOf, watchdog } from "./common.ts";

const args = parseArgs(process.argv.slice(2), {
  seconds: "5",
  endpoint: "tcp://127.0.0.1:*",
  timeout: "60",
}, ["baseline"]);
const baseline = args.baseline === true;
const seconds = num(args, "seconds");
const endpoint = String(args.endpoint);
const cancel = watchdog("idle.ts", num(args, "timeout"));

const pull = baseline ? undefined : new zmq.Pull();
const push = baseline ? undefined : new zmq.Push();
if (pull && push) {
  await pull.bind(endpoint);
  push.connect(pull.lastEndpoint!);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
if (pull && push) {
  // Warm up the waiting path once (a receive that has to wait, so whatever
  // the engine starts lazily, such as a poller thread, starts now and not
  // inside the measured window).
  const warm = pull.receive();
  await sleep(100);
  await push.send("warm");
  await warm;
}
// Let startup and connection setup settle before measuring.
const pending = pull?.receive();
await sleep(500);

const before = process.cpuUsage();
const t0 = performance.now();
await new Promise((r) => setTimeout(r, seconds * 1000));
const used = process.cpuUsage(before);
const wall = (performance.now() - t0) / 1000;

let ok = true;
if (pull && push && pending) {
  await push.send("wake");
  const [frame] = await pending;
  ok = new TextDecoder().decode(frame) === "wake";
  push.close();
  pull.close();
}
cancel();

emit({
  test: baseline ? "idle-baseline" : "idle",
  transport: baseline ? undefined : transportOf(endpoint),
  seconds: Math.round(wall * 100) / 100,
  cpu_user_ms: Math.round(used.user / 100) / 10,
  cpu_system_ms: Math.round(used.system / 100) / 10,
  cpu_percent: Math.round((used.user + used.system) / 1e4 / wall * 100) /
    100,
  receive_completed: baseline ? undefined : ok,
});
if (!ok) process.exitCode = 1;

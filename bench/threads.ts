/**
 * inproc between a Worker and the main thread (the ">= 1M msgs/s in both
 * runtimes" bar), for Deno, Bun and Node (its npm build).
 *
 * ```sh
 * deno run -A bench/threads.ts [--size 16] [--count 500000] [--warmup 20000]
 *     [--timeout 120]
 * bun bench/threads.ts ...same arguments...
 * ```
 *
 * One context shared between threads: the main thread's `zmq.context`, which
 * a node:worker_threads Worker borrows with
 * `zmq.Context.fromHandle(zmq.context.handle)`. The main thread binds a PUSH
 * and a PULL; the Worker connects a PULL and a PUSH to them. Two phases, one
 * after the other, `--warmup` untimed messages then `--count` timed ones of
 * `--size` zero bytes each:
 *
 * - main -> Worker: the main thread `await push.send(frame)`, the Worker
 *   `await pull.receive()`;
 * - Worker -> main: the Worker `await push.send(frame)`, the main thread
 *   `await pull.receive()`.
 *
 * The receiver times from its first timed message to its last. Prints
 * `{"impl":..,"test":"threads","transport":"inproc","size":..,"count":..,
 * "main_to_worker_msgs_per_s":..,"worker_to_main_msgs_per_s":..,
 * "msgs_per_s":..}`, where msgs_per_s is the slower direction (the bar's).
 *
 * @module
 */
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import process from "node:process";
import * as zmq from "../mod.ts";
import { emit, now, num, parseArgs, watchdog } from "./common.ts";

const DOWN = "inproc://bench-threads-down";
const UP = "inproc://bench-threads-up";

/** What the Worker is told: the shared context and the message counts. */
interface Job {
  handle: bigint;
  size: number;
  count: number;
  warmup: number;
}

/** Receives warmup + count messages; the seconds from the first timed one to the last. */
async function receiveTimed(pull: zmq.Pull, job: Job): Promise<number> {
  const total = job.warmup + job.count;
  let start = now();
  for (let i = 0; i < total; i++) {
    if (i === job.warmup) start = now();
    const [frame] = await pull.receive();
    if (frame.length !== job.size) throw new Error(`wrong message size ${frame.length}`);
  }
  return now() - start;
}

async function sendAll(push: zmq.Push, job: Job): Promise<void> {
  const frame = new Uint8Array(job.size);
  const total = job.warmup + job.count;
  for (let i = 0; i < total; i++) await push.send(frame);
}

/** The next message from the other side. */
function next<T>(port: { once(event: "message", listener: (value: T) => void): unknown }) {
  return new Promise<T>((resolve) => port.once("message", resolve));
}

async function workerSide(job: Job): Promise<void> {
  const port = parentPort!;
  const context = zmq.Context.fromHandle(job.handle);
  const pull = new zmq.Pull({ context, linger: 0 });
  const push = new zmq.Push({ context, linger: 0 });
  try {
    pull.connect(DOWN);
    push.connect(UP);
    port.postMessage("ready");
    port.postMessage(await receiveTimed(pull, job));
    await next(port); // "send"
    const done = next(port); // the main thread has received everything
    await sendAll(push, job);
    await done;
  } finally {
    pull.close();
    push.close();
    await context.terminate(); // borrowed: closes this thread's sockets only
  }
}

async function mainSide(job: Job, timeout: number): Promise<void> {
  let phase = "starting the Worker";
  const cancel = watchdog("threads.ts", timeout, undefined, () => phase);
  const push = new zmq.Push({ linger: 0 });
  const pull = new zmq.Pull({ linger: 0 });
  await push.bind(DOWN);
  await pull.bind(UP);
  const worker = new Worker(new URL(import.meta.url), {
    workerData: { ...job, handle: zmq.context.handle },
  });
  const failed = new Promise<never>((_, reject) => {
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`the Worker exited (${code})`)));
  });
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  const from = <T>() => Promise.race([next<T>(worker), failed]);
  await from<string>(); // "ready"

  phase = "main -> Worker";
  const down = from<number>();
  await Promise.race([sendAll(push, job), failed]);
  const downSeconds = await down;

  phase = "Worker -> main";
  worker.postMessage("send");
  const upSeconds = await Promise.race([receiveTimed(pull, job), failed]);
  worker.postMessage("done");

  phase = "waiting for the Worker to exit";
  await exited;
  cancel();
  push.close();
  pull.close();
  const rate = (seconds: number) => Math.round(job.count / Math.max(seconds, 1e-9));
  emit({
    test: "threads",
    transport: "inproc",
    size: job.size,
    count: job.count,
    main_to_worker_msgs_per_s: rate(downSeconds),
    worker_to_main_msgs_per_s: rate(upSeconds),
    msgs_per_s: Math.min(rate(downSeconds), rate(upSeconds)),
  });
}

if (isMainThread) {
  const args = parseArgs(process.argv.slice(2), {
    size: "16",
    count: "500000",
    warmup: "20000",
    timeout: "120",
  });
  const job = {
    handle: 0n,
    size: num(args, "size"),
    count: num(args, "count"),
    warmup: num(args, "warmup"),
  };
  await mainSide(job, num(args, "timeout"));
} else {
  await workerSide(workerData as Job);
}

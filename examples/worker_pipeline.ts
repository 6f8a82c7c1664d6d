/**
 * A multi-Worker pipeline over inproc on one shared context:
 *
 *   parse (main thread) --PUSH/PULL--> compute (N Workers) --PUSH/PULL--> collect (main thread)
 *
 * The job is CPU-bound (counting primes by trial division), so the Workers
 * give a real speed-up over doing it all on one thread. It closes with the
 * inproc messages/s between threads next to the figure within one thread.
 *
 * Run: deno run -A examples/worker_pipeline.ts [workers]   or   bun examples/worker_pipeline.ts [workers]
 *
 * @module
 */
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { availableParallelism } from "node:os";
import process from "node:process";
import * as zmq from "../mod.ts";

const JOBS_ENDPOINT = "inproc://pipeline-jobs";
const RESULTS_ENDPOINT = "inproc://pipeline-results";
const SINK_ENDPOINT = "inproc://pipeline-sink";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The CPU-bound part: how many primes lie in [from, to). */
function countPrimes(from: number, to: number): number {
  let count = 0;
  for (let n = Math.max(from, 2); n < to; n++) {
    let prime = n === 2 || n % 2 === 1;
    for (let d = 3; prime && d * d <= n; d += 2) if (n % d === 0) prime = false;
    if (prime) count++;
  }
  return count;
}

/** The "parse" input: one text line per job. */
function makeInput(jobs: number, size: number, base: number): string[] {
  return Array.from({ length: jobs }, (_, i) => `${base + i * size} ${base + (i + 1) * size}`);
}

function parse(line: string): [number, number] {
  const [from, to] = line.split(" ").map(Number);
  return [from, to];
}

interface WorkerJob {
  role: "compute" | "sink";
  handle: bigint;
  count?: number;
}

// ---------------------------------------------------------------- Workers
async function computeWorker(context: zmq.Context): Promise<void> {
  const jobs = new zmq.Pull({ context, linger: 0 });
  const results = new zmq.Push({ context, linger: 0 });
  jobs.connect(JOBS_ENDPOINT);
  results.connect(RESULTS_ENDPOINT);
  const onStop = (message: unknown) => {
    if (message === "stop") jobs.close(); // ends the loop below
  };
  parentPort!.on("message", onStop);
  parentPort!.postMessage("ready");
  for await (const [from, to] of jobs) {
    const view = (frame: Uint8Array) => new DataView(frame.buffer, frame.byteOffset, 8);
    const a = view(from).getFloat64(0), b = view(to).getFloat64(0);
    await results.send([from, encoder.encode(String(countPrimes(a, b)))]);
  }
  results.close();
  parentPort!.off("message", onStop); // lets the Worker exit
}

async function sinkWorker(context: zmq.Context, count: number): Promise<void> {
  const pull = new zmq.Pull({ context, linger: 0 });
  try {
    await pull.bind(SINK_ENDPOINT);
    parentPort!.postMessage("ready");
    for (let i = 0; i < count; i++) await pull.receive();
    parentPort!.postMessage("done");
  } finally {
    pull.close();
  }
}

if (!isMainThread) {
  const job = workerData as WorkerJob;
  const context = zmq.Context.fromHandle(job.handle);
  try {
    if (job.role === "compute") await computeWorker(context);
    else await sinkWorker(context, job.count!);
  } finally {
    await context.terminate(); // borrowed: closes this thread's sockets only
  }
}

// ---------------------------------------------------------------- main thread
function startWorker(job: WorkerJob): Promise<Worker> {
  const worker = new Worker(new URL(import.meta.url), { workerData: job });
  return new Promise((resolve, reject) => {
    worker.once("error", reject);
    worker.once("message", (message) => message === "ready" ? resolve(worker) : reject(message));
  });
}

function waitExit(worker: Worker): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      void worker.terminate();
      resolve();
    }, 5_000);
    worker.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function float64(value: number): Uint8Array {
  const frame = new Uint8Array(8);
  new DataView(frame.buffer).setFloat64(0, value);
  return frame;
}

/** Runs the pipeline; returns the total and the ms it took once the Workers were up. */
async function pipeline(input: string[], workers: number): Promise<[number, number]> {
  const context = zmq.context;
  const jobs = new zmq.Push({ context, linger: 0 });
  const results = new zmq.Pull({ context, linger: 0 });
  await jobs.bind(JOBS_ENDPOINT);
  await results.bind(RESULTS_ENDPOINT);
  const threads = await Promise.all(
    Array.from({ length: workers }, () => startWorker({ role: "compute", handle: context.handle })),
  );
  try {
    const started = performance.now();
    let total = 0;
    const collect = (async () => {
      for (let i = 0; i < input.length; i++) {
        const [, count] = await results.receive({ timeout: 60_000 });
        total += Number(decoder.decode(count));
      }
    })();
    for (const line of input) { // parse
      const [from, to] = parse(line);
      await jobs.send([float64(from), float64(to)]);
    }
    await collect;
    return [total, performance.now() - started];
  } finally {
    for (const worker of threads) worker.postMessage("stop");
    await Promise.all(threads.map(waitExit));
    jobs.close();
    results.close();
  }
}

function oneThread(input: string[]): number {
  let total = 0;
  for (const line of input) total += countPrimes(...parse(line));
  return total;
}

async function betweenThreads(count: number): Promise<number> {
  const context = zmq.context;
  const sink = await startWorker({ role: "sink", handle: context.handle, count });
  const push = new zmq.Push({ context, linger: 0 });
  try {
    push.connect(SINK_ENDPOINT);
    const done = new Promise((resolve) => sink.once("message", resolve));
    const started = performance.now();
    const frame = new Uint8Array(16);
    for (let i = 0; i < count; i++) await push.send(frame);
    await done;
    return count / ((performance.now() - started) / 1000);
  } finally {
    push.close();
    await waitExit(sink);
  }
}

async function withinOneThread(count: number): Promise<number> {
  const push = new zmq.Push({ linger: 0 });
  const pull = new zmq.Pull({ linger: 0 });
  try {
    await pull.bind("inproc://pipeline-local");
    push.connect("inproc://pipeline-local");
    const started = performance.now();
    const frame = new Uint8Array(16);
    const sending = (async () => {
      for (let i = 0; i < count; i++) await push.send(frame);
    })();
    for (let i = 0; i < count; i++) await pull.receive();
    await sending;
    return count / ((performance.now() - started) / 1000);
  } finally {
    push.close();
    pull.close();
  }
}

if (isMainThread) {
  const workers = Number(process.argv[2] ?? Math.max(2, Math.min(availableParallelism(), 8)));
  const input = makeInput(128, 40_000, 20_000_000);
  const format = (n: number) => Math.round(n).toLocaleString("en");

  const started = performance.now();
  const expected = oneThread(input);
  const single = performance.now() - started;
  console.log(`one thread:        ${expected} primes in ${single.toFixed(0)} ms`);

  const [total, parallel] = await pipeline(input, workers); // timed once the Workers are up
  if (total !== expected) throw new Error(`the pipeline counted ${total}, expected ${expected}`);
  console.log(`${workers} Workers:         ${total} primes in ${parallel.toFixed(0)} ms`);
  console.log(
    `speed-up:          ${(single / parallel).toFixed(2)}x on ${availableParallelism()} CPUs`,
  );

  const MESSAGES = 100_000;
  const across = await betweenThreads(MESSAGES);
  const within = await withinOneThread(MESSAGES);
  console.log(`inproc, 16 B, await send / receive, ${format(MESSAGES)} messages:`);
  console.log(`  between threads: ${format(across)} msg/s`);
  console.log(`  within a thread:  ${format(within)} msg/s`);
}

/**
 * The case matrix of bench/run.ts: which measures (cases), which
 * implementations (C, zeromq.js, this library on Deno, Bun and Node in the
 * await and the try style, and on Deno and Bun also with blocking sockets
 * and with pooled frames), the command that runs one case on one of them,
 * how many messages a run sends, and the runs themselves: every case `runs`
 * times, interleaving the implementations, into {@link figures}. Also the
 * extras of each runtime, outside the matrix: inproc between threads, the
 * allocation floor, idle CPU and RSS.
 *
 * @module
 */
import { join } from "node:path";
import { nodeBench } from "./builds.ts";
import { median, round3, short } from "./format.ts";
import { log, notes } from "./notes.ts";
import {
  BENCH,
  memoryMessages,
  quick,
  QUICK_BUDGET_S,
  QUICK_NODE_SIZES,
  RUN_TIMEOUT_S,
  runs,
  skipAllocation,
  skipIdle,
  skipMemory,
  skipThreads,
  type Target,
  TARGET_LATENCY_S,
  TARGET_S,
  THREAD_MESSAGES,
  THREAD_RUNS,
  THREAD_TIMEOUT_S,
} from "./options.ts";
import { BUN, DENO, exec, failure, lastJson, NODE } from "./process.ts";

/** The runtime a figure ran on (zeromq.js and the "node" columns both run on Node). */
export type Runtime = "c" | "node" | "deno" | "bun";
/**
 * How this library moves messages: `await send`/`for await` ("await"),
 * `trySend`/`tryReceive` loops ("try"), the await style on sockets made with
 * `blocking: true` ("blocking": waits block the thread in poll(); round trip
 * only), or the await style with `pooledFrames: true` on the receiving Pull
 * ("pooled": 16 B throughput only, information).
 */
export type Style = "await" | "try" | "blocking" | "pooled";
/** The styles measured on each runtime (blocking and pooled: Deno and Bun). */
const STYLES: Record<"deno" | "bun" | "node", Style[]> = {
  deno: ["await", "try", "blocking", "pooled"],
  bun: ["await", "try", "blocking", "pooled"],
  node: ["await", "try"],
};
/** One measure: a test over a transport, in one or two processes, at a message size. */
export type Case = {
  test: "throughput" | "latency";
  transport: "tcp" | "ipc" | "inproc";
  mode: "two-process" | "one-process";
  size: number;
};
/** "throughput tcp two-process 16": a case's key (figures add the implementation's id). */
export const caseKey = (c: Case) => `${c.test} ${c.transport} ${c.mode} ${c.size}`;
/** One implementation, and how it runs a case. */
export type Impl = {
  id: string;
  target: Target;
  runtime: Runtime;
  style?: Style;
  cmd: (c: Case, count: number) => string[];
};

const endpointOf = (c: Case) =>
  c.transport === "tcp"
    ? "tcp://127.0.0.1:*"
    : c.transport === "ipc"
    ? "ipc://*"
    : "inproc://bench";

/**
 * Untimed messages before a throughput run's clock starts, the same for
 * every implementation: Bun's JIT reaches its top tier only after a million
 * or more 16 B messages, longer than a whole run of about a second.
 */
export function warmupCount(c: Case, count: number): number {
  return c.test === "throughput" ? Math.min(Math.round(count / 2), WARMUP_MAX) : 0;
}
const WARMUP_MAX = 1_000_000;

function jsArgs(c: Case, count: number, style?: Style): string[] {
  const a = [
    "--endpoint",
    endpointOf(c),
    "--size",
    String(c.size),
    "--count",
    String(count),
    "--mode",
    c.mode,
    "--timeout",
    String(RUN_TIMEOUT_S),
    ...(c.test === "throughput" ? ["--warmup", String(warmupCount(c, count))] : []),
  ];
  if (style === "pooled") return [...a, "--style", "await", "--pooled"];
  return style ? [...a, "--style", style] : a;
}

/** Every implementation; run.ts keeps those whose setup and smoke test passed. */
export const IMPLS: Impl[] = [
  {
    id: "c",
    target: "c",
    runtime: "c",
    cmd: (c, n) => [
      join(BENCH, "c", c.test),
      endpointOf(c),
      String(c.size),
      String(n),
      ...(c.test === "throughput"
        ? [c.mode === "one-process" ? "--threads" : "--fork", "--warmup", String(warmupCount(c, n))]
        : []),
    ],
  },
  {
    id: "zeromq.js",
    target: "zeromq.js",
    runtime: "node",
    cmd: (c, n) => [
      NODE,
      join(BENCH, "node", `${c.test}.mjs`),
      ...jsArgs(c, n),
    ],
  },
  ...(["deno", "bun", "node"] as const).flatMap((rt) =>
    STYLES[rt].map((style): Impl => ({
      id: `${rt} ${style}`,
      target: rt,
      runtime: rt,
      style,
      cmd: (c, n) => [...libraryCommand(rt, c.test), ...jsArgs(c, n, style)],
    }))
  ),
];

/** The command that runs bench/<script>.ts of this library on rt. */
export function libraryCommand(rt: "deno" | "bun" | "node", script: string): string[] {
  return rt === "deno"
    ? [DENO, "run", "-A", join(BENCH, `${script}.ts`)]
    : rt === "bun"
    ? [BUN, join(BENCH, `${script}.ts`)]
    : [NODE, join(nodeBench, `${script}.js`)];
}

/** Whether impl runs case c in this run. */
export function supports(impl: Impl, c: Case): boolean {
  // Blocking sockets in one thread would wait for each other for ever.
  if (impl.style === "blocking") return c.test === "latency" && c.mode === "two-process";
  if (impl.style === "pooled") return !quick && c.test === "throughput" && c.size === 16;
  if (c.test === "latency" && c.mode === "one-process") {
    return impl.runtime !== "c";
  }
  if (quick && impl.target === "node" && c.test === "throughput") {
    return QUICK_NODE_SIZES.includes(c.size);
  }
  return true;
}

const SIZES = [16, 1024, 65536, 1048576];
/** PUSH->PULL over tcp between two processes at `size`. */
export const tcpThroughput = (size: number): Case => ({
  test: "throughput",
  transport: "tcp",
  mode: "two-process",
  size,
});
/** The 16 B REQ<->REP round trip over tcp between two processes. */
export const TCP_ROUND_TRIP: Case = {
  test: "latency",
  transport: "tcp",
  mode: "two-process",
  size: 16,
};
/** The cases the bars judge (bars.ts): 16 B, 64 KiB and 1 MiB throughput, the round trip. */
const BAR_CASES = [...[16, 65536, 1048576].map(tcpThroughput), TCP_ROUND_TRIP].map(caseKey);
/** The cases of this run, in the order they are reported (see runCases for the order they run). */
export const CASES: Case[] = [...SIZES.map(tcpThroughput), TCP_ROUND_TRIP];
if (!quick) {
  CASES.push(
    ...SIZES.map((size): Case => ({
      test: "throughput",
      transport: "ipc",
      mode: "two-process",
      size,
    })),
    ...SIZES.map((size): Case => ({
      test: "throughput",
      transport: "inproc",
      mode: "one-process",
      size,
    })),
    { test: "latency", transport: "ipc", mode: "two-process", size: 16 },
  );
}

/**
 * First-run message counts, long enough for the JIT to warm up (the first
 * run counts towards the median); later runs are sized from its rate.
 */
function initialCount(impl: Impl, c: Case): number {
  const [cc, js, node] = c.test === "latency"
    ? [5000, 3000, 3000]
    : c.size <= 16
    ? [2_000_000, 600_000, 150_000]
    : c.size <= 1024
    ? [500_000, 300_000, 100_000]
    : c.size <= 65536
    ? [20_000, 20_000, 15_000]
    : [3000, 3000, 3000];
  return impl.target === "c" ? cc : impl.target === "zeromq.js" ? node : js;
}

function nextCount(c: Case, rate: number): number {
  // Large frames warm up slowly (the heap and the kernel's socket buffers
  // grow over the first thousand messages: a Deno run of 1000 1 MiB messages
  // measured 735/s, one of 3000 1285/s): at least ~3000 of them, whatever the rate.
  const min = c.test === "latency"
    ? 1000
    : c.size >= 1 << 20
    ? (quick ? 1000 : 3000)
    : c.size >= 65536
    ? (quick ? 5000 : 20_000)
    : 50_000;
  const max = c.test === "latency" ? 200_000 : 50_000_000;
  const target = c.test === "latency" ? TARGET_LATENCY_S : TARGET_S;
  return Math.round(Math.min(max, Math.max(min, rate * target)));
}

/** One implementation's result for one case: its runs, median and ratios. */
export type Figure = Case & {
  impl: string;
  runtime: Runtime;
  style?: Style;
  unit: "msgs_per_s" | "rtt_us";
  median?: number;
  mb_per_s?: number;
  runs: number[];
  counts: number[];
  errors: string[];
  vs_c?: number;
  vs_zeromqjs?: number;
};

/** Every figure of this run, by case key and implementation id. */
export const figures = new Map<string, Figure>();

/** A short run of impl: undefined when it works, else why not. */
export async function smoke(impl: Impl): Promise<string | undefined> {
  const c: Case = {
    test: "throughput",
    transport: "tcp",
    mode: "one-process",
    size: 16,
  };
  const r = await exec(impl.cmd(c, 1000), 30);
  if (r.code === 0 && lastJson(r.stdout)) return undefined;
  return failure(r);
}

/**
 * Runs every case `runs` times and fills {@link figures}; `t0` is when the
 * whole run started (for --quick's time budget). Round after round, each
 * round runs every case once on each of `impls` in turn, so that background
 * load affects them alike and --quick's budget, if it runs out, takes the
 * last rounds rather than whole cases; within a round the cases the bars
 * judge come first.
 */
export async function runCases(impls: Impl[], t0: number): Promise<void> {
  let budgetNoted = false;
  const judged = (c: Case) => BAR_CASES.includes(caseKey(c));
  const plan = [...CASES.filter(judged), ...CASES.filter((c) => !judged(c))].map((c) => {
    const active = impls.filter((i) => supports(i, c));
    return { c, active, counts: new Map(active.map((i) => [i.id, initialCount(i, c)])) };
  });
  const figureOf = (c: Case, impl: Impl) => figures.get(`${caseKey(c)} ${impl.id}`)!;
  for (const { c, active } of plan) {
    for (const impl of active) {
      figures.set(`${caseKey(c)} ${impl.id}`, {
        ...c,
        impl: impl.id === "c" || impl.id === "zeromq.js" ? impl.id : impl.runtime,
        runtime: impl.runtime,
        style: impl.style,
        unit: c.test === "throughput" ? "msgs_per_s" : "rtt_us",
        runs: [],
        counts: [],
        errors: [],
      });
    }
  }
  for (let r = 0; r < runs; r++) {
    for (const { c, active, counts } of plan) {
      const measured: string[] = [];
      for (const impl of active) {
        const fig = figureOf(c, impl);
        if (fig.errors.length >= 2) continue; // give up on this case
        if (quick && (performance.now() - t0) / 1000 > QUICK_BUDGET_S) {
          if (!budgetNoted) {
            notes.push(
              `--quick time budget (${QUICK_BUDGET_S} s) used up in round ${r + 1} of ${runs}: ` +
                `later runs skipped`,
            );
            budgetNoted = true;
          }
          continue;
        }
        const count = counts.get(impl.id)!;
        const res = await exec(impl.cmd(c, count));
        const j = lastJson(res.stdout);
        if (res.code !== 0 || !j) {
          fig.errors.push(failure(res));
          notes.push(
            `${caseKey(c)} ${impl.id} (count ${count}): ${failure(res)}`,
          );
          log(`  ${caseKey(c)} ${impl.id}: FAILED ${failure(res)}`);
          continue;
        }
        const value = Number(
          c.test === "throughput" ? j.msgs_per_s : j.rtt_us,
        );
        fig.runs.push(value);
        fig.counts.push(count);
        measured.push(`${impl.id} ${short(value)}`);
        const rate = c.test === "throughput" ? value : 1e6 / value;
        counts.set(impl.id, nextCount(c, rate));
      }
      if (measured.length) {
        log(
          `  round ${r + 1}/${runs}, ${caseKey(c)}: ${measured.join(", ")}  [${
            ((performance.now() - t0) / 1000).toFixed(0)
          } s]`,
        );
      }
    }
  }
  for (const { c, active } of plan) {
    for (const impl of active) {
      const fig = figureOf(c, impl);
      if (fig.runs.length) {
        fig.median = median(fig.runs);
        if (c.test === "throughput") {
          fig.mb_per_s = Math.round(fig.median * c.size / 1e5) / 10;
        }
      }
    }
    const ref = (id: string) => figures.get(`${caseKey(c)} ${id}`)?.median;
    for (const impl of active) {
      const fig = figureOf(c, impl);
      if (fig.median === undefined) continue;
      const cRef = ref("c"), zRef = ref("zeromq.js");
      if (cRef) fig.vs_c = round3(fig.median / cRef);
      if (zRef) fig.vs_zeromqjs = round3(fig.median / zRef);
    }
  }
}

/** A result line of an extra, or what went wrong. */
type Extra = Record<string, unknown>;

/** Runs bench/<script>.ts of this library on rt once: its result line, or the failure. */
async function runExtra(
  rt: "deno" | "bun" | "node",
  script: string,
  args: string[],
  timeout: number,
): Promise<Extra> {
  const r = await exec([...libraryCommand(rt, script), ...args], timeout);
  const j = lastJson(r.stdout);
  if (r.code === 0 && j) return j;
  return {
    impl: rt,
    test: script + (args.includes("--baseline") ? "-baseline" : ""),
    error: failure(r),
  };
}

/** The directions bench/threads.ts measures, by their fields in its line. */
const THREAD_DIRECTIONS = ["main_to_worker_msgs_per_s", "worker_to_main_msgs_per_s"];

/**
 * bench/threads.ts on rt, `n` times: the median of each direction (and of
 * the slower, the bar's), with every run's figures.
 */
async function threads(rt: "deno" | "bun" | "node", n: number): Promise<Extra> {
  const args = ["--count", String(THREAD_MESSAGES), "--timeout", String(THREAD_TIMEOUT_S)];
  const lines: Extra[] = [];
  for (let i = 0; i < n; i++) {
    const line = await runExtra(rt, "threads", args, THREAD_TIMEOUT_S + 10);
    if (line.error !== undefined) return line;
    lines.push(line);
  }
  const medianOf = (field: string) => median(lines.map((l) => Number(l[field])));
  // A user's first messages: a fresh Worker, no warm-up (information).
  const coldArgs = ["--count", String(COLD_THREAD_MESSAGES), "--warmup", "0"];
  const cold = await runExtra(
    rt,
    "threads",
    [...coldArgs, "--timeout", String(THREAD_TIMEOUT_S)],
    THREAD_TIMEOUT_S + 10,
  );
  return {
    ...lines[0],
    ...Object.fromEntries(THREAD_DIRECTIONS.map((d) => [d, medianOf(d)])),
    msgs_per_s: medianOf("msgs_per_s"),
    runs: lines.map((l) => Object.fromEntries(THREAD_DIRECTIONS.map((d) => [d, l[d]]))),
    ...(cold.error === undefined
      ? { cold_main_to_worker_msgs_per_s: cold.main_to_worker_msgs_per_s, cold_count: cold.count }
      : {}),
  };
}

/** Messages of the one cold run (no warm-up) of bench/threads.ts. */
const COLD_THREAD_MESSAGES = 100_000;

/**
 * The extras of this library on each runtime in `available`: first, one at
 * a time (they measure speed, so nothing else runs beside them), inproc
 * between a Worker and the main thread (bench/threads.ts, the median of
 * {@link THREAD_RUNS}) and the allocation floor (bench/allocation.ts); then
 * idle CPU and RSS, all in parallel (they measure per-process CPU and RSS).
 * One result line each.
 */
export async function runExtras(available: Set<Target>): Promise<Extra[]> {
  const extra: Extra[] = [];
  const runtimes = (["deno", "bun", "node"] as const).filter((rt) => available.has(rt));
  if (!skipThreads && runtimes.length) {
    log("  inproc between threads...");
    for (const rt of runtimes) extra.push(await threads(rt, THREAD_RUNS));
  }
  if (!skipAllocation && runtimes.length) {
    log("  allocation floor...");
    const args = quick ? ["--seconds", "0.1", "--rounds", "3"] : [];
    for (const rt of runtimes) extra.push(await runExtra(rt, "allocation", args, 60));
  }
  const jobs: Promise<void>[] = [];
  for (const rt of runtimes) {
    const run = (script: string, args: string[], timeout: number) =>
      jobs.push(runExtra(rt, script, args, timeout).then((line) => void extra.push(line)));
    if (!skipIdle) {
      run("idle", ["--seconds", "5"], 30);
      run("idle", ["--seconds", "5", "--baseline"], 30);
    }
    if (!skipMemory) {
      run("memory", [
        "--messages",
        String(memoryMessages),
        "--timeout",
        String(quick ? 40 : 300),
      ], quick ? 45 : 320);
    }
  }
  if (jobs.length) log("  idle CPU and memory...");
  await Promise.all(jobs);
  return extra;
}

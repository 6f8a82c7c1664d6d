/**
 * bench/run.ts's command line and the constants it sets: what to run, how
 * often, how long a run aims for, and where things are.
 *
 * @module
 */
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

/** The usage text of `--help`. */
export const USAGE = `deno run -A bench/run.ts [--quick] [--runs N]
    [--only c,zeromq.js,deno,bun,node] [--skip-threads] [--skip-allocation]
    [--skip-idle] [--skip-memory] [--messages N]

  --quick            tcp two-process throughput (16 B, 1 KiB, 64 KiB, 1 MiB), the tcp
                     round trip, inproc between threads (one run of 200k messages each
                     way), the allocation floor (short), idle CPU, RSS over 2M messages
                     (< 2.5 min). Leaves out the "pooled" columns (information only) and
                     measures node at 16 B and 64 KiB throughput and the round trip only
  --runs N           runs per case (default 5; 3 with --quick); the median counts
  --only LIST        measure only these (comma-separated)
  --skip-threads     leave out inproc between a Worker and the main thread (bench/threads.ts)
  --skip-allocation  leave out the allocation floor (bench/allocation.ts)
  --skip-idle        leave out the idle CPU measure
  --skip-memory      leave out the RSS measure
  --messages N       messages of the RSS run (default 10M; 2M with --quick)

Columns: c (libzmq directly), zeromq.js (6, on Node), and this library:
  deno|bun|node await    await send() / for await (throughput), await receive() (round trip)
  deno|bun|node try      trySend() / tryReceive() loops, awaiting when they cannot go on
  deno|bun blocking      sockets made { blocking: true }: waits block the thread in poll()
                         (round trip only)
  deno|bun pooled        the await style with pooledFrames: true on the receiving PULL
                         (16 B throughput only; information, no bar; not with --quick)
  node = this library's npm build on Node through koffi.

Bars (DESIGN.md, round two), judged for deno and bun: 16 B await >= 4.5x zeromq.js and
>= 40% of C; 16 B try >= 60% of C; 64 KiB await MB/s >= 95% of C; 1 MiB >= 90%; round trip
(await) <= 1.3x C; round trip (blocking) <= 1.15x C; inproc Worker <-> main thread >= 1M
msgs/s (the slower direction); idle ~0% CPU; flat RSS. For node: round trip (await) <=
zeromq.js; node's other measures are shown as information.

Prints a table and one JSON line per figure, extra result and bar; writes bench/results.json
and bench/chart.svg. See bench/README.md.`;

const argv = [...Deno.args];
const flag = (name: string) => {
  const i = argv.indexOf(name);
  if (i < 0) return false;
  argv.splice(i, 1);
  return true;
};
const option = (name: string) => {
  const i = argv.indexOf(name);
  if (i < 0) return undefined;
  const v = argv[i + 1];
  if (v === undefined) throw new Error(`missing value for ${name}`);
  argv.splice(i, 2);
  return v;
};
if (flag("--help") || flag("-h")) {
  console.log(USAGE);
  Deno.exit(0);
}
/** --quick: the short run. */
export const quick = flag("--quick");
/** --skip-idle. */
export const skipIdle = flag("--skip-idle");
/** --skip-memory. */
export const skipMemory = flag("--skip-memory");
/** --skip-threads. */
export const skipThreads = flag("--skip-threads");
/** --skip-allocation. */
export const skipAllocation = flag("--skip-allocation");
/** Runs per case. */
export const runs = Number(option("--runs") ?? (quick ? 3 : 5));
/** --only, split; undefined: everything. */
export const only = option("--only")?.split(",");
/** What --only can select. */
export const TARGETS = ["c", "zeromq.js", "deno", "bun", "node"] as const;
/** What --only selects: the C program, zeromq.js, or this library on a runtime. */
export type Target = typeof TARGETS[number];
for (const name of only ?? []) {
  if (!(TARGETS as readonly string[]).includes(name)) {
    console.error(`run.ts: --only takes ${TARGETS.join(",")}, not ${name}`);
    Deno.exit(2);
  }
}
/** Messages of the RSS run. */
export const memoryMessages = Number(
  option("--messages") ?? (quick ? 2_000_000 : 10_000_000),
);
if (argv.length) {
  console.error(`run.ts: unknown arguments ${argv.join(" ")}`);
  Deno.exit(2);
}

/** Seconds of measurement a run aims for (after the first, calibrating one). */
export const TARGET_S = quick ? 0.25 : 1;
/** Round trips are noisier: measure them longer. */
export const TARGET_LATENCY_S = quick ? 0.5 : 1.5;
/** A run that takes longer than this is a hang: killed and recorded. */
export const RUN_TIMEOUT_S = quick ? 10 : 60;
/**
 * --quick stops starting new runs after this many seconds (whole run: < 2.5
 * min; the extras after the runs take ~25 s on 2 busy cores).
 */
export const QUICK_BUDGET_S = 100;
/**
 * --quick measures the "node" columns at the sizes the bars use only (and the
 * round trip), to stay within the budget; a full run measures every size.
 */
export const QUICK_NODE_SIZES = [16, 65536];
/** Timed messages per direction of a bench/threads.ts run (after 20,000 untimed). */
export const THREAD_MESSAGES = quick ? 200_000 : 1_000_000;
/** bench/threads.ts runs per runtime; the median counts. */
export const THREAD_RUNS = quick ? 1 : 3;
/** A bench/threads.ts run that takes longer than this is a hang. */
export const THREAD_TIMEOUT_S = quick ? 30 : 120;

/** bench/. */
export const BENCH = dirname(dirname(fileURLToPath(import.meta.url)));
/** The project's root. */
export const ROOT = dirname(BENCH);

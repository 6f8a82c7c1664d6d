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
    [--only c,zeromq.js,deno,bun,node] [--skip-idle] [--skip-memory]
    [--messages N]

  --quick          tcp two-process throughput (16 B, 1 KiB, 64 KiB, 1 MiB), the tcp round
                   trip, idle CPU, RSS over 2M messages (< 2.5 min)
  --runs N         runs per case (default 5; 3 with --quick); the median counts
  --only LIST      measure only these (comma-separated)
  --skip-idle      leave out the idle CPU measure
  --skip-memory    leave out the RSS measure
  --messages N     messages of the RSS run (default 10M; 2M with --quick)

Prints a table and one JSON line per figure and bar; writes bench/results.json and
bench/chart.svg. See bench/README.md.`;

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
/** --quick stops starting new runs after this many seconds (whole run: < 2.5 min). */
export const QUICK_BUDGET_S = 110;
/**
 * --quick measures the "node" columns at the sizes the bars use only (and the
 * round trip), to stay within the budget; a full run measures every size.
 */
export const QUICK_NODE_SIZES = [16, 65536];

/** bench/. */
export const BENCH = dirname(dirname(fileURLToPath(import.meta.url)));
/** The project's root. */
export const ROOT = dirname(BENCH);

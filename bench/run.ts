/**
 * The one benchmark command: C (libzmq directly), zeromq.js 6 on Node, and
 * this library on Deno, Bun and Node (its npm build), side by side on this
 * machine.
 *
 * ```sh
 * deno run -A bench/run.ts [--quick] [--runs N]
 *     [--only c,zeromq.js,deno,bun,node] [--skip-threads] [--skip-allocation]
 *     [--skip-idle] [--skip-memory] [--messages N]
 * ```
 *
 * - compiles bench/c/*.c if the binaries are missing or stale (cc -O2 -lzmq)
 * - installs bench/node (zeromq.js) with npm if bench/node/node_modules is
 *   missing
 * - for the "node" columns, runs bench/node_build.ts: builds npm/ if missing
 *   or stale and compiles the bench scripts against it for Node; if that
 *   fails the node columns are skipped with a note
 * - runs every case N times (default 5; 3 with --quick), in rounds that run
 *   every case once on each implementation in turn (the cases the bars judge
 *   first), adapting each one's message count so a run takes about a quarter
 *   of a second (--quick) or a second, and takes the median
 * - this library's columns: "await" and "try" styles on Deno, Bun and Node;
 *   "blocking" ({ blocking: true } sockets, round trip only) and "pooled"
 *   (pooledFrames on the PULL, 16 B throughput, information, not with
 *   --quick) on Deno and Bun
 * - --quick: tcp two-process throughput (16 B, 1 KiB, 64 KiB, 1 MiB) and the
 *   tcp round trip, inproc between threads (one run), the allocation floor,
 *   idle CPU, RSS over 2M messages. Without --quick: also ipc (two processes)
 *   and inproc (one process) throughput, the ipc round trip, the pooled
 *   columns, inproc between threads three times, RSS over 10M messages.
 * - then, one runtime at a time, inproc between a Worker and the main thread
 *   (bench/threads.ts) and the allocation floor (bench/allocation.ts); then
 *   idle CPU and RSS, in parallel
 * - prints a table with ratios to C and to zeromq.js, the tables of the
 *   threads and allocation figures, the round-two quality bars of DESIGN.md
 *   (issue #17) marked held / not held for Deno and Bun and, for Node, its
 *   round trip against zeromq.js; Node's other measures without a verdict
 *   (information); then one JSON line per figure, extra result and bar;
 *   writes bench/results.json and bench/chart.svg.
 *
 * Every child run is bounded by a timeout and runs in its own process group
 * (via setsid), which is killed afterwards so no straggler survives.
 *
 * This file is the entry; the parts live in bench/run/: options.ts (the
 * command line), process.ts (running children), builds.ts (C, zeromq.js, the
 * Node copies), matrix.ts (cases, implementations, the runs, the extras), bars.ts (the
 * quality bars), report.ts (table, JSON lines, results.json), chart.ts
 * (chart.svg), and the small shared notes.ts (notes, progress) and format.ts
 * (numbers and sizes).
 *
 * @module
 */
import { buildC, setupNode, setupNodeLibrary } from "./run/builds.ts";
import { CASES, IMPLS, runCases, runExtras, smoke, supports } from "./run/matrix.ts";
import { log, notes } from "./run/notes.ts";
import { only, quick, QUICK_NODE_SIZES, ROOT, runs, type Target } from "./run/options.ts";
import { busyPercent, exists, removeTmp } from "./run/process.ts";
import { report } from "./run/report.ts";
import { sizeName } from "./run/format.ts";
import { join } from "node:path";

async function main() {
  const busyBefore = await busyPercent();
  if (busyBefore !== undefined && busyBefore > 10) {
    const msg = `the machine was ${busyBefore}% busy with other work when the run ` +
      `started: figures are unreliable; rerun on an idle machine`;
    log(`WARNING: ${msg}`);
    notes.push(msg);
  }
  const t0 = performance.now();
  const available = new Set<Target>();
  const want = (target: Target) => !only || only.includes(target);
  if (want("c") && await buildC()) available.add("c");
  if (want("zeromq.js") && await setupNode()) available.add("zeromq.js");
  if (!await exists(join(ROOT, "mod.ts"))) {
    notes.push("deno/bun/node: ../mod.ts does not exist yet (library missing)");
  } else {
    for (const rt of ["deno", "bun", "node"] as const) {
      if (!want(rt)) continue;
      if (rt === "node" && !await setupNodeLibrary()) continue;
      const err = await smoke(IMPLS.find((i) => i.target === rt)!);
      if (err) notes.push(`${rt}: smoke test failed, ${rt} columns skipped: ${err}`);
      else available.add(rt);
    }
  }
  const impls = IMPLS.filter((i) => available.has(i.target) && CASES.some((c) => supports(i, c)));
  if (quick && available.has("node")) {
    notes.push(
      `--quick: node measured at ${QUICK_NODE_SIZES.map(sizeName).join(" and ")} ` +
        `throughput and the round trip only (a full run measures every size)`,
    );
  }
  log(
    `running ${impls.map((i) => i.id).join(", ")}; ${runs} runs per case${quick ? " (quick)" : ""}`,
  );
  await runCases(impls, t0);
  const extra = await runExtras(available);
  await report(extra, (performance.now() - t0) / 1000, busyBefore);
}

try {
  await main();
} finally {
  await removeTmp();
}

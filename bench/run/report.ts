/**
 * bench/run.ts's report: the table a person reads (figures with ratios to C
 * and zeromq.js, the bars, notes), one JSON line per figure, result and bar
 * for scripts, and the files bench/results.json and bench/chart.svg.
 *
 * @module
 */
import { join } from "node:path";
import { type Bar, bars } from "./bars.ts";
import { zeromqLibzmq } from "./builds.ts";
import { chart } from "./chart.ts";
import { fmtInt, short, sizeName } from "./format.ts";
import { caseKey, CASES, figures } from "./matrix.ts";
import { notes } from "./notes.ts";
import { BENCH, quick, ROOT, runs } from "./options.ts";
import { BUN, DENO, exec, NODE } from "./process.ts";

/** The machine and the versions of everything measured. */
async function machine() {
  let cpu = "";
  try {
    const info = await Deno.readTextFile("/proc/cpuinfo");
    cpu = info.match(/model name\s*:\s*(.*)/)?.[1] ?? "";
  } catch { /* not linux */ }
  const version = async (cmd: string[]) => {
    const r = await exec(cmd, 20);
    return r.code === 0 ? r.stdout.trim().split("\n")[0] : undefined;
  };
  let libzmq: string | undefined;
  try {
    const h = await Deno.readTextFile("/usr/include/zmq.h");
    const v = (n: string) => h.match(new RegExp(`#define ZMQ_VERSION_${n} (\\d+)`))?.[1];
    libzmq = `${v("MAJOR")}.${v("MINOR")}.${v("PATCH")}`;
  } catch { /* no header */ }
  let zeromqJs: string | undefined;
  try {
    zeromqJs = JSON.parse(
      await Deno.readTextFile(
        join(BENCH, "node", "node_modules", "zeromq", "package.json"),
      ),
    ).version;
  } catch { /* not installed */ }
  let koffi: string | undefined;
  try {
    koffi = JSON.parse(
      await Deno.readTextFile(join(ROOT, "node_modules", "koffi", "package.json")),
    ).version;
  } catch { /* not installed */ }
  return {
    cpu,
    cpus: navigator.hardwareConcurrency,
    os: `${Deno.build.os} ${Deno.osRelease()}`,
    libzmq,
    node: await version([NODE, "--version"]),
    zeromq_js: zeromqJs,
    zeromq_js_libzmq: zeromqLibzmq || undefined,
    deno: (await version([DENO, "--version"]))?.split(" ")[1],
    bun: await version([BUN, "--version"]),
    koffi,
  };
}

function pad(s: string, n: number, right = false) {
  return right ? s.padStart(n) : s.padEnd(n);
}

/** The width of the implementation column ("deno blocking"). */
const ID_WIDTH = 15;

/**
 * The tables of the extras that are figures rather than verdicts: inproc
 * between threads, both directions, and the allocation floor (ns each).
 */
function extras(extra: Record<string, unknown>[], p: (s?: string) => void) {
  const threads = extra.filter((e) => e.test === "threads" && e.error === undefined);
  if (threads.length) {
    const runsOf = (e: Record<string, unknown>) => (e.runs as unknown[] | undefined)?.length ?? 1;
    p();
    p(
      `inproc between a Worker and the main thread, 16 B, await send / await receive ` +
        `(median of ${runsOf(threads[0])}; msgs/s)` +
        `\n  ${pad("impl", ID_WIDTH)}${pad("main->Worker", 14, true)}${
          pad("Worker->main", 14, true)
        }${pad("slower", 12, true)}${pad("cold main->Worker", 19, true)}`,
    );
    for (const e of threads) {
      const n = (field: string, width = 14) =>
        pad(e[field] === undefined ? "-" : fmtInt(Number(e[field])), width, true);
      p(
        `  ${pad(String(e.impl), ID_WIDTH)}${n("main_to_worker_msgs_per_s")}${
          n("worker_to_main_msgs_per_s")
        }${n("msgs_per_s", 12)}${n("cold_main_to_worker_msgs_per_s", 19)}`,
      );
    }
    const cold = threads.find((e) => e.cold_count !== undefined)?.cold_count;
    if (cold !== undefined) {
      p(`  (cold: a fresh Worker's first ${fmtInt(Number(cold))} messages, no warm-up)`);
    }
  }
  const allocation = extra.filter((e) => e.test === "allocation" && e.error === undefined);
  if (allocation.length) {
    const columns: [string, string][] = [
      ["u8_16_ns", "new U8A(16)"],
      ["u8_16_drop_ns", "16 dropped"],
      ["u8_1024_ns", "U8A(1024)"],
      ["slab_view_16_ns", "slab view"],
      ["alloc_64k_copy_ns", "64K+copy"],
      ["alloc_64k_copy_drop_ns", "64K dropped"],
      ["copy_64k_ns", "64K copy"],
      ["alloc_1m_copy_drop_ns", "1M+copy"],
      ["copy_1m_ns", "1M copy"],
    ];
    const ns = (v: number) => v < 100 ? v.toFixed(1) : fmtInt(v);
    p();
    p(
      `Allocation floor of received frames (bench/allocation.ts), ns each, the last 1024 kept ` +
        `alive ("dropped", "1M+copy": each frame dropped at once; "64K copy", "1M copy": the ` +
        `copy alone)` +
        `\n  ${pad("impl", ID_WIDTH)}${columns.map(([, name]) => pad(name, 12, true)).join("")}`,
    );
    for (const e of allocation) {
      p(
        `  ${pad(String(e.impl), ID_WIDTH)}${
          columns.map(([field]) => pad(ns(Number(e[field])), 12, true)).join("")
        }`,
      );
    }
  }
}

/**
 * Prints the table, then the JSON lines, and writes bench/results.json and
 * bench/chart.svg. `extra`: the idle and memory results; `seconds`: the whole
 * run; `busyBefore`: how busy the machine was when it started (percent).
 */
export async function report(
  extra: Record<string, unknown>[],
  seconds: number,
  busyBefore: number | undefined,
) {
  const out: string[] = [];
  const p = (s = "") => out.push(s);
  const info = await machine();
  p();
  p(
    `zmq benchmarks — ${info.cpus} CPUs ${info.cpu}; libzmq ${info.libzmq}; ` +
      `node ${info.node} zeromq.js ${info.zeromq_js ?? "-"} (bundles libzmq ${
        info.zeromq_js_libzmq ?? "?"
      }); deno ${info.deno}; bun ${info.bun}; "node" = this library's npm build on Node ` +
      `through koffi ${info.koffi ?? "-"}`,
  );
  p(
    `median of ${runs} runs${
      quick ? " (--quick)" : ""
    }; throughput: receiver-timed, first to last message; ` +
      `ratios: > 1 is faster for throughput, < 1 is faster for round trip`,
  );
  for (const c of CASES) {
    const rows = [...figures.values()].filter((f) => caseKey(f) === caseKey(c));
    if (!rows.length) continue;
    p();
    if (c.test === "throughput") {
      p(
        `PUSH->PULL ${c.transport} ${c.mode}, ${sizeName(c.size)}` +
          `\n  ${pad("impl", ID_WIDTH)}${pad("msgs/s", 14, true)}${pad("MB/s", 10, true)}${
            pad("vs C", 9, true)
          }${pad("vs zmq.js", 11, true)}  runs`,
      );
    } else {
      p(
        `REQ<->REP round trip ${c.transport} ${c.mode}, ${sizeName(c.size)}` +
          `\n  ${pad("impl", ID_WIDTH)}${pad("µs", 14, true)}${pad("", 10)}${pad("vs C", 9, true)}${
            pad("vs zmq.js", 11, true)
          }  runs`,
      );
    }
    for (const f of rows) {
      const id = f.style ? `${f.impl} ${f.style}` : f.impl;
      if (f.median === undefined) {
        p(`  ${pad(id, ID_WIDTH)}  FAILED: ${f.errors[0] ?? "?"}`);
        continue;
      }
      const main = f.unit === "rtt_us" ? f.median.toFixed(1) : fmtInt(f.median);
      const mb = f.mb_per_s === undefined ? "" : f.mb_per_s.toFixed(1);
      const r = (v?: number) => v === undefined ? "-" : `${v.toFixed(2)}x`;
      const runsS = f.runs.map((v) => f.unit === "rtt_us" ? v.toFixed(0) : short(v)).join(" ") +
        (f.errors.length ? `  +${f.errors.length} FAILED` : "");
      p(
        `  ${pad(id, ID_WIDTH)}${pad(main, 14, true)}${pad(mb, 10, true)}${
          pad(r(f.vs_c), 9, true)
        }${pad(r(f.vs_zeromqjs), 11, true)}  ${runsS}`,
      );
    }
  }
  extras(extra, p);
  const allBars = bars(extra);
  const barList = allBars.filter((b) => !b.informational);
  const infoList = allBars.filter((b) => b.informational);
  const width = Math.max(...allBars.map((b) => b.bar.length));
  const line = (mark: string, b: Bar) =>
    p(
      `  ${mark} ${pad(b.runtime, 5)} ${pad(b.bar, width)} ${b.value ?? ""}${
        b.detail ? ` (${b.detail})` : ""
      }`,
    );
  p();
  p(
    "Quality bars (DESIGN.md, round two); throughput and round trip: tcp loopback, two " +
      "processes; node: its npm build, whose bar is the round trip against zeromq.js:",
  );
  for (const b of barList) {
    line(b.held === undefined ? "n/a     " : b.held ? "held    " : "NOT HELD", b);
  }
  if (infoList.length) {
    p();
    p("Node (npm build), its other measures for information (no bar):");
    for (const b of infoList) line(b.value === undefined ? "n/a     " : "info    ", b);
  }
  if (notes.length) {
    p();
    p("Notes and problems:");
    for (const n of notes) p(`  - ${n}`);
  }
  p();
  p(`total ${seconds.toFixed(0)} s`);
  console.log(out.join("\n"));

  const figs = [...figures.values()];
  for (const f of figs) console.log(JSON.stringify({ type: "figure", ...f }));
  for (const e of extra) console.log(JSON.stringify({ type: "extra", ...e }));
  for (const b of barList) console.log(JSON.stringify({ type: "bar", ...b }));
  for (const b of infoList) console.log(JSON.stringify({ type: "bar_info", ...b }));

  const results = {
    date: new Date().toISOString(),
    quick,
    runs,
    seconds: Math.round(seconds),
    machine: { ...info, busy_percent_before: busyBefore },
    figures: figs,
    extra,
    bars: barList,
    bars_info: infoList,
    notes,
  };
  await Deno.writeTextFile(
    join(BENCH, "results.json"),
    JSON.stringify(results, null, 2) + "\n",
  );
  await Deno.writeTextFile(join(BENCH, "chart.svg"), chart(figs, info, extra));
  // Keep the generated files as `deno fmt` wants them (fmt --check in CI).
  await exec(
    [DENO, "fmt", "-q", join(BENCH, "chart.svg"), join(BENCH, "results.json")],
    60,
  );
  console.error("wrote bench/results.json and bench/chart.svg");
}

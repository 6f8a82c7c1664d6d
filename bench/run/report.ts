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
          `\n  ${pad("impl", 12)}${pad("msgs/s", 14, true)}${pad("MB/s", 10, true)}${
            pad("vs C", 9, true)
          }${pad("vs zmq.js", 11, true)}  runs`,
      );
    } else {
      p(
        `REQ<->REP round trip ${c.transport} ${c.mode}, ${sizeName(c.size)}` +
          `\n  ${pad("impl", 12)}${pad("µs", 14, true)}${pad("", 10)}${pad("vs C", 9, true)}${
            pad("vs zmq.js", 11, true)
          }  runs`,
      );
    }
    for (const f of rows) {
      const id = f.style ? `${f.impl} ${f.style}` : f.impl;
      if (f.median === undefined) {
        p(`  ${pad(id, 12)}  FAILED: ${f.errors[0] ?? "?"}`);
        continue;
      }
      const main = f.unit === "rtt_us" ? f.median.toFixed(1) : fmtInt(f.median);
      const mb = f.mb_per_s === undefined ? "" : f.mb_per_s.toFixed(1);
      const r = (v?: number) => v === undefined ? "-" : `${v.toFixed(2)}x`;
      const runsS = f.runs.map((v) => f.unit === "rtt_us" ? v.toFixed(0) : short(v)).join(" ") +
        (f.errors.length ? `  +${f.errors.length} FAILED` : "");
      p(
        `  ${pad(id, 12)}${pad(main, 14, true)}${pad(mb, 10, true)}${pad(r(f.vs_c), 9, true)}${
          pad(r(f.vs_zeromqjs), 11, true)
        }  ${runsS}`,
      );
    }
  }
  const allBars = bars(extra);
  const barList = allBars.filter((b) => !b.informational);
  const infoList = allBars.filter((b) => b.informational);
  const line = (mark: string, b: Bar) =>
    p(
      `  ${mark} ${pad(b.runtime, 5)} ${pad(b.bar, 66)} ${b.value ?? ""}${
        b.detail ? ` (${b.detail})` : ""
      }`,
    );
  p();
  p("Quality bars (DESIGN.md); throughput and round trip: tcp loopback, two processes:");
  for (const b of barList) {
    line(b.held === undefined ? "n/a     " : b.held ? "held    " : "NOT HELD", b);
  }
  if (infoList.length) {
    p();
    p("Node (npm build), the same measures for information (the bars are set for Deno and Bun):");
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
  await Deno.writeTextFile(join(BENCH, "chart.svg"), chart(figs, info));
  // Keep the generated files as `deno fmt` wants them (fmt --check in CI).
  await exec(
    [DENO, "fmt", "-q", join(BENCH, "chart.svg"), join(BENCH, "results.json")],
    60,
  );
  console.error("wrote bench/results.json and bench/chart.svg");
}

/**
 * The quality bars of DESIGN.md (round two, issue #17), judged from
 * bench/run.ts's figures: held or not held for Deno and Bun, and for Node
 * (the npm build) its one bar, the round trip against zeromq.js; Node's other
 * measures are shown as information.
 *
 * @module
 */
import { short, sizeName } from "./format.ts";
import {
  type Case,
  caseKey,
  type Figure,
  figures,
  TCP_ROUND_TRIP,
  tcpThroughput,
} from "./matrix.ts";
import { memoryMessages } from "./options.ts";

/**
 * A quality bar measured on one runtime. `key` names the measure for
 * scripts ("16B_await", "rtt_blocking", ...). A measure shown as information
 * (Node's, except its round trip) has `informational` and no `held`; `bar`
 * is then the measure alone.
 */
export type Bar = {
  key: string;
  bar: string;
  runtime: "deno" | "bun" | "node";
  held?: boolean;
  informational?: true;
  value?: string;
  detail?: string;
};

/** The figure of `impl` for case `c`. */
function fig(c: Case, impl: string): Figure | undefined {
  return figures.get(`${caseKey(c)} ${impl}`);
}

/** The median of `impl` over the median of `ref` for case `c`. */
function ratio(c: Case, impl: string, ref: string): number | undefined {
  const a = fig(c, impl)?.median, b = fig(c, ref)?.median;
  return a !== undefined && b ? a / b : undefined;
}

/** The large-frame bars: key, size, the share of C's MB/s they must reach. */
const LARGE = [["64KiB", 65536, 0.95], ["1MiB", 1048576, 0.9]] as const;
const x = (r: number) => `${r.toFixed(2)}x`;
const pct = (r: number) => `${(r * 100).toFixed(1)}%`;
/** The parts that are there, joined; undefined when none is. */
const join = (...parts: (string | false | undefined)[]) =>
  parts.filter(Boolean).join("; ") || undefined;

/** One measure of one runtime, before it is a Bar. */
type Measure = {
  key: string;
  /** What is measured ("16 B PUSH->PULL, ..."). */
  measure: string;
  /** The bar it must hold (">= 60% of C"). */
  target: string;
  /** undefined: not judged (a figure is missing). */
  held?: boolean;
  value?: string;
  detail?: string;
  /** Not measured in this run at all: no line for Node's information. */
  absent?: boolean;
};

/** The measures of one runtime, in the order of DESIGN.md's table. */
function measures(rt: "deno" | "bun" | "node", extra: Record<string, unknown>[]): Measure[] {
  const impl = (style: string) => `${rt} ${style}`;
  const out: Measure[] = [];
  const ofC = (
    key: string,
    measure: string,
    atLeast: number,
    c: Case,
    style: string,
    detail?: string,
  ) => {
    const r = ratio(c, impl(style), "c");
    out.push({
      key,
      measure,
      target: `>= ${atLeast * 100}% of C`,
      held: r === undefined ? undefined : r >= atLeast,
      value: r === undefined ? undefined : `${pct(r)} of C`,
      detail,
      absent: fig(c, impl(style)) === undefined,
    });
  };

  const c16 = ratio(tcpThroughput(16), impl("await"), "c");
  const z16 = ratio(tcpThroughput(16), impl("await"), "zeromq.js");
  const pooled = ratio(tcpThroughput(16), impl("pooled"), "c");
  out.push({
    key: "16B_await",
    measure: "16 B PUSH->PULL, await send / for await",
    target: ">= 4.5x zeromq.js and >= 40% of C",
    held: c16 === undefined || z16 === undefined ? undefined : z16 >= 4.5 && c16 >= 0.4,
    value: join(
      c16 !== undefined && `${pct(c16)} of C`,
      z16 !== undefined && `${x(z16)} zeromq.js`,
    ),
    detail: pooled === undefined ? undefined : `pooled frames: ${pct(pooled)} of C`,
    absent: fig(tcpThroughput(16), impl("await")) === undefined,
  });
  ofC("16B_try", "16 B PUSH->PULL, trySend/tryReceive loops", 0.6, tcpThroughput(16), "try");
  for (const [key, size, atLeast] of LARGE) {
    const tryR = ratio(tcpThroughput(size), impl("try"), "c");
    ofC(
      key,
      `${sizeName(size)} PUSH->PULL MB/s, plain send/receive (await)`,
      atLeast,
      tcpThroughput(size),
      "await",
      tryR === undefined ? undefined : `try style: ${pct(tryR)} of C`,
    );
  }

  const rttC = ratio(TCP_ROUND_TRIP, impl("await"), "c");
  const rttZ = ratio(TCP_ROUND_TRIP, impl("await"), "zeromq.js");
  const rttTry = ratio(TCP_ROUND_TRIP, impl("try"), "c");
  const rttMeasure = "REQ<->REP round trip (await)";
  if (rt === "node") {
    // Node's one bar.
    out.push({
      key: "rtt_await_vs_zeromqjs",
      measure: rttMeasure,
      target: "<= zeromq.js",
      held: rttZ === undefined ? undefined : rttZ <= 1,
      value: rttZ === undefined ? undefined : `${x(rttZ)} zeromq.js`,
      detail: join(
        rttC !== undefined && `${x(rttC)} C`,
        rttTry !== undefined && `try style: ${x(rttTry)} C`,
      ),
    });
  } else {
    out.push({
      key: "rtt_await",
      measure: rttMeasure,
      target: "<= 1.3x C",
      held: rttC === undefined ? undefined : rttC <= 1.3,
      value: rttC === undefined ? undefined : `${x(rttC)} C`,
      detail: join(
        rttZ !== undefined && `${x(rttZ)} zeromq.js`,
        rttTry !== undefined && `try style: ${x(rttTry)} C`,
      ),
    });
    const blocking = ratio(TCP_ROUND_TRIP, impl("blocking"), "c");
    out.push({
      key: "rtt_blocking",
      measure: "REQ<->REP round trip, { blocking: true } sockets",
      target: "<= 1.15x C",
      held: blocking === undefined ? undefined : blocking <= 1.15,
      value: blocking === undefined ? undefined : `${x(blocking)} C`,
    });
  }

  const find = (test: string) => extra.find((e) => e.impl === rt && e.test === test);
  const threads = find("threads");
  const rate = (field: string) =>
    threads?.[field] === undefined ? undefined : Number(threads[field]);
  const slower = rate("msgs_per_s");
  out.push({
    key: "threads",
    measure: "inproc, Worker <-> main thread, 16 B, await",
    target: ">= 1M msgs/s (slower direction)",
    held: slower === undefined ? undefined : slower >= 1e6,
    value: slower === undefined ? undefined : `${short(slower)} msgs/s`,
    detail: (threads?.error as string | undefined) ??
      (slower === undefined
        ? undefined
        : `main -> Worker ${short(rate("main_to_worker_msgs_per_s")!)}, Worker -> main ${
          short(rate("worker_to_main_msgs_per_s")!)
        }`),
    absent: threads === undefined,
  });

  const idle = find("idle");
  const base = find("idle-baseline");
  out.push({
    key: "idle",
    measure: "idle, receive pending",
    target: "~0% CPU (< 1%)",
    held: idle?.cpu_percent === undefined ? undefined : Number(idle.cpu_percent) < 1,
    value: idle?.cpu_percent === undefined ? undefined : `${idle.cpu_percent}% CPU`,
    detail: (idle?.error as string | undefined) ??
      (base?.cpu_percent === undefined
        ? undefined
        : `runtime alone, no socket: ${base.cpu_percent}%`),
    absent: idle === undefined,
  });
  const mem = find("memory");
  out.push({
    key: "rss",
    measure: `${short(memoryMessages)} messages, RSS`,
    target: "flat (growth < max(8 MB, 10%))",
    held: mem?.flat === undefined ? undefined : Boolean(mem.flat),
    value: mem?.growth_mb === undefined
      ? undefined
      : `${mem.rss_warm_mb} -> ${mem.rss_end_mb} MB (peak ${mem.rss_peak_mb})`,
    detail: (mem?.error as string | undefined) ??
      (mem?.external_samples_mb === undefined
        ? undefined
        : `external ${(mem.external_samples_mb as number[])[0]} -> ${
          (mem.external_samples_mb as number[]).at(-1)
        } MB`),
    absent: mem === undefined,
  });
  return out;
}

/**
 * Every bar of this run: Deno's and Bun's (each judged, or n/a when a figure
 * is missing), Node's round trip against zeromq.js (judged), and Node's
 * other measures as information (those it ran).
 */
export function bars(extra: Record<string, unknown>[]): Bar[] {
  const out: Bar[] = [];
  const measured = (rt: string) =>
    [...figures.values()].some((f) => f.impl === rt) || extra.some((e) => e.impl === rt);
  for (const rt of ["deno", "bun", "node"] as const) {
    if (rt === "node" && !measured(rt)) continue;
    for (const m of measures(rt, extra)) {
      const { key, value, detail } = m;
      if (rt !== "node" || m.key === "rtt_await_vs_zeromqjs") {
        out.push({
          key,
          bar: `${m.measure}: ${m.target}`,
          runtime: rt,
          held: m.held,
          value,
          detail,
        });
      } else if (!m.absent) {
        out.push({ key, bar: m.measure, runtime: rt, informational: true, value, detail });
      }
    }
  }
  return out;
}

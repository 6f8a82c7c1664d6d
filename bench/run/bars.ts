/**
 * The quality bars of DESIGN.md, judged from bench/run.ts's figures: held or
 * not held for Deno and Bun; the same measures for Node as information.
 *
 * @module
 */
import { short } from "./format.ts";
import { type Case, caseKey, type Figure, figures } from "./matrix.ts";
import { memoryMessages } from "./options.ts";

/**
 * A quality bar measured on one runtime. The bars are set for Deno and Bun;
 * Node gets the same measures as information: `bar` is the measure alone and
 * there is no `held`.
 */
export type Bar = {
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

export function bars(extra: Record<string, unknown>[]): Bar[] {
  const out: Bar[] = [];
  const tcp = (size: number): Case => ({
    test: "throughput",
    transport: "tcp",
    mode: "two-process",
    size,
  });
  const lat: Case = {
    test: "latency",
    transport: "tcp",
    mode: "two-process",
    size: 16,
  };
  const measured = (rt: string) =>
    [...figures.values()].some((f) => f.impl === rt) || extra.some((e) => e.impl === rt);
  for (const rt of ["deno", "bun", "node"] as const) {
    const info = rt === "node";
    if (info && !measured(rt)) continue;
    /** "measure: target" for a bar; the measure alone for Node's information. */
    const name = (measure: string, target: string, infoMeasure = measure) =>
      info ? infoMeasure : `${measure}: ${target}`;
    const ratio = (
      c: Case,
      impl: string,
      ref: string,
    ): number | undefined => {
      const a = fig(c, impl)?.median, b = fig(c, ref)?.median;
      return a !== undefined && b ? a / b : undefined;
    };
    const push = (bar: Omit<Bar, "runtime" | "informational">) =>
      out.push(
        info
          ? { ...bar, runtime: rt, held: undefined, informational: true }
          : { ...bar, runtime: rt },
      );
    const add = (
      measure: string,
      target: string,
      r: number | undefined,
      ok: (r: number) => boolean,
      show: (r: number) => string,
      detail?: string,
    ) =>
      push({
        bar: name(measure, target),
        held: r === undefined ? undefined : ok(r),
        value: r === undefined ? undefined : show(r),
        detail,
      });
    const x = (r: number) => `${r.toFixed(2)}x`;
    const pct = (r: number) => `${(r * 100).toFixed(1)}%`;

    add(
      "16 B PUSH->PULL, await send / for await",
      ">= 4.5x zeromq.js",
      ratio(tcp(16), `${rt} await`, "zeromq.js"),
      (r) => r >= 4.5,
      (r) => `${x(r)} zeromq.js`,
    );
    add(
      "16 B PUSH->PULL, trySend/tryReceive loops",
      ">= 50% of C",
      ratio(tcp(16), `${rt} try`, "c"),
      (r) => r >= 0.5,
      (r) => `${pct(r)} of C`,
    );
    const tryR = ratio(tcp(65536), `${rt} try`, "c");
    add(
      "64 KiB PUSH->PULL MB/s (await style)",
      ">= 90% of C",
      ratio(tcp(65536), `${rt} await`, "c"),
      (r) => r >= 0.9,
      (r) => `${pct(r)} of C`,
      tryR === undefined ? undefined : `try style: ${pct(tryR)} of C`,
    );
    const rttC = ratio(lat, `${rt} await`, "c");
    const rttZ = ratio(lat, `${rt} await`, "zeromq.js");
    add(
      "REQ<->REP round trip (await style)",
      "<= 1.15x C and < zeromq.js",
      rttC,
      (r) => r <= 1.15 && (rttZ === undefined || rttZ < 1),
      (r) => `${x(r)} C`,
      rttZ === undefined ? undefined : `${x(rttZ)} zeromq.js`,
    );
    const idle = extra.find((e) => e.impl === rt && e.test === "idle");
    const base = extra.find((e) => e.impl === rt && e.test === "idle-baseline");
    push({
      bar: name("idle, receive pending", "~0% CPU (< 1%)"),
      held: idle?.cpu_percent === undefined ? undefined : Number(idle.cpu_percent) < 1,
      value: idle?.cpu_percent === undefined ? undefined : `${idle.cpu_percent}% CPU`,
      detail: (idle?.error as string | undefined) ??
        (base?.cpu_percent === undefined
          ? undefined
          : `runtime alone, no socket: ${base.cpu_percent}%`),
    });
    const mem = extra.find((e) => e.impl === rt && e.test === "memory");
    push({
      bar: name(
        `${short(memoryMessages)} messages`,
        "flat RSS (growth < max(8 MB, 10%))",
        `${short(memoryMessages)} messages, RSS`,
      ),
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
    });
  }
  return out;
}

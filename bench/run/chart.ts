/**
 * bench/chart.svg, written by hand: one row per (test, transport, mode), one
 * panel per message size, one bar per implementation; and a last row for
 * inproc between a Worker and the main thread (one panel per direction).
 *
 * @module
 */
import { short, sizeName } from "./format.ts";
import { caseKey, CASES, type Figure } from "./matrix.ts";
import { quick, runs } from "./options.ts";

const COLORS: Record<string, string> = {
  "c": "#555555",
  "zeromq.js": "#8cc84b",
  "deno await": "#1f6feb",
  "deno try": "#79b8ff",
  "deno blocking": "#0a3069",
  "deno pooled": "#b6e3ff",
  "bun await": "#d9822b",
  "bun try": "#f5c26b",
  "bun blocking": "#7d4e00",
  "bun pooled": "#fae3b0",
  "node await": "#8250df",
  "node try": "#c8a8ff",
};

function esc(s: string) {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** One panel: a caption, its unit, and a value (or none) for each implementation shown. */
type Panel = { caption: string; unit: string; values: (number | undefined)[] };

/**
 * Hand-written SVG: one row per (test, transport, mode), one panel per size;
 * then the `extra` results of bench/threads.ts, if any, as a row of their own.
 */
export function chart(
  figs: Figure[],
  info: Record<string, unknown>,
  extra: Record<string, unknown>[] = [],
): string {
  const idOf = (f: Figure) => f.style ? `${f.impl} ${f.style}` : f.impl;
  // bench/threads.ts uses the await style: its bars take the "<runtime> await" colour.
  const threads = extra.filter((e) => e.test === "threads" && e.error === undefined);
  const threadsOf = (id: string) => threads.find((e) => `${e.impl} await` === id);
  const ids = Object.keys(COLORS).filter((id) => figs.some((f) => idOf(f) === id) || threadsOf(id));
  const groups: { title: string; panels: Panel[] }[] = [];
  for (const c of CASES) {
    const title = `${
      c.test === "throughput" ? "PUSH->PULL" : "REQ<->REP round trip"
    } ${c.transport} ${c.mode}`;
    let g = groups.find((g) => g.title === title);
    if (!g) groups.push(g = { title, panels: [] });
    const useMB = c.test === "throughput" && c.size >= 65536;
    const rows = ids.map((id) => figs.find((f) => caseKey(f) === caseKey(c) && idOf(f) === id));
    g.panels.push({
      caption: sizeName(c.size),
      unit: c.test === "latency" ? "µs round trip (lower is better)" : useMB ? "MB/s" : "msgs/s",
      values: rows.map((f) => f?.median === undefined ? undefined : useMB ? f.mb_per_s! : f.median),
    });
  }
  if (threads.length) {
    const direction = (caption: string, field: string): Panel => ({
      caption,
      unit: "msgs/s",
      values: ids.map((id) => {
        const v = threadsOf(id)?.[field];
        return v === undefined ? undefined : Number(v);
      }),
    });
    groups.push({
      title: "inproc between a Worker and the main thread, 16 B, await (this library)",
      panels: [
        direction("main -> Worker", "main_to_worker_msgs_per_s"),
        direction("Worker -> main", "worker_to_main_msgs_per_s"),
      ],
    });
  }
  const barW = 26, gap = 6, panelPad = 14;
  const panelW = Math.max(1, ids.length) * (barW + gap) + panelPad * 2;
  const panelH = 150, rowH = panelH + 70, left = 20, top = 70;
  const cols = Math.max(...groups.map((g) => g.panels.length), 1);
  const width = left * 2 + cols * (panelW + 20);
  const height = top + groups.length * rowH + 30;
  const s: string[] = [];
  s.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
      `viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
  );
  s.push(`<rect width="100%" height="100%" fill="#ffffff"/>`);
  s.push(
    `<text x="${left}" y="22" font-size="15" font-weight="bold">zmq benchmarks: C, zeromq.js, this library on Deno, Bun and Node (median of ${runs}${
      quick ? ", quick" : ""
    })</text>`,
  );
  s.push(
    `<text x="${left}" y="38" fill="#555">${
      esc(
        `${info.cpus} CPUs ${info.cpu}; libzmq ${info.libzmq}; deno ${info.deno}; bun ${info.bun}; node ${info.node}; koffi ${
          info.koffi ?? "-"
        }`,
      )
    }</text>`,
  );
  let lx = left;
  for (const id of ids) {
    s.push(
      `<rect x="${lx}" y="48" width="12" height="12" fill="${COLORS[id]}"/>`,
    );
    const name = id === "c" ? "C (libzmq)" : id.startsWith("node ") ? `${id} (npm build)` : id;
    s.push(`<text x="${lx + 16}" y="58">${esc(name)}</text>`);
    lx += 16 + name.length * 7 + 18;
  }
  groups.forEach((g, gi) => {
    const y0 = top + gi * rowH;
    s.push(
      `<text x="${left}" y="${y0 + 18}" font-size="13" font-weight="bold">${esc(g.title)}</text>`,
    );
    g.panels.forEach(({ caption, unit, values }, ci) => {
      const x0 = left + ci * (panelW + 20);
      const py = y0 + 30;
      const max = Math.max(...values.map((v) => v ?? 0), 1e-9);
      s.push(
        `<rect x="${x0}" y="${py}" width="${panelW}" height="${panelH}" fill="#f6f8fa" stroke="#d0d7de"/>`,
      );
      s.push(
        `<text x="${x0 + 4}" y="${py + panelH + 16}">${esc(`${caption} — ${unit}`)}</text>`,
      );
      const chartH = panelH - 30;
      values.forEach((v, i) => {
        const bx = x0 + panelPad + i * (barW + gap);
        if (v === undefined) {
          s.push(
            `<text x="${bx + 4}" y="${py + panelH - 4}" fill="#999">-</text>`,
          );
          return;
        }
        const label = unit === "msgs/s" ? short(v) : v.toFixed(0);
        const h = Math.max(1, v / max * chartH);
        const by = py + panelH - h;
        s.push(
          `<rect x="${bx}" y="${by.toFixed(1)}" width="${barW}" height="${h.toFixed(1)}" fill="${
            COLORS[ids[i]]
          }"><title>${esc(`${ids[i]}: ${label} ${unit}`)}</title></rect>`,
        );
        s.push(
          `<text x="${bx + barW / 2}" y="${
            (by - 3).toFixed(1)
          }" text-anchor="middle" font-size="9">${label}</text>`,
        );
      });
    });
  });
  s.push(`</svg>`);
  return s.join("\n") + "\n";
}

/**
 * bench/chart.svg, written by hand: one row per (test, transport, mode), one
 * panel per message size, one bar per implementation.
 *
 * @module
 */
import { short, sizeName } from "./format.ts";
import { type Case, caseKey, CASES, type Figure } from "./matrix.ts";
import { quick, runs } from "./options.ts";

const COLORS: Record<string, string> = {
  "c": "#555555",
  "zeromq.js": "#8cc84b",
  "deno await": "#1f6feb",
  "deno try": "#79b8ff",
  "bun await": "#d9822b",
  "bun try": "#f5c26b",
  "node await": "#8250df",
  "node try": "#c8a8ff",
};

function esc(s: string) {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Hand-written SVG: one row per (test, transport, mode), one panel per size. */
export function chart(figs: Figure[], info: Record<string, unknown>): string {
  const idOf = (f: Figure) => f.style ? `${f.impl} ${f.style}` : f.impl;
  const ids = Object.keys(COLORS).filter((id) => figs.some((f) => idOf(f) === id));
  const groups: { title: string; cases: Case[] }[] = [];
  for (const c of CASES) {
    const title = `${
      c.test === "throughput" ? "PUSH->PULL" : "REQ<->REP round trip"
    } ${c.transport} ${c.mode}`;
    let g = groups.find((g) => g.title === title);
    if (!g) groups.push(g = { title, cases: [] });
    g.cases.push(c);
  }
  const barW = 26, gap = 6, panelPad = 14;
  const panelW = Math.max(1, ids.length) * (barW + gap) + panelPad * 2;
  const panelH = 150, rowH = panelH + 70, left = 20, top = 70;
  const cols = Math.max(...groups.map((g) => g.cases.length), 1);
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
    g.cases.forEach((c, ci) => {
      const x0 = left + ci * (panelW + 20);
      const py = y0 + 30;
      const rows = ids.map((id) => figs.find((f) => caseKey(f) === caseKey(c) && idOf(f) === id));
      const useMB = c.test === "throughput" && c.size >= 65536;
      const val = (f?: Figure) =>
        f?.median === undefined ? undefined : useMB ? f.mb_per_s! : f.median;
      const max = Math.max(...rows.map((f) => val(f) ?? 0), 1e-9);
      const unit = c.test === "latency"
        ? "µs round trip (lower is better)"
        : useMB
        ? "MB/s"
        : "msgs/s";
      s.push(
        `<rect x="${x0}" y="${py}" width="${panelW}" height="${panelH}" fill="#f6f8fa" stroke="#d0d7de"/>`,
      );
      s.push(
        `<text x="${x0 + 4}" y="${py + panelH + 16}">${
          esc(`${sizeName(c.size)} — ${unit}`)
        }</text>`,
      );
      const chartH = panelH - 30;
      rows.forEach((f, i) => {
        const v = val(f);
        const bx = x0 + panelPad + i * (barW + gap);
        if (v === undefined) {
          s.push(
            `<text x="${bx + 4}" y="${py + panelH - 4}" fill="#999">-</text>`,
          );
          return;
        }
        const label = useMB || c.test === "latency" ? v.toFixed(0) : short(v);
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

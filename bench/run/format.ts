/**
 * Number and size formatting shared by bench/run.ts's table, bars and chart.
 *
 * @module
 */

/** The median of `xs`. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Rounded to three decimals. */
export const round3 = (x: number) => Math.round(x * 1000) / 1000;
/** 1,234,567. */
export const fmtInt = (n: number) => Math.round(n).toLocaleString("en-US");
/** 16 B, 64 KiB, 1 MiB. */
export const sizeName = (n: number) =>
  n >= 1 << 20 ? `${n >> 20} MiB` : n >= 1024 ? `${n >> 10} KiB` : `${n} B`;
/** 1.23M, 456k, 78.9. */
export const short = (n: number) =>
  n >= 1e6
    ? `${(n / 1e6).toFixed(n >= 1e7 ? 1 : 2)}M`
    : n >= 1e3
    ? `${(n / 1e3).toFixed(n >= 1e4 ? 0 : 1)}k`
    : n.toFixed(n >= 100 ? 0 : 1);

/**
 * The allocation floor of received frames that own their memory, per
 * runtime: what making one costs before any libzmq call. Deno, Bun and Node
 * (its npm build copy) alike; no socket involved.
 *
 * ```sh
 * deno run -A bench/allocation.ts [--seconds 0.2] [--rounds 5]
 * bun bench/allocation.ts ...
 * ```
 *
 * ns per operation, each keeping the last 1024 results alive in a ring (so
 * the GC tracks them, as it does received frames a program still holds):
 *
 * - `u8_16_ns`: `new Uint8Array(16)`, a small frame that owns its buffer;
 * - `u8_16_drop_ns`: the same, each dropped at once (a throughput receiver);
 * - `u8_1024_ns`: `new Uint8Array(1024)`;
 * - `slab_view_16_ns`: a 16-byte view into a shared 64 KiB slab,
 *   `new Uint8Array(slab.buffer, offset, 16)`, with a new slab each time one
 *   is full (what `pooledFrames: true` does, slab included);
 * - `alloc_64k_copy_ns`: `Buffer.allocUnsafeSlow(65536)` and a copy of 64 KiB
 *   into it (a large frame: memory without zero-filling, one copy);
 * - `alloc_64k_copy_drop_ns`: the same, each frame dropped at once (as a
 *   throughput receiver does) rather than 1024 kept;
 * - `copy_64k_ns`: the same copy into a buffer made once, for comparison;
 * - `alloc_1m_copy_drop_ns`, `copy_1m_ns`: the same two for a 1 MiB frame
 *   (memory this large comes from mmap in most allocators: page faults).
 *
 * Each is timed for `--seconds` per round, `--rounds` times after one
 * untimed warm-up round (JIT, heap growth); the median round counts. The
 * 64 KiB figures keep 64 MiB alive and move with the GC and the machine's
 * load (from a few µs to well over 100 µs between runs on a busy machine). Prints one line `{"impl":..,"test":"allocation","keep":1024,
 * "u8_16_ns":..,"u8_1024_ns":..,"slab_view_16_ns":..,"alloc_64k_copy_ns":..,
 * "alloc_64k_copy_drop_ns":..,"copy_64k_ns":..}`.
 *
 * @module
 */
import process from "node:process";
import { Buffer } from "node:buffer";
import { emit, num, parseArgs } from "./common.ts";

const args = parseArgs(process.argv.slice(2), { seconds: "0.2", rounds: "5" });
const seconds = num(args, "seconds");
const rounds = num(args, "rounds");

const KEEP = 1024;
const EMPTY = new Uint8Array(0);
const keep: Uint8Array[] = new Array(KEEP).fill(EMPTY);
/** Read back at the end, so no loop can be optimized away. */
let sink = 0;

/**
 * The median over `rounds` of ns per call of `make(i)`, each round calling
 * it in batches of KEEP until `seconds` have passed. `kept`: how many of the
 * last results stay alive (KEEP, or 1 for a frame dropped at once; a
 * power of two).
 */
function measure(make: (i: number) => Uint8Array, kept = KEEP): number {
  keep.fill(EMPTY); // nothing of the measure before stays alive
  const perRound: number[] = [];
  for (let r = -1; r < rounds; r++) {
    let n = 0;
    const t0 = performance.now();
    let elapsed = 0;
    do {
      for (let i = 0; i < KEEP; i++) keep[i & (kept - 1)] = make(i);
      n += KEEP;
      elapsed = performance.now() - t0;
    } while (elapsed < seconds * 1000);
    sink += keep[0].length;
    if (r >= 0) perRound.push(elapsed * 1e6 / n);
  }
  perRound.sort((a, b) => a - b);
  return Math.round(perRound[perRound.length >> 1] * 10) / 10;
}

const SLAB_BYTES = 64 * 1024;
let slab = new Uint8Array(SLAB_BYTES);
let slabOffset = 0;
function slabView(size: number): Uint8Array {
  if (slabOffset + size > SLAB_BYTES) {
    slab = new Uint8Array(SLAB_BYTES);
    slabOffset = 0;
  }
  const view = new Uint8Array(slab.buffer, slabOffset, size);
  slabOffset += (size + 7) & ~7;
  return view;
}

/** A received large frame: memory without zero-filling, then one copy into it. */
function largeFrameOf(size: number): () => Uint8Array {
  const source = new Uint8Array(size).fill(1);
  return () => {
    const memory = Buffer.allocUnsafeSlow(size);
    const frame = new Uint8Array(memory.buffer, memory.byteOffset, size);
    frame.set(source);
    return frame;
  };
}

/** The same copy into one buffer made once: what the copy alone costs. */
function copyOnlyOf(size: number): () => Uint8Array {
  const source = new Uint8Array(size).fill(1);
  const target = new Uint8Array(size);
  return () => {
    target.set(source);
    return target;
  };
}

const result = {
  u8_16_ns: measure(() => new Uint8Array(16)),
  u8_16_drop_ns: measure(() => new Uint8Array(16), 1),
  u8_1024_ns: measure(() => new Uint8Array(1024)),
  slab_view_16_ns: measure(() => slabView(16)),
  alloc_64k_copy_drop_ns: measure(largeFrameOf(65536), 1),
  alloc_64k_copy_ns: measure(largeFrameOf(65536)),
  copy_64k_ns: measure(copyOnlyOf(65536)),
  alloc_1m_copy_drop_ns: measure(largeFrameOf(1 << 20), 1),
  copy_1m_ns: measure(copyOnlyOf(1 << 20)),
};
if (sink < 0) console.error(sink);
emit({ test: "allocation", keep: KEEP, ...result });

/**
 * A fixed-seed slice of the API fuzzer (scripts/fuzz/fuzz.ts) for CI: each seed
 * runs in a child process of the current runtime, so a crash is reported with
 * its seed and last operations instead of killing the runner. The full run
 * is `deno task fuzz` (seeds 1-50, 100,000 operations).
 *
 * @module
 */
import { runChild } from "../scripts/fuzz/fuzz.ts";
import { equal, runtime, test } from "./harness.ts";

// The seeds that found crashes and hangs: 1 (SOCKS, Bun), 7 and 14 (an events
// iteration outliving its socket), 16 (a Pair refusing a pending Router), 43
// (PGM settings), 45 (a blocked capture socket), 174 (GSSAPI over ws://),
// 191 (unbind of a pending inproc connection, Bun), 194 (a high-water mark
// changed after the peer closed), 205 (conflate and a pending inproc connection,
// Bun), 374 (a welcome message and an abandoned inproc connection, Bun).
const SEEDS = [1, 7, 14, 16, 43, 45, 174, 191, 194, 205, 374];
const OPS = 2_000;
const PARALLEL = 2;

test(
  `fuzz (${runtime}): seeds ${
    SEEDS.join(", ")
  }, ${OPS} operations each: no crash, no hang, only ZmqError/TypeError`,
  async () => {
    const failures: string[] = [];
    const queue = [...SEEDS];
    const worker = async () => {
      for (let seed = queue.shift(); seed !== undefined; seed = queue.shift()) {
        const result = await runChild(seed, OPS, 40_000);
        const ok = result.code === 0 && result.signal === null && !result.timedOut;
        if (!ok) {
          failures.push(
            `seed ${seed}: code=${result.code} signal=${result.signal} ` +
              `timedOut=${result.timedOut}\nlast lines:\n${result.tail.join("\n")}`,
          );
        }
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    equal(failures.length, 0, failures.join("\n\n"));
  },
  { timeout: 100_000 },
);

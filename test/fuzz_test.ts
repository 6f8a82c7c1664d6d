/**
 * A fixed-seed slice of the API fuzzer (scripts/fuzz/fuzz.ts) for CI: each seed
 * runs in a child process of the current runtime, so a crash is reported with
 * its seed and last operations instead of killing the runner. The full run
 * is `deno task fuzz` (seeds 1-50).
 *
 * @module
 */
import { runChild } from "../scripts/fuzz/fuzz.ts";
import { equal, runtime, test } from "./harness.ts";

// The seeds that found crashes and hangs with the socket operations alone:
// 1 (SOCKS, Bun), 7 and 14 (an events iteration outliving its socket), 16 (a
// Pair refusing a pending Router), 43 (PGM settings), 45 (a blocked capture
// socket), 174 (GSSAPI over ws://), 191 (unbind of a pending inproc
// connection, Bun), 194 (a high-water mark changed after the peer closed),
// 205 (conflate and a pending inproc connection, Bun), 374 (a welcome message
// and an abandoned inproc connection, Bun). They run as then, sockets only.
const SOCKET_SEEDS = [1, 7, 14, 16, 43, 45, 174, 191, 194, 205, 374];
// Seeds of the whole surface (pollers, zero-copy, authenticators, actors, ...).
// What the grown fuzzer found (an events iterator freezing Deno in a full
// context, pending connections of borrowed contexts, ...) has its own test in
// fuzz_regressions_test.ts: its seeds' sequences changed as the fuzzer grew.
const SURFACE_SEEDS = [2, 10, 21];
// Seeds of the zeromq.js entry points alone (zeromq.ts, zeromq_v5_compat.ts):
// what their fuzzing found has its tests in test/zeromq_compat_*_test.ts.
const COMPAT_SEEDS = [3, 11];
const PARALLEL = 2;

interface Run {
  seed: number;
  ops: number;
  socketsOnly?: boolean;
  compatOnly?: boolean;
}

test(
  `fuzz (${runtime}): seeds ${SOCKET_SEEDS.join(", ")} (sockets, 2000 operations) and ${
    SURFACE_SEEDS.join(", ")
  } (everything, 1000 operations) and ${
    COMPAT_SEEDS.join(", ")
  } (zeromq.js entry points, 2000 operations): no crash, no hang, only the errors each promises`,
  async () => {
    const failures: string[] = [];
    const queue: Run[] = [
      ...SURFACE_SEEDS.map((seed) => ({ seed, ops: 1_000, socketsOnly: false })),
      ...SOCKET_SEEDS.map((seed) => ({ seed, ops: 2_000, socketsOnly: true })),
      ...COMPAT_SEEDS.map((seed) => ({ seed, ops: 2_000, compatOnly: true })),
    ];
    const worker = async () => {
      for (let run = queue.shift(); run !== undefined; run = queue.shift()) {
        const result = await runChild(run.seed, run.ops, 90_000, run);
        const ok = result.code === 0 && result.signal === null && !result.timedOut;
        if (!ok) {
          const scope = run.socketsOnly
            ? " (sockets only)"
            : run.compatOnly
            ? " (zeromq.js entries only)"
            : "";
          failures.push(
            `seed ${run.seed}${scope}: code=${result.code} ` +
              `signal=${result.signal} timedOut=${result.timedOut}\nlast lines:\n${
                result.tail.join("\n")
              }`,
          );
        }
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    equal(failures.length, 0, failures.join("\n\n"));
  },
  { timeout: 400_000 },
);

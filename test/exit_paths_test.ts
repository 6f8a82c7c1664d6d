/**
 * Exit paths in CI: with receives and sends pending, a proxy and a monitor
 * running, undeliverable messages queued and traffic in flight, the process
 * leaves by a normal end, process.exit / Deno.exit, an uncaught exception,
 * an unhandled rejection or SIGTERM (with and without a handler): it ends
 * that way, never with a segfault, an abort or a hang. Two runs per way;
 * `deno run -A test/exit_paths_run.ts --runs 10` runs many more.
 *
 * @module
 */
import { casesFor, describeResult, HOWS, runExitPath } from "./exit_paths_run.ts";
import { equal, runtime, test } from "./harness.ts";

const RUNS = 2;
const PARALLEL = 4;

test(
  `exit paths (${runtime}): every way out, with everything in flight, ${RUNS} runs each`,
  async () => {
    const queue = HOWS.flatMap((how) =>
      Array.from({ length: RUNS }, () => [how, casesFor(how)[0]] as const)
    );
    const failures: string[] = [];
    await Promise.all(Array.from({ length: PARALLEL }, async () => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        const result = await runExitPath(...next);
        if (result.problem !== null) failures.push(describeResult(result));
      }
    }));
    equal(failures.length, 0, failures.join("\n"));
  },
  { timeout: 90_000 },
);

/**
 * Exit paths: runs test/fixtures/exit_paths.ts (operations, proxies and
 * monitors in flight) and leaves by a normal end, process.exit / Deno.exit,
 * an uncaught exception, an unhandled rejection, or SIGTERM (with and
 * without a handler), checking that the process ends the way it should:
 * never a segfault, an abort, or a hang. test/exit_paths_test.ts runs a few
 * of these in CI; this script runs many:
 *
 *   deno run -A test/exit_paths_run.ts [--runs 10] [--jobs 4]
 *   bun test/exit_paths_run.ts [--runs 10] [--jobs 4]
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import process from "node:process";
import { describeExit, runScript, runtime, type ScriptExit } from "./harness.ts";

const FIXTURE = fileURLToPath(new URL("./fixtures/exit_paths.ts", import.meta.url));

/** How the fixture leaves. */
export const HOWS = [
  "end",
  "exit",
  "runtime-exit",
  "throw",
  "reject",
  "sigterm",
  "sigterm-close",
] as const;
export type How = typeof HOWS[number];

/** What is in flight when it leaves. */
export const STATES = [
  "receive",
  "send",
  "proxy",
  "monitor",
  "queued",
  "traffic",
  "large",
  "timeout",
] as const;

/** States that keep the process alive: a normal end is not possible with them. */
const HOLDING = new Set(["receive", "send", "proxy", "traffic", "large"]);

/** The state lists worth running for `how`: everything at once, and each alone. */
export function casesFor(how: How): string[] {
  const states = how === "end" ? STATES.filter((s) => !HOLDING.has(s)) : [...STATES];
  return [how === "end" ? states.join(",") : "all", ...states];
}

/** The outcome of one run: null when it ended as it should, else why not. */
export interface ExitPathResult {
  how: How;
  states: string;
  exit: ScriptExit;
  problem: string | null;
}

const CRASH_SIGNALS = new Set(["SIGSEGV", "SIGABRT", "SIGBUS", "SIGILL", "SIGFPE", "SIGTRAP"]);
const CRASH_TEXT =
  /segmentation fault|panic|Assertion failed|abort\(\)|\(src\/[a-z_]+\.cpp:\d+\)|Bun has crashed/i;

/** Runs the fixture once and judges how it ended. */
export async function runExitPath(how: How, states: string): Promise<ExitPathResult> {
  let signalled = false;
  const exit = await runScript(FIXTURE, {
    args: [how, states],
    timeout: 20_000,
    onStdout: (_chunk, pid) => {
      if (!how.startsWith("sigterm") || signalled) return;
      signalled = true;
      process.kill(pid, "SIGTERM");
    },
  });
  return { how, states, exit, problem: judge(how, exit) };
}

function judge(how: How, exit: ScriptExit): string | null {
  if (exit.timedOut) return "hang: still running after 20 s";
  if (exit.signal !== null && CRASH_SIGNALS.has(exit.signal)) return `crash: ${exit.signal}`;
  if (CRASH_TEXT.test(exit.stderr)) return "crash: libzmq or the runtime complained";
  if (!exit.stdout.includes("ready")) return "never got ready";
  switch (how) {
    case "end":
    case "exit":
    case "runtime-exit":
      return exit.code === 0 ? null : `expected exit code 0, got ${exit.code}/${exit.signal}`;
    case "throw":
    case "reject":
      if (exit.code !== 1) return `expected exit code 1, got ${exit.code}/${exit.signal}`;
      return exit.stderr.includes("boom") ? null : "the error was not reported";
    case "sigterm":
      // Killed by the signal (Deno and Bun keep its default action).
      return exit.signal === "SIGTERM" || exit.code === 143
        ? null
        : `expected SIGTERM, got ${exit.code}/${exit.signal}`;
    case "sigterm-close":
      if (exit.code !== 0) return `expected exit code 0, got ${exit.code}/${exit.signal}`;
      return exit.stdout.includes("closed on SIGTERM") ? null : "the handler did not run";
  }
}

/** One line for a failed run. */
export function describeResult(result: ExitPathResult): string {
  return `${result.how} [${result.states}]: ${result.problem} — ${describeExit(result.exit)}`;
}

if (import.meta.main) {
  const args = process.argv.slice(runtime === "deno" ? 1 : 2);
  const option = (name: string, fallback: number) => {
    const index = args.indexOf(`--${name}`);
    return index === -1 ? fallback : Number(args[index + 1]);
  };
  const runs = option("runs", 10);
  const jobs = option("jobs", 4);
  const queue: [How, string][] = [];
  for (let run = 0; run < runs; run++) {
    for (const how of HOWS) for (const states of casesFor(how)) queue.push([how, states]);
  }
  const total = queue.length;
  const tally = new Map<string, { ok: number; failed: number }>();
  const failures: string[] = [];
  const started = Date.now();
  await Promise.all(Array.from({ length: jobs }, async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const result = await runExitPath(...next);
      const entry = tally.get(result.how) ?? { ok: 0, failed: 0 };
      if (result.problem === null) entry.ok++;
      else {
        entry.failed++;
        failures.push(describeResult(result));
        console.log(`FAIL ${describeResult(result)}`);
      }
      tally.set(result.how, entry);
    }
  }));
  console.log(
    `\nexit paths (${runtime}): ${total} runs in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
  for (const how of HOWS) {
    const entry = tally.get(how)!;
    console.log(`  ${how.padEnd(14)} ${entry.ok} ok, ${entry.failed} failed`);
  }
  console.log(`segfaults/aborts/hangs/wrong endings: ${failures.length}`);
  if (failures.length > 0) process.exit(1);
}

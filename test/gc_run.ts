/**
 * Runs test files under GC pressure (ZMQ_TEST_GC=1, see test/harness.ts):
 * a full garbage collection before and after every test and every few
 * milliseconds while it runs, so that a buffer, pointer or callback that C
 * still uses but JavaScript dropped is freed under it. One file at a time,
 * in the runtime that runs this script:
 *
 *   deno run -A test/gc_run.ts [--interval 10] [files...]
 *   bun test/gc_run.ts [--interval 10] [files...]
 *
 * Without files it runs the core tests (sockets, patterns, engine, options,
 * monitor, proxy, security, poll, zero copy, threads). Prints one line per
 * file and a summary; exits 1 if any file failed.
 *
 * @module
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import process from "node:process";

const isDeno = "Deno" in globalThis;

/** The core test files, in the order they run. */
export const CORE_TESTS = [
  "engine_test.ts",
  "async_test.ts",
  "frames_test.ts",
  "messages_test.ts",
  "zero_copy_test.ts",
  "metadata_test.ts",
  "pair_test.ts",
  "push_pull_test.ts",
  "pub_sub_test.ts",
  "xpub_xsub_test.ts",
  "req_rep_test.ts",
  "router_dealer_test.ts",
  "stream_test.ts",
  "options_test.ts",
  "context_test.ts",
  "monitor_test.ts",
  "proxy_test.ts",
  "poll_test.ts",
  "security_test.ts",
  "auth_test.ts",
  "threads_test.ts",
  "fuzz_regressions_test.ts",
];

/** The outcome of one test file under GC pressure. */
export interface GcRunResult {
  file: string;
  ok: boolean;
  code: number | null;
  signal: string | null;
  /** "N passed, M failed" as the runner said it, if it did. */
  counts: string;
  seconds: number;
  output: string;
}

/** Runs one test file (a path) with the current runtime's test runner under GC pressure. */
export function runUnderGc(file: string, intervalMs = 10): Promise<GcRunResult> {
  const command = isDeno ? Deno.execPath() : process.execPath;
  const args = isDeno
    ? ["test", "-A", "--v8-flags=--expose-gc", file]
    : ["test", "--timeout", "120000", file];
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ZMQ_TEST_GC: "1", ZMQ_TEST_GC_INTERVAL: String(intervalMs) },
    });
    let output = "";
    child.stdout!.on("data", (chunk) => output += chunk);
    child.stderr!.on("data", (chunk) => output += chunk);
    child.on("close", (code, signal) => {
      // deno: "ok | 7 passed | 0 failed"; bun: " 7 pass" / " 0 fail".
      // deno-lint-ignore no-control-regex -- strips the runner's colour codes
      const plain = output.replace(/\x1b\[[0-9;]*m/g, "");
      const deno = /(\d+) passed \| (\d+) failed/.exec(plain);
      const bunPass = /^\s*(\d+) pass$/m.exec(plain);
      const bunFail = /^\s*(\d+) fail$/m.exec(plain);
      const counts = deno
        ? `${deno[1]} passed, ${deno[2]} failed`
        : bunPass
        ? `${bunPass[1]} passed, ${bunFail?.[1] ?? "?"} failed`
        : "no summary";
      resolve({
        file,
        ok: code === 0 && signal === null,
        code,
        signal,
        counts,
        seconds: (Date.now() - started) / 1000,
        output: plain,
      });
    });
  });
}

if (import.meta.main) {
  const args = isDeno ? Deno.args : process.argv.slice(2);
  let interval = 10;
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--interval") interval = Number(args[++i]);
    else files.push(args[i]);
  }
  const here = (name: string) => fileURLToPath(new URL(name, import.meta.url));
  const targets = files.length > 0 ? files : CORE_TESTS.map(here);
  let failed = 0;
  for (const file of targets) {
    const result = await runUnderGc(file, interval);
    const name = file.split("/").pop();
    console.log(
      `${result.ok ? "ok  " : "FAIL"} ${name}: ${result.counts} (${result.seconds.toFixed(1)} s)` +
        (result.ok ? "" : ` code=${result.code} signal=${result.signal}`),
    );
    if (!result.ok) {
      failed++;
      console.log(result.output.split("\n").slice(-40).map((l) => `    ${l}`).join("\n"));
    }
  }
  console.log(
    `\n${isDeno ? "deno" : "bun"}: ${targets.length - failed} of ${targets.length} files passed ` +
      `under GC pressure (a full collection every ${interval} ms)`,
  );
  if (failed > 0) process.exit(1);
}

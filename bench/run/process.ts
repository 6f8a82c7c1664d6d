/**
 * Running child processes for bench/run.ts: each in its own process group,
 * bounded by a timeout, killed with its group afterwards; and the little the
 * rest needs to read their results and find the tools.
 *
 * @module
 */
import { join } from "node:path";
import { ROOT, RUN_TIMEOUT_S } from "./options.ts";

/**
 * libzmq creates `ipc://*` wildcard endpoints as tmpXXXXXX/socket under
 * $TMPDIR, or under the working directory when TMPDIR is unset, and a process
 * that exits before libzmq has cleaned up leaves them behind. Children get a
 * private TMPDIR that {@link removeTmp} removes at the end.
 */
const TMP = await Deno.makeTempDir({ prefix: "zmq-bench-" });

/** Removes the children's private TMPDIR. */
export async function removeTmp(): Promise<void> {
  await Deno.remove(TMP, { recursive: true }).catch(() => {});
}

/** How a child process ended. */
export type Exec = {
  code: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  seconds: number;
};

/** Runs cmd in its own process group, killing the whole group afterwards. */
export async function exec(
  cmd: string[],
  timeoutS = RUN_TIMEOUT_S,
  cwd = ROOT,
): Promise<Exec> {
  const t0 = performance.now();
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("setsid", {
      args: cmd,
      cwd,
      // NO_COLOR: no terminal colour codes in the errors a failure() quotes.
      env: { TMPDIR: TMP, NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (e) {
    return {
      code: 127,
      stdout: "",
      stderr: String(e),
      timedOut: false,
      seconds: 0,
    };
  }
  let timedOut = false;
  const killGroup = () => {
    try {
      Deno.kill(-child.pid, "SIGKILL");
    } catch { /* already gone */ }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup();
  }, timeoutS * 1000);
  const out = await child.output();
  clearTimeout(timer);
  killGroup(); // stragglers (a peer that outlived its parent)
  const dec = new TextDecoder();
  return {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
    timedOut,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** The last JSON line of a child's stdout (every benchmark script ends with one). */
export function lastJson(stdout: string): Record<string, unknown> | undefined {
  const lines = stdout.trim().split("\n").filter((l) => l.startsWith("{"));
  if (!lines.length) return undefined;
  try {
    return JSON.parse(lines[lines.length - 1]);
  } catch {
    return undefined;
  }
}

/**
 * One line saying how a run failed: its first error line (an uncaught
 * error's message comes before its stack) and its last lines.
 */
export function failure(r: Exec): string {
  if (r.timedOut) return `hung: killed after ${r.seconds.toFixed(0)} s`;
  const lines = (r.stderr.trim() || r.stdout.trim()).split("\n");
  const tail = lines.slice(-6);
  const error = lines.find((line) => /error/i.test(line) && !/^\s+at /.test(line));
  const shown = error === undefined || tail.includes(error)
    ? tail
    : [error, "...", ...tail.slice(-3)];
  return `exit ${r.code}: ${shown.join(" | ")}`;
}

/** Whether `path` exists. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** The modification time of `path` in ms; 0 when it is missing. */
export async function mtime(path: string): Promise<number> {
  try {
    return (await Deno.stat(path)).mtime?.getTime() ?? 0;
  } catch {
    return 0;
  }
}

async function findBin(name: string, fallback: string): Promise<string> {
  const local = join(ROOT, "node_modules", ".bin", name);
  return await exists(local) ? local : fallback;
}

/** The project's deno (node_modules/.bin), else this one. */
export const DENO = await findBin("deno", Deno.execPath());
/** The project's bun (node_modules/.bin), else the one on PATH. */
export const BUN = await findBin("bun", "bun");
/** Node, from PATH. */
export const NODE = "node";

/** Percent of all CPUs busy (not idle) over `ms`, from /proc/stat; Linux only. */
export async function busyPercent(ms = 500): Promise<number | undefined> {
  const read = async () => {
    const line = (await Deno.readTextFile("/proc/stat")).split("\n")[0];
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    return { idle: v[3] + (v[4] ?? 0), total: v.reduce((a, b) => a + b, 0) };
  };
  try {
    const a = await read();
    await new Promise((r) => setTimeout(r, ms));
    const b = await read();
    return Math.round(100 * (1 - (b.idle - a.idle) / (b.total - a.total)));
  } catch {
    return undefined;
  }
}

/**
 * Shared helpers for the benchmark scripts in bench/: argument parsing,
 * runtime detection, spawning this script again as a peer process, and the
 * JSON result line. Uses only node: modules, so the scripts run unchanged
 * under Deno and Bun, and on Node once bench/node_build.ts has compiled them
 * to JavaScript against the npm build.
 *
 * @module
 */
import process from "node:process";
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

/** The runtime executing this script: "deno", "bun" or "node". */
export const runtime: "deno" | "bun" | "node" = "Deno" in globalThis
  ? "deno"
  : "Bun" in globalThis
  ? "bun"
  : "node";

/** Parsed `--name value` / `--flag` arguments. */
export type Args = Record<string, string | boolean>;

/** Parses `--name value` pairs (and bare `--flag`s listed in `flags`). */
export function parseArgs(
  argv: string[],
  defaults: Args,
  flags: string[] = [],
): Args {
  const out: Args = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) throw new Error(`unexpected argument ${a}`);
    const name = a.slice(2);
    if (flags.includes(name)) {
      out[name] = true;
      continue;
    }
    if (!(name in defaults)) throw new Error(`unknown argument ${a}`);
    if (i + 1 >= argv.length) throw new Error(`missing value for ${a}`);
    out[name] = argv[++i];
  }
  return out;
}

/** A numeric argument, rejecting anything that is not a finite number. */
export function num(args: Args, name: string): number {
  const v = Number(args[name]);
  if (!Number.isFinite(v)) throw new Error(`--${name} must be a number`);
  return v;
}

/** The options every throughput/latency script takes, checked. */
export function benchOptions(args: Args): {
  endpoint: string;
  size: number;
  count: number;
  style: "await" | "try" | "blocking";
  timeout: number;
  mode: "two-process" | "one-process";
} {
  const endpoint = String(args.endpoint);
  const style = String(args.style);
  const mode = endpoint.startsWith("inproc://") ? "one-process" : String(args.mode);
  if (style !== "await" && style !== "try" && style !== "blocking") {
    throw new Error(`bad --style`);
  }
  if (mode !== "two-process" && mode !== "one-process") throw new Error(`bad --mode`);
  return {
    endpoint,
    size: num(args, "size"),
    count: num(args, "count"),
    style,
    timeout: num(args, "timeout"),
    mode,
  };
}

/** "tcp" from "tcp://127.0.0.1:*". */
export function transportOf(endpoint: string): string {
  return endpoint.split("://")[0];
}

/**
 * Spawns the script at `url` again under the current runtime (or `on`), with `args`:
 * `deno run -A script.ts`, `bun script.ts`, or on Node `node script.js` (the
 * compiled copy: import.meta.url is then the .js file node_build.ts wrote).
 * stdin is a pipe the child watches: closing it tells the child to finish
 * (and if this process dies, the child sees EOF and exits, so no straggler
 * stays behind). stdout/stderr are inherited.
 */
export function spawnSelf(url: string, args: string[], on: typeof runtime = runtime): {
  child: ChildProcess;
  exited: Promise<number>;
} {
  const script = fileURLToPath(url);
  const argv = on === "deno" ? ["run", "-A", script, ...args] : [script, ...args];
  const child = spawn(executableOf(on, script), argv, {
    stdio: ["pipe", "inherit", "inherit"],
  });
  const exited = new Promise<number>((resolve) => {
    child.on("exit", (code, signal) => resolve(signal ? 1 : code ?? 1));
  });
  return { child, exited };
}

/** This process's executable for its own runtime; else the repository's node_modules/.bin copy. */
function executableOf(name: typeof runtime, script: string): string {
  if (name === runtime) return process.execPath;
  return join(dirname(script), "..", "node_modules", ".bin", name);
}

/**
 * In a child spawned by spawnSelf: resolves when the parent closes our stdin
 * (or dies). Call it once, early.
 */
export function parentGone(): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => resolve();
    process.stdin.on("end", done);
    process.stdin.on("close", done);
    process.stdin.on("error", done);
    process.stdin.resume();
  });
}

/**
 * Kills `child` (if any) and exits with an error after `seconds`, so a hung
 * benchmark cannot run forever; `status` adds where it got to. Returns a
 * function that cancels the watchdog. The timer is unref'd: it never keeps the process alive by itself.
 */
export function watchdog(
  name: string,
  seconds: number,
  child?: () => ChildProcess | undefined,
  status?: () => string,
): () => void {
  const t = setTimeout(() => {
    console.error(
      `${name}: timed out after ${seconds} s${status ? ` (${status()})` : ""}`,
    );
    try {
      child?.()?.kill("SIGKILL");
    } catch { /* already gone */ }
    process.exit(1);
  }, seconds * 1000);
  (t as unknown as { unref?: () => void }).unref?.();
  return () => clearTimeout(t);
}

/** Prints one JSON result line on stdout. */
export function emit(line: Record<string, unknown>): void {
  console.log(JSON.stringify({ impl: runtime, ...line }));
}

/** Seconds since an arbitrary origin, high resolution. */
export function now(): number {
  return performance.now() / 1000;
}

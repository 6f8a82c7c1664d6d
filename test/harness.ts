/**
 * A thin shim so every test file runs unchanged under `deno test -A` and
 * `bun test`: one `test()` that registers with the runtime's own runner, the
 * assertions of `node:assert/strict`, and the few helpers the socket tests
 * share (unique addresses, transports, timeouts).
 *
 * @module
 */

import { spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import assertTrue, { rejects as assertRejects } from "node:assert/strict";
import { Pull, Push, ZmqError } from "../mod.ts";

export {
  deepEqual,
  default as assert,
  equal,
  fail,
  match,
  notDeepEqual,
  notEqual,
  ok,
  rejects,
  throws,
} from "node:assert/strict";

/** Which runtime runs the tests. */
export const runtime: "deno" | "bun" | "node" = "Deno" in globalThis
  ? "deno"
  : "Bun" in globalThis
  ? "bun"
  : "node";

/** The default bound on a single test, in milliseconds. */
export const DEFAULT_TIMEOUT = 15_000;

/** Options of {@link test}. */
export interface TestOptions {
  /** Fail the test (loudly, with its name) after this many milliseconds. */
  timeout?: number;
  /** Register the test but do not run it. */
  ignore?: boolean;
}

type TestFn = () => Promise<void> | void;
type BunTest = {
  (name: string, fn: () => Promise<void>, timeout?: number): void;
  skip(name: string, fn: () => Promise<void>): void;
};

// Resolved at run time only, with a non-literal specifier, so that Deno's
// type checker never tries to resolve "bun:test".
let bunTest: BunTest | undefined;
if (runtime === "bun") {
  const spec = "bun:test";
  bunTest = ((await import(spec)) as { test: BunTest }).test;
}
// Node runs the npm build's tests (scripts/test_npm.sh) with its own runner.
type NodeTest = (
  name: string,
  options: { timeout: number; skip: boolean },
  fn: () => Promise<void>,
) => void;
let nodeTest: NodeTest | undefined;
if (runtime === "node") {
  nodeTest = ((await import("node:test")) as unknown as { test: NodeTest }).test;
}

function readEnv(name: string): string | undefined {
  try {
    return process.env[name];
  } catch {
    return undefined; // no permission to read the environment
  }
}

/**
 * ZMQ_TEST_GC=1 runs every test under forced garbage collection: a full
 * collection before and after it and every ZMQ_TEST_GC_INTERVAL ms (default
 * 10) while it runs, so that a buffer, pointer or callback that C still uses
 * but JavaScript no longer holds is freed under it. Deno needs
 * `--v8-flags=--expose-gc`.
 */
export const gcPressure: boolean = readEnv("ZMQ_TEST_GC") === "1";
const gcIntervalMs = Number(readEnv("ZMQ_TEST_GC_INTERVAL") ?? 10);
/** Forced collections so far (ZMQ_TEST_GC=1). */
export let gcCount = 0;

/** Forces a full garbage collection; throws when the runtime does not allow it. */
export function collectGarbage(): void {
  const g = globalThis as { gc?: () => void; Bun?: { gc(force: boolean): void } };
  if (g.Bun !== undefined) g.Bun.gc(true);
  else if (typeof g.gc === "function") g.gc();
  else throw new Error("Forced GC needs --v8-flags=--expose-gc (Deno) or --expose-gc (Node)");
  gcCount++;
}

function startGcPressure(): () => void {
  collectGarbage();
  const interval = setInterval(collectGarbage, gcIntervalMs);
  return () => {
    clearInterval(interval);
    collectGarbage();
  };
}

/** Run `fn`, failing with the test's name if it takes longer than `ms`. */
async function runBounded(name: string, fn: TestFn, ms: number) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Test "${name}" timed out after ${ms} ms`)),
      ms,
    );
  });
  const stopGc = gcPressure ? startGcPressure() : undefined;
  try {
    await Promise.race([Promise.resolve().then(fn), timeout]);
  } finally {
    clearTimeout(timer);
    stopGc?.();
  }
}

let warmedUp: Promise<void> | undefined;

/**
 * The process's first wait starts the poller thread, and `deno test` without
 * --no-check type-checks that Worker's module as it starts: seconds on a
 * loaded machine, which would count against the first test's waits. Paid
 * once, before the first test's clock starts; a failure here (no libzmq) is
 * left for the tests themselves to report.
 */
function warmUp(): Promise<void> {
  return warmedUp ??= pollerCycle().catch(() => {});
}

/**
 * Register a test with Deno's or Bun's runner. Every test is bounded by a
 * timeout (default {@link DEFAULT_TIMEOUT}) that fails it with its name.
 */
export function test(name: string, fn: TestFn, options: TestOptions = {}) {
  const ms = options.timeout ?? DEFAULT_TIMEOUT;
  const bounded = async () => {
    await warmUp();
    await runBounded(name, fn, ms);
  };
  if (runtime === "deno") {
    Deno.test({
      name,
      fn: bounded,
      ignore: options.ignore ?? false,
      sanitizeOps: false,
      sanitizeResources: false,
    });
  } else if (runtime === "node") {
    nodeTest!(name, { timeout: ms + 5_000, skip: options.ignore ?? false }, bounded);
  } else if (options.ignore) {
    bunTest!.skip(name, bounded);
  } else {
    // Bun's own timeout sits above ours so that ours, with the name, fires.
    bunTest!(name, bounded, ms + 5_000);
  }
}

/** Reject with a clear message if `promise` does not settle within `ms`. */
export async function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Resolve after `ms` milliseconds. Only for time that is part of a scenario
 * (a server that answers late on purpose, pacing a sender), never to wait for
 * something to happen: await the event, or use {@link waitUntil}.
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Waits until `condition()` holds, looking every few milliseconds, and fails
 * loudly with `what` after `ms`. For a state no event announces (a statistic,
 * a flag another loop sets); where an event exists, await it instead.
 */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  ms: number,
  what: string,
): Promise<void> {
  const deadline = performance.now() + ms;
  while (!(await condition())) {
    if (performance.now() > deadline) {
      throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    }
    await sleep(5);
  }
}

/**
 * Resolves once the poller thread has returned from a poll() over every wait
 * registered before this call, and has been asked to poll again for those
 * still waiting. A fresh probe receive is what travels there: its message is
 * sent only after it started waiting, so no wait on this thread can serve
 * it. Use it where a test needs an operation to sit in the poller thread
 * (closing a socket under it), or to show that the waiting machinery ran
 * while something that must not happen did not.
 */
export async function pollerCycle(): Promise<void> {
  const pull = new Pull({ linger: 0 });
  const push = new Push({ linger: 0 });
  try {
    const endpoint = uniqueInprocAddress();
    await pull.bind(endpoint);
    push.connect(endpoint);
    const probe = pull.receive();
    if (!push.trySend("probe")) throw new Error("The poller probe could not send over inproc");
    await withTimeout(probe, 5_000, "a probe receive served by the poller thread");
  } finally {
    closeAll(push, pull);
  }
}

let counter = 0;
function unique(): string {
  counter += 1;
  const random = Math.random().toString(36).slice(2, 8);
  return `${process.pid}-${counter}-${random}`;
}

/** A fresh `inproc://` address nobody else uses. */
export function uniqueInprocAddress(): string {
  return `inproc://zmq-test-${unique()}`;
}

/** A fresh `ipc://` address under the OS temp dir. */
export function uniqueIpcAddress(): string {
  return `ipc://${join(tmpdir(), `zmq-test-${unique()}.sock`)}`;
}

/**
 * An endpoint where no peer is or will be: a fresh ipc path. (A tcp port
 * nobody listens on is not that: another process may bind it at any time,
 * even port 1 when running as root.)
 */
export function noPeerEndpoint(): string {
  return uniqueIpcAddress();
}

/** The transports every pattern is tested over. */
export const transports = ["tcp", "ipc", "inproc"] as const;
/** One of {@link transports}. */
export type Transport = typeof transports[number];

/**
 * An endpoint to bind for `transport`: "tcp://127.0.0.1:*" (read the real one
 * from `lastEndpoint` after binding), a unique ipc path or inproc name.
 */
export function endpointFor(transport: Transport): string {
  switch (transport) {
    case "tcp":
      return "tcp://127.0.0.1:*";
    case "ipc":
      return uniqueIpcAddress();
    case "inproc":
      return uniqueInprocAddress();
  }
}

/** The little of a socket that {@link bindAny} needs. */
export interface Bindable {
  bind(endpoint: string): Promise<void>;
  readonly lastEndpoint: unknown;
}

/**
 * Bind `socket` to a fresh endpoint of `transport` and return the endpoint a
 * peer can connect to (for tcp, the port chosen by the system).
 */
export async function bindAny(
  socket: Bindable,
  transport: Transport,
): Promise<string> {
  const endpoint = endpointFor(transport);
  await socket.bind(endpoint);
  if (transport !== "tcp") return endpoint;
  const last = socket.lastEndpoint;
  if (typeof last !== "string" || !/^tcp:\/\/127\.0\.0\.1:\d+$/.test(last)) {
    throw new Error(
      `lastEndpoint after binding "${endpoint}" should be a concrete tcp ` +
        `endpoint, got ${String(last)}`,
    );
  }
  return last;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** UTF-8 bytes of `text`. */
export function bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

/** The UTF-8 text of one frame. */
export function text(frame: Uint8Array): string {
  return decoder.decode(frame);
}

/** The UTF-8 text of every frame of a message. */
export function texts(frames: Uint8Array[]): string[] {
  return frames.map(text);
}

/** Close every socket given, ignoring ones already closed or missing. */
export function closeAll(
  ...sockets: ({ close(): void } | undefined | null)[]
): void {
  for (const socket of sockets) {
    try {
      socket?.close();
    } catch {
      // closing is best effort in cleanup
    }
  }
}

/** The executable of the runtime running the tests. */
export const runtimeExecutable: string = runtime === "deno" ? Deno.execPath() : process.execPath;

/** The command line that runs `script` with the current runtime. */
export function runtimeCommand(script: string): string[] {
  return runtime === "deno"
    ? [runtimeExecutable, "run", "-A", script]
    : [runtimeExecutable, script];
}

/** The little of a receiving socket that {@link pumpUntilReceived} needs. */
export interface Receiving {
  receive(options?: { timeout?: number }): Promise<Uint8Array[]>;
}

/**
 * Call `sendOnce` repeatedly until `receiver` gets a message, and return that
 * message: the cure for pub/sub's slow joiner, where messages published
 * before a subscription reaches the publisher are dropped.
 */
export async function pumpUntilReceived(
  sendOnce: () => unknown,
  receiver: Receiving,
  ms = 5_000,
): Promise<Uint8Array[]> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    await sendOnce();
    try {
      return await receiver.receive({ timeout: 25 });
    } catch (error) {
      if ((error as { code?: unknown }).code !== "EAGAIN") throw error;
    }
  }
  throw new Error(`Nothing arrived within ${ms} ms while pumping messages`);
}

/**
 * The next message `receiver` gets must be `expected` (as text): the way to
 * show that nothing else came first. For a check that something does not
 * arrive, send a marker down the same ordered path after it and expect the
 * marker: a pause followed by `tryReceive() === null` proves nothing on a
 * slow machine.
 */
export async function expectNext(
  receiver: Receiving,
  expected: string[],
  what = `the message ${JSON.stringify(expected)}`,
  ms = 5_000,
): Promise<void> {
  const frames = await withTimeout(receiver.receive(), ms, what);
  assertTrue.deepEqual(texts(frames), expected, `expected ${what} next`);
}

/** Receive messages until one satisfies `accept`; return it. */
export async function receiveUntil(
  receiver: Receiving,
  accept: (frames: Uint8Array[]) => boolean,
  ms = 5_000,
): Promise<Uint8Array[]> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const frames = await receiver.receive({
      timeout: Math.max(1, deadline - Date.now()),
    });
    if (accept(frames)) return frames;
  }
  throw new Error(`No matching message arrived within ${ms} ms`);
}

/**
 * Closes `socket` while `pending` (one of its operations) waits in the poller
 * thread's poll(), and asserts that the operation then rejects with a
 * ZmqError within two seconds.
 */
export async function assertRejectsOnClose(
  socket: { close(): void },
  pending: Promise<unknown>,
  what: string,
  // deno-lint-ignore no-explicit-any
  ZmqError: new (...args: any[]) => Error,
): Promise<void> {
  await pollerCycle();
  socket.close();
  await assertRejects(
    withTimeout(pending, 2_000, what),
    (error: unknown) => {
      assertTrue(error instanceof ZmqError, `not a ZmqError: ${error}`);
      return true;
    },
  );
}

/** How a script run by {@link runScript} ended. */
export interface ScriptExit {
  /** The exit code, or null when a signal ended it. */
  code: number | null;
  /** The signal that ended it ("SIGABRT", "SIGSEGV", "SIGKILL" after a timeout, ...). */
  signal: string | null;
  /** True when it outlived its timeout and was killed. */
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

/** Options of {@link runScript}. */
export interface RunScriptOptions {
  /** Arguments after the script. */
  args?: string[];
  /** Kill it (SIGKILL) after this many milliseconds (default 15,000). */
  timeout?: number;
  /** Deno: pass --v8-flags=--expose-gc so that the script can call gc(). */
  exposeGc?: boolean;
  /**
   * Run it under the runtime's CPU profiler (Deno, Bun and Node all have
   * --cpu-prof), sampling every 20 µs and writing the profile here: the
   * profiler's signal then interrupts the script's system calls often.
   */
  cpuProfileDir?: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Called with each chunk of stdout as it arrives (e.g. to send a signal on "ready"). */
  onStdout?: (chunk: string, pid: number) => void;
}

/**
 * Runs `script` in a child process of the current runtime and reports how
 * it ended: a crash (signal), a hang (timedOut) or an exit code, with its
 * output. It never throws for the child's sake.
 */
export function runScript(script: string, options: RunScriptOptions = {}): Promise<ScriptExit> {
  const [command, ...rest] = runtimeCommand(script);
  if (options.exposeGc && runtime === "deno") rest.splice(1, 0, "--v8-flags=--expose-gc");
  if (options.cpuProfileDir !== undefined) {
    const flags = ["--cpu-prof", `--cpu-prof-dir=${options.cpuProfileDir}`];
    rest.splice(runtime === "deno" ? 1 : 0, 0, ...flags, "--cpu-prof-interval=20");
  }
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...rest, ...(options.args ?? [])], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...options.env },
    });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, options.timeout ?? 15_000);
    child.stdout!.setEncoding("utf8");
    child.stderr!.setEncoding("utf8");
    child.stdout!.on("data", (chunk: string) => {
      stdout += chunk;
      options.onStdout?.(chunk, child.pid!);
    });
    child.stderr!.on("data", (chunk: string) => stderr += chunk);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, timedOut, stdout, stderr });
    });
  });
}

/** One line describing a {@link ScriptExit}, for assertion messages. */
export function describeExit(exit: ScriptExit): string {
  const tail = (text: string) =>
    JSON.stringify(text.length > 2000 ? "…" + text.slice(-2000) : text);
  return `code ${exit.code}, signal ${exit.signal}, timedOut ${exit.timedOut}, ` +
    `stdout ${tail(exit.stdout)}, stderr ${tail(exit.stderr)}`;
}

/**
 * A validator for `throws` / `rejects` (and a check anywhere): the error is a
 * ZmqError with `code`. It asserts, so a mismatch says what came instead.
 */
export function isZmqError(code: string): (error: unknown) => true {
  return (error: unknown) => {
    assertTrue(error instanceof ZmqError, `expected a ZmqError ${code}, got ${error}`);
    assertTrue.equal(error.code, code, `expected ${code}: ${error.message}`);
    return true;
  };
}

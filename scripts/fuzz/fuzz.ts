/**
 * API fuzzer: seeded random sequences of public-API operations on a small pool
 * of sockets (every type) and contexts, checking that the process never
 * crashes, that no awaited step hangs, that every failure is a ZmqError
 * (with a string `code`) or a TypeError/RangeError with a message, and that
 * data arrives as sent (message order, zero-copy forwarding). Besides the
 * socket operations it drives pollers, proxies, events iterators, zero-copy
 * messages, metadata, authenticators, contexts, actors and forced garbage
 * collection (scripts/fuzz/surface.ts), and the zeromq.js compatibility
 * entry points (scripts/fuzz/compat_surface.ts).
 *
 * One seed, in this process (Deno needs --v8-flags=--expose-gc to collect):
 *   deno run -A --v8-flags=--expose-gc scripts/fuzz/fuzz.ts --seed 7 --ops 2000 [--trace]
 *   bun scripts/fuzz/fuzz.ts --seed 7 --ops 2000 [--trace]
 *
 * Many seeds, each in a child process of the same runtime (a crash or a hang
 * is then reported with its seed and the last operations it ran), `--jobs`
 * at a time (default 4; 1 on a small machine):
 *   deno run -A scripts/fuzz/fuzz.ts --seeds 1-50 --ops 2000 [--jobs 1]
 *
 * `--sockets-only` runs the socket operations alone; `--compat-only` the
 * operations on the zeromq.js entry points alone (zeromq.ts and
 * zeromq_v5_compat.ts, scripts/fuzz/compat_surface.ts; the default run has
 * them too, judged as zeromq.js's errors); `--include-known` also
 * generates the inputs of bugs already reported and not fixed.
 *
 * Exit codes of one seed: 0 fine, 2 invariant violated, 3 a step hung.
 *
 * @module
 */
import { spawn } from "node:child_process";
import { readdirSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import * as zmq from "../../mod.ts";
import { socketOptions } from "../../src/options.ts";
import { socketClasses as socketClassTable } from "../../src/socket_classes.ts";
import type { SocketTypeName } from "../../ffi/constants.ts";
import { type AnySocket, type FuzzKit, surfaceOperations } from "./surface.ts";
import { compatOperations, compatPlainErrors } from "./compat_surface.ts";

const isDeno = "Deno" in globalThis;
const runtimeName = isDeno ? "deno" : "bun";

// ---------------------------------------------------------------- arguments

function argument(name: string): string | undefined {
  const args = process.argv.slice(isDeno ? 1 : 2);
  const all = isDeno ? Deno.args : args;
  const index = all.indexOf(`--${name}`);
  if (index === -1) return undefined;
  const next = all[index + 1];
  return next === undefined || next.startsWith("--") ? "" : next;
}

// ---------------------------------------------------------------- PRNG

/** mulberry32: small, fast, good enough, fully determined by the seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------- one seed

/** Marks errors thrown on purpose by hostile values (getters, toString). */
class FuzzUserError extends Error {
  override name = "FuzzUserError";
}

type SocketCtor = new (options?: unknown) => zmq.Socket;

const socketTypes = Object.entries(socketClassTable) as [SocketTypeName, SocketCtor][];

// Above every bound the library itself keeps (Context.terminate waits up to 10 s).
const STEP_BOUND_MS = 12_000;

/** `--include-known`: also generate the inputs of bugs already reported. */
const includeKnown = argument("include-known") !== undefined;
/**
 * `--sockets-only`: only the first fuzzer's socket operations, without the
 * surface of scripts/fuzz/surface.ts (the seeds that first fuzzer found
 * bugs with run so in test/fuzz_test.ts).
 */
const socketsOnly = argument("sockets-only") !== undefined;
/**
 * `--compat-only`: only the operations on the zeromq.js entry points
 * (scripts/fuzz/compat_surface.ts), with garbage collections and ticks.
 */
const compatOnly = argument("compat-only") !== undefined;
/** `--only create,bind,...`: only the operations named (to narrow a finding down). */
const only = argument("only") || undefined;

/** Runs one seed in this process; resolves with its exit code (0 fine, 2 violations). */
export async function runSeed(seed: number, ops: number, trace: boolean): Promise<number> {
  const random = prng(seed);
  const int = (n: number) => Math.floor(random() * n);
  const chance = (p: number) => random() < p;
  const pick = <T>(items: readonly T[]): T => items[int(items.length)];

  const counts: Record<string, number> = {};
  const outcomes = {
    ok: 0,
    zmqError: 0,
    typeError: 0,
    rangeError: 0,
    aborted: 0,
    knownWarnings: 0,
    errnoError: 0,
    plainError: 0,
  };
  const violations: string[] = [];
  let opIndex = 0;
  let opName = "";

  const log = (line: string) => {
    if (trace) writeSync(2, `${line}\n`);
  };

  function hang(what: string): never {
    const line =
      `HANG seed=${seed} op#${opIndex} ${opName}: ${what} did not settle within ${STEP_BOUND_MS} ms`;
    writeSync(2, `${line}\n`);
    writeSync(1, `${line}\n`);
    process.exit(3);
  }

  /** Await `promise`, but never longer than the bound: a hang ends the run. */
  async function bounded<T>(promise: Promise<T>, what: string): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>(() => {
      timer = setTimeout(() => hang(what), STEP_BOUND_MS);
    });
    try {
      return await Promise.race([promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  const abortReasons = new Set<unknown>();

  /**
   * Check that a thrown or rejected value is one the library promises: with
   * `compat`, one the zeromq.js entry points promise (see judgeCompat).
   */
  function judge(error: unknown, where: string, compat = false): void {
    if (abortReasons.has(error)) {
      outcomes.aborted++;
      return;
    }
    if (error instanceof FuzzUserError) return;
    if (compat) return judgeCompat(error, where);
    if (error instanceof zmq.ZmqError) {
      if (typeof error.code === "string" && error.code !== "" && error.message !== "") {
        outcomes.zmqError++;
        return;
      }
    } else if (error instanceof TypeError || error instanceof RangeError) {
      if (typeof error.message === "string" && error.message !== "") {
        if (error instanceof TypeError) outcomes.typeError++;
        else outcomes.rangeError++;
        return;
      }
    }
    wrongError(error, where);
  }

  function wrongError(error: unknown, where: string, why = ""): void {
    let shown: string;
    try {
      shown = error instanceof Error
        ? `${error.constructor.name}: ${error.message}\n${error.stack ?? ""}`
        : `${typeof error}: ${String(error)}`;
    } catch {
      shown = typeof error;
    }
    const line = `VIOLATION seed=${seed} op#${opIndex} ${where}: threw ${why}${shown}`;
    violations.push(line);
    writeSync(2, `${line}\n`);
  }

  /**
   * What the zeromq.js entry points (zeromq.ts, zeromq_v5_compat.ts) may
   * throw, as zeromq.js itself does (src/zeromq/errors.ts): an Error with a
   * string `code` and a numeric `errno` (ErrnoError), a TypeError or
   * RangeError with a message, or one of the plain Errors zeromq.js words
   * itself (compatPlainErrors). A main-API ZmqError leaking through is wrong:
   * the compat entry maps every one to an ErrnoError.
   */
  function judgeCompat(error: unknown, where: string): void {
    if (error instanceof zmq.ZmqError) {
      return wrongError(error, where, "a main-API ZmqError (not mapped to an ErrnoError): ");
    }
    if (error instanceof TypeError || error instanceof RangeError) {
      if (typeof error.message === "string" && error.message !== "") {
        if (error instanceof TypeError) outcomes.typeError++;
        else outcomes.rangeError++;
        return;
      }
    } else if (error instanceof Error) {
      const { code, errno } = error as { code?: unknown; errno?: unknown };
      if (
        typeof code === "string" && code !== "" && typeof errno === "number" &&
        Number.isInteger(errno) && errno > 0 && error.message !== ""
      ) {
        outcomes.errnoError++;
        return;
      }
      if (
        error.constructor === Error && code === undefined &&
        compatPlainErrors.some((pattern) => pattern.test(error.message))
      ) {
        outcomes.plainError++;
        return;
      }
    }
    wrongError(error, where);
  }

  /** Run a synchronous call, judging what it throws. */
  function attempt<T>(where: string, fn: () => T, compat = false): T | undefined {
    log(`  ${where}`);
    try {
      const value = fn();
      outcomes.ok++;
      return value;
    } catch (error) {
      judge(error, where, compat);
      return undefined;
    }
  }

  /** Await a call's promise (bounded), judging what it throws or rejects with. */
  async function attemptAsync<T>(
    where: string,
    fn: () => Promise<T>,
    compat = false,
  ): Promise<T | undefined> {
    log(`  ${where}`);
    let promise: Promise<T>;
    try {
      promise = fn();
    } catch (error) {
      judge(error, `${where} (thrown synchronously)`, compat);
      return undefined;
    }
    try {
      const value = await bounded(promise, where);
      outcomes.ok++;
      return value;
    } catch (error) {
      judge(error, where, compat);
      return undefined;
    }
  }

  // Operations left pending on purpose: every one must settle once its
  // socket closes (checked, bounded, at the end).
  const pending: { what: string; promise: Promise<unknown> }[] = [];
  function leavePending(what: string, fn: () => Promise<unknown>, compat = false): void {
    let promise: Promise<unknown>;
    try {
      promise = fn();
    } catch (error) {
      judge(error, `${what} (thrown synchronously)`, compat);
      return;
    }
    const settled = promise.then(
      () => void outcomes.ok++,
      (error) => judge(error, what, compat),
    );
    pending.push({ what: `${what} (started at op#${opIndex})`, promise: settled });
  }

  // ------------------------------------------------------------ the pools

  const contexts: zmq.Context[] = [];
  const sockets: AnySocket[] = [];
  const proxies: { proxy: zmq.Proxy; done?: Promise<unknown> }[] = [];
  const endpoints: string[] = [];
  const prefix = `fuzz-${process.pid}-${seed}`;
  const inprocNames = [0, 1, 2].map((n) => `inproc://${prefix}-${n}`);
  const ipcNames = [0, 1].map((n) => `ipc://${join(tmpdir(), `${prefix}-${n}.sock`)}`);

  function someContext(): zmq.Context | undefined {
    return contexts.length === 0 || chance(0.25) ? undefined : pick(contexts);
  }
  function someSocket(): AnySocket | undefined {
    if (sockets.length === 0) return undefined;
    const socket = pick(sockets);
    log(`  [${nameOf(socket)}]`);
    return socket;
  }

  // Names for the trace (never consume randomness: a seed must replay the same).
  const names = new WeakMap<object, string>();
  let named = 0;
  function nameOf(value: unknown): string {
    if (value === zmq.context) return "default-context";
    if (value !== null && (typeof value === "object" || typeof value === "function")) {
      const name = names.get(value as object);
      if (name !== undefined) return name;
    }
    return brief(value);
  }
  function nameNew(value: object, kind: string): void {
    const context = (value as { context?: unknown }).context;
    const where = context === undefined ? "" : `@${nameOf(context)}`;
    names.set(value, `${kind}#${++named}${where}`);
    log(`  = ${nameOf(value)}`);
  }
  function brief(value: unknown): string {
    if (typeof value === "string") {
      return value.length > 40 ? `string(${value.length})` : JSON.stringify(value);
    }
    if (ArrayBuffer.isView(value)) {
      return `${value.constructor.name}(${value.byteLength})`;
    }
    if (value instanceof ArrayBuffer) return `ArrayBuffer(${value.byteLength})`;
    if (Array.isArray(value)) return `[${value.length} items]`;
    if (typeof value === "object" && value !== null) {
      try {
        return JSON.stringify(value)?.slice(0, 60) ?? "object";
      } catch {
        return "object";
      }
    }
    try {
      return String(value);
    } catch {
      return typeof value;
    }
  }

  // ------------------------------------------------------------ values

  function detachedBuffer(size: number): ArrayBuffer {
    const buffer = new ArrayBuffer(size);
    structuredClone(buffer, { transfer: [buffer] });
    return buffer;
  }

  function detachedView(): Uint8Array {
    const view = new Uint8Array(16);
    structuredClone(view.buffer, { transfer: [view.buffer] });
    return view;
  }

  const big = new Uint8Array(1 << 20).fill(7);

  function frameValue(): unknown {
    switch (int(30)) {
      case 0:
        return "hello";
      case 1:
        return "";
      case 2:
        return "héllo wörld — 日本語 🚀";
      case 3:
        return "\0nul\0inside";
      case 4:
        return new Uint8Array(0);
      case 5:
        return chance(0.3) ? big : new Uint8Array(1 << 20);
      case 6:
        return new Uint8Array([1, 2, 3]);
      case 7:
        return new ArrayBuffer(8);
      case 8:
        return detachedBuffer(8);
      case 9:
        return detachedView();
      case 10:
        return typeof SharedArrayBuffer === "undefined"
          ? "no SAB"
          : new Uint8Array(new SharedArrayBuffer(32)).fill(1);
      case 11:
        return typeof SharedArrayBuffer === "undefined" ? "no SAB" : new SharedArrayBuffer(4);
      case 12:
        return new DataView(new ArrayBuffer(12), 4, 4);
      case 13:
        return new Float64Array([1.5, NaN]);
      case 14:
        return new Uint8Array(64).subarray(10, 20);
      case 15:
        return 42;
      case 16:
        return NaN;
      case 17:
        return 1n;
      case 18:
        return true;
      case 19:
        return null;
      case 20:
        return undefined;
      case 21:
        return {};
      case 22:
        return { length: 3, 0: 1, 1: 2, 2: 3 };
      case 23:
        return Symbol("frame");
      case 24:
        return () => "fn";
      case 25:
        return new Date(0);
      case 26:
        return "x".repeat(int(5000));
      case 27:
        return new Uint16Array([0xffff, 1]);
      case 28:
        return typeof SharedArrayBuffer === "undefined"
          ? "no SAB"
          : new DataView(new SharedArrayBuffer(8));
      default:
        return hostileValue();
    }
  }

  /** Values whose getters or conversions run user code in the middle of a call. */
  function hostileValue(): unknown {
    switch (int(5)) {
      case 0: {
        // Reading index 1 detaches the buffer of frame 0.
        const first = new Uint8Array(64).fill(3);
        const message: unknown[] = [first];
        Object.defineProperty(message, 1, {
          enumerable: true,
          get() {
            if (first.buffer.byteLength > 0) {
              structuredClone(first.buffer, { transfer: [first.buffer] });
            }
            return "second";
          },
        });
        return message;
      }
      case 1: {
        // Reading index 1 closes a socket (perhaps the one sending).
        const message: unknown[] = ["a"];
        Object.defineProperty(message, 1, {
          enumerable: true,
          get() {
            for (const socket of sockets) if (chance(0.5)) socket.close();
            return "b";
          },
        });
        return message;
      }
      case 2:
        return new globalThis.Proxy([], {
          get() {
            throw new FuzzUserError("hostile array");
          },
        });
      case 3:
        return {
          toString() {
            throw new FuzzUserError("hostile toString");
          },
        };
      default: {
        const sparse: unknown[] = [];
        sparse[3] = "hole";
        return sparse;
      }
    }
  }

  function messageValue(): unknown {
    switch (int(6)) {
      case 0:
        return [];
      case 1:
        return [[]];
      case 2:
        return Array.from({ length: 1 + int(5) }, frameValue);
      case 3:
        if (chance(0.5)) return ["a", ["nested", "b"]];
        {
          // What an XSubscriber takes as a subscription (1) or its end (0).
          const frame = new Uint8Array(pick([2, 4097, 4098, 300_001])).fill(120);
          frame[0] = int(2);
          return chance(0.5) ? frame : ["x", frame];
        }
      case 4:
        return Array.from({ length: 200 }, (_, i) => String(i));
      default:
        return frameValue();
    }
  }

  const keys = zmq.curveKeyPair();
  const wrongValues: unknown[] = [
    "",
    "abc",
    -1,
    0,
    1,
    1.5,
    NaN,
    Infinity,
    -Infinity,
    2 ** 31,
    2 ** 63,
    -(2 ** 53),
    7n,
    -1n,
    true,
    false,
    null,
    undefined,
    {},
    [],
    [1],
    new Uint8Array(3),
    Symbol("value"),
    () => 1,
    new Date(),
    "z".repeat(1000),
  ];

  function optionValue(option: (typeof socketOptions)[number]): unknown {
    // A Router connecting twice with one connectRoutingId (or one a peer
    // has) aborts libzmq: "!has_out_pipe (routing_id) (src/router.cpp:463)"
    // (reported). Without --include-known every one given is new.
    if (option.name === "connectRoutingId" && !includeKnown) {
      return chance(0.1) ? pick(wrongValues) : freshRoutingId();
    }
    if (chance(0.35)) {
      const value = pick(wrongValues);
      // An unbounded linger makes context termination wait forever by design.
      if (
        option.name === "linger" && (value === -1 || (typeof value === "number" && value > 100))
      ) {
        return 0;
      }
      // ZMQ_USE_FD with a real fd: see below (reported).
      if (option.name === "useFd" && !includeKnown && typeof value === "number" && value >= 0) {
        return -1;
      }
      return value;
    }
    switch (option.type) {
      case "int":
        if (option.name === "linger") return pick([0, 1, 10, 50, -2, 1.5]);
        // ZMQ_USE_FD hands libzmq an fd it will use and close: stdout, or the
        // runtime's own fds, would be closed under the process (reported).
        if (option.name === "useFd") return includeKnown ? pick([-1, 0, 1, 2, 99999]) : -1;
        return pick([0, 1, 2, 10, 100, 1000, -1, -2, 2 ** 31 - 1, -(2 ** 31), int(100000)]);
      case "bool":
        return pick([true, false, 0, 1]);
      case "int64":
      case "uint64":
        return pick([0, 1, -1, 1024, 2 ** 40, Number.MAX_SAFE_INTEGER, 1n, 2n ** 64n, -1n]);
      case "string":
        return pick(["", "a", "domain", "127.0.0.1:1080", "é🚀", "\0", "s".repeat(300), "lo"]);
      case "bytes":
        return pick([
          "id",
          "",
          new Uint8Array(0),
          new Uint8Array(255).fill(1),
          new Uint8Array(256),
          new Uint8Array([0, 1]),
          detachedView(),
          new ArrayBuffer(4),
        ]);
      case "key":
        return pick([
          keys.publicKey,
          keys.secretKey,
          new Uint8Array(32),
          new Uint8Array(31),
          "x".repeat(40),
          keys.publicKey.slice(1),
          detachedView(),
        ]);
    }
  }

  let routingIds = 0;
  function freshRoutingId(): string {
    return `fuzz-connect-${++routingIds}`;
  }

  function optionName(option: (typeof socketOptions)[number]): string {
    return chance(0.5) ? option.name : `ZMQ_${option.zmqName}`;
  }

  const garbageNames: unknown[] = [
    "",
    "ZMQ_",
    "ZMQ_NOPE",
    "nope",
    "__proto__",
    "constructor",
    "toString",
    "hasOwnProperty",
    "LINGER",
    "zmq_linger",
    "ZMQ_LINGER\0",
    42,
    null,
    undefined,
    {},
    Symbol("name"),
    "ZMQ_SUBSCRIBE",
    "subscribe",
  ];

  function addEndpoint(address: string): void {
    if (endpoints.includes(address)) return;
    endpoints.push(address);
    if (endpoints.length > 12) endpoints.shift();
  }

  function endpoint(): unknown {
    switch (int(26)) {
      case 0:
      case 1:
      case 2:
        return "tcp://127.0.0.1:*";
      case 3:
      case 4:
        return pick(inprocNames);
      case 5:
        return pick(ipcNames);
      case 6:
      case 7:
      case 8:
        return endpoints.length > 0 ? pick(endpoints) : "tcp://127.0.0.1:*";
      case 9:
        return "tcp://127.0.0.1:notaport";
      case 10:
        return "tcp://*:99999";
      case 11:
        return "foo://bar";
      case 12:
        return "";
      case 13:
        return "inproc://";
      case 14:
        return `ipc://${join(tmpdir(), "x".repeat(200))}`;
      case 15:
        return "tcp://256.1.1.1:1";
      case 16:
        return "tcp://[::1]:*";
      case 17:
        return "udp://127.0.0.1:5555";
      case 18:
        return "tcp://127.0.0.1:5\u00005";
      case 19:
        return "tcp://" + "a".repeat(2000) + ":1";
      case 20:
        return "pgm://eth0;239.192.1.1:5555";
      case 21:
        return "tcp://127.0.0.1:1"; // nobody listens
      case 22:
        return pick([42, null, undefined, {}, ["tcp://127.0.0.1:*"], Symbol("ep")]);
      case 23:
        return "ws://127.0.0.1:*";
      case 24:
        return pick(["tcp://localhost:0", "norm://1,127.0.0.1:5557", "norm://239.192.1.9:5558"]);
      default:
        return Array.from({ length: int(30) }, () => String.fromCharCode(int(0x3000))).join("");
    }
  }

  function waitOptions(): unknown {
    switch (int(10)) {
      case 0:
        return undefined;
      case 1:
        return { timeout: 0 };
      case 2:
        return { timeout: pick([1, 5, 20]) };
      case 3: {
        const controller = new AbortController();
        const reason = new FuzzUserError("aborted before");
        abortReasons.add(reason);
        controller.abort(reason);
        return { signal: controller.signal, timeout: chance(0.5) ? 10 : undefined };
      }
      case 4: {
        const controller = new AbortController();
        const reason = new FuzzUserError("aborted during");
        abortReasons.add(reason);
        setTimeout(() => controller.abort(reason), int(15));
        return { signal: controller.signal, timeout: 100 };
      }
      case 5: {
        // The default reason: a DOMException.
        const controller = new AbortController();
        const signal = controller.signal;
        setTimeout(() => {
          controller.abort();
          abortReasons.add(signal.reason);
        }, 0);
        abortReasons.add(signal.reason);
        return { signal, timeout: 100 };
      }
      case 6:
        return { timeout: pick([-1, NaN, "10", null, Infinity, 1.5]) };
      case 7:
        return { signal: pick([null, {}, "signal", 5]), timeout: 5 };
      case 8:
        return pick([null, 5, "x", []]);
      default:
        return { timeout: 10 };
    }
  }

  /** Wait options that always end the wait on their own. */
  function boundedWaitOptions(): unknown {
    const options = waitOptions();
    if (
      options !== null && typeof options === "object" && !Array.isArray(options) &&
      typeof (options as { timeout?: unknown }).timeout === "number" &&
      (options as { timeout: number }).timeout >= 0 &&
      Number.isFinite((options as { timeout: number }).timeout)
    ) {
      return options;
    }
    return { timeout: 10 };
  }

  // ------------------------------------------------------------ operations

  function constructorOptions(type: SocketTypeName): unknown {
    switch (int(9)) {
      case 0:
        return undefined;
      case 1:
        return {};
      case 2:
        return pick([null, 42, "options", true, []]);
      case 3:
        return { context: pick([null, 5, "ctx", {}]) };
      case 4:
        return { nonsense: 1 };
      case 5:
      case 6: {
        const applicable = socketOptions.filter((o) => o.for === undefined || o.for.includes(type));
        const settings: Record<string, unknown> = { context: someContext(), linger: 0 };
        for (let i = int(4); i > 0; i--) {
          const option = pick(chance(0.9) ? applicable : socketOptions);
          settings[option.name] = optionValue(option);
        }
        return settings;
      }
      default:
        return { context: someContext(), linger: 0 };
    }
  }

  const operations: [string, number, () => Promise<void> | void][] = [
    ["create", 8, () => {
      if (sockets.length >= 12) return;
      const [type, Ctor] = pick(socketTypes);
      const className = Ctor.name;
      const socket = attempt(`new ${className}`, () => new Ctor(constructorOptions(type)));
      if (socket !== undefined) {
        nameNew(socket, className);
        sockets.push(socket as AnySocket);
      }
    }],
    ["close", 3, () => {
      const socket = someSocket();
      if (socket === undefined) return;
      attempt("close", () => socket.close());
      if (chance(0.7)) sockets.splice(sockets.indexOf(socket), 1);
    }],
    ["bind", 6, async () => {
      const socket = someSocket();
      if (socket === undefined) return;
      const address = endpoint();
      await attemptAsync(`bind ${String(address)}`, () => socket.bind(address as string));
      const last = attempt("lastEndpoint", () => socket.lastEndpoint);
      if (typeof last === "string") addEndpoint(last);
    }],
    ["unbind", 2, async () => {
      const socket = someSocket();
      if (socket === undefined) return;
      const address = endpoint();
      await attemptAsync(`unbind ${String(address)}`, () => socket.unbind(address as string));
    }],
    ["connect", 6, () => {
      const socket = someSocket();
      if (socket === undefined) return;
      const address = endpoint();
      attempt(`connect ${String(address)}`, () => socket.connect(address as string));
    }],
    ["disconnect", 2, () => {
      const socket = someSocket();
      if (socket === undefined) return;
      const address = endpoint();
      attempt(`disconnect ${String(address)}`, () => socket.disconnect(address as string));
    }],
    ["send", 10, async () => {
      const socket = someSocket();
      if (socket === undefined || !("send" in socket)) return;
      const message = messageValue();
      const send = socket.send as (m: unknown, o?: unknown) => Promise<void>;
      await attemptAsync(
        `send on ${socket.type}`,
        () => send.call(socket, message, boundedWaitOptions()),
      );
    }],
    ["trySend", 8, () => {
      const socket = someSocket();
      if (socket === undefined || !("trySend" in socket)) return;
      const trySend = socket.trySend as (m: unknown) => boolean;
      attempt(`trySend on ${socket.type}`, () => trySend.call(socket, messageValue()));
    }],
    ["receive", 8, async () => {
      const socket = someSocket();
      if (socket === undefined || !("receive" in socket)) return;
      const receive = socket.receive as (o?: unknown) => Promise<unknown>;
      await attemptAsync(
        `receive on ${socket.type}`,
        () => receive.call(socket, boundedWaitOptions()),
      );
    }],
    ["tryReceive", 6, () => {
      const socket = someSocket();
      if (socket === undefined || !("tryReceive" in socket)) return;
      const tryReceive = socket.tryReceive as () => unknown;
      attempt(`tryReceive on ${socket.type}`, () => tryReceive.call(socket));
    }],
    ["pending", 4, () => {
      // A send or receive with no timeout (or a random one), left running:
      // closing the socket later must settle it.
      const socket = someSocket();
      if (socket === undefined) return;
      const options = chance(0.5) ? undefined : waitOptions();
      if ("receive" in socket && (chance(0.5) || !("send" in socket))) {
        const receive = socket.receive as (o?: unknown) => Promise<unknown>;
        leavePending(`pending receive on ${socket.type}`, () => receive.call(socket, options));
      } else if ("send" in socket) {
        const send = socket.send as (m: unknown, o?: unknown) => Promise<void>;
        leavePending(
          `pending send on ${socket.type}`,
          () => send.call(socket, messageValue(), options),
        );
      }
    }],
    ["iterate", 2, async () => {
      const socket = someSocket();
      if (socket === undefined || !(Symbol.asyncIterator in socket)) return;
      const iterator = attempt(
        "iterator",
        () => (socket as unknown as AsyncIterable<unknown>)[Symbol.asyncIterator](),
      );
      if (iterator === undefined) return;
      const next = iterator.next();
      const settled = next.then(() => {}, (error) => judge(error, "iterator next"));
      if (chance(0.5)) {
        // The next() settles once the socket closes at the latest.
        pending.push({ what: `iterator next (started at op#${opIndex})`, promise: settled });
      } else {
        await Promise.race([settled, new Promise((r) => setTimeout(r, 5))]);
        pending.push({ what: `iterator next (started at op#${opIndex})`, promise: settled });
        await attemptAsync("iterator return", () => iterator.return!());
      }
    }],
    ["setOption", 10, () => {
      const socket = someSocket();
      if (socket === undefined) return;
      const option = pick(socketOptions);
      const value = optionValue(option);
      switch (int(3)) {
        case 0:
          attempt(
            `setOption ${option.name} = ${brief(value)}`,
            () => socket.setOption(optionName(option), value),
          );
          break;
        case 1:
          attempt(`set property ${option.name} = ${brief(value)}`, () => {
            socket[option.name] = value;
          });
          break;
        default:
          attempt(`setOption garbage`, () => socket.setOption(pick(garbageNames) as string, value));
      }
    }],
    ["getOption", 6, () => {
      const socket = someSocket();
      if (socket === undefined) return;
      if (chance(0.5)) {
        const option = pick(socketOptions);
        attempt(`getOption ${option.name}`, () => socket.getOption(optionName(option)));
        attempt(`get property ${option.name}`, () => socket[option.name]);
      } else {
        attempt("getOption garbage", () => socket.getOption(pick(garbageNames) as string));
      }
    }],
    ["getters", 3, () => {
      const socket = someSocket();
      if (socket === undefined) return;
      attempt("closed", () => socket.closed);
      attempt("lastEndpoint", () => socket.lastEndpoint);
      if ("readable" in socket) attempt("readable", () => socket.readable);
      if ("writable" in socket) attempt("writable", () => socket.writable);
    }],
    ["subscribe", 4, () => {
      const subscribers = sockets.filter((s) => "subscribe" in s);
      if (subscribers.length === 0) return;
      const socket = pick(subscribers);
      log(`  [${nameOf(socket)}]`);
      const prefixes = Array.from(
        { length: int(3) },
        () =>
          pick<unknown>([
            "",
            "topic",
            new Uint8Array([1, 2]),
            5,
            null,
            detachedView(),
            "é",
            "x".repeat(4096),
            "x".repeat(4097),
            "x".repeat(300_000),
          ]),
      );
      const method = chance(0.6) ? "subscribe" : "unsubscribe";
      const fn = socket[method] as (...p: unknown[]) => void;
      attempt(method, () => fn.apply(socket, prefixes));
    }],
    ["events", 2, async () => {
      const socket = someSocket();
      if (socket === undefined) return;
      const events = attempt("events", () => socket.events);
      if (events === undefined) return;
      const iterator = attempt("events iterator", () => events[Symbol.asyncIterator]());
      if (iterator === undefined) return;
      const next = iterator.next().then(() => {}, (error) => judge(error, "events next"));
      await Promise.race([next, new Promise((r) => setTimeout(r, int(20)))]);
      if (chance(0.5)) await attemptAsync("events return", () => iterator.return!());
      pending.push({ what: `events next (started at op#${opIndex})`, promise: next });
    }],
    ["proxy", 2, async () => {
      const candidates: unknown[] = [...sockets, null, 5, {}, "socket", undefined];
      const args = Array.from({ length: int(4) }, () => pick(candidates));
      const Proxy = zmq.Proxy as unknown as new (...a: unknown[]) => zmq.Proxy;
      const proxy = attempt(
        `new Proxy(${args.map(nameOf).join(", ")})`,
        () => new Proxy(...args),
      );
      if (proxy === undefined) return;
      names.set(proxy, `Proxy#${++named}`);
      log(`  = ${nameOf(proxy)}`);
      const entry: { proxy: zmq.Proxy; done?: Promise<unknown> } = { proxy };
      proxies.push(entry);
      if (chance(0.8)) {
        let run: Promise<unknown>;
        try {
          run = proxy.run();
        } catch (error) {
          judge(error, "proxy run (thrown synchronously)");
          return;
        }
        entry.done = run.then(() => {}, (error) => judge(error, "proxy run"));
        pending.push({ what: `proxy run (started at op#${opIndex})`, promise: entry.done });
        if (chance(0.3)) await attemptAsync("proxy run (again)", () => proxy.run());
      }
    }],
    ["proxyControl", 2, async () => {
      if (proxies.length === 0) return;
      const entry = pick(proxies);
      log(`  [${nameOf(entry.proxy)}]`);
      switch (int(4)) {
        case 0:
          await attemptAsync("proxy pause", () => Promise.resolve(entry.proxy.pause()));
          break;
        case 1:
          await attemptAsync("proxy resume", () => Promise.resolve(entry.proxy.resume()));
          break;
        case 2:
          await attemptAsync("proxy statistics", () => Promise.resolve(entry.proxy.statistics()));
          break;
        default:
          await attemptAsync("proxy terminate", () => Promise.resolve(entry.proxy.terminate()));
          proxies.splice(proxies.indexOf(entry), 1);
      }
    }],
    ["context", 2, () => {
      if (contexts.length >= 3) return;
      const options = pick<unknown>([
        undefined,
        {},
        { blocky: false },
        { ioThreads: 2 },
        { ioThreads: -1 },
        { maxSockets: 0 },
        { maxSockets: "x" },
        { ipv6: true },
        { threadNamePrefix: 3 },
        null,
        5,
        { blocky: 1.5 },
      ]);
      const Context = zmq.Context as unknown as new (o?: unknown) => zmq.Context;
      const context = attempt("new Context", () => new Context(options));
      if (context !== undefined) {
        nameNew(context, "Context");
        contexts.push(context);
      }
    }],
    ["terminate", 1, async () => {
      if (contexts.length === 0) return;
      const context = pick(contexts);
      log(`  [${nameOf(context)}]`);
      // Mid-flight: do not wait for the termination before going on.
      if (chance(0.5)) {
        const done = context.terminate().then(() => {}, (error) => judge(error, "terminate"));
        pending.push({ what: `context terminate (started at op#${opIndex})`, promise: done });
      } else {
        await attemptAsync("context terminate", () => context.terminate());
      }
      if (chance(0.5)) contexts.splice(contexts.indexOf(context), 1);
    }],
    ["ordering", 2, async () => {
      await checkOrdering();
    }],
    ["gc", 1, () => collect(isDeno ? true : chance(0.2))],
    ["tick", 3, async () => {
      await new Promise((resolve) => setTimeout(resolve, int(3)));
    }],
  ];

  // A dedicated Pair over inproc, sequence-numbered: nothing may arrive out of
  // order, twice, or go missing once trySend/send accepted it.
  let orderingPair: { a: zmq.Pair; b: zmq.Pair; sent: number; received: number } | undefined;
  async function checkOrdering(): Promise<void> {
    if (orderingPair === undefined) {
      const address = `inproc://${prefix}-ordering`;
      const b = new zmq.Pair({ linger: 0, receiveHighWaterMark: 50 });
      await bounded(b.bind(address), "ordering bind");
      const a = new zmq.Pair({ linger: 0, sendHighWaterMark: 50 });
      a.connect(address);
      orderingPair = { a, b, sent: 0, received: 0 };
    }
    const pair = orderingPair;
    for (let i = int(20); i > 0; i--) {
      const frames = [String(pair.sent), "x".repeat(int(100))];
      if (chance(0.5)) {
        if (pair.a.trySend(frames)) pair.sent++;
      } else {
        try {
          await bounded(pair.a.send(frames, { timeout: 5 }), "ordering send");
          pair.sent++;
        } catch (error) {
          if (!(error instanceof zmq.ZmqError && error.code === "EAGAIN")) {
            judge(error, "ordering send");
          }
        }
      }
    }
    for (let i = int(25); i > 0; i--) {
      let message: Uint8Array[] | null;
      if (chance(0.5)) message = pair.b.tryReceive();
      else {
        try {
          message = await bounded(pair.b.receive({ timeout: 5 }), "ordering receive");
        } catch (error) {
          if (!(error instanceof zmq.ZmqError && error.code === "EAGAIN")) {
            judge(error, "ordering receive");
          }
          message = null;
        }
      }
      if (message === null) continue;
      const number = Number(new TextDecoder().decode(message[0]));
      if (number !== pair.received || message.length !== 2) {
        const line = `VIOLATION seed=${seed} op#${opIndex} ordering: expected message ` +
          `${pair.received}, got ${number} (${message.length} frames)`;
        violations.push(line);
        writeSync(2, `${line}\n`);
        pair.received = number + 1;
      } else {
        pair.received++;
      }
    }
  }

  /** A garbage collection (full when `force`) where the runtime allows one. */
  function collect(force = true): void {
    const bun = (globalThis as { Bun?: { gc(force: boolean): void } }).Bun;
    if (bun !== undefined) bun.gc(force);
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc !== undefined) gc();
  }

  // Pollers, zero-copy, metadata, authenticators, contexts, actors, GC: surface.ts.
  const kit: FuzzKit = {
    int,
    chance,
    pick,
    attempt,
    attemptAsync,
    leavePending,
    expectSettled: (what, promise) =>
      void pending.push({ what: `${what} (started at op#${opIndex})`, promise }),
    judge,
    violation: (what) => {
      const line = `VIOLATION seed=${seed} op#${opIndex} ${what}`;
      violations.push(line);
      writeSync(2, `${line}\n`);
    },
    abortReason: (reason) => void abortReasons.add(reason),
    log,
    nameNew,
    sockets,
    contexts,
    someSocket,
    someContext,
    messageValue,
    endpoint,
    wrongValues,
    userError: (message) => new FuzzUserError(message),
    addEndpoint,
    freshRoutingId,
    waitOptions,
    boundedWaitOptions,
    collect: () => collect(true),
    prefix,
    includeKnown,
  };
  const none = { operations: [], windDownFirst: () => Promise.resolve(), windDownLast: () => {} };
  const surface = socketsOnly || compatOnly ? none : surfaceOperations(kit);
  // The zeromq.js entry points (scripts/fuzz/compat_surface.ts).
  const compatSurface = socketsOnly ? none : compatOperations(kit);
  if (compatOnly) {
    // Of the main API's operations only the ones that touch no socket.
    const keep = new Set(["gc", "tick"]);
    operations.splice(0, operations.length, ...operations.filter(([name]) => keep.has(name)));
  }
  operations.push(...surface.operations, ...compatSurface.operations);
  if (only !== undefined) {
    const names = new Set(only.split(","));
    operations.splice(0, operations.length, ...operations.filter(([name]) => names.has(name)));
  }

  const totalWeight = operations.reduce((sum, [, weight]) => sum + weight, 0);
  function chooseOperation(): [string, number, () => Promise<void> | void] {
    let roll = random() * totalWeight;
    for (const operation of operations) {
      roll -= operation[1];
      if (roll < 0) return operation;
    }
    return operations[operations.length - 1];
  }

  // Unhandled rejections are violations too: every promise the library hands
  // out is handled here, so one would come from inside the library.
  // The library warns where it detects memory it lent to libzmq being freed
  // under libzmq (issue #19 item 2, known): a violation with --include-known.
  const consoleWarn = console.warn;
  console.warn = (...args: unknown[]) => {
    const text = args.map((arg) => String(arg)).join(" ");
    log(`  warning: ${text.slice(0, 200)}`);
    if (!/freed memory/.test(text)) return;
    outcomes.knownWarnings++;
    if (includeKnown) kit.violation(`the library warned: ${text}`);
  };

  const onUnhandled = (reason: unknown) => {
    judge(reason, "unhandled rejection");
  };
  process.on("unhandledRejection", onUnhandled);
  // The same for an exception thrown from a library callback (a timer, a Worker's message).
  const onUncaught = (error: unknown) => {
    judge(error, "uncaught exception");
  };
  process.on("uncaughtException", onUncaught);

  for (opIndex = 0; opIndex < ops; opIndex++) {
    const [name, , run] = chooseOperation();
    opName = name;
    counts[name] = (counts[name] ?? 0) + 1;
    log(`#${opIndex} ${name}`);
    await bounded(Promise.resolve().then(run), `operation ${name}`);
  }

  // ------------------------------------------------------------ wind down
  opName = "wind-down";
  await surface.windDownFirst();
  await compatSurface.windDownFirst();
  log("wind-down: close sockets");
  for (const entry of proxies) {
    await attemptAsync("proxy terminate (end)", () => Promise.resolve(entry.proxy.terminate()));
  }
  for (const socket of sockets) attempt("close (end)", () => socket.close());
  if (orderingPair !== undefined) {
    orderingPair.a.close();
    orderingPair.b.close();
  }
  surface.windDownLast();
  compatSurface.windDownLast();
  log("wind-down: pending operations");
  for (const { what, promise } of pending) await bounded(promise, what);
  log("wind-down: terminate contexts");
  for (const context of contexts) {
    await attemptAsync("context terminate (end)", () => context.terminate());
  }
  process.off("unhandledRejection", onUnhandled);
  process.off("uncaughtException", onUncaught);
  console.warn = consoleWarn;

  const summary = {
    runtime: runtimeName,
    seed,
    ops,
    counts,
    outcomes,
    violations: violations.length,
  };
  writeSync(1, `FUZZ-SUMMARY ${JSON.stringify(summary)}\n`);
  return violations.length === 0 ? 0 : 2;
}

// ---------------------------------------------------------------- many seeds

interface ChildResult {
  seed: number;
  code: number | null;
  signal: string | null;
  timedOut: boolean;
  summary?: {
    counts: Record<string, number>;
    outcomes: Record<string, number>;
    violations: number;
  };
  tail: string[];
}

/** The command that runs this file with the current runtime. */
function selfCommand(): [string, string[]] {
  const script = fileURLToPath(import.meta.url);
  // Deno: --expose-gc, so that the runs collect garbage by force (Bun.gc always can).
  return isDeno
    ? [Deno.execPath(), ["run", "-A", "--v8-flags=--expose-gc", script]]
    : [process.execPath, [script]];
}

/**
 * Removes what a seed's child left in the temporary directory: ipc socket
 * files and certificate directories (named after its pid and seed), which
 * stay behind when it ends without closing everything (a crash, a kill, or
 * sockets abandoned on purpose).
 */
function removeLeftovers(pid: number | undefined, seed: number): void {
  if (pid === undefined) return;
  const prefix = `fuzz-${pid}-${seed}-`;
  for (const name of readdirSync(tmpdir())) {
    if (name.startsWith(prefix)) rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
}

/** Run one seed in a child process, killing it after `limitMs`. */
export function runChild(
  seed: number,
  ops: number,
  limitMs: number,
  options: { socketsOnly?: boolean; compatOnly?: boolean } = {},
): Promise<ChildResult> {
  const [command, args] = selfCommand();
  return new Promise((resolve) => {
    const child = spawn(
      command,
      [
        ...args,
        ...["--seed", String(seed), "--ops", String(ops), "--trace"],
        ...(includeKnown ? ["--include-known"] : []),
        ...(socketsOnly || options.socketsOnly ? ["--sockets-only"] : []),
        ...(compatOnly || options.compatOnly ? ["--compat-only"] : []),
        ...(only !== undefined ? ["--only", only] : []),
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let tail: string[] = [];
    let partial = "";
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, limitMs);
    child.stdout!.on("data", (chunk) => (stdout += chunk));
    child.stderr!.on("data", (chunk) => {
      const lines = (partial + chunk).split("\n");
      partial = lines.pop()!;
      tail = [...tail, ...lines].slice(-25);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      removeLeftovers(child.pid, seed);
      if (partial !== "") tail = [...tail, partial].slice(-25);
      const line = stdout.split("\n").find((l) => l.startsWith("FUZZ-SUMMARY "));
      resolve({
        seed,
        code,
        signal,
        timedOut,
        summary: line === undefined ? undefined : JSON.parse(line.slice("FUZZ-SUMMARY ".length)),
        tail,
      });
    });
  });
}

async function runSeeds(first: number, last: number, ops: number, jobs: number) {
  const limitMs = 30_000 + ops * 20;
  const totals: Record<string, number> = {};
  const outcomeTotals: Record<string, number> = {};
  const failures: ChildResult[] = [];
  let totalOps = 0;
  let next = first;
  const started = Date.now();
  async function worker() {
    while (next <= last) {
      const seed = next++;
      const result = await runChild(seed, ops, limitMs);
      const ok = result.code === 0 && result.signal === null && !result.timedOut;
      if (result.summary !== undefined) {
        for (const [k, v] of Object.entries(result.summary.counts)) {
          totals[k] = (totals[k] ?? 0) + v;
        }
        for (const [k, v] of Object.entries(result.summary.outcomes)) {
          outcomeTotals[k] = (outcomeTotals[k] ?? 0) + v;
        }
        totalOps += ops;
      }
      console.log(
        `seed ${seed}: ${
          ok
            ? "ok"
            : `FAILED code=${result.code} signal=${result.signal} timedOut=${result.timedOut}`
        }`,
      );
      if (!ok) {
        failures.push(result);
        console.log(result.tail.map((l) => `    ${l}`).join("\n"));
      }
    }
  }
  await Promise.all(Array.from({ length: jobs }, worker));
  const crashes = failures.filter((f) => f.signal !== null && !f.timedOut).length;
  const hangs = failures.filter((f) => f.timedOut || f.code === 3).length;
  const violations = failures.filter((f) => f.code === 2).length;
  console.log(
    `\n${runtimeName}: seeds ${first}-${last}, ${ops} ops each, ${totalOps} ops completed`,
  );
  console.log(`time ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log("op counts:", JSON.stringify(totals));
  console.log("outcomes:", JSON.stringify(outcomeTotals));
  console.log(
    `crashes: ${crashes}, hangs: ${hangs}, invariant violations: ${violations}, other failures: ${
      failures.length - crashes - hangs - violations
    }`,
  );
  return failures.length === 0 ? 0 : 1;
}

// ---------------------------------------------------------------- main

if (import.meta.main) {
  const ops = Number(argument("ops") ?? 2000);
  const seeds = argument("seeds");
  let code: number;
  if (seeds !== undefined) {
    const [first, last] = seeds.split("-").map(Number);
    code = await runSeeds(first, last ?? first, ops, Number(argument("jobs") ?? 4));
  } else {
    const seed = Number(argument("seed") ?? 1);
    code = await runSeed(seed, ops, argument("trace") !== undefined);
  }
  // Let the process end on its own (nothing may keep it alive) unless it failed.
  if (code !== 0) process.exit(code);
  process.exitCode = 0;
}

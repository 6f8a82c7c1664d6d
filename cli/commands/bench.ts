/**
 * `zmq bench`: a quick throughput check (PUSH -> PULL) and latency check
 * (REQ <-> REP) against a peer on a second thread, over tcp, ipc or inproc.
 * For the full side-by-side benchmark see bench/ (`deno task bench`).
 *
 * @module
 */
import process from "node:process";
import { Worker } from "node:worker_threads";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { commonFlags, type FlagSpec, type ParsedArgs } from "../args.ts";
import { ExitCode, RuntimeError, UsageError } from "../errors.ts";
import { formatCount } from "../progress.ts";
import { Session } from "../session.ts";
import { runtimeDescription } from "./version.ts";
import type { PeerEnd, PeerStart } from "../bench_peer.ts";

const KINDS = ["all", "throughput", "latency"] as const;
const TRANSPORTS = ["tcp", "ipc", "inproc"] as const;

/** Messages the throughput check sends unless --count says otherwise. */
export const DEFAULT_THROUGHPUT_COUNT = 100_000;
/** Round trips the latency check makes unless --count says otherwise. */
export const DEFAULT_LATENCY_COUNT = 5_000;

/** The flags of `zmq bench`. */
export const benchFlags: FlagSpec[] = [
  {
    name: "transport",
    short: "T",
    kind: "string",
    value: "NAME",
    choices: TRANSPORTS,
    help: "tcp (default, loopback), ipc or inproc",
  },
  {
    name: "size",
    short: "s",
    kind: "integer",
    value: "BYTES",
    min: 1,
    help: "message size (default 16)",
  },
  {
    name: "count",
    short: "n",
    kind: "integer",
    value: "N",
    min: 1,
    help: `messages (default ${formatCount(DEFAULT_THROUGHPUT_COUNT)}) and round trips ` +
      `(default ${formatCount(DEFAULT_LATENCY_COUNT)})`,
  },
  {
    name: "format",
    short: "f",
    kind: "string",
    value: "FORMAT",
    choices: ["text", "json"],
    help: "text (default) or json (one object)",
  },
  ...commonFlags,
];

/** A checked `zmq bench` command line. */
export interface BenchPlan {
  kind: typeof KINDS[number];
  transport: typeof TRANSPORTS[number];
  size: number;
  count?: number;
  format: "text" | "json";
  quiet: boolean;
  verbose: boolean;
}

/** Checks `zmq bench ...`. */
export function planBench(args: ParsedArgs): BenchPlan {
  const [kind = "all", ...extra] = args.positionals;
  if (!(KINDS as readonly string[]).includes(kind)) {
    throw new UsageError(`unknown benchmark "${kind}" (expected one of: ${KINDS.join(", ")})`);
  }
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  return {
    kind: kind as BenchPlan["kind"],
    transport: (args.flags.transport as BenchPlan["transport"] | undefined) ?? "tcp",
    size: (args.flags.size as number | undefined) ?? 16,
    count: args.flags.count as number | undefined,
    format: (args.flags.format as "text" | "json" | undefined) ?? "text",
    quiet: args.flags.quiet === true,
    verbose: args.flags.verbose === true,
  };
}

/** What `zmq bench --format json` prints. */
export interface BenchResult {
  transport: string;
  size: number;
  libzmq: string;
  runtime: string;
  throughput?: {
    messages: number;
    seconds: number;
    messagesPerSecond: number;
    mbPerSecond: number;
  };
  latency?: { roundTrips: number; seconds: number; microseconds: number };
}

/** Runs the checks and prints the figures; resolves to the exit code. */
export async function runBench(plan: BenchPlan): Promise<number> {
  const session = await Session.open({
    label: "zmq bench",
    quiet: plan.quiet,
    verbose: plan.verbose,
  });
  let failed = true;
  try {
    const result: BenchResult = {
      transport: plan.transport,
      size: plan.size,
      libzmq: session.zmq.version,
      runtime: runtimeDescription(),
    };
    const payload = new Uint8Array(plan.size).fill(0x5a);
    if (plan.kind !== "latency" && !session.stopped) {
      const messages = plan.count ?? DEFAULT_THROUGHPUT_COUNT;
      session.reporter.detail(`throughput: ${formatCount(messages)} messages`);
      const seconds = await throughput(session, plan.transport, payload, messages);
      if (seconds !== undefined) {
        result.throughput = {
          messages,
          seconds,
          messagesPerSecond: messages / seconds,
          mbPerSecond: messages * plan.size / seconds / 1e6,
        };
      }
    }
    if (plan.kind !== "throughput" && !session.stopped) {
      const roundTrips = plan.count ?? DEFAULT_LATENCY_COUNT;
      session.reporter.detail(`latency: ${formatCount(roundTrips)} round trips`);
      const seconds = await latency(session, plan.transport, payload, roundTrips);
      if (seconds !== undefined) {
        result.latency = { roundTrips, seconds, microseconds: seconds / roundTrips * 1e6 };
      }
    }
    const lines = plan.format === "json" ? [JSON.stringify(result)] : describe(result);
    for (const line of lines) await session.output.line(line);
    failed = false;
    return ExitCode.ok;
  } finally {
    await session.close(failed);
  }
}

/** The result as lines a person reads. */
export function describe(result: BenchResult): string[] {
  const lines = [
    `zmq bench: ${result.transport}, ${result.size}-byte messages, the peer on a second thread ` +
    `(libzmq ${result.libzmq}, ${result.runtime})`,
  ];
  const { throughput, latency } = result;
  if (throughput !== undefined) {
    lines.push(
      `throughput: ${formatCount(throughput.messages)} messages in ${
        throughput.seconds.toFixed(2)
      } s: ${formatCount(throughput.messagesPerSecond)} msgs/s, ${
        throughput.mbPerSecond.toFixed(1)
      } MB/s`,
    );
  }
  if (latency !== undefined) {
    lines.push(
      `latency: ${formatCount(latency.roundTrips)} round trips in ${
        latency.seconds.toFixed(2)
      } s: ${latency.microseconds.toFixed(1)} µs per round trip`,
    );
  }
  return lines;
}

let benchCount = 0;

function endpointFor(transport: BenchPlan["transport"]): string {
  const name = `zmq-bench-${process.pid}-${++benchCount}`;
  if (transport === "tcp") return "tcp://127.0.0.1:*";
  if (transport === "ipc") return `ipc://${join(tmpdir(), `${name}.sock`)}`;
  return `inproc://${name}`;
}

/** Starts the peer thread; `finished` settles with its report. */
function startPeer(
  session: Session,
  start: PeerStart,
): { finished: Promise<PeerEnd>; stop(): void } {
  // The source tree runs .ts, a built package .js.
  const extension = new URL(import.meta.url).pathname.endsWith(".js") ? ".js" : ".ts";
  const worker = new Worker(new URL(`../bench_peer${extension}`, import.meta.url), {
    workerData: start,
  });
  const finished = new Promise<PeerEnd>((resolve, reject) => {
    worker.once("message", (end: PeerEnd) => {
      if (end.error !== undefined) reject(new RuntimeError(`bench peer failed: ${end.error}`));
      else resolve(end);
    });
    worker.once("error", (error: Error) => reject(error));
    worker.once("exit", () => reject(new RuntimeError("the bench peer stopped early")));
  });
  finished.catch(() => {});
  const stop = () => void worker.terminate();
  session.signal.addEventListener("abort", stop, { once: true });
  return { finished, stop };
}

/** Rejects when the run is stopped (Ctrl-C), so waits on a peer end. */
function interrupted(session: Session): Promise<never> {
  return new Promise((_, reject) => {
    const fail = () => reject(new RuntimeError("interrupted"));
    if (session.stopped) fail();
    else session.signal.addEventListener("abort", fail, { once: true });
  });
}

/**
 * Binds `socket`, starts a peer of `kind` on it and runs `measure`; the
 * seconds it reports, or undefined when the session was interrupted.
 */
async function withPeer(
  session: Session,
  socket: { bind(endpoint: string): Promise<void>; lastEndpoint: string | null; close(): void },
  transport: BenchPlan["transport"],
  kind: PeerStart["kind"],
  count: number,
  measure: (finished: Promise<PeerEnd>) => Promise<number | undefined>,
): Promise<number | undefined> {
  const { context } = session;
  await socket.bind(endpointFor(transport));
  const peer = startPeer(session, {
    kind,
    endpoint: socket.lastEndpoint!,
    count,
    handle: transport === "inproc" ? context.handle : undefined,
  });
  try {
    return await measure(Promise.race([peer.finished, interrupted(session)]));
  } catch (error) {
    if (session.stopped) return undefined;
    throw error;
  } finally {
    peer.stop();
    socket.close();
  }
}

/** Seconds for the peer to receive `count` messages PUSH -> PULL; undefined when interrupted. */
function throughput(
  session: Session,
  transport: BenchPlan["transport"],
  payload: Uint8Array,
  count: number,
): Promise<number | undefined> {
  const { zmq, context, signal } = session;
  const push = session.track(new zmq.Push({ context, linger: 0 }));
  return withPeer(session, push, transport, "pull", count, async (finished) => {
    for (let sent = 0; sent <= count; sent++) {
      if (!push.trySend(payload)) await push.send(payload, { signal });
    }
    return (await finished).seconds;
  });
}

/** Seconds for `count` REQ -> REP -> REQ round trips; undefined when interrupted. */
function latency(
  session: Session,
  transport: BenchPlan["transport"],
  payload: Uint8Array,
  count: number,
): Promise<number | undefined> {
  const { zmq, context, signal } = session;
  const req = session.track(new zmq.Request({ context, linger: 0 }));
  return withPeer(session, req, transport, "rep", count, async (finished) => {
    // The first round trip waits for the peer to connect; the clock starts after it.
    await req.send(payload, { signal });
    await req.receive({ signal });
    const started = performance.now();
    for (let trip = 0; trip < count; trip++) {
      await req.send(payload, { signal });
      await req.receive({ signal });
    }
    const seconds = (performance.now() - started) / 1000;
    await finished;
    return seconds;
  });
}

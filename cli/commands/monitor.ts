/**
 * `zmq monitor ENDPOINT...`: a socket of a chosen type connects (or binds)
 * and prints its events (connect, handshake, disconnect, accept, ...) live.
 *
 * @module
 */
import type * as Zmq from "../../mod.ts";
import { commonFlags, type FlagSpec, type ParsedArgs } from "../args.ts";
import { endpointMode, type EndpointPlan, splitEndpoints } from "../endpoints.ts";
import { ExitCode, RuntimeError, UsageError } from "../errors.ts";
import { Session } from "../session.ts";
import { attach, createSocket, describeEndpoints } from "../socket_setup.ts";
import { isSocketType, type SocketTypeName, socketTypeNames } from "../socket_types.ts";

/** The socket type `zmq monitor` uses unless --type says otherwise. */
export const DEFAULT_MONITOR_TYPE: SocketTypeName = "dealer";

/** The flags of `zmq monitor`. */
export const monitorFlags: FlagSpec[] = [
  {
    name: "type",
    short: "T",
    kind: "string",
    value: "TYPE",
    help: `the socket type that connects (default ${DEFAULT_MONITOR_TYPE}; sub for publishers)`,
  },
  { name: "bind", short: "b", kind: "boolean", help: "bind every endpoint without @ or >" },
  { name: "connect", short: "c", kind: "boolean", help: "connect every endpoint without @ or >" },
  {
    name: "format",
    short: "f",
    kind: "string",
    value: "FORMAT",
    choices: ["text", "json"],
    help: "print events as text (default) or json (one object per line)",
  },
  { name: "count", short: "n", kind: "integer", value: "N", min: 1, help: "stop after N events" },
  {
    name: "timeout",
    short: "t",
    kind: "integer",
    value: "MS",
    min: 1,
    help: "fail (exit 1) when no event comes for MS",
  },
  {
    name: "option",
    short: "o",
    kind: "list",
    value: "NAME=VALUE",
    help: "set a socket option: reconnectInterval=500, heartbeatInterval=1000",
  },
  {
    name: "curve-server-key",
    kind: "string",
    value: "PUBLIC",
    help: "connect as a CURVE client of the server with this public key",
  },
  ...commonFlags,
];

/** A checked `zmq monitor` command line. */
export interface MonitorPlan {
  type: SocketTypeName;
  endpoints: EndpointPlan[];
  format: "text" | "json";
  count?: number;
  timeout?: number;
  options: string[];
  curveServerKey?: string;
  quiet: boolean;
  verbose: boolean;
}

/** Checks `zmq monitor ...` before anything is opened. */
export function planMonitor(args: ParsedArgs): MonitorPlan {
  const flags = args.flags;
  const type = (flags.type as string | undefined) ?? DEFAULT_MONITOR_TYPE;
  if (!isSocketType(type)) {
    throw new UsageError(
      `unknown socket type "${type}" for --type (expected one of: ${socketTypeNames.join(", ")})`,
    );
  }
  const mode = endpointMode(flags);
  const { endpoints, rest } = splitEndpoints(args.positionals, mode, "zmq monitor");
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
  return {
    type,
    endpoints,
    format: (flags.format as "text" | "json" | undefined) ?? "text",
    count: flags.count as number | undefined,
    timeout: flags.timeout as number | undefined,
    options: (flags.option as string[] | undefined) ?? [],
    curveServerKey: flags["curve-server-key"] as string | undefined,
    quiet: flags.quiet === true,
    verbose: flags.verbose === true,
  };
}

/** One event as a line. */
export function formatEvent(event: Zmq.SocketEvent, format: "text" | "json", at: Date): string {
  if (format === "json") {
    const { raw: _raw, ...rest } = event;
    return JSON.stringify({ time: at.toISOString(), ...rest });
  }
  const details: string[] = [];
  if (event.fd !== undefined) details.push(`fd=${event.fd}`);
  if (event.interval !== undefined) details.push(`interval=${event.interval}ms`);
  if (event.error !== undefined) details.push(`error=${event.error.code}`);
  if (event.type === "unknown") {
    details.push(`event=${event.raw.event}`, `value=${event.raw.value}`);
  }
  const time = at.toISOString().slice(11, 23);
  return [time, event.type, event.address, ...details].join(" ");
}

/** Prints events until --count, --timeout or a signal; resolves to the exit code. */
export async function runMonitor(plan: MonitorPlan): Promise<number> {
  const session = await Session.open({
    label: "zmq monitor",
    quiet: plan.quiet,
    verbose: plan.verbose,
  });
  let failed = true;
  try {
    const socket = createSocket(session, {
      name: plan.type,
      options: plan.options,
      linger: 0,
      curve: plan.curveServerKey === undefined ? undefined : { serverKey: plan.curveServerKey },
    });
    // Listen first, so the connect or bind itself is seen.
    const events = socket.events[Symbol.asyncIterator]();
    await attach(socket, plan.endpoints, session.reporter);
    session.reporter.detail(`monitoring a ${plan.type} socket`);
    let seen = 0;
    try {
      while (!session.stopped && (plan.count === undefined || seen < plan.count)) {
        const event = await nextEvent(events, session, plan.timeout);
        if (event === undefined) break;
        seen++;
        await session.output.line(formatEvent(event, plan.format, new Date()));
      }
    } catch (error) {
      if (error === TIMED_OUT) {
        throw new RuntimeError(
          `no event within ${plan.timeout} ms on ${describeEndpoints(plan.endpoints)}`,
        );
      }
      throw error;
    } finally {
      await events.return?.();
    }
    failed = false;
    return ExitCode.ok;
  } finally {
    await session.close(failed);
  }
}

const TIMED_OUT = Symbol("timed out");

/** The next event; undefined once stopped or the events end; throws TIMED_OUT. */
async function nextEvent(
  events: AsyncIterator<Zmq.SocketEvent, undefined>,
  session: Session,
  timeout: number | undefined,
): Promise<Zmq.SocketEvent | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const interrupted = new Promise<undefined>((resolve, reject) => {
    onAbort = () => resolve(undefined);
    session.signal.addEventListener("abort", onAbort, { once: true });
    if (timeout !== undefined) timer = setTimeout(() => reject(TIMED_OUT), timeout);
  });
  try {
    const result = await Promise.race([events.next(), interrupted]);
    return result === undefined || result.done ? undefined : result.value;
  } finally {
    clearTimeout(timer);
    session.signal.removeEventListener("abort", onAbort!);
  }
}

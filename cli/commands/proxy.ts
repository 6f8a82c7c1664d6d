/**
 * `zmq proxy queue|forwarder|streamer FRONTEND BACKEND`: one of the three
 * classic devices, running until Ctrl-C or SIGTERM.
 *
 * @module
 */
import type * as Zmq from "../../mod.ts";
import { commonFlags, type FlagSpec, type ParsedArgs } from "../args.ts";
import { type EndpointPlan, planEndpoint } from "../endpoints.ts";
import { ExitCode, UsageError } from "../errors.ts";
import { formatCount } from "../progress.ts";
import { Session } from "../session.ts";
import { attach, createSocket } from "../socket_setup.ts";
import type { SocketTypeName } from "../socket_types.ts";

/** The devices: which sockets face the clients (frontend) and the services (backend). */
export const devices = {
  queue: {
    frontend: "router",
    backend: "dealer",
    about: "REQ clients -> ROUTER frontend | DEALER backend -> REP workers",
  },
  forwarder: {
    frontend: "xsub",
    backend: "xpub",
    about: "PUB publishers -> XSUB frontend | XPUB backend -> SUB subscribers",
  },
  streamer: {
    frontend: "pull",
    backend: "push",
    about: "PUSH producers -> PULL frontend | PUSH backend -> PULL workers",
  },
} as const;

/** A device's name. */
export type DeviceName = keyof typeof devices;

/** The flags of `zmq proxy`. */
export const proxyFlags: FlagSpec[] = [
  { name: "connect-front", kind: "boolean", help: "connect the frontend instead of binding it" },
  { name: "connect-back", kind: "boolean", help: "connect the backend instead of binding it" },
  {
    name: "capture",
    kind: "string",
    value: "ENDPOINT",
    help: "also publish a copy of every message on a PUB socket bound there",
  },
  {
    name: "progress",
    kind: "boolean",
    help: "show traffic on stderr even when it is not a terminal",
  },
  ...commonFlags,
];

/** A checked `zmq proxy` command line. */
export interface ProxyPlan {
  device: DeviceName;
  frontend: EndpointPlan;
  backend: EndpointPlan;
  capture?: EndpointPlan;
  quiet: boolean;
  verbose: boolean;
  progress: boolean;
}

/** Checks `zmq proxy ...` before anything is opened. */
export function planProxy(args: ParsedArgs): ProxyPlan {
  const [device, front, back, ...extra] = args.positionals;
  const names = Object.keys(devices).join(", ");
  if (device === undefined) {
    throw new UsageError(`"zmq proxy" needs a device (${names}), a frontend and a backend`);
  }
  if (!Object.hasOwn(devices, device)) {
    throw new UsageError(`unknown device "${device}" (expected one of: ${names})`);
  }
  if (front === undefined || back === undefined) {
    throw new UsageError(
      `"zmq proxy ${device}" needs two endpoints: the frontend and the backend`,
    );
  }
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const capture = args.flags.capture as string | undefined;
  return {
    device: device as DeviceName,
    frontend: planEndpoint(front, args.flags["connect-front"] === true ? "connect" : "bind"),
    backend: planEndpoint(back, args.flags["connect-back"] === true ? "connect" : "bind"),
    capture: capture === undefined ? undefined : planEndpoint(capture, "bind"),
    quiet: args.flags.quiet === true,
    verbose: args.flags.verbose === true,
    progress: args.flags.progress === true,
  };
}

/** Runs the device until stopped; resolves to the exit code. */
export async function runProxy(plan: ProxyPlan): Promise<number> {
  const session = await Session.open({
    label: `zmq proxy ${plan.device}`,
    quiet: plan.quiet,
    verbose: plan.verbose,
    progress: plan.progress,
  });
  let failed = true;
  try {
    const device = devices[plan.device];
    const make = (name: SocketTypeName) => createSocket(session, { name });
    const frontend = make(device.frontend);
    const backend = make(device.backend);
    await attach(frontend, [plan.frontend], session.reporter);
    await attach(backend, [plan.backend], session.reporter);
    let capture: Zmq.Socket | undefined;
    if (plan.capture !== undefined) {
      capture = make("pub");
      await attach(capture, [plan.capture], session.reporter);
    }
    const proxy = new session.zmq.Proxy(frontend, backend, capture);
    const done = proxy.run();
    session.reporter.detail(`${plan.device} running: ${device.about}`);
    let traffic: string | undefined;
    const showing = session.startProgress({ extra: () => traffic });
    const watch = showing
      ? watchTraffic(proxy, session, (text) => traffic = text)
      : Promise.resolve();
    // The device runs until a signal, or until it fails by itself.
    const stopped = new Promise<void>((resolve) => {
      if (session.stopped) resolve();
      session.signal.addEventListener("abort", () => resolve(), { once: true });
    });
    await Promise.race([done, stopped]);
    session.stop();
    await watch;
    const totals = await statisticsOf(proxy);
    await proxy.terminate();
    await done;
    if (totals !== undefined) session.reporter.detail(describeTraffic(totals));
    failed = false;
    return ExitCode.ok;
  } finally {
    await session.close(failed);
  }
}

async function statisticsOf(proxy: Zmq.Proxy): Promise<Zmq.ProxyStatistics | undefined> {
  if (!proxy.running) return undefined;
  try {
    return await proxy.statistics();
  } catch {
    return undefined;
  }
}

/** Reads the proxy's counters every second while the progress line may show them. */
async function watchTraffic(
  proxy: Zmq.Proxy,
  session: Session,
  publish: (text: string) => void,
): Promise<void> {
  while (!session.stopped) {
    await session.pause(1000);
    if (session.stopped) break;
    const statistics = await statisticsOf(proxy);
    if (statistics !== undefined) publish(describeTraffic(statistics));
  }
}

/** "frontend 12 in, 10 out; backend 10 in, 12 out". */
export function describeTraffic(statistics: Zmq.ProxyStatistics): string {
  const side = (name: string, s: Zmq.ProxyStatistics["frontend"]) =>
    `${name} ${formatCount(s.messagesIn)} in, ${formatCount(s.messagesOut)} out`;
  return `${side("frontend", statistics.frontend)}; ${side("backend", statistics.backend)}`;
}

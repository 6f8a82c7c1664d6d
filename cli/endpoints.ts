/**
 * Which endpoints to bind and which to connect. The rule, in order:
 *   1. "@tcp://..." binds and ">tcp://..." connects (czmq's notation);
 *   2. else --bind or --connect decides, for every endpoint;
 *   3. else an endpoint with a "*" binds (tcp://*:5555, tcp://127.0.0.1:*),
 *      and any other connects.
 * Malformed endpoints are usage errors before any socket exists.
 *
 * @module
 */
import { UsageError } from "./errors.ts";

/** The transports libzmq knows, for a clear error on a typo. */
export const TRANSPORTS = [
  "tcp",
  "ipc",
  "inproc",
  "pgm",
  "epgm",
  "tipc",
  "vmci",
  "ws",
  "wss",
  "udp",
  "norm",
] as const;

/** One endpoint and what to do with it. */
export interface EndpointPlan {
  /** The endpoint without its @ or > prefix. */
  readonly address: string;
  readonly bind: boolean;
}

/** How endpoints without a prefix are treated. */
export type EndpointMode = "auto" | "bind" | "connect";

/** The mode the --bind / --connect flags choose (they exclude each other). */
export function endpointMode(flags: Readonly<Record<string, unknown>>): EndpointMode {
  if (flags.bind === true && flags.connect === true) {
    throw new UsageError("--bind and --connect exclude each other");
  }
  return flags.bind === true ? "bind" : flags.connect === true ? "connect" : "auto";
}

const ENDPOINT_SHAPE = /^[@>]?[a-z][a-z0-9+.-]*:\/\//i;

/** True when `arg` is meant as an endpoint (transport://..., optionally @ or > first). */
export function looksLikeEndpoint(arg: string): boolean {
  return ENDPOINT_SHAPE.test(arg);
}

/** Checks `arg` and decides whether it binds; a UsageError when it cannot be an endpoint. */
export function planEndpoint(arg: string, mode: EndpointMode): EndpointPlan {
  let address = arg;
  let bind: boolean | undefined;
  if (arg.startsWith("@")) {
    address = arg.slice(1);
    bind = true;
  } else if (arg.startsWith(">")) {
    address = arg.slice(1);
    bind = false;
  }
  const match = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(address);
  if (match === null) {
    throw new UsageError(
      `bad endpoint "${arg}" (expected transport://address, e.g. tcp://127.0.0.1:5555)`,
    );
  }
  const [, transport, rest] = match;
  if (!(TRANSPORTS as readonly string[]).includes(transport.toLowerCase())) {
    throw new UsageError(
      `unknown transport "${transport}" in "${arg}" (expected one of: ${TRANSPORTS.join(", ")})`,
    );
  }
  if (rest === "") {
    throw new UsageError(
      `bad endpoint "${arg}": nothing after "${transport}://" (e.g. tcp://127.0.0.1:5555)`,
    );
  }
  if (/^(tcp|ws|wss|udp)$/i.test(transport) && !/:(\d+|\*)(\/.*)?$/.test(rest)) {
    throw new UsageError(
      `bad endpoint "${arg}": ${transport} needs host:port, e.g. ${transport}://127.0.0.1:5555`,
    );
  }
  const port = /:(\d+)(\/.*)?$/.exec(rest)?.[1];
  if (port !== undefined && /^(tcp|ws|wss|udp)$/i.test(transport) && Number(port) > 65535) {
    throw new UsageError(`bad endpoint "${arg}": port ${port} is out of range (0-65535)`);
  }
  bind ??= mode === "bind" ? true : mode === "connect" ? false : rest.includes("*");
  return { address, bind };
}

/**
 * Splits the positionals of a socket command: the leading endpoints, then
 * the messages. At least one endpoint is required.
 */
export function splitEndpoints(
  positionals: readonly string[],
  mode: EndpointMode,
  command: string,
): { endpoints: EndpointPlan[]; rest: string[] } {
  let count = 0;
  while (count < positionals.length && looksLikeEndpoint(positionals[count])) count++;
  if (count === 0) {
    if (positionals.length === 0) {
      throw new UsageError(
        `"${command}" needs an endpoint, e.g. ${command} tcp://127.0.0.1:5555 (see "${command} --help")`,
      );
    }
    // Explain the first argument in endpoint terms: it is in the endpoint's place.
    planEndpoint(positionals[0], mode);
  }
  const endpoints = positionals.slice(0, count).map((arg) => planEndpoint(arg, mode));
  return { endpoints, rest: positionals.slice(count) };
}

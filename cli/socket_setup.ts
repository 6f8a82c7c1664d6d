/**
 * Making a socket from command-line flags: its type, `--option name=value`,
 * `--linger`, CURVE keys, and binding or connecting its endpoints with
 * errors a shell user can act on.
 *
 * @module
 */
import type * as Zmq from "../mod.ts";
import type { EndpointPlan } from "./endpoints.ts";
import { isBadEndpoint, RuntimeError, UsageError } from "./errors.ts";
import type { Reporter } from "./output.ts";
import type { Session } from "./session.ts";
import { type SocketTypeName, zmqSocketType } from "./socket_types.ts";

/** Security flags of a socket. */
export interface CurveFlags {
  /** --curve-server SECRET: be a CURVE server with this secret key. */
  server?: string;
  /** --curve-server-key PUBLIC: be a CURVE client of the server with this key. */
  serverKey?: string;
  /** --curve-secret-key SECRET: the client's own secret key (default: a fresh pair). */
  secretKey?: string;
}

/** How to make one socket. */
export interface SocketSetup {
  /** The type's command name ("pub", "req", ...). */
  name: SocketTypeName;
  /** --option name=value, in order. */
  options?: readonly string[];
  /** --linger MS; the tool's default is 1000 so that an exit never hangs. */
  linger?: number;
  curve?: CurveFlags;
}

/** The linger of the tool's sockets unless --linger says otherwise, in ms. */
export const DEFAULT_LINGER = 1000;

/** Makes a socket in the session's context with every flag applied. */
export function createSocket(session: Session, setup: SocketSetup): Zmq.Socket {
  const Class = session.socketClasses[zmqSocketType(setup.name)] as unknown as new (
    options: { context: Zmq.Context },
  ) => Zmq.Socket;
  const socket = session.track(new Class({ context: session.context }));
  socket.setOption("linger", setup.linger ?? DEFAULT_LINGER);
  for (const option of setup.options ?? []) applyOption(socket, option, setup.name);
  if (setup.curve !== undefined) applyCurve(session, socket, setup.curve);
  return socket;
}

/** Applies one `name=value`, converting the value to the option's type. */
export function applyOption(socket: Zmq.Socket, assignment: string, typeName: string): void {
  const eq = assignment.indexOf("=");
  if (eq <= 0) {
    throw new UsageError(
      `--option needs name=value (e.g. sendHighWaterMark=1000), got "${assignment}"`,
    );
  }
  const name = assignment.slice(0, eq).trim();
  const text = assignment.slice(eq + 1);
  let current: unknown;
  try {
    current = socket.getOption(name);
  } catch (error) {
    if (error instanceof TypeError) {
      throw new UsageError(
        `unknown option "${name}" for a ${typeName} socket ` +
          `(use a property name such as sendHighWaterMark or a zmq.h name such as ZMQ_SNDHWM)`,
      );
    }
    throw error;
  }
  // The current value's type is the option's type; write-only options read as undefined.
  const candidates: unknown[] = typeof current === "number"
    ? [toNumber(text)]
    : typeof current === "boolean"
    ? [toBoolean(text)]
    : current === undefined
    ? [text, toNumber(text), toBoolean(text)]
    : [text];
  let lastError: unknown;
  for (const value of candidates) {
    if (value === undefined) continue;
    try {
      socket.setOption(name, value);
      return;
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
      lastError = error;
    }
  }
  const expected = typeof current === "number"
    ? "a whole number"
    : typeof current === "boolean"
    ? "true or false"
    : "a valid value";
  throw new UsageError(
    `--option ${name} needs ${expected}, got "${text}"${
      lastError instanceof Error ? ` (${lastError.message})` : ""
    }`,
  );
}

function toNumber(text: string): number | undefined {
  return /^-?\d+$/.test(text.trim()) ? Number(text) : undefined;
}

function toBoolean(text: string): boolean | undefined {
  const lower = text.trim().toLowerCase();
  if (["true", "1", "yes", "on"].includes(lower)) return true;
  if (["false", "0", "no", "off"].includes(lower)) return false;
  return undefined;
}

function applyCurve(session: Session, socket: Zmq.Socket, curve: CurveFlags): void {
  const { server, serverKey, secretKey } = curve;
  if (server === undefined && serverKey === undefined) {
    if (secretKey !== undefined) {
      throw new UsageError("--curve-secret-key needs --curve-server-key (the server's public key)");
    }
    return;
  }
  if (server !== undefined && serverKey !== undefined) {
    throw new UsageError("--curve-server and --curve-server-key exclude each other: pick one side");
  }
  if (!session.zmq.has("curve")) {
    throw new RuntimeError("this libzmq was built without CURVE security");
  }
  if (server !== undefined) {
    socket.setOption("curveServer", true);
    socket.setOption("curveSecretKey", server);
    return;
  }
  const secret = secretKey ?? session.zmq.curveKeyPair().secretKey;
  socket.setOption("curveServerKey", serverKey);
  socket.setOption("curveSecretKey", secret);
  socket.setOption("curvePublicKey", session.zmq.curvePublic(secret));
}

/**
 * Binds or connects every endpoint. A wildcard bind reports the endpoint
 * it got ("bound to tcp://127.0.0.1:40123") unless --quiet.
 */
export async function attach(
  socket: Zmq.Socket,
  endpoints: readonly EndpointPlan[],
  reporter: Reporter,
): Promise<void> {
  for (const { address, bind } of endpoints) {
    try {
      if (bind) await socket.bind(address);
      else socket.connect(address);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (isBadEndpoint(error)) throw new UsageError(message);
      throw new RuntimeError(message);
    }
    if (bind) {
      const note = `bound to ${socket.lastEndpoint ?? address}`;
      if (address.includes("*")) reporter.note(note);
      else reporter.detail(note);
    } else {
      reporter.detail(`connecting to ${address}`);
    }
  }
}

/** The endpoints as one phrase for messages: "tcp://a:1 and tcp://b:2". */
export function describeEndpoints(endpoints: readonly EndpointPlan[]): string {
  const addresses = endpoints.map((endpoint) => endpoint.address);
  return addresses.length <= 1
    ? addresses.join("")
    : `${addresses.slice(0, -1).join(", ")} and ${addresses.at(-1)}`;
}

/**
 * The Majordomo Protocol's wire format (7/MDP as the ZeroMQ guide implements
 * it, with the 8/MMI service-discovery extension): the two protocol headers,
 * the worker command bytes, the spec's timing defaults, and the checks that
 * broker, worker and client share. Everything here is data and small pure
 * functions; the broker, worker and client live in their own files.
 *
 * Frames as the spec writes them (a ROUTER adds the peer's routing id first):
 *
 * | who -> who      | frames                                                              |
 * | --------------- | ------------------------------------------------------------------- |
 * | client -> broker | "", "MDPC01", service, body...                                    |
 * | broker -> client | "", "MDPC01", service, body...                                    |
 * | worker -> broker | "", "MDPW01", 0x01 READY, service                                 |
 * | broker -> worker | "", "MDPW01", 0x02 REQUEST, client address, "", body...           |
 * | worker -> broker | "", "MDPW01", 0x03 REPLY, client address, "", body...             |
 * | either way      | "", "MDPW01", 0x04 HEARTBEAT                                        |
 * | either way      | "", "MDPW01", 0x05 DISCONNECT                                       |
 *
 * A REQ client does not see the first empty frame: its socket adds and strips it.
 *
 * @module
 */
import type { Frame, Message } from "./frames.ts";

/** The client sub-protocol's header frame, "MDPC01" (MDP/Client v0.1). */
export const MDP_CLIENT = "MDPC01";
/** The worker sub-protocol's header frame, "MDPW01" (MDP/Worker v0.1). */
export const MDP_WORKER = "MDPW01";

/**
 * The one-byte command frames of MDP/Worker.
 *
 * @example
 * ```ts
 * import * as zmq from "./mod.ts";
 * // What a worker sends to register for the "echo" service, as raw frames:
 * const ready = ["", zmq.MDP_WORKER, new Uint8Array([zmq.MajordomoCommand.READY]), "echo"];
 * console.log(ready.length); // 4
 * ```
 */
export const MajordomoCommand = {
  /** Worker -> broker: register for a service. */
  READY: 0x01,
  /** Broker -> worker: a client's request. */
  REQUEST: 0x02,
  /** Worker -> broker: the reply to a request. */
  REPLY: 0x03,
  /** Either way: I am alive. */
  HEARTBEAT: 0x04,
  /** Either way: this conversation is over. */
  DISCONNECT: 0x05,
} as const;

/** One of the {@link MajordomoCommand} values. */
export type MajordomoCommandCode = typeof MajordomoCommand[keyof typeof MajordomoCommand];

/** The spec's (and the guide's) heartbeat interval: 2500 ms. */
export const DEFAULT_HEARTBEAT_INTERVAL = 2500;
/** The spec's (and the guide's) heartbeat liveness: a peer is dead after 3 silent intervals. */
export const DEFAULT_HEARTBEAT_LIVENESS = 3;
/** The guide's worker waits 2500 ms before reconnecting to a broker it lost. */
export const DEFAULT_RECONNECT_DELAY = 2500;
/** The guide's client waits 2500 ms for each reply. */
export const DEFAULT_REQUEST_TIMEOUT = 2500;
/** The guide's client resends a request 3 times before giving up. */
export const DEFAULT_REQUEST_RETRIES = 3;
/**
 * The longest service name accepted, in UTF-8 bytes. The spec says "a
 * printable string"; a bound keeps a hostile peer from making the broker
 * hold (and log) megabytes of names.
 */
export const MAX_SERVICE_NAME_BYTES = 255;
/** The prefix of the broker's own 8/MMI services. */
export const MMI_PREFIX = "mmi.";

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** "MDPC01" as bytes. */
export const CLIENT_HEADER: Uint8Array = encoder.encode(MDP_CLIENT);
/** "MDPW01" as bytes. */
export const WORKER_HEADER: Uint8Array = encoder.encode(MDP_WORKER);
/** The empty frame. */
export const EMPTY: Uint8Array = new Uint8Array(0);
/** Each command as a one-byte frame. */
export const COMMAND_FRAMES: Readonly<Record<MajordomoCommandCode, Uint8Array>> = {
  1: new Uint8Array([1]),
  2: new Uint8Array([2]),
  3: new Uint8Array([3]),
  4: new Uint8Array([4]),
  5: new Uint8Array([5]),
};

/** Heartbeat interval and liveness, as broker and worker options spell them. */
export interface HeartbeatOptions {
  /** Milliseconds between heartbeats (default 2500, the spec's). Broker and workers must agree. */
  heartbeatInterval?: number;
  /** Silent intervals after which the peer counts as dead (default 3, the spec's). */
  heartbeatLiveness?: number;
}

/** True when two byte arrays hold the same bytes. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The bytes of one frame as a caller may give it (text is UTF-8). */
export function frameToBytes(frame: Frame): Uint8Array {
  if (typeof frame === "string") return encoder.encode(frame);
  if (frame instanceof Uint8Array) return frame;
  if (ArrayBuffer.isView(frame)) {
    return new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength);
  }
  if (frame instanceof ArrayBuffer) return new Uint8Array(frame);
  if (typeof SharedArrayBuffer !== "undefined" && frame instanceof SharedArrayBuffer) {
    return new Uint8Array(frame);
  }
  throw new TypeError(
    `A message frame must be a string, Uint8Array, ArrayBuffer or ArrayBufferView, got ${
      frame === null ? "null" : typeof frame
    }`,
  );
}

/**
 * A message (one frame or a list) as a list of byte frames. MDP carries at
 * least one body frame, so an empty list becomes one empty frame.
 */
export function messageToBytes(message: Message): Uint8Array[] {
  if (!Array.isArray(message)) return [frameToBytes(message as Frame)];
  if (message.length === 0) return [EMPTY];
  return (message as readonly Frame[]).map(frameToBytes);
}

/**
 * Checks a service name given by a caller: text of 1 to 255 UTF-8 bytes.
 * Throws a TypeError or RangeError saying what is wrong.
 */
export function checkServiceName(service: unknown, where: string): Uint8Array {
  if (typeof service !== "string") {
    throw new TypeError(`${where}: the service name must be a string, got ${typeof service}`);
  }
  const bytes = encoder.encode(service);
  if (bytes.byteLength === 0) throw new RangeError(`${where}: the service name must not be empty`);
  if (bytes.byteLength > MAX_SERVICE_NAME_BYTES) {
    throw new RangeError(
      `${where}: the service name is ${bytes.byteLength} bytes long; at most ${MAX_SERVICE_NAME_BYTES} are allowed`,
    );
  }
  return bytes;
}

/** A service name frame as text, or null when it is not valid UTF-8. */
export function decodeServiceName(frame: Uint8Array): string | null {
  try {
    return decoder.decode(frame);
  } catch {
    return null;
  }
}

/** Checks a positive, finite number of milliseconds; returns the default when undefined. */
export function checkMilliseconds(
  value: unknown,
  name: string,
  fallback: number,
  { allowZero = false } = {},
): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || Number.isNaN(value)) {
    throw new TypeError(`${name} must be a number of milliseconds, got ${String(value)}`);
  }
  if (!Number.isFinite(value) || value < 0 || (value === 0 && !allowZero)) {
    throw new RangeError(
      `${name} must be a ${
        allowZero ? "non-negative" : "positive"
      }, finite number of milliseconds, got ${value}`,
    );
  }
  return value;
}

/** Checks a whole number at least `min`; returns the default when undefined. */
export function checkCount(value: unknown, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new TypeError(`${name} must be a whole number, got ${String(value)}`);
  }
  if (value < min) throw new RangeError(`${name} must be at least ${min}, got ${value}`);
  return value;
}

/** A peer's routing id as hex, for messages (long ids cut short). */
export function describePeer(id: Uint8Array | undefined): string {
  if (id === undefined) return "an unknown peer";
  let hex = "";
  for (let i = 0; i < Math.min(id.byteLength, 16); i++) hex += id[i].toString(16).padStart(2, "0");
  return `peer 0x${hex}${id.byteLength > 16 ? "…" : ""}`;
}

/** A frame's text for an error message: printable, quoted, cut at 40 characters. */
export function describeFrame(frame: Uint8Array | undefined): string {
  if (frame === undefined) return "nothing";
  let text = "";
  for (let i = 0; i < Math.min(frame.byteLength, 40); i++) {
    const byte = frame[i];
    text += byte >= 0x20 && byte < 0x7f
      ? String.fromCharCode(byte)
      : `\\x${byte.toString(16).padStart(2, "0")}`;
  }
  return `"${text}${frame.byteLength > 40 ? `…" (${frame.byteLength} bytes)` : '"'}`;
}

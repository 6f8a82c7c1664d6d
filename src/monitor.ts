/**
 * Socket events from `zmq_socket_monitor`, as an async iterable. Monitoring
 * starts with the first iterator and stops when the last one leaves, so it
 * costs nothing until someone listens.
 *
 * @module
 */
import { setTimeout as setUnrefableTimeout } from "node:timers";
import { MonitorEvent } from "../ffi/constants.ts";
import { loadNative } from "../ffi/load.ts";
import type { Pointer } from "../ffi/native.ts";
import { errnoName, zmqFailure } from "./errors.ts";

/** The kinds of socket event, named as zeromq.js names them. */
export type SocketEventType =
  | "connect"
  | "connect:delay"
  | "connect:retry"
  | "bind"
  | "bind:error"
  | "accept"
  | "accept:error"
  | "close"
  | "close:error"
  | "disconnect"
  | "handshake"
  | "handshake:error:protocol"
  | "handshake:error:auth"
  | "handshake:error:other"
  | "end"
  | "unknown";

/**
 * One event on a socket. Which extra field is set depends on the type:
 * `fd` (connect, bind, accept, close, disconnect), `interval` (connect:retry,
 * in milliseconds), `error` (the *:error types; for handshake failures the
 * ZMTP/ZAP protocol error number).
 */
export interface SocketEvent {
  /** What happened. */
  type: SocketEventType;
  /** The endpoint it happened on. */
  address: string;
  /** The underlying file descriptor, for connect, bind, accept, close and disconnect. */
  fd?: number;
  /** The reconnect interval in milliseconds, for connect:retry. */
  interval?: number;
  /** The error, for the *:error types: errno's name and number. */
  error?: { code: string; errno: number };
  /** The raw ZMQ_EVENT_* id and value, for anything not covered above. */
  raw: { event: number; value: number };
}

const typeByEvent = new Map<number, SocketEventType>([
  [MonitorEvent.CONNECTED, "connect"],
  [MonitorEvent.CONNECT_DELAYED, "connect:delay"],
  [MonitorEvent.CONNECT_RETRIED, "connect:retry"],
  [MonitorEvent.LISTENING, "bind"],
  [MonitorEvent.BIND_FAILED, "bind:error"],
  [MonitorEvent.ACCEPTED, "accept"],
  [MonitorEvent.ACCEPT_FAILED, "accept:error"],
  [MonitorEvent.CLOSED, "close"],
  [MonitorEvent.CLOSE_FAILED, "close:error"],
  [MonitorEvent.DISCONNECTED, "disconnect"],
  [MonitorEvent.HANDSHAKE_SUCCEEDED, "handshake"],
  [MonitorEvent.HANDSHAKE_FAILED_PROTOCOL, "handshake:error:protocol"],
  [MonitorEvent.HANDSHAKE_FAILED_AUTH, "handshake:error:auth"],
  [MonitorEvent.HANDSHAKE_FAILED_NO_DETAIL, "handshake:error:other"],
  [MonitorEvent.MONITOR_STOPPED, "end"],
]);

const FD_EVENTS = new Set<SocketEventType>(["connect", "bind", "accept", "close", "disconnect"]);

/** Decodes libzmq's two-frame event message (16-bit id, 32-bit value; then the address). */
export function decodeEvent(frames: Uint8Array[]): SocketEvent {
  const head = frames[0];
  if (head === undefined || head.byteLength < 6) {
    throw new TypeError("A monitor event's first frame is 6 bytes");
  }
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const event = view.getUint16(0, true);
  const value = view.getUint32(2, true);
  const type = typeByEvent.get(event) ?? "unknown";
  const address = new TextDecoder().decode(frames[1] ?? new Uint8Array());
  const decoded: SocketEvent = { type, address, raw: { event, value } };
  if (FD_EVENTS.has(type)) decoded.fd = value;
  else if (type === "connect:retry") decoded.interval = value;
  else if (type.includes(":error")) {
    decoded.error = {
      code: type.startsWith("handshake") ? "EPROTO" : errnoName(value),
      errno: value,
    };
  }
  return decoded;
}

/** The side of a socket the monitor needs. */
export interface Monitored {
  /** Starts (endpoint) or stops (null) libzmq's monitor. */
  startMonitor(endpoint: string | null): void;
  /** Opens the PAIR socket that reads the monitor's events. */
  openMonitorReader(endpoint: string): MonitorReader;
  /** True once the socket is closed. */
  isClosed(): boolean;
}

/** The internal PAIR socket that receives events. */
export interface MonitorReader {
  receive(): Promise<Uint8Array[]>;
  close(): void;
}

interface Listener {
  queue: SocketEvent[];
  // Every next() still waiting, in call order: each gets its own event.
  waiting: ((result: IteratorResult<SocketEvent, undefined>) => void)[];
  ended: boolean;
}

const END: IteratorResult<SocketEvent, undefined> = Object.freeze({ done: true, value: undefined });

/** Ends an iteration: every next() still waiting settles with `done`. */
function endListener(listener: Listener): void {
  listener.ended = true;
  const waiting = listener.waiting;
  listener.waiting = [];
  for (const wake of waiting) wake(END);
}

let monitorCount = 0;

// After its socket closes, an iteration ends at the latest this long after:
// libzmq sends its final event only once the socket is destroyed, and a
// socket with an inproc connection still pending (or messages lingering) is
// not destroyed until much later.
const CLOSE_GRACE_MS = 1_000;

/**
 * A socket's events. Iterate it; each iterator sees every event from the
 * moment it starts, and all end when the socket closes.
 *
 * @example
 * ```ts
 * import * as zmq from "./mod.ts";
 * const rep = new zmq.Reply();
 * (async () => {
 *   for await (const event of rep.events) console.log(event.type, event.address);
 * })();
 * await rep.bind("tcp://127.0.0.1:*"); // logs: bind tcp://127.0.0.1:<port>
 * rep.close(); // logs: close ..., then the iteration ends
 * ```
 */
export class SocketEvents implements AsyncIterable<SocketEvent> {
  #socket: Monitored;
  #listeners = new Set<Listener>();
  #reader: MonitorReader | undefined;
  // A reader whose monitor could not start (see #start), kept for the next try.
  #parked: { reader: MonitorReader; endpoint: string } | undefined;

  /** @ignore Made by Socket.events. */
  constructor(socket: Monitored) {
    this.#socket = socket;
  }

  /** Starts an iterator (and the monitor, if it is the first). */
  [Symbol.asyncIterator](): AsyncIterator<SocketEvent, undefined> {
    const listener: Listener = { queue: [], waiting: [], ended: false };
    if (this.#socket.isClosed()) {
      listener.ended = true;
    } else {
      this.#listeners.add(listener);
      if (this.#reader === undefined) {
        try {
          this.#start();
        } catch (error) {
          this.#listeners.delete(listener);
          throw error;
        }
      }
    }
    const finish = (): IteratorResult<SocketEvent, undefined> => {
      this.#listeners.delete(listener);
      // next() calls still waiting end with the iterator.
      endListener(listener);
      if (this.#listeners.size === 0) this.#stop();
      return END;
    };
    return {
      next: () => {
        const event = listener.queue.shift();
        if (event !== undefined) return Promise.resolve({ done: false, value: event });
        if (listener.ended) return Promise.resolve(END);
        return new Promise((resolve) => listener.waiting.push(resolve));
      },
      return: () => Promise.resolve(finish()),
    };
  }

  /** @ignore The socket was closed: make sure every iteration ends soon. */
  socketClosed(): void {
    const reader = this.#reader;
    if (reader === undefined) return;
    const timer = setUnrefableTimeout(() => {
      if (this.#reader !== reader) return;
      // Every iteration ends now. The reader stays, reading what libzmq still
      // sends, until the final event (or the context's end) closes it:
      // libzmq sends its events with a blocking send while it holds the
      // socket's monitor lock, so a monitor left without a reader would
      // block the thread that sends (the reaper, at the latest).
      const listeners = [...this.#listeners];
      this.#listeners.clear();
      for (const listener of listeners) endListener(listener);
    }, CLOSE_GRACE_MS);
    timer.unref(); // never keeps the process alive
  }

  #start(): void {
    // The reader first, connected before anything binds there (its connection
    // waits inside the context): libzmq's monitor, once started, sends its
    // events with a blocking send while it holds the socket's monitor lock,
    // so it must never run without a reader. A reader that cannot be made
    // (a full context: EMFILE) is then an error before anything started.
    const parked = this.#parked;
    this.#parked = undefined;
    const endpoint = parked?.endpoint ??
      `inproc://zmq.monitor.${++monitorCount}.${Math.random().toString(36).slice(2)}`;
    const reader = parked?.reader ?? this.#socket.openMonitorReader(endpoint);
    try {
      this.#socket.startMonitor(endpoint);
    } catch (error) {
      // No room for libzmq's monitor socket. The reader's connection still
      // waits for a binder: closing the reader would leave it so, holding a
      // socket slot, so it waits for the next start (or the context's end).
      this.#parked = { reader, endpoint };
      throw error;
    }
    this.#reader = reader;
    void this.#pump(reader);
  }

  #stop(): void {
    if (this.#reader === undefined || this.#socket.isClosed()) return;
    // libzmq answers with a final "monitor stopped" event, which ends the pump.
    try {
      this.#socket.startMonitor(null);
    } catch {
      // Lent to a proxy: the monitor stops when the socket closes instead.
    }
  }

  async #pump(reader: MonitorReader): Promise<void> {
    try {
      for (;;) {
        const event = decodeEvent(await reader.receive());
        for (const listener of this.#listeners) {
          if (event.type === "end") continue;
          const wake = listener.waiting.shift();
          if (wake !== undefined) wake({ done: false, value: event });
          else listener.queue.push(event);
        }
        if (event.type === "end") break;
      }
    } catch {
      // The reader was closed: the monitor is over either way.
    } finally {
      reader.close();
      if (this.#reader === reader) this.#reader = undefined;
      const listeners = [...this.#listeners];
      // Listeners that joined after a stop was requested start a new monitor
      // (which fails if the socket meanwhile closed, was lent or its context ended).
      let restarted = false;
      if (!this.#socket.isClosed() && listeners.length > 0) {
        try {
          this.#start();
          restarted = true;
        } catch {
          restarted = false;
        }
      }
      if (!restarted) {
        this.#listeners.clear();
        for (const listener of listeners) endListener(listener);
      }
    }
  }
}

/** Starts (endpoint) or stops (null) libzmq's monitor on a socket. */
export function socketMonitor(socket: Pointer, endpoint: string | null): void {
  const zmq = loadNative().zmq;
  if (endpoint === null) {
    // A NULL endpoint stops the monitor.
    zmq.zmq_socket_monitor(socket, null as unknown as Uint8Array, 0);
    return;
  }
  const text = new TextEncoder().encode(endpoint + "\0");
  if (zmq.zmq_socket_monitor(socket, text, MonitorEvent.ALL) !== 0) {
    throw zmqFailure(`Cannot monitor the socket on ${endpoint}`);
  }
}

/**
 * UDP beacons for discovery on a local network, compatible on the wire with
 * czmq's zbeacon: every beacon of a group shares one UDP port, broadcasts a
 * raw payload of at most 255 bytes to its interface's broadcast address at
 * an interval, and hears everyone else's payloads, filtered by prefix, with
 * its own echoes left out.
 *
 * The UDP socket is `node:dgram`, which Deno, Bun and Node all provide
 * without flags (Deno's own `Deno.listenDatagram` needs --unstable-net).
 *
 * @module
 */
import dgram from "node:dgram";
import { networkInterfaces } from "node:os";
import process from "node:process";
import { misuse, type ZmqError } from "./errors.ts";

/** The largest beacon payload, in bytes (czmq's UDP_FRAME_MAX). */
export const BEACON_MAX_PAYLOAD = 255;
/** The default broadcast interval in milliseconds (zbeacon's). */
export const BEACON_DEFAULT_INTERVAL = 1000;

/** Options of a {@link Beacon}. */
export interface BeaconOptions {
  /** The UDP port every beacon of the group shares (zbeacon's CONFIGURE port). */
  port: number;
  /**
   * Where to broadcast, as zbeacon's ZSYS_INTERFACE: an interface name
   * ("eth0", "lo"), one of this host's IPv4 addresses, or "*" (every
   * interface: bind to 0.0.0.0 and send to 255.255.255.255). Default: the
   * ZSYS_INTERFACE environment variable, else the first IPv4 interface that
   * is not loopback (zbeacon's choice).
   */
  interface?: string;
  /** Beacons kept for {@link Beacon.receive} before the oldest are dropped (default 1000). */
  queueLimit?: number;
  /**
   * Called with each beacon heard that passes the filter, instead of queuing
   * it for {@link Beacon.receive}. With it, nothing waits, so the beacon
   * never keeps the process alive.
   */
  onBeacon?: (signal: BeaconSignal) => void;
  /**
   * Called for incoming datagrams dropped as invalid (over 255 bytes) and for
   * send failures; the beacon keeps running. Default: `console.warn`.
   */
  onError?: (error: ZmqError) => void;
}

/** Options of {@link Beacon.publish}. */
export interface BeaconPublishOptions {
  /** Milliseconds between broadcasts (default 1000, zbeacon's). */
  interval?: number;
}

/** One beacon heard from another peer. */
export interface BeaconSignal {
  /** The payload, as sent. */
  payload: Uint8Array;
  /** The sender's IPv4 address (what zbeacon reports as the peer name). */
  address: string;
  /** The sender's UDP port (the group's port, for zbeacon peers). */
  port: number;
}

/** Where a {@link Beacon} works, once bound. */
export interface BeaconInterface {
  /** The interface's name ("eth0"; "*" for every interface). */
  name: string;
  /** This host's address on it (zbeacon's "hostname"; "0.0.0.0" for "*"). */
  address: string;
  /** The address beacons are sent to. */
  broadcast: string;
}

/** Counters of a {@link Beacon}. */
export interface BeaconStatistics {
  /** Beacons broadcast. */
  sent: number;
  /** Beacons delivered to the queue (or a waiting receive). */
  received: number;
  /** Beacons ignored: our own echoes, another prefix, or not subscribed. */
  ignored: number;
  /** Datagrams over 255 bytes, dropped. */
  oversized: number;
  /** Beacons dropped because the queue was full. */
  overflowed: number;
  /** Broadcasts that failed (the next interval tries again). */
  sendFailures: number;
}

const encoder = new TextEncoder();

function payloadBytes(value: unknown, what: string): Uint8Array {
  let bytes: Uint8Array;
  if (typeof value === "string") bytes = encoder.encode(value);
  else if (value instanceof Uint8Array) bytes = value.slice();
  else if (ArrayBuffer.isView(value)) {
    bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength).slice();
  } else if (value instanceof ArrayBuffer) bytes = new Uint8Array(value.slice(0));
  else throw new TypeError(`${what} must be a string or bytes, got ${typeof value}`);
  if (bytes.byteLength > BEACON_MAX_PAYLOAD) {
    throw new RangeError(
      `${what} is ${bytes.byteLength} bytes; a beacon carries at most ${BEACON_MAX_PAYLOAD}`,
    );
  }
  return bytes;
}

function startsWith(data: Uint8Array, prefix: Uint8Array): boolean {
  if (data.byteLength < prefix.byteLength) return false;
  for (let i = 0; i < prefix.byteLength; i++) if (data[i] !== prefix[i]) return false;
  return true;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && startsWith(a, b);
}

function readEnv(name: string): string | undefined {
  try {
    return process.env[name];
  } catch {
    return undefined; // no permission to read the environment
  }
}

function ipv4ToNumber(address: string): number {
  return address.split(".").reduce((n, part) => n * 256 + Number(part), 0);
}

function numberToIpv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => (n >>> shift) & 255).join(".");
}

/** The broadcast address of `address`/`netmask`. */
function broadcastOf(address: string, netmask: string): string {
  return numberToIpv4((ipv4ToNumber(address) | ~ipv4ToNumber(netmask)) >>> 0);
}

/**
 * Resolves zbeacon's interface choice: a name, an address, "*", or "" (the
 * first IPv4 interface that is not loopback).
 */
export function resolveBeaconInterface(choice: string): BeaconInterface {
  if (choice === "*") return { name: "*", address: "0.0.0.0", broadcast: "255.255.255.255" };
  let interfaces: ReturnType<typeof networkInterfaces>;
  try {
    interfaces = networkInterfaces();
  } catch (error) {
    throw misuse(
      "ENODEV",
      `Cannot list the network interfaces (${
        (error as Error).message
      }); in Deno, allow it with --allow-sys`,
    );
  }
  const seen: string[] = [];
  for (const [name, addresses] of Object.entries(interfaces)) {
    for (const entry of addresses ?? []) {
      // Node spells the family "IPv4", some versions 4.
      if (entry.family !== "IPv4" && (entry.family as unknown) !== 4) continue;
      seen.push(`${name} (${entry.address})`);
      const wanted = choice === "" ? !entry.internal : choice === name || choice === entry.address;
      if (wanted) {
        return {
          name,
          address: entry.address,
          broadcast: broadcastOf(entry.address, entry.netmask),
        };
      }
    }
  }
  throw misuse(
    "ENODEV",
    choice === ""
      ? `No broadcast interface found: this host has no IPv4 interface besides loopback (seen: ${
        seen.join(", ") || "none"
      }); name one with the interface option or ZSYS_INTERFACE`
      : `No IPv4 interface "${choice}" on this host (seen: ${seen.join(", ") || "none"})`,
  );
}

function warn(error: ZmqError): void {
  console.warn(`W: ${error.message}`);
}

interface Waiter {
  resolve(signal: BeaconSignal): void;
  reject(error: unknown): void;
}

/**
 * A UDP beacon, wire-compatible with czmq's zbeacon: {@link Beacon.publish}
 * broadcasts a payload (at most 255 bytes) at an interval on the shared
 * port; {@link Beacon.subscribe} starts hearing other beacons whose payload
 * starts with a prefix, read with {@link Beacon.receive} or `for await`.
 * Beacons equal to our own payload are our own echoes and are left out, as
 * zbeacon does.
 *
 * Like a ZeroMQ socket, an idle beacon does not keep the process alive; a
 * pending receive does. Close it with {@link Beacon.close} or `using`.
 *
 * @example
 * ```ts
 * import * as zmq from "./mod.ts";
 *
 * // Two beacons on one host, on loopback (127.255.255.255).
 * const speaker = new zmq.Beacon({ port: 9999, interface: "lo" });
 * const listener = new zmq.Beacon({ port: 9999, interface: "lo" });
 * listener.subscribe("CAFE");
 * speaker.publish("CAFE:tcp://127.0.0.1:5555", { interval: 100 });
 * const { payload, address } = await listener.receive({ timeout: 2000 });
 * console.log(new TextDecoder().decode(payload), "from", address);
 * speaker.close();
 * listener.close();
 * ```
 */
export class Beacon {
  /** The shared UDP port. */
  readonly port: number;
  /** Resolves with where the beacon works once its UDP socket is bound; rejects if it cannot be. */
  readonly ready: Promise<BeaconInterface>;
  readonly #socket: dgram.Socket;
  readonly #queueLimit: number;
  readonly #onError: (error: ZmqError) => void;
  readonly #onBeacon: ((signal: BeaconSignal) => void) | undefined;
  readonly #queue: BeaconSignal[] = [];
  readonly #waiters: Waiter[] = [];
  #interface: BeaconInterface | undefined;
  #failure: ZmqError | undefined;
  #transmit: Uint8Array | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #filter: Uint8Array | undefined;
  #closed = false;
  /** A new UDP socket keeps the process alive until unref'd. */
  #referenced = true;
  #stats: BeaconStatistics = {
    sent: 0,
    received: 0,
    ignored: 0,
    oversized: 0,
    overflowed: 0,
    sendFailures: 0,
  };

  /** Opens the UDP socket on `port` and binds it (see {@link Beacon.ready}). */
  constructor(options: BeaconOptions) {
    if (options === null || typeof options !== "object") {
      throw new TypeError(`Beacon options must be an object like { port }, got ${String(options)}`);
    }
    const { port } = options;
    if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new RangeError(
        `Beacon port must be a whole number from 1 to 65535, got ${String(port)}`,
      );
    }
    if (options.interface !== undefined && typeof options.interface !== "string") {
      throw new TypeError(`Beacon interface must be a string, got ${typeof options.interface}`);
    }
    const queueLimit = options.queueLimit ?? 1000;
    if (!Number.isInteger(queueLimit) || queueLimit < 1) {
      throw new RangeError(`queueLimit must be a whole number of at least 1, got ${queueLimit}`);
    }
    if (options.onError !== undefined && typeof options.onError !== "function") {
      throw new TypeError("onError must be a function");
    }
    if (options.onBeacon !== undefined && typeof options.onBeacon !== "function") {
      throw new TypeError("onBeacon must be a function");
    }
    this.#onBeacon = options.onBeacon;
    this.port = port;
    this.#queueLimit = queueLimit;
    this.#onError = options.onError ?? warn;
    // Throws here (ENODEV) for an interface that does not exist.
    const where = resolveBeaconInterface(options.interface ?? readEnv("ZSYS_INTERFACE") ?? "");
    // zbeacon binds to the broadcast address on Linux (it hears broadcasts
    // only, on that interface) and to every address elsewhere.
    const bindTo = process.platform === "linux" ? where.broadcast : "0.0.0.0";
    this.#socket = dgram.createSocket({ type: "udp4", reuseAddr: true });
    this.#socket.on("message", (data, remote) => this.#heard(data, remote.address, remote.port));
    this.ready = new Promise<BeaconInterface>((resolve, reject) => {
      const onError = (error: Error) => {
        this.#failure = misuse(
          (error as { code?: string }).code ?? "EINVAL",
          `Beacon cannot bind UDP port ${port} on ${where.name} (${bindTo}): ${error.message}`,
        );
        for (const waiter of this.#waiters.splice(0)) waiter.reject(this.#failure);
        try {
          this.#socket.close();
        } catch {
          // Already closed.
        }
        reject(this.#failure);
      };
      this.#socket.once("error", onError);
      this.#socket.bind(port, bindTo, () => {
        this.#socket.off("error", onError);
        this.#socket.on(
          "error",
          (error) => this.#report(misuse("EINVAL", `Beacon: ${error.message}`)),
        );
        try {
          this.#socket.setBroadcast(true);
        } catch (error) {
          onError(error as Error);
          return;
        }
        this.#interface = where;
        this.#updateRef();
        if (this.#transmit !== undefined) this.#broadcast();
        resolve(where);
      });
    });
    // Nobody need await `ready`: a failure also rejects every receive.
    this.ready.catch(() => {});
    this.#updateRef();
  }

  /** Where the beacon works, once bound (null before, or after a failure). */
  get interface(): BeaconInterface | null {
    return this.#interface ?? null;
  }

  /** True once {@link Beacon.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Beacons sent, heard, ignored and dropped so far. */
  statistics(): BeaconStatistics {
    return { ...this.#stats };
  }

  /**
   * Starts broadcasting `payload` (at most 255 bytes) every `interval` ms,
   * the first one at once; replaces what was broadcast before.
   */
  publish(
    payload: string | Uint8Array | ArrayBuffer | ArrayBufferView,
    options: BeaconPublishOptions = {},
  ): void {
    this.#assertOpen();
    const bytes = payloadBytes(payload, "A beacon payload");
    const interval = options.interval ?? BEACON_DEFAULT_INTERVAL;
    if (typeof interval !== "number" || !Number.isFinite(interval) || interval <= 0) {
      throw new RangeError(
        `interval must be a positive number of milliseconds, got ${String(interval)}`,
      );
    }
    this.silence();
    this.#transmit = bytes;
    this.#timer = setInterval(() => this.#broadcast(), interval);
    // Broadcasting alone does not keep the process alive, like an idle socket.
    (this.#timer as { unref?: () => void }).unref?.();
    if (this.#interface !== undefined) this.#broadcast();
  }

  /** Stops broadcasting. */
  silence(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#transmit = undefined;
  }

  /**
   * Starts hearing beacons whose payload starts with `prefix` (all of them
   * for "" or no argument), replacing an earlier filter. Only beacons heard
   * after this are queued.
   */
  subscribe(prefix: string | Uint8Array = ""): void {
    this.#assertOpen();
    this.#filter = payloadBytes(prefix, "A beacon filter");
  }

  /** Stops hearing beacons and drops the ones queued. */
  unsubscribe(): void {
    this.#filter = undefined;
    this.#queue.length = 0;
  }

  /**
   * The next beacon heard (subscribe first). Rejects with a ZmqError
   * "EAGAIN" after `timeout` ms, "ENOTSOCK" once closed, the bind failure if
   * the socket could not be bound, or the signal's reason.
   */
  receive(options: { timeout?: number; signal?: AbortSignal } = {}): Promise<BeaconSignal> {
    if (this.#closed) return Promise.reject(this.#closedError());
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    const queued = this.#queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    const { timeout, signal } = options;
    if (
      timeout !== undefined && (typeof timeout !== "number" || Number.isNaN(timeout) || timeout < 0)
    ) {
      return Promise.reject(
        new RangeError(`timeout must be a non-negative number, got ${String(timeout)}`),
      );
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<BeaconSignal>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const finish = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        const at = this.#waiters.indexOf(waiter);
        if (at >= 0) this.#waiters.splice(at, 1);
        this.#updateRef();
      };
      const waiter: Waiter = {
        resolve: (value) => {
          finish();
          resolve(value);
        },
        reject: (error) => {
          finish();
          reject(error);
        },
      };
      const onAbort = () => waiter.reject(signal!.reason);
      if (timeout !== undefined && timeout !== Infinity) {
        timer = setTimeout(
          () =>
            waiter.reject(
              misuse("EAGAIN", `No beacon heard on UDP port ${this.port} within ${timeout} ms`),
            ),
          timeout,
        );
      }
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiters.push(waiter);
      this.#updateRef();
    });
  }

  /** The next queued beacon, or null; never waits. */
  tryReceive(): BeaconSignal | null {
    return this.#queue.shift() ?? null;
  }

  /** Beacons as they are heard, until the beacon closes. */
  async *[Symbol.asyncIterator](): AsyncGenerator<BeaconSignal> {
    while (!this.#closed) {
      try {
        yield await this.receive();
      } catch (error) {
        if (this.#closed) return;
        throw error;
      }
    }
  }

  /** Stops broadcasting and closes the UDP socket; pending receives reject with "ENOTSOCK". Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.silence();
    this.#queue.length = 0;
    for (const waiter of this.#waiters.splice(0)) waiter.reject(this.#closedError());
    try {
      this.#socket.close();
    } catch {
      // Never bound (a failed bind closes it already).
    }
  }

  /** Same as {@link Beacon.close}. */
  [Symbol.dispose](): void {
    this.close();
  }

  #broadcast(): void {
    const transmit = this.#transmit;
    const where = this.#interface;
    if (transmit === undefined || where === undefined || this.#closed) return;
    this.#socket.send(transmit, this.port, where.broadcast, (error) => {
      if (error === null || error === undefined) {
        this.#stats.sent += 1;
        return;
      }
      this.#stats.sendFailures += 1;
      if (!this.#closed) {
        this.#report(
          misuse(
            (error as { code?: string }).code ?? "EINVAL",
            `Beacon could not broadcast to ${where.broadcast}:${this.port}: ${error.message}`,
          ),
        );
      }
    });
  }

  #heard(data: Uint8Array, address: string, port: number): void {
    if (this.#closed) return;
    if (data.byteLength > BEACON_MAX_PAYLOAD) {
      this.#stats.oversized += 1;
      this.#report(
        misuse(
          "EMSGSIZE",
          `Beacon dropped a ${data.byteLength}-byte datagram from ${address}:${port}: beacons carry at most ${BEACON_MAX_PAYLOAD} bytes`,
        ),
      );
      return;
    }
    const filter = this.#filter;
    // zbeacon's rules: the filter must match, and our own payload is our echo.
    if (
      filter === undefined || !startsWith(data, filter) ||
      (this.#transmit !== undefined && sameBytes(data, this.#transmit))
    ) {
      this.#stats.ignored += 1;
      return;
    }
    this.#stats.received += 1;
    // Our own copy: the runtime may hand us a view of a pooled buffer.
    const signal: BeaconSignal = { payload: new Uint8Array(data), address, port };
    if (this.#onBeacon !== undefined) {
      try {
        this.#onBeacon(signal);
      } catch (error) {
        this.#report(misuse("EINVAL", `Beacon: the onBeacon callback threw: ${error}`));
      }
      return;
    }
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) {
      waiter.resolve(signal);
      return;
    }
    this.#queue.push(signal);
    if (this.#queue.length > this.#queueLimit) {
      this.#queue.shift();
      this.#stats.overflowed += 1;
    }
  }

  /** Keeps the process alive while a receive waits, like a ZeroMQ socket. */
  #updateRef(): void {
    const wanted = this.#waiters.length > 0 && !this.#closed;
    if (wanted === this.#referenced) return;
    this.#referenced = wanted;
    try {
      if (wanted) this.#socket.ref();
      else this.#socket.unref();
    } catch {
      // Closed: nothing to keep alive.
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw this.#closedError();
  }

  #closedError(): ZmqError {
    return misuse("ENOTSOCK", "The Beacon is closed");
  }

  #report(error: ZmqError): void {
    try {
      this.#onError(error);
    } catch {
      // A failing error handler must not stop the beacon.
    }
  }
}

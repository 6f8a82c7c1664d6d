/**
 * Service discovery on beacons: a service announces `name -> endpoint` once a
 * second ({@link announceService}); clients keep a {@link ServiceDirectory}
 * of what they hear, find a service ({@link findService}) or keep a socket
 * connected to every live instance ({@link connectService}), and notice an
 * instance is gone when its announcements stop.
 *
 * An announcement is one zbeacon-compatible payload:
 * `"ZSD" 0x01 | name length (1 byte) | name | endpoint`, at most 255 bytes.
 * An endpoint whose host is `*` or `0.0.0.0` (what a service binds) reaches
 * listeners with the announcer's address in its place.
 *
 * @module
 */
import { misuse, type ZmqError } from "./errors.ts";
import {
  Beacon,
  BEACON_DEFAULT_INTERVAL,
  BEACON_MAX_PAYLOAD,
  type BeaconOptions,
  type BeaconSignal,
} from "./beacon.ts";

/** The first bytes of every service announcement: "ZSD" and version 1. */
export const SERVICE_ANNOUNCEMENT_PREFIX: Uint8Array = new Uint8Array([0x5a, 0x53, 0x44, 0x01]);

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** Options of {@link announceService}. */
export interface AnnounceOptions extends Omit<BeaconOptions, "onBeacon"> {
  /** Milliseconds between announcements (default 1000). */
  interval?: number;
}

/** Options of a {@link ServiceDirectory}. */
export interface ServiceDirectoryOptions extends Omit<BeaconOptions, "onBeacon"> {
  /**
   * Milliseconds without an announcement after which an instance counts as
   * gone (default 3000: three missed announcements at the default interval).
   */
  timeout?: number;
  /** Called when an instance appears ("up") or its announcements stop ("down"). */
  onChange?: (change: ServiceChange) => void;
}

/** One live instance of a service, as a {@link ServiceDirectory} knows it. */
export interface DiscoveredService {
  /** The service's name. */
  name: string;
  /** Where to connect (a wildcard host replaced by the announcer's address). */
  endpoint: string;
  /** The announcer's IPv4 address. */
  address: string;
  /** performance.now() of the last announcement heard. */
  lastSeen: number;
}

/** An instance appearing or disappearing. */
export interface ServiceChange {
  /** "up": first heard; "down": silent for longer than the directory's timeout. */
  type: "up" | "down";
  /** The instance. */
  service: DiscoveredService;
}

/** Options of {@link ServiceDirectory.find} and {@link findService}. */
export interface FindOptions {
  /** Give up after this many milliseconds with a ZmqError "ETIMEDOUT" (default: wait forever). */
  timeout?: number;
  /** Give up when this signal aborts. */
  signal?: AbortSignal;
}

/** The little of a ZeroMQ socket that {@link ServiceDirectory.connect} needs. */
export interface Connectable {
  /** Connects to an endpoint. */
  connect(endpoint: string): void;
  /** Disconnects from an endpoint connected before. */
  disconnect(endpoint: string): void;
}

function checkName(name: unknown, where: string): Uint8Array {
  if (typeof name !== "string" || name === "") {
    throw new TypeError(
      `${where}: the service name must be a non-empty string, got ${String(name)}`,
    );
  }
  const bytes = encoder.encode(name);
  if (bytes.byteLength > 255) {
    throw new RangeError(
      `${where}: the service name is ${bytes.byteLength} bytes; at most 255 fit`,
    );
  }
  return bytes;
}

/** The announcement payload for `name -> endpoint`; throws if it would not fit in a beacon. */
export function encodeAnnouncement(name: string, endpoint: string): Uint8Array {
  const nameBytes = checkName(name, "announceService()");
  if (typeof endpoint !== "string" || endpoint === "") {
    throw new TypeError(
      `announceService(): the endpoint must be a non-empty string, got ${String(endpoint)}`,
    );
  }
  const endpointBytes = encoder.encode(endpoint);
  const size = SERVICE_ANNOUNCEMENT_PREFIX.byteLength + 1 + nameBytes.byteLength +
    endpointBytes.byteLength;
  if (size > BEACON_MAX_PAYLOAD) {
    throw new RangeError(
      `announceService(): "${name}" -> "${endpoint}" takes ${size} bytes; a beacon carries at most ${BEACON_MAX_PAYLOAD}`,
    );
  }
  const payload = new Uint8Array(size);
  payload.set(SERVICE_ANNOUNCEMENT_PREFIX, 0);
  payload[4] = nameBytes.byteLength;
  payload.set(nameBytes, 5);
  payload.set(endpointBytes, 5 + nameBytes.byteLength);
  return payload;
}

/** Reads an announcement payload; null when it is not one. */
export function decodeAnnouncement(payload: Uint8Array): { name: string; endpoint: string } | null {
  const prefix = SERVICE_ANNOUNCEMENT_PREFIX;
  if (payload.byteLength < prefix.byteLength + 3) return null;
  for (let i = 0; i < prefix.byteLength; i++) if (payload[i] !== prefix[i]) return null;
  const length = payload[4];
  if (length === 0 || 5 + length >= payload.byteLength) return null;
  try {
    return {
      name: decoder.decode(payload.subarray(5, 5 + length)),
      endpoint: decoder.decode(payload.subarray(5 + length)),
    };
  } catch {
    return null;
  }
}

/** The endpoint a listener should connect to: a wildcard host becomes the announcer's address. */
function resolveEndpoint(endpoint: string, address: string): string {
  return endpoint.replace(/^([a-z0-9+.-]+:\/\/)(\*|0\.0\.0\.0)(?=:)/i, `$1${address}`);
}

/**
 * Announces `name -> endpoint` on the beacon port: returns the
 * {@link Beacon} doing it; close it to stop (listeners then drop the
 * service after their timeout). A `*` or `0.0.0.0` host in `endpoint` is
 * replaced, at each listener, by this host's address as it heard it.
 *
 * @example
 * ```ts
 * import * as zmq from "./mod.ts";
 *
 * const server = new zmq.Reply();
 * await server.bind("tcp://127.0.0.1:*");
 * const announcement = zmq.announceService("echo", server.lastEndpoint!, {
 *   port: 9998,
 *   interface: "lo",
 * });
 * // ... serve ...
 * announcement.close();
 * server.close();
 * ```
 */
export function announceService(
  name: string,
  endpoint: string,
  options: AnnounceOptions,
): Beacon {
  const payload = encodeAnnouncement(name, endpoint);
  const { interval = BEACON_DEFAULT_INTERVAL, ...beaconOptions } = options ?? {} as AnnounceOptions;
  const beacon = new Beacon(beaconOptions);
  try {
    beacon.publish(payload, { interval });
  } catch (error) {
    beacon.close();
    throw error;
  }
  return beacon;
}

interface FindWaiter {
  name: string;
  resolve(service: DiscoveredService): void;
  reject(error: unknown): void;
}

/** Links made by {@link connectService}: closing one closes its own directory too. */
const linksOwningTheirDirectory = new WeakSet<ServiceLink>();

/**
 * What the service announcements on a beacon port say is alive now: every
 * instance heard within the last `timeout` ms, by name. It listens from
 * construction until {@link ServiceDirectory.close}; an open directory does
 * not keep the process alive, a pending {@link ServiceDirectory.find} does.
 *
 * @example
 * ```ts
 * import * as zmq from "./mod.ts";
 *
 * const announcement = zmq.announceService("echo", "tcp://*:5555", {
 *   port: 9997,
 *   interface: "lo",
 *   interval: 100,
 * });
 * const directory = new zmq.ServiceDirectory({ port: 9997, interface: "lo", timeout: 500 });
 * const echo = await directory.find("echo", { timeout: 2000 });
 * console.log(echo.endpoint); // "tcp://127.0.0.1:5555"
 * directory.close();
 * announcement.close();
 * ```
 */
export class ServiceDirectory {
  /** The listening beacon. */
  readonly beacon: Beacon;
  readonly #timeout: number;
  readonly #onChange: ((change: ServiceChange) => void) | undefined;
  readonly #instances = new Map<string, DiscoveredService>();
  readonly #finders = new Set<FindWaiter>();
  readonly #links = new Set<ServiceLink>();
  readonly #timer: ReturnType<typeof setInterval>;
  #closed = false;

  /** Starts listening on the beacon port. */
  constructor(options: ServiceDirectoryOptions) {
    if (options === null || typeof options !== "object") {
      throw new TypeError(
        `ServiceDirectory options must be an object like { port }, got ${String(options)}`,
      );
    }
    const { timeout = 3 * BEACON_DEFAULT_INTERVAL, onChange, ...beaconOptions } = options;
    if (typeof timeout !== "number" || !Number.isFinite(timeout) || timeout <= 0) {
      throw new RangeError(
        `timeout must be a positive number of milliseconds, got ${String(timeout)}`,
      );
    }
    if (onChange !== undefined && typeof onChange !== "function") {
      throw new TypeError("onChange must be a function");
    }
    this.#timeout = timeout;
    this.#onChange = onChange;
    this.beacon = new Beacon({ ...beaconOptions, onBeacon: (signal) => this.#heard(signal) });
    this.beacon.subscribe(SERVICE_ANNOUNCEMENT_PREFIX);
    this.#timer = setInterval(() => this.#expire(), Math.max(10, Math.min(250, timeout / 5)));
    (this.#timer as { unref?: () => void }).unref?.();
  }

  /** True once {@link ServiceDirectory.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The live instances, of one service or of all. */
  services(name?: string): DiscoveredService[] {
    const all = [...this.#instances.values()].map((instance) => ({ ...instance }));
    return name === undefined ? all : all.filter((instance) => instance.name === name);
  }

  /**
   * Resolves with a live instance of `name`: at once if one is known, else
   * the first one heard. Rejects with a ZmqError "ETIMEDOUT" after `timeout`.
   */
  find(name: string, options: FindOptions = {}): Promise<DiscoveredService> {
    checkName(name, "find()");
    if (this.#closed) return Promise.reject(this.#closedError());
    const known = this.services(name)[0];
    if (known !== undefined) return Promise.resolve(known);
    const { timeout, signal } = options;
    if (timeout !== undefined && (typeof timeout !== "number" || !(timeout >= 0))) {
      return Promise.reject(
        new RangeError(`timeout must be a non-negative number, got ${String(timeout)}`),
      );
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      // A timer that keeps the process alive while the search waits.
      const timer = timeout === undefined || timeout === Infinity
        ? setInterval(() => {}, 1 << 30)
        : setTimeout(() =>
          finder.reject(
            misuse(
              "ETIMEDOUT",
              `No announcement of service "${name}" heard on UDP port ${this.beacon.port} within ${timeout} ms`,
            ),
          ), timeout);
      const onAbort = () => finder.reject(signal!.reason);
      const finish = () => {
        clearTimeout(timer);
        clearInterval(timer);
        signal?.removeEventListener("abort", onAbort);
        this.#finders.delete(finder);
      };
      const finder: FindWaiter = {
        name,
        resolve: (service) => {
          finish();
          resolve(service);
        },
        reject: (error) => {
          finish();
          reject(error);
        },
      };
      this.#finders.add(finder);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.beacon.ready.catch((error) => finder.reject(error));
    });
  }

  /**
   * Keeps `socket` connected to every live instance of `name`: connects each
   * one as it appears and disconnects it when its announcements stop. Close
   * the returned link to stop following (the socket stays connected as is).
   */
  connect(socket: Connectable, name: string): ServiceLink {
    checkName(name, "connect()");
    if (socket === null || typeof socket !== "object" || typeof socket.connect !== "function") {
      throw new TypeError("connect() needs a socket with connect() and disconnect()");
    }
    if (this.#closed) throw this.#closedError();
    const link = new ServiceLink(socket, name, this.find(name), () => {
      this.#links.delete(link);
      if (linksOwningTheirDirectory.has(link)) this.close();
    });
    this.#links.add(link);
    for (const instance of this.services(name)) link.up(instance.endpoint);
    return link;
  }

  /** Stops listening and following; pending finds reject with "ENOTSOCK". Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    this.beacon.close();
    for (const link of [...this.#links]) link.close();
    const error = this.#closedError();
    for (const finder of [...this.#finders]) finder.reject(error);
  }

  /** Same as {@link ServiceDirectory.close}. */
  [Symbol.dispose](): void {
    this.close();
  }

  #heard(signal: BeaconSignal): void {
    const announcement = decodeAnnouncement(signal.payload);
    if (announcement === null) return;
    const endpoint = resolveEndpoint(announcement.endpoint, signal.address);
    const key = `${announcement.name}\n${endpoint}`;
    const known = this.#instances.get(key);
    if (known !== undefined) {
      known.lastSeen = performance.now();
      return;
    }
    const instance: DiscoveredService = {
      name: announcement.name,
      endpoint,
      address: signal.address,
      lastSeen: performance.now(),
    };
    this.#instances.set(key, instance);
    this.#changed({ type: "up", service: { ...instance } });
    for (const finder of [...this.#finders]) {
      if (finder.name === instance.name) finder.resolve({ ...instance });
    }
  }

  #expire(): void {
    const oldest = performance.now() - this.#timeout;
    for (const [key, instance] of this.#instances) {
      if (instance.lastSeen >= oldest) continue;
      this.#instances.delete(key);
      this.#changed({ type: "down", service: { ...instance } });
    }
  }

  #changed(change: ServiceChange): void {
    for (const link of this.#links) {
      if (link.name !== change.service.name) continue;
      if (change.type === "up") link.up(change.service.endpoint);
      else link.down(change.service.endpoint);
    }
    try {
      this.#onChange?.(change);
    } catch {
      // A failing listener must not stop the directory.
    }
  }

  #closedError(): ZmqError {
    return misuse("ENOTSOCK", "The ServiceDirectory is closed");
  }
}

/**
 * A socket kept connected to the live instances of one service (see
 * {@link ServiceDirectory.connect} and {@link connectService}).
 */
export class ServiceLink {
  /** The service followed. */
  readonly name: string;
  /** Resolves with the first instance found (the socket is connected to it by then). */
  readonly found: Promise<DiscoveredService>;
  readonly #socket: Connectable;
  readonly #endpoints = new Set<string>();
  readonly #onClose: () => void;
  #closed = false;

  /** Made by {@link ServiceDirectory.connect}. */
  constructor(
    socket: Connectable,
    name: string,
    found: Promise<DiscoveredService>,
    onClose: () => void,
  ) {
    this.#socket = socket;
    this.name = name;
    this.found = found;
    this.#onClose = onClose;
    found.catch(() => {});
  }

  /** The endpoints the socket is connected to now. */
  get endpoints(): string[] {
    return [...this.#endpoints];
  }

  /** Stops following; the socket keeps its current connections. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#onClose();
  }

  /** Same as {@link ServiceLink.close}. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Connects to a new instance (called by the directory). */
  up(endpoint: string): void {
    if (this.#closed || this.#endpoints.has(endpoint)) return;
    try {
      this.#socket.connect(endpoint);
      this.#endpoints.add(endpoint);
    } catch {
      // A closed socket or an endpoint it refuses: nothing to follow there.
    }
  }

  /** Disconnects from an instance that went silent (called by the directory). */
  down(endpoint: string): void {
    if (this.#closed || !this.#endpoints.delete(endpoint)) return;
    try {
      this.#socket.disconnect(endpoint);
    } catch {
      // Closed meanwhile.
    }
  }
}

/**
 * One call for a client: listens on the beacon port until a live instance of
 * `name` is heard and resolves with it. Rejects with "ETIMEDOUT" after
 * `timeout` ms.
 *
 * @example
 * ```ts
 * import * as zmq from "./mod.ts";
 * try {
 *   const { endpoint } = await zmq.findService("echo", { port: 9996, interface: "lo", timeout: 300 });
 *   console.log(endpoint);
 * } catch (error) {
 *   console.log((error as zmq.ZmqError).code); // "ETIMEDOUT": nobody announces "echo"
 * }
 * ```
 */
export async function findService(
  name: string,
  options: ServiceDirectoryOptions & FindOptions,
): Promise<DiscoveredService> {
  const { timeout, signal, ...directoryOptions } = options ?? {} as ServiceDirectoryOptions;
  const directory = new ServiceDirectory(directoryOptions);
  try {
    return await directory.find(name, { timeout, signal });
  } finally {
    directory.close();
  }
}

/**
 * One call for a client that follows a service: keeps `socket` connected to
 * every live instance of `name` (connecting new ones, disconnecting silent
 * ones) and resolves once it is connected to the first. Close the returned
 * link to stop following; that also stops listening.
 *
 * @example
 * ```ts
 * import * as zmq from "./mod.ts";
 * const announcement = zmq.announceService("time", "tcp://127.0.0.1:5556", {
 *   port: 9995,
 *   interface: "lo",
 *   interval: 100,
 * });
 * const requester = new zmq.Request();
 * const link = await zmq.connectService(requester, "time", {
 *   port: 9995,
 *   interface: "lo",
 *   timeout: 2000,
 * });
 * console.log(link.endpoints); // ["tcp://127.0.0.1:5556"]
 * link.close();
 * requester.close();
 * announcement.close();
 * ```
 */
export async function connectService(
  socket: Connectable,
  name: string,
  options: ServiceDirectoryOptions & FindOptions,
): Promise<ServiceLink> {
  const { timeout, signal, ...directoryOptions } = options ?? {} as ServiceDirectoryOptions;
  const directory = new ServiceDirectory(directoryOptions);
  try {
    const link = directory.connect(socket, name);
    linksOwningTheirDirectory.add(link);
    await directory.find(name, { timeout, signal });
    return link;
  } catch (error) {
    directory.close();
    throw error;
  }
}

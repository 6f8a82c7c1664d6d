/**
 * The Majordomo broker (7/MDP with 8/MMI): one ROUTER socket for clients and
 * workers, a queue of requests per service name, workers served least
 * recently used first, heartbeats both ways and expiry of silent workers.
 *
 * What it promises: a request goes to one worker of its service; a request
 * for a service without a worker waits (up to `requestExpiry`); a worker that
 * falls silent for `heartbeatLiveness` intervals is forgotten. What it does
 * not: it keeps no request once a worker took it, so a request whose worker
 * dies is answered only if the client retries (MajordomoClient does).
 *
 * @module
 */
import { misuse, type ZmqError } from "./errors.ts";
import {
  checkCount,
  checkMilliseconds,
  CLIENT_HEADER,
  COMMAND_FRAMES,
  decodeServiceName,
  DEFAULT_HEARTBEAT_INTERVAL,
  DEFAULT_HEARTBEAT_LIVENESS,
  describeFrame,
  describePeer,
  EMPTY,
  type HeartbeatOptions,
  MajordomoCommand,
  MAX_SERVICE_NAME_BYTES,
  MMI_PREFIX,
  sameBytes,
  WORKER_HEADER,
} from "./majordomo_protocol.ts";
import type { RouterOptions } from "./socket_options.ts";
import { Router } from "./socket_types.ts";

/** Options of a {@link MajordomoBroker}. */
export interface MajordomoBrokerOptions extends HeartbeatOptions {
  /**
   * Milliseconds a request may wait for a worker of its service before it is
   * dropped (default 30000; 0 keeps it until a worker comes). The spec asks
   * brokers to expire such requests after a configurable time.
   */
  requestExpiry?: number;
  /** Requests waiting for workers, all services together, beyond which new ones are dropped (default 100000). */
  maxQueuedRequests?: number;
  /** Options of the ROUTER socket (CURVE keys, `context`, high-water marks, ...). */
  socketOptions?: RouterOptions;
  /**
   * Called for each message dropped as invalid (malformed frames, unknown
   * commands, a service name over 255 bytes, a worker breaking the protocol)
   * and each request dropped because the queue is full or it expired: a
   * ZmqError whose message names the peer and what was wrong. The broker
   * keeps serving. Default: `console.warn`.
   */
  onError?: (error: ZmqError) => void;
}

/** Counters of a {@link MajordomoBroker}. */
export interface MajordomoBrokerStatistics {
  /** Client requests accepted (8/MMI queries included). */
  requests: number;
  /** Requests handed to a worker. */
  dispatched: number;
  /** Replies sent to clients (8/MMI answers included). */
  replies: number;
  /** Workers registered now. */
  workers: number;
  /** Requests waiting for a worker now. */
  queued: number;
  /** Workers forgotten because they fell silent. */
  expiredWorkers: number;
  /** Requests dropped because no worker came within `requestExpiry`, or the queue was full. */
  droppedRequests: number;
  /** Messages dropped as invalid, and workers disconnected for breaking the protocol. */
  malformed: number;
}

/** One service as {@link MajordomoBroker.services} reports it. */
export interface MajordomoServiceInfo {
  /** The service name. */
  name: string;
  /** Workers registered for it. */
  workers: number;
  /** Of those, the ones waiting for a request. */
  idle: number;
  /** Requests waiting for a worker. */
  queued: number;
}

interface WorkerRecord {
  readonly id: Uint8Array;
  readonly key: string;
  readonly service: ServiceRecord;
  /** performance.now() after which the worker counts as dead. */
  expiry: number;
  /** The client whose request it is working on, or null when idle. */
  client: Uint8Array | null;
}

interface QueuedRequest {
  readonly client: Uint8Array;
  readonly body: Uint8Array[];
  readonly at: number;
}

interface ServiceRecord {
  readonly name: string;
  readonly nameBytes: Uint8Array;
  readonly requests: Queue<QueuedRequest>;
  /** Idle workers, least recently used first. */
  readonly idle: WorkerRecord[];
  workers: number;
}

/** A FIFO queue with O(1) push and shift. */
class Queue<T> {
  #items: (T | undefined)[] = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  peek(): T | undefined {
    return this.#items[this.#head];
  }

  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head++] = undefined;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }
}

const REQUEST = COMMAND_FRAMES[MajordomoCommand.REQUEST];
const HEARTBEAT = COMMAND_FRAMES[MajordomoCommand.HEARTBEAT];
const DISCONNECT = COMMAND_FRAMES[MajordomoCommand.DISCONNECT];
const MMI_SERVICE = "mmi.service";
const encoder = new TextEncoder();
const FOUND = encoder.encode("200");
const NOT_FOUND = encoder.encode("404");
const NOT_IMPLEMENTED = encoder.encode("501");

/** A routing id as a map key: one character per byte, so distinct ids never collide. */
function keyOf(id: Uint8Array): string {
  let key = "";
  for (let i = 0; i < id.byteLength; i++) key += String.fromCharCode(id[i]);
  return key;
}

function warn(error: ZmqError): void {
  console.warn(`W: ${error.message}`);
}

/**
 * A Majordomo (7/MDP) broker with the 8/MMI `mmi.service` query, on one
 * ROUTER socket that clients and workers both connect to. It serves from
 * construction until {@link MajordomoBroker.close}; bind it with
 * {@link MajordomoBroker.bind}. Clients may be {@link MajordomoClient}s or
 * any MDP/Client peer (REQ or DEALER); workers may be
 * {@link MajordomoWorker}s or any MDP/Worker peer, in any language.
 *
 * Invalid input never stops it: a malformed message is dropped and reported
 * to `onError`; a worker that breaks the protocol gets DISCONNECT.
 *
 * @example
 * ```ts
 * import * as zmq from "./mod.ts";
 *
 * const broker = new zmq.MajordomoBroker();
 * await broker.bind("tcp://127.0.0.1:*");
 * const worker = new zmq.MajordomoWorker(broker.endpoint!, "echo", (body) => body);
 * const client = new zmq.MajordomoClient(broker.endpoint!);
 * const [reply] = await client.request("echo", "hello");
 * console.log(new TextDecoder().decode(reply)); // "hello"
 * client.close();
 * worker.close();
 * broker.close();
 * ```
 */
export class MajordomoBroker {
  /** The ROUTER socket: bind more endpoints, read options. */
  readonly socket: Router;
  /** Resolves when the broker has stopped: closed, or its context terminated. */
  readonly done: Promise<void>;
  readonly #interval: number;
  readonly #expiryTime: number;
  readonly #requestExpiry: number;
  readonly #maxQueued: number;
  readonly #onError: (error: ZmqError) => void;
  readonly #services = new Map<string, ServiceRecord>();
  readonly #workers = new Map<string, WorkerRecord>();
  #queued = 0;
  #closed = false;
  #stats = {
    requests: 0,
    dispatched: 0,
    replies: 0,
    expiredWorkers: 0,
    droppedRequests: 0,
    malformed: 0,
  };

  /** Opens the ROUTER socket and starts serving; bind it next. */
  constructor(options: MajordomoBrokerOptions = {}) {
    if (options === null || typeof options !== "object") {
      throw new TypeError(`MajordomoBroker options must be an object, got ${String(options)}`);
    }
    this.#interval = checkMilliseconds(
      options.heartbeatInterval,
      "heartbeatInterval",
      DEFAULT_HEARTBEAT_INTERVAL,
    );
    const liveness = checkCount(
      options.heartbeatLiveness,
      "heartbeatLiveness",
      DEFAULT_HEARTBEAT_LIVENESS,
      1,
    );
    this.#expiryTime = this.#interval * liveness;
    this.#requestExpiry = checkMilliseconds(options.requestExpiry, "requestExpiry", 30_000, {
      allowZero: true,
    });
    this.#maxQueued = checkCount(options.maxQueuedRequests, "maxQueuedRequests", 100_000, 1);
    if (options.onError !== undefined && typeof options.onError !== "function") {
      throw new TypeError("onError must be a function");
    }
    this.#onError = options.onError ?? warn;
    this.socket = new Router({ linger: 0, ...options.socketOptions });
    this.done = this.#serve();
  }

  /**
   * Binds the ROUTER socket to `endpoint` (clients and workers connect there).
   * "tcp://127.0.0.1:*" picks a free port: read it from {@link MajordomoBroker.endpoint}.
   */
  bind(endpoint: string): Promise<void> {
    return this.socket.bind(endpoint);
  }

  /** The last endpoint bound, with the port the system chose; null before binding. */
  get endpoint(): string | null {
    return this.socket.lastEndpoint;
  }

  /** True once {@link MajordomoBroker.close} was called (or the socket failed). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Requests, dispatches, replies, workers, queue and drops so far. */
  statistics(): MajordomoBrokerStatistics {
    return { ...this.#stats, workers: this.#workers.size, queued: this.#queued };
  }

  /** The services known now: registered workers (idle or busy) and queued requests. */
  services(): MajordomoServiceInfo[] {
    return [...this.#services.values()].map((service) => ({
      name: service.name,
      workers: service.workers,
      idle: service.idle.length,
      queued: service.requests.length,
    }));
  }

  /**
   * Sends DISCONNECT to every registered worker (so they re-register at once
   * with a broker that takes this one's place), then closes the socket.
   * Queued requests are dropped. Idempotent.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      if (this.#workers.size > 0) {
        // Give the DISCONNECTs a moment to leave; the socket is otherwise idle.
        this.socket.linger = 100;
        for (const worker of this.#workers.values()) this.#sendWorker(worker.id, DISCONNECT);
      }
    } catch {
      // The socket is already unusable: nothing to tell anyone.
    }
    this.#workers.clear();
    this.#services.clear();
    this.#queued = 0;
    this.socket.close();
  }

  /** Same as {@link MajordomoBroker.close}. */
  [Symbol.dispose](): void {
    this.close();
  }

  async #serve(): Promise<void> {
    // Heartbeats and expiry run on a timer beside the receive loop: a receive
    // without a timeout wakes up sooner than one with (about 90 µs a message
    // here), and the broker is mostly waiting for the next message.
    const purgePeriod = Math.max(5, Math.min(this.#interval, this.#expiryTime) / 10);
    let nextHeartbeat = performance.now() + this.#interval;
    const timer = setInterval(() => {
      if (this.#closed) return;
      // Messages that arrived while this process was busy elsewhere are read
      // first: a worker's heartbeat waiting in the queue is not silence.
      // (A receive already resolved runs before this timer, so nothing is
      // handled out of order.)
      try {
        for (let n = 0; n < 1000 && !this.#closed; n++) {
          const frames = this.socket.tryReceive();
          if (frames === null) break;
          this.#handle(frames);
        }
      } catch {
        return; // closed: the serve loop ends too
      }
      const now = performance.now();
      this.#purge(now);
      if (now >= nextHeartbeat) {
        for (const worker of this.#workers.values()) this.#sendWorker(worker.id, HEARTBEAT);
        nextHeartbeat = now + this.#interval;
      }
    }, purgePeriod);
    try {
      while (!this.#closed) {
        let frames: Uint8Array[] | null = await this.socket.receive();
        // A burst is handled without a wait per message.
        for (let n = 0; frames !== null && !this.#closed; n++) {
          this.#handle(frames);
          frames = n < 256 ? this.socket.tryReceive() : null;
        }
      }
    } catch {
      // Closed, or the context terminated: either way serving is over.
    } finally {
      clearInterval(timer);
    }
    this.close();
  }

  #handle(frames: Uint8Array[]): void {
    const sender = frames[0];
    if (frames.length < 3 || frames[1].byteLength !== 0) {
      this.#invalid(sender, "its frames do not start with an empty frame and a protocol header");
      return;
    }
    const header = frames[2];
    if (sameBytes(header, CLIENT_HEADER)) this.#fromClient(sender, frames);
    else if (sameBytes(header, WORKER_HEADER)) this.#fromWorker(sender, frames);
    else this.#invalid(sender, `its header ${describeFrame(header)} is neither MDPC01 nor MDPW01`);
  }

  // [client, "", "MDPC01", service, body...]
  #fromClient(client: Uint8Array, frames: Uint8Array[]): void {
    if (frames.length < 5) {
      this.#invalid(client, "a client request needs a service name and at least one body frame");
      return;
    }
    const nameFrame = frames[3];
    const name = this.#serviceName(client, nameFrame, "request");
    if (name === null) return;
    const body = frames.slice(4);
    this.#stats.requests += 1;
    if (name.startsWith(MMI_PREFIX)) {
      this.#mmi(client, nameFrame, name, body);
      return;
    }
    if (this.#queued >= this.#maxQueued) {
      this.#drop(
        `Majordomo broker: dropped a request for "${name}" from ${
          describePeer(client)
        }: ${this.#queued} requests already wait for workers (maxQueuedRequests)`,
      );
      return;
    }
    const service = this.#service(name, nameFrame);
    service.requests.push({ client, body, at: performance.now() });
    this.#queued += 1;
    this.#dispatch(service);
  }

  #mmi(client: Uint8Array, nameFrame: Uint8Array, name: string, body: Uint8Array[]): void {
    let code = NOT_IMPLEMENTED;
    if (name === MMI_SERVICE) {
      const asked = decodeServiceName(body[0]);
      const service = asked === null ? undefined : this.#services.get(asked);
      code = service !== undefined && service.workers > 0 ? FOUND : NOT_FOUND;
    }
    this.#sendClient(client, nameFrame, [code]);
  }

  // [worker, "", "MDPW01", command, ...]
  #fromWorker(id: Uint8Array, frames: Uint8Array[]): void {
    const key = keyOf(id);
    const worker = this.#workers.get(key);
    if (worker !== undefined) worker.expiry = performance.now() + this.#expiryTime;
    const command = frames[3];
    if (command === undefined || command.byteLength !== 1) {
      this.#invalid(id, `its worker command frame is ${describeFrame(command)}, not one byte`);
      if (worker !== undefined) this.#deleteWorker(worker, true);
      return;
    }
    switch (command[0]) {
      case MajordomoCommand.READY:
        this.#ready(id, key, worker, frames);
        return;
      case MajordomoCommand.REPLY:
        this.#reply(id, worker, frames);
        return;
      case MajordomoCommand.HEARTBEAT:
        if (worker === undefined) this.#unexpected(id, "HEARTBEAT before READY");
        return;
      case MajordomoCommand.DISCONNECT:
        if (worker !== undefined) this.#deleteWorker(worker, false);
        return;
      case MajordomoCommand.REQUEST:
        this.#unexpected(id, "REQUEST, which only a broker sends");
        if (worker !== undefined) this.#deleteWorker(worker, false);
        return;
      default:
        this.#invalid(id, `unknown worker command 0x${command[0].toString(16).padStart(2, "0")}`);
        if (worker !== undefined) this.#deleteWorker(worker, true);
    }
  }

  // [worker, "", "MDPW01", 0x01, service]
  #ready(id: Uint8Array, key: string, worker: WorkerRecord | undefined, frames: Uint8Array[]) {
    if (worker !== undefined) {
      // The spec: a worker MUST NOT send a second READY.
      this.#unexpected(id, "a second READY");
      this.#deleteWorker(worker, false);
      return;
    }
    if (frames.length !== 5) {
      this.#invalid(id, `READY has ${frames.length - 1} frames instead of 4`);
      this.#sendWorker(id, DISCONNECT);
      return;
    }
    const nameFrame = frames[4];
    const name = this.#serviceName(id, nameFrame, "READY");
    if (name === null) {
      this.#sendWorker(id, DISCONNECT);
      return;
    }
    if (name.startsWith(MMI_PREFIX)) {
      // 8/MMI: the broker serves "mmi." itself and disconnects such workers.
      this.#invalid(id, `a worker may not register for "${name}" (the broker serves mmi.*)`);
      this.#sendWorker(id, DISCONNECT);
      return;
    }
    const service = this.#service(name, nameFrame);
    const record: WorkerRecord = {
      id,
      key,
      service,
      expiry: performance.now() + this.#expiryTime,
      client: null,
    };
    this.#workers.set(key, record);
    service.workers += 1;
    service.idle.push(record);
    this.#dispatch(service);
  }

  // [worker, "", "MDPW01", 0x03, client, "", body...]
  #reply(id: Uint8Array, worker: WorkerRecord | undefined, frames: Uint8Array[]): void {
    if (worker === undefined) {
      this.#unexpected(id, "REPLY before READY");
      return;
    }
    if (frames.length < 7 || frames[4].byteLength === 0 || frames[5].byteLength !== 0) {
      this.#invalid(id, "its REPLY lacks the client address and empty delimiter frames");
      this.#deleteWorker(worker, true);
      return;
    }
    const client = frames[4];
    if (worker.client === null || !sameBytes(worker.client, client)) {
      this.#unexpected(id, "a REPLY to a request it was not given");
      this.#deleteWorker(worker, false);
      return;
    }
    worker.client = null;
    this.#sendClient(client, worker.service.nameBytes, frames.slice(6));
    worker.service.idle.push(worker);
    this.#dispatch(worker.service);
  }

  #dispatch(service: ServiceRecord): void {
    while (service.idle.length > 0 && service.requests.length > 0) {
      const worker = service.idle.shift()!;
      const request = service.requests.shift()!;
      this.#queued -= 1;
      worker.client = request.client;
      this.#stats.dispatched += 1;
      this.#sendWorker(worker.id, REQUEST, [request.client, EMPTY, ...request.body]);
    }
  }

  #purge(now: number): void {
    for (const worker of this.#workers.values()) {
      if (worker.expiry <= now) {
        this.#stats.expiredWorkers += 1;
        this.#deleteWorker(worker, false);
      }
    }
    if (this.#requestExpiry === 0) return;
    for (const service of this.#services.values()) {
      let dropped = 0;
      while ((service.requests.peek()?.at ?? Infinity) + this.#requestExpiry <= now) {
        service.requests.shift();
        this.#queued -= 1;
        dropped += 1;
      }
      if (dropped > 0) {
        this.#drop(
          `Majordomo broker: dropped ${dropped} ${
            dropped === 1 ? "request" : "requests"
          } for "${service.name}": no worker came within ${this.#requestExpiry} ms (requestExpiry)`,
          dropped,
        );
      }
      this.#forgetIfUnused(service);
    }
  }

  #deleteWorker(worker: WorkerRecord, disconnect: boolean): void {
    if (disconnect) this.#sendWorker(worker.id, DISCONNECT);
    if (this.#workers.get(worker.key) !== worker) return;
    this.#workers.delete(worker.key);
    const service = worker.service;
    service.workers -= 1;
    const at = service.idle.indexOf(worker);
    if (at >= 0) service.idle.splice(at, 1);
    this.#forgetIfUnused(service);
  }

  #service(name: string, nameFrame: Uint8Array): ServiceRecord {
    let service = this.#services.get(name);
    if (service === undefined) {
      service = { name, nameBytes: nameFrame, requests: new Queue(), idle: [], workers: 0 };
      this.#services.set(name, service);
    }
    return service;
  }

  #forgetIfUnused(service: ServiceRecord): void {
    if (service.workers === 0 && service.requests.length === 0) {
      this.#services.delete(service.name);
    }
  }

  #serviceName(peer: Uint8Array, frame: Uint8Array, what: string): string | null {
    if (frame.byteLength === 0 || frame.byteLength > MAX_SERVICE_NAME_BYTES) {
      this.#invalid(
        peer,
        `its ${what} names a service of ${frame.byteLength} bytes (1 to ${MAX_SERVICE_NAME_BYTES} allowed)`,
      );
      return null;
    }
    const name = decodeServiceName(frame);
    if (name === null) this.#invalid(peer, `its ${what} names a service that is not UTF-8 text`);
    return name;
  }

  #sendClient(client: Uint8Array, service: Uint8Array, body: Uint8Array[]): void {
    this.#stats.replies += 1;
    this.#send([client, EMPTY, CLIENT_HEADER, service, ...body]);
  }

  #sendWorker(id: Uint8Array, command: Uint8Array, rest: Uint8Array[] = []): void {
    this.#send([id, EMPTY, WORKER_HEADER, command, ...rest]);
  }

  #send(frames: Uint8Array[]): void {
    // A ROUTER never blocks: a message to a peer that is gone or full is dropped.
    try {
      this.socket.trySend(frames);
    } catch {
      // Closed meanwhile: the serve loop ends on its next receive.
    }
  }

  #invalid(peer: Uint8Array | undefined, why: string): void {
    this.#stats.malformed += 1;
    this.#report(
      misuse("EINVAL", `Majordomo broker: dropped a message from ${describePeer(peer)}: ${why}`),
    );
  }

  #unexpected(id: Uint8Array, what: string): void {
    // The spec: a valid but unexpected command gets DISCONNECT.
    this.#stats.malformed += 1;
    this.#report(
      misuse(
        "EINVAL",
        `Majordomo broker: ${describePeer(id)} sent ${what}; sent it DISCONNECT`,
      ),
    );
    this.#sendWorker(id, DISCONNECT);
  }

  #drop(message: string, count = 1): void {
    this.#stats.droppedRequests += count;
    this.#report(misuse("EAGAIN", message));
  }

  #report(error: ZmqError): void {
    try {
      this.#onError(error);
    } catch {
      // A failing error handler must not stop the broker.
    }
  }
}

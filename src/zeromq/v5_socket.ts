/**
 * zeromq.js v5's API (as zeromq.js v6 ships it in `zeromq/v5-compat`): an
 * EventEmitter socket made with `zmq.socket("push")`, `bindSync`,
 * `on("message")`, `send` with flags and callbacks, `monitor()`,
 * `setsockopt` / `getsockopt`. Built on this library's zeromq.js v6 entry.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { EventEmitter } from "node:events";
import process from "node:process";
import { setImmediate } from "node:timers";
import * as v6 from "./socket_types.ts";
import { context as v6Context } from "./context.ts";
import { curveKeyPair, version as libzmqVersion } from "./facts.ts";
import type { Message, MessageLike } from "./messages.ts";
import type { Socket as V6Socket } from "./socket.ts";
import * as c from "./v5_constants.ts";

/**
 * The socket types `socket()` takes ("xreq" and "xrep" are DEALER and ROUTER).
 *
 * @example
 * ```ts
 * import * as zmq from "./zeromq_v5_compat.ts";
 * const type: zmq.SocketType = "dealer";
 * zmq.socket(type).close();
 * ```
 */
export type SocketType =
  | "pair"
  | "req"
  | "rep"
  | "pub"
  | "sub"
  | "dealer"
  | "xreq"
  | "router"
  | "xrep"
  | "pull"
  | "push"
  | "xpub"
  | "xsub"
  | "stream";

/**
 * A callback of `send`, `bind` and `unbind`: called with the error, if any.
 *
 * @example
 * ```ts
 * import * as zmq from "./zeromq_v5_compat.ts";
 * const done: zmq.Callback = (error) => console.log(error ? error.message : "bound");
 * const sock = zmq.socket("rep");
 * sock.bind("tcp://127.0.0.1:*", done);
 * setTimeout(() => sock.close(), 10);
 * ```
 */
export type Callback = (error?: Error) => void;

type AnySocket = V6Socket & Partial<v6.Readable & v6.Writable> & Record<string, unknown>;

const classes: Record<SocketType, new () => V6Socket> = {
  pair: v6.Pair,
  req: v6.Request,
  rep: v6.Reply,
  pub: v6.Publisher,
  sub: v6.Subscriber,
  dealer: v6.Dealer,
  xreq: v6.Dealer,
  router: v6.Router,
  xrep: v6.Router,
  pull: v6.Pull,
  push: v6.Push,
  xpub: v6.XPublisher,
  xsub: v6.XSubscriber,
  stream: v6.Stream,
};

/**
 * The short option names zeromq.js v5 had, each a property of every socket
 * (`sock.identity = "a"`) and a name for setsockopt/getsockopt.
 *
 * @example
 * ```ts
 * import * as zmq from "./zeromq_v5_compat.ts";
 * console.log(zmq.options.linger === zmq.ZMQ_LINGER); // true
 * ```
 */
export const options: Record<string, number> = {
  _fd: c.ZMQ_FD,
  _ioevents: c.ZMQ_EVENTS,
  _receiveMore: c.ZMQ_RCVMORE,
  _subscribe: c.ZMQ_SUBSCRIBE,
  _unsubscribe: c.ZMQ_UNSUBSCRIBE,
  affinity: c.ZMQ_AFFINITY,
  backlog: c.ZMQ_BACKLOG,
  identity: c.ZMQ_IDENTITY,
  linger: c.ZMQ_LINGER,
  rate: c.ZMQ_RATE,
  rcvbuf: c.ZMQ_RCVBUF,
  last_endpoint: c.ZMQ_LAST_ENDPOINT,
  reconnect_ivl: c.ZMQ_RECONNECT_IVL,
  recovery_ivl: c.ZMQ_RECOVERY_IVL,
  sndbuf: c.ZMQ_SNDBUF,
  mechanism: c.ZMQ_MECHANISM,
  plain_server: c.ZMQ_PLAIN_SERVER,
  plain_username: c.ZMQ_PLAIN_USERNAME,
  plain_password: c.ZMQ_PLAIN_PASSWORD,
  curve_server: c.ZMQ_CURVE_SERVER,
  curve_publickey: c.ZMQ_CURVE_PUBLICKEY,
  curve_secretkey: c.ZMQ_CURVE_SECRETKEY,
  curve_serverkey: c.ZMQ_CURVE_SERVERKEY,
  zap_domain: c.ZMQ_ZAP_DOMAIN,
  heartbeat_ivl: c.ZMQ_HEARTBEAT_IVL,
  heartbeat_ttl: c.ZMQ_HEARTBEAT_TTL,
  heartbeat_timeout: c.ZMQ_HEARTBEAT_TIMEOUT,
  connect_timeout: c.ZMQ_CONNECT_TIMEOUT,
};

// How each ZMQ_* option maps to a v6 property: "number" as it is, "flag" a
// boolean written from any value and read back as 1 or 0.
const properties = new Map<number, [property: string, kind: "number" | "flag"]>([
  [c.ZMQ_AFFINITY, ["affinity", "number"]],
  [c.ZMQ_IDENTITY, ["routingId", "number"]],
  [c.ZMQ_RATE, ["rate", "number"]],
  [c.ZMQ_RECOVERY_IVL, ["recoveryInterval", "number"]],
  [c.ZMQ_SNDBUF, ["sendBufferSize", "number"]],
  [c.ZMQ_RCVBUF, ["receiveBufferSize", "number"]],
  [c.ZMQ_LINGER, ["linger", "number"]],
  [c.ZMQ_RECONNECT_IVL, ["reconnectInterval", "number"]],
  [c.ZMQ_BACKLOG, ["backlog", "number"]],
  [c.ZMQ_RECONNECT_IVL_MAX, ["reconnectMaxInterval", "number"]],
  [c.ZMQ_MAXMSGSIZE, ["maxMessageSize", "number"]],
  [c.ZMQ_SNDHWM, ["sendHighWaterMark", "number"]],
  [c.ZMQ_RCVHWM, ["receiveHighWaterMark", "number"]],
  [c.ZMQ_MULTICAST_HOPS, ["multicastHops", "number"]],
  [c.ZMQ_RCVTIMEO, ["receiveTimeout", "number"]],
  [c.ZMQ_SNDTIMEO, ["sendTimeout", "number"]],
  [c.ZMQ_LAST_ENDPOINT, ["lastEndpoint", "number"]],
  [c.ZMQ_ROUTER_MANDATORY, ["mandatory", "flag"]],
  [c.ZMQ_TCP_KEEPALIVE, ["tcpKeepalive", "number"]],
  [c.ZMQ_TCP_KEEPALIVE_CNT, ["tcpKeepaliveCount", "number"]],
  [c.ZMQ_TCP_KEEPALIVE_IDLE, ["tcpKeepaliveIdle", "number"]],
  [c.ZMQ_TCP_KEEPALIVE_INTVL, ["tcpKeepaliveInterval", "number"]],
  [c.ZMQ_TCP_ACCEPT_FILTER, ["tcpAcceptFilter", "number"]],
  [c.ZMQ_DELAY_ATTACH_ON_CONNECT, ["immediate", "flag"]],
  [c.ZMQ_IPV6, ["ipv6", "flag"]],
  [c.ZMQ_PLAIN_SERVER, ["plainServer", "flag"]],
  [c.ZMQ_PLAIN_USERNAME, ["plainUsername", "number"]],
  [c.ZMQ_PLAIN_PASSWORD, ["plainPassword", "number"]],
  [c.ZMQ_CURVE_SERVER, ["curveServer", "flag"]],
  [c.ZMQ_CURVE_PUBLICKEY, ["curvePublicKey", "number"]],
  [c.ZMQ_CURVE_SECRETKEY, ["curveSecretKey", "number"]],
  [c.ZMQ_CURVE_SERVERKEY, ["curveServerKey", "number"]],
  [c.ZMQ_ZAP_DOMAIN, ["zapDomain", "number"]],
  [c.ZMQ_HEARTBEAT_IVL, ["heartbeatInterval", "number"]],
  [c.ZMQ_HEARTBEAT_TTL, ["heartbeatTimeToLive", "number"]],
  [c.ZMQ_HEARTBEAT_TIMEOUT, ["heartbeatTimeout", "number"]],
  [c.ZMQ_CONNECT_TIMEOUT, ["connectTimeout", "number"]],
  [c.ZMQ_ROUTER_HANDOVER, ["handover", "flag"]],
]);

const mechanisms: Record<string, number> = { plain: 1, curve: 2, gssapi: 3 };

// Monitor events by their v5 names; "value" is the interval or the errno.
const monitorNames: Record<string, string> = {
  "connect": "connect",
  "connect:delay": "connect_delay",
  "connect:retry": "connect_retry",
  "bind": "listen",
  "bind:error": "bind_error",
  "accept": "accept",
  "accept:error": "accept_error",
  "close": "close",
  "close:error": "close_error",
  "disconnect": "disconnect",
};

function optionId(option: number | string): number | undefined {
  return typeof option === "number" ? option : options[option];
}

/**
 * A zeromq.js v5 socket: an EventEmitter that emits each received message as
 * `"message"` (one argument per frame, each a Buffer), queues sends in
 * order, and reports errors as `"error"` events or through callbacks.
 *
 * @example
 * ```ts
 * import * as zmq from "./zeromq_v5_compat.ts";
 * const pull = zmq.socket("pull");
 * pull.bindSync("tcp://127.0.0.1:*");
 * const push = zmq.socket("push");
 * push.connect(pull.last_endpoint);
 * pull.on("message", (msg: Buffer) => {
 *   console.log(msg.toString()); // hello
 *   push.close();
 *   pull.close();
 * });
 * push.send("hello");
 * ```
 */
export class Socket extends EventEmitter {
  /** The socket type it was made with ("push", "req", ...). */
  readonly type: SocketType;
  /** Any short option property (`identity`, `linger`, ...), and whatever a program adds. */
  [key: string]: unknown;
  #socket: AnySocket;
  #frames: MessageLike[] = [];
  #sendQueue: [MessageLike[], Callback | undefined][] = [];
  #receivedWhilePaused: Message[][] = [];
  #paused = false;
  #sending = false;
  #receiving = false;
  #sent: (() => void) | undefined;
  #monitoring = false;

  /** Makes a socket of `type` (see {@link socket}). */
  constructor(type: SocketType) {
    super();
    const Class = Object.hasOwn(classes, type) ? classes[type] : undefined;
    if (Class === undefined) throw new Error(`Invalid socket type: ${type}`);
    this.type = type;
    this.#socket = new Class() as AnySocket;
    if (type !== "push" && type !== "pub") this.#receiveLoop();
  }

  /** True once {@link Socket.close} was called. */
  get closed(): boolean {
    return this.#socket.closed;
  }

  /** Binds; `callback` (or the "bind" event, or "error") tells the outcome. */
  bind(address: string, callback?: Callback): this {
    this.#socket.bind(address).then(
      () =>
        process.nextTick(() => {
          this.emit("bind", address);
          callback?.();
        }),
      (error: Error) => process.nextTick(() => this.#fail(error, callback)),
    );
    return this;
  }

  /** Unbinds; `callback` (or the "unbind" event, or "error") tells the outcome. */
  unbind(address: string, callback?: Callback): this {
    this.#socket.unbind(address).then(
      () =>
        process.nextTick(() => {
          this.emit("unbind", address);
          callback?.();
        }),
      (error: Error) => process.nextTick(() => this.#fail(error, callback)),
    );
    return this;
  }

  /** Binds at once; throws on failure. */
  bindSync(address: string): this {
    this.#socket.bindSync(address);
    return this;
  }

  /** Unbinds at once; throws on failure. */
  unbindSync(address: string): this {
    this.#socket.unbindSync(address);
    return this;
  }

  /** Connects (libzmq connects and reconnects in the background). */
  connect(address: string): this {
    this.#socket.connect(address);
    return this;
  }

  /** Disconnects from an endpoint. */
  disconnect(address: string): this {
    this.#socket.disconnect(address);
    return this;
  }

  /**
   * Queues a message: a frame or an array of frames. With `flags` holding
   * ZMQ_SNDMORE the frames wait for the rest of the message. `callback` gets
   * the outcome; without one, a failure is an "error" event.
   *
   * @example
   * ```ts
   * import * as zmq from "./zeromq_v5_compat.ts";
   * const push = zmq.socket("push");
   * push.send("part 1", zmq.ZMQ_SNDMORE);
   * push.send("part 2", 0, (error) => console.log("sent", error));
   * push.close();
   * ```
   */
  send(message: MessageLike | MessageLike[], flags?: number | null, callback?: Callback): this {
    this.#frames = this.#frames.concat(message);
    if ((((flags ?? 0) | 0) & c.ZMQ_SNDMORE) === 0) {
      this.#sendQueue.push([this.#frames, callback]);
      this.#frames = [];
      this.#sendLoop();
    }
    return this;
  }

  /** Removed in zeromq.js's compatibility mode: listen for "message" instead. */
  read(): never {
    throw new Error(
      "read() has been removed from compatibility mode; use on('message', ...) instead.",
    );
  }

  /** Stops emitting messages (they wait) and sending queued ones, until {@link Socket.resume}. */
  pause(): void {
    this.#paused = true;
  }

  /** Emits the messages that waited, and goes on receiving and sending. */
  resume(): void {
    this.#paused = false;
    for (const message of this.#receivedWhilePaused.splice(0)) {
      process.nextTick(() => this.emit("message", ...message));
    }
    if (this.type !== "push" && this.type !== "pub") this.#receiveLoop();
    this.#sendLoop();
  }

  /** Closes the socket. */
  close(): this {
    this.#socket.close();
    return this;
  }

  /**
   * Emits the socket's events by their v5 names (connect, connect_delay,
   * connect_retry, listen, bind_error, accept, accept_error, close,
   * close_error, disconnect) as `(value, address, error)`. The arguments are
   * ignored: every event is read as it comes.
   *
   * @example
   * ```ts
   * import * as zmq from "./zeromq_v5_compat.ts";
   * const sock = zmq.socket("rep");
   * sock.on("listen", (_value: unknown, address: string) => console.log("listening on", address));
   * sock.monitor();
   * sock.bindSync("tcp://127.0.0.1:*");
   * setTimeout(() => sock.close(), 50);
   * ```
   */
  monitor(interval?: number, num?: number): this {
    if (interval || num) {
      process.emitWarning(
        "Arguments to monitor() are ignored in compatibility mode; " +
          "all events are read automatically",
      );
    }
    if (this.#monitoring) return this;
    this.#monitoring = true;
    const events = this.#socket.events;
    void (async () => {
      while (!events.closed) {
        try {
          const event = await events.receive();
          if (event === undefined || event.type === "end") return;
          const name = monitorNames[event.type];
          if (name === undefined) continue;
          const error = "error" in event ? event.error as Error & { errno?: number } : undefined;
          const value = "interval" in event
            ? event.interval
            : error !== undefined
            ? error.errno ?? 0
            : undefined;
          this.emit(name, value, "address" in event ? event.address : undefined, error);
        } catch (error) {
          if (!this.#socket.closed) this.emit("error", error);
        }
      }
    })();
    return this;
  }

  /** Stops monitoring. */
  unmonitor(): this {
    this.#monitoring = false;
    this.#socket.events.close();
    return this;
  }

  /** Subscribes a "sub" socket to a prefix. */
  subscribe(filter: string | Uint8Array): this {
    if (!(this.#socket instanceof v6.Subscriber)) throw new Error("Subscriber socket required");
    this.#socket.subscribe(filter);
    return this;
  }

  /** Unsubscribes a "sub" socket from a prefix. */
  unsubscribe(filter: string | Uint8Array): this {
    if (!(this.#socket instanceof v6.Subscriber)) throw new Error("Subscriber socket required");
    this.#socket.unsubscribe(filter);
    return this;
  }

  /**
   * Sets an option by its ZMQ_* number or short name.
   *
   * @example
   * ```ts
   * import * as zmq from "./zeromq_v5_compat.ts";
   * const sock = zmq.socket("dealer");
   * sock.setsockopt(zmq.ZMQ_LINGER, 0);
   * sock.setsockopt("identity", Buffer.from("worker-1"));
   * console.log(sock.getsockopt(zmq.ZMQ_IDENTITY)); // worker-1
   * sock.close();
   * ```
   */
  setsockopt(option: number | string, value: unknown): this {
    const id = optionId(option);
    const socket = this.#socket;
    switch (id) {
      case c.ZMQ_SUBSCRIBE:
        (socket as unknown as v6.Subscriber).subscribe(value as string);
        return this;
      case c.ZMQ_UNSUBSCRIBE:
        (socket as unknown as v6.Subscriber).unsubscribe(value as string);
        return this;
      case c.ZMQ_IPV4ONLY:
        socket.ipv6 = !value;
        return this;
      case c.ZMQ_XPUB_VERBOSE:
        (socket as unknown as v6.XPublisher).verbosity = value ? "allSubs" : null;
        return this;
      case c.ZMQ_ROUTER_RAW:
        throw new Error("ZMQ_ROUTER_RAW is not supported in compatibility mode");
    }
    const mapped = id === undefined ? undefined : properties.get(id);
    if (mapped === undefined || id === c.ZMQ_LAST_ENDPOINT) throw new Error("Unknown option");
    const [property, kind] = mapped;
    socket[property] = kind === "flag" ? Boolean(value) : value;
    return this;
  }

  /** Reads an option by its ZMQ_* number or short name (flags read as 1 or 0). */
  getsockopt(option: number | string): unknown {
    const id = optionId(option);
    const socket = this.#socket;
    switch (id) {
      case c.ZMQ_RCVMORE:
        throw new Error("ZMQ_RCVMORE is not supported in compatibility mode");
      case c.ZMQ_FD:
        throw new Error("ZMQ_FD is not supported in compatibility mode");
      case c.ZMQ_EVENTS:
        return (socket.readable ? c.ZMQ_POLLIN : 0) | (socket.writable ? c.ZMQ_POLLOUT : 0);
      case c.ZMQ_TYPE:
        return socket.type;
      case c.ZMQ_IPV4ONLY:
        return !socket.ipv6;
      case c.ZMQ_XPUB_VERBOSE:
        throw new Error("Reading ZMQ_XPUB_VERBOSE is not supported");
      case c.ZMQ_ROUTER_RAW:
        throw new Error("ZMQ_ROUTER_RAW is not supported in compatibility mode");
      case c.ZMQ_MECHANISM:
        return mechanisms[socket.securityMechanism as string] ?? 0;
    }
    const mapped = id === undefined ? undefined : properties.get(id);
    if (mapped === undefined || id === c.ZMQ_ROUTER_HANDOVER) throw new Error("Unknown option");
    const [property, kind] = mapped;
    const value = socket[property];
    return kind === "flag" ? (value ? 1 : 0) : value;
  }

  #fail(error: Error, callback?: Callback): void {
    if (callback !== undefined) callback(error);
    else this.emit("error", error);
  }

  #receiveLoop(): void {
    if (this.#receiving) return;
    this.#receiving = true;
    void (async () => {
      try {
        while (!this.#socket.closed && !this.#paused) {
          let message: Message[];
          try {
            message = await this.#socket.receive!();
          } catch (error) {
            if (this.#socket.closed) break;
            if ((error as { code?: string }).code === "EFSM") {
              // A REQ socket receives only after a request: wait for one.
              await new Promise<void>((resolve) => this.#sent = resolve);
              continue;
            }
            if ((error as { code?: string }).code === "EBUSY") {
              // Blocked by a bind or unbind: receive() throws at once until
              // it settles, so try again a moment later (retrying at once
              // spun forever, freezing the thread).
              await new Promise<void>((resolve) => setTimeout(resolve, 1));
              continue;
            }
            process.nextTick(() => this.emit("error", error));
            // Let the event loop turn before the next try, whatever failed.
            await new Promise<void>((resolve) => setImmediate(resolve));
            continue;
          }
          if (this.#paused) this.#receivedWhilePaused.push(message);
          else process.nextTick(() => this.emit("message", ...message));
        }
      } finally {
        this.#receiving = false;
      }
    })();
  }

  #sendLoop(): void {
    if (this.#sending || this.#paused) return;
    this.#sending = true;
    void (async () => {
      try {
        while (!this.#socket.closed && !this.#paused && this.#sendQueue.length > 0) {
          const [message, callback] = this.#sendQueue.shift()!;
          try {
            if (this.#socket.send === undefined) {
              throw new Error("Cannot send on this socket type.");
            }
            await this.#socket.send(message);
            const sent = this.#sent;
            this.#sent = undefined;
            sent?.();
            callback?.();
          } catch (error) {
            this.#fail(error as Error, callback);
          }
        }
      } finally {
        this.#sending = false;
      }
    })();
  }
}

for (const [name, id] of Object.entries(options)) {
  if (Object.hasOwn(Socket.prototype, name)) continue;
  Object.defineProperty(Socket.prototype, name, {
    configurable: true,
    get(this: Socket) {
      return this.getsockopt(id);
    },
    set(this: Socket, value: unknown) {
      this.setsockopt(id, typeof value === "string" ? Buffer.from(value, "utf8") : value);
    },
  });
}

/**
 * Makes a socket of `type` and sets `options` on it (short option names,
 * or any property). When an option is refused the socket made is closed
 * before the error is thrown: the caller never gets it, and its receive loop
 * would otherwise keep the process alive.
 *
 * @example
 * ```ts
 * import * as zmq from "./zeromq_v5_compat.ts";
 * const sock = zmq.socket("dealer", { identity: "worker-1", linger: 0 });
 * sock.close();
 * ```
 */
export function createSocket(type: SocketType, options: Record<string, unknown> = {}): Socket {
  const socket = new Socket(type);
  try {
    for (const [key, value] of Object.entries(options)) socket[key] = value;
  } catch (error) {
    socket.close();
    throw error;
  }
  return socket;
}

/**
 * zeromq.js v5's context settings, applied to the shared context; a Context
 * cannot be made in compatibility mode.
 *
 * @example
 * ```ts
 * import * as zmq from "./zeromq_v5_compat.ts";
 * zmq.Context.setMaxSockets(256);
 * console.log(zmq.Context.getMaxSockets()); // 256
 * ```
 */
export class Context {
  /** Sets the shared context's I/O threads. */
  static setMaxThreads(value: number): void {
    v6Context.ioThreads = value;
  }

  /** The shared context's I/O threads. */
  static getMaxThreads(): number {
    return v6Context.ioThreads;
  }

  /** Sets the shared context's socket limit. */
  static setMaxSockets(value: number): void {
    v6Context.maxSockets = value;
  }

  /** The shared context's socket limit. */
  static getMaxSockets(): number {
    return v6Context.maxSockets;
  }

  /** Always throws: there is one shared context in compatibility mode. */
  constructor() {
    throw new Error("Context cannot be instantiated in compatibility mode");
  }
}

/**
 * A CURVE key pair as v5 named it: `{ public, secret }` (Z85 strings).
 *
 * @example
 * ```ts
 * import * as zmq from "./zeromq_v5_compat.ts";
 * const { public: publicKey, secret } = zmq.curveKeypair();
 * console.log(publicKey.length, secret.length); // 40 40
 * ```
 */
export function curveKeypair(): { public: string; secret: string } {
  const { publicKey, secretKey } = curveKeyPair();
  return { public: publicKey, secret: secretKey };
}

/**
 * Forwards messages between two sockets in JavaScript, as zeromq.js's
 * compatibility mode does: push/pull, pull/push, xpub/xsub, router/dealer
 * (xrep/xreq); `capture` gets a copy of what comes back.
 *
 * @example
 * ```ts
 * import * as zmq from "./zeromq_v5_compat.ts";
 * const frontend = zmq.socket("router");
 * const backend = zmq.socket("dealer");
 * frontend.bindSync("tcp://127.0.0.1:*");
 * backend.bindSync("tcp://127.0.0.1:*");
 * zmq.proxy(frontend, backend);
 * frontend.close();
 * backend.close();
 * ```
 */
export function proxy(frontend: Socket, backend: Socket, capture?: Socket): void {
  const forward = (to: Socket) => (...frames: MessageLike[]) => to.send(frames);
  switch (`${frontend.type}/${backend.type}`) {
    case "push/pull":
    case "pull/push":
    case "xpub/xsub":
      frontend.on("message", forward(backend));
      backend.on("message", (...frames: MessageLike[]) => {
        frontend.send(frames);
        capture?.send(frames);
      });
      break;
    case "router/dealer":
    case "xrep/xreq":
      frontend.on("message", forward(backend));
      backend.on("message", (...frames: MessageLike[]) => {
        frontend.send(frames);
        capture?.send(frames.slice(2));
      });
      break;
    default:
      throw new Error("This socket type order is not supported in compatibility mode");
  }
}

/**
 * The libzmq version in use, such as "4.3.4".
 *
 * @example
 * ```ts
 * import * as zmq from "./zeromq_v5_compat.ts";
 * console.log(zmq.version);
 * ```
 */
export const version: string = libzmqVersion;

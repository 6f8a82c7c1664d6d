/**
 * zeromq.js's twelve socket classes and the typed shape of their options and
 * capabilities.
 *
 * @module
 */
import { SocketOption, SocketType, type SocketTypeName } from "../../ffi/constants.ts";
import type { Context } from "./context.ts";
import type { Message, MessageLike } from "./messages.ts";
import { Socket } from "./socket.ts";
import { defineOptions, optionsForType } from "./socket_options.ts";

/**
 * What sockets that can send have (Pair, Publisher, Request, ...).
 *
 * @example
 * ```ts
 * import * as zmq from "./zeromq.ts";
 * async function announce(sock: zmq.Writable, text: string) {
 *   await sock.send(["announce", text]);
 * }
 * const pub = new zmq.Publisher();
 * await announce(pub, "hello");
 * pub.close();
 * ```
 */
export interface Writable<
  M extends MessageLike | MessageLike[] = MessageLike | MessageLike[],
> {
  /** ZMQ_MULTICAST_HOPS: time-to-live of multicast packets. */
  multicastHops: number;
  /** ZMQ_SNDBUF: kernel send buffer size in bytes (-1: the OS default). */
  sendBufferSize: number;
  /** ZMQ_SNDHWM: most messages queued per peer before sending blocks or drops. */
  sendHighWaterMark: number;
  /** ZMQ_SNDTIMEO: ms a send may wait before it rejects with EAGAIN (-1: forever, 0: never). */
  sendTimeout: number;
  /**
   * Queues a message (one frame or an array of frames); resolves once queued.
   * One send at a time: a second while one waits throws EBUSY.
   *
   * @example
   * ```ts
   * import * as zmq from "./zeromq.ts";
   * const push = new zmq.Push({ sendTimeout: 0 });
   * await push.send(["topic", Buffer.from("data")]).catch((err) => console.log(err.code)); // EAGAIN
   * push.close();
   * ```
   */
  send(message: M): Promise<void>;
}

/**
 * What sockets that can receive have (Pair, Subscriber, Reply, ...).
 *
 * @example
 * ```ts
 * import * as zmq from "./zeromq.ts";
 * async function drain(sock: zmq.Readable) {
 *   for await (const frames of sock) console.log(frames.map(String));
 * }
 * const pull = new zmq.Pull();
 * setTimeout(() => pull.close(), 10);
 * await drain(pull);
 * ```
 */
export interface Readable<M extends object[] = Message[]> {
  /** ZMQ_RCVBUF: kernel receive buffer size in bytes (-1: the OS default). */
  receiveBufferSize: number;
  /** ZMQ_RCVHWM: most messages queued per peer before the peer is held back. */
  receiveHighWaterMark: number;
  /** ZMQ_RCVTIMEO: ms a receive may wait before it rejects with EAGAIN (-1: forever). */
  receiveTimeout: number;
  /**
   * The next message, one Buffer per frame. One receive at a time: a second
   * while one waits throws EBUSY.
   *
   * @example
   * ```ts
   * import * as zmq from "./zeromq.ts";
   * const pull = new zmq.Pull({ receiveTimeout: 100 });
   * await pull.receive().catch((err) => console.log(err.code)); // EAGAIN
   * pull.close();
   * ```
   */
  receive(): Promise<M>;
  /** Iterates messages until the socket is closed. */
  [Symbol.asyncIterator](): AsyncIterator<M, undefined>;
}

/**
 * The properties of `T` that can be set (not methods, not read-only).
 *
 * @example
 * ```ts
 * import * as zmq from "./zeromq.ts";
 * const name: zmq.WritableKeys<zmq.Dealer> = "linger"; // "type" would not compile
 * console.log(name);
 * ```
 */
export type WritableKeys<T> = {
  // deno-lint-ignore ban-types
  [K in keyof T]-?: T[K] extends Function ? never
    : (<U>() => U extends { [Q in K]: T[K] } ? 1 : 2) extends
      (<U>() => U extends { -readonly [Q in K]: T[K] } ? 1 : 2) ? K
    : never;
}[keyof T];

/**
 * The options a socket class takes in its constructor: its writable option
 * properties, and `context`.
 *
 * @example
 * ```ts
 * import * as zmq from "./zeromq.ts";
 * const options: zmq.SocketOptions<zmq.Dealer> = { routingId: "worker-1", linger: 0 };
 * const dealer = new zmq.Dealer(options);
 * dealer.close();
 * ```
 */
export type SocketOptions<S extends object> = Partial<Pick<S, WritableKeys<S>>> & {
  /** The context to make the socket in (default: the shared context). */
  context?: Context;
};

function defineFor(target: { prototype: object }, type: SocketTypeName): void {
  defineOptions(target, optionsForType(type), "Socket");
}

/**
 * ZMQ_PAIR: an exclusive connection to one peer, both ways.
 *
 * @example
 * ```ts
 * import * as zmq from "./zeromq.ts";
 * const a = new zmq.Pair();
 * await a.bind("inproc://pair-example");
 * const b = new zmq.Pair();
 * b.connect("inproc://pair-example");
 * await a.send("ping");
 * const [msg] = await b.receive();
 * console.log(msg.toString()); // ping
 * a.close();
 * b.close();
 * ```
 */
export class Pair extends Socket {
  /** Makes a PAIR socket. */
  constructor(options?: SocketOptions<Pair>) {
    super(SocketType.PAIR, options);
  }
}
/** Pair sends and receives. */
export interface Pair extends Writable, Readable {}

/**
 * ZMQ_PUB: sends each message to every subscriber whose subscription prefixes it.
 *
 * @example
 * ```ts
 * import * as zmq from "./zeromq.ts";
 * const pub = new zmq.Publisher();
 * await pub.bind("tcp://127.0.0.1:*");
 * await pub.send(["weather", "sunny"]);
 * pub.close();
 * ```
 */
export class Publisher extends Socket {
  /** Makes a PUB socket. */
  constructor(options?: SocketOptions<Publisher>) {
    super(SocketType.PUB, options);
  }
}
/** Publisher sends, with these options. */
export interface Publisher extends Writable {
  /** ZMQ_XPUB_NODROP: make sends fail with EAGAIN at the high-water mark instead of dropping. */
  noDrop: boolean;
  /** ZMQ_CONFLATE: keep only the last message. */
  conflate: boolean;
  /** ZMQ_INVERT_MATCHING: send to the subscribers that do NOT match. */
  invertMatching: boolean;
}

/**
 * ZMQ_SUB: receives what publishers send, filtered by prefix.
 *
 * @example
 * ```ts
 * import * as zmq from "./zeromq.ts";
 * const sub = new zmq.Subscriber();
 * sub.connect("tcp://127.0.0.1:5556");
 * sub.subscribe("weather");
 * sub.close();
 * ```
 */
export class Subscriber extends Socket {
  /** Makes a SUB socket (it receives nothing until it subscribes). */
  constructor(options?: SocketOptions<Subscriber>) {
    super(SocketType.SUB, options);
  }

  /** Receives messages that start with any of `prefixes`; with none, everything. */
  subscribe(...prefixes: Array<Uint8Array | string>): void {
    changeSubscriptions(this, SocketOption.SUBSCRIBE, prefixes);
  }

  /** Undoes {@link Subscriber.subscribe} for `prefixes`; with none, the subscribe-to-all. */
  unsubscribe(...prefixes: Array<Uint8Array | string>): void {
    changeSubscriptions(this, SocketOption.UNSUBSCRIBE, prefixes);
  }
}
/** Subscriber receives, with these options. */
export interface Subscriber extends Readable {
  /** ZMQ_CONFLATE: keep only the last message. */
  conflate: boolean;
  /** ZMQ_INVERT_MATCHING: receive what does NOT match the subscriptions. */
  invertMatching: boolean;
}

function changeSubscriptions(
  socket: Subscriber,
  id: number,
  prefixes: Array<Uint8Array | string>,
): void {
  const set = (socket as unknown as { setStringOption(id: number, value: unknown): void })
    .setStringOption;
  if (prefixes.length === 0) set.call(socket, id, null);
  for (const prefix of prefixes) set.call(socket, id, prefix);
}

/**
 * ZMQ_REQ: sends a request, then receives its reply, in turn.
 *
 * @example
 * ```ts
 * import * as zmq from "./zeromq.ts";
 * const req = new zmq.Request({ receiveTimeout: 1000 });
 * req.connect("tcp://127.0.0.1:5555");
 * req.close();
 * ```
 */
export class Request extends Socket {
  /** Makes a REQ socket. */
  constructor(options?: SocketOptions<Request>) {
    super(SocketType.REQ, options);
  }
}
/** Request sends and receives, with these options. */
export interface Request extends Readable, Writable {
  /** ZMQ_ROUTING_ID: this socket's identity as a ROUTER sees it. */
  routingId: string | null;
  /** ZMQ_PROBE_ROUTER: send an empty message on connect (write-only). */
  probeRouter: boolean;
  /** ZMQ_REQ_CORRELATE: match replies to requests (write-only). */
  correlate: boolean;
  /** ZMQ_REQ_RELAXED: allow a new request before the reply (write-only). */
  relaxed: boolean;
}

/**
 * ZMQ_REP: receives a request, then sends its reply, in turn.
 *
 * @example
 * ```ts
 * import * as zmq from "./zeromq.ts";
 * const rep = new zmq.Reply();
 * await rep.bind("tcp://127.0.0.1:*");
 * // for await (const [msg] of rep) await rep.send(msg)
 * rep.close();
 * ```
 */
export class Reply extends Socket {
  /** Makes a REP socket. */
  constructor(options?: SocketOptions<Reply>) {
    super(SocketType.REP, options);
  }
}
/** Reply sends and receives, with these options. */
export interface Reply extends Readable, Writable {
  /** ZMQ_ROUTING_ID: this socket's identity as a ROUTER sees it. */
  routingId: string | null;
}

/**
 * ZMQ_DEALER: sends round-robin and receives from all peers, without lock-step.
 *
 * @example
 * ```ts
 * import * as zmq from "./zeromq.ts";
 * const dealer = new zmq.Dealer({ routingId: "worker-1" });
 * dealer.connect("tcp://127.0.0.1:5555");
 * dealer.close();
 * ```
 */
export class Dealer extends Socket {
  /** Makes a DEALER socket. */
  constructor(options?: SocketOptions<Dealer>) {
    super(SocketType.DEALER, options);
  }
}
/** Dealer sends and receives, with these options. */
export interface Dealer extends Readable, Writable {
  /** ZMQ_ROUTING_ID: this socket's identity as a ROUTER sees it. */
  routingId: string | null;
  /** ZMQ_PROBE_ROUTER: send an empty message on connect (write-only). */
  probeRouter: boolean;
  /** ZMQ_CONFLATE: keep only the last message (write-only). */
  conflate: boolean;
}

/**
 * Options of {@link Router.connect} and {@link Stream.connect}.
 *
 * @example
 * ```ts
 * import * as zmq from "./zeromq.ts";
 * const router = new zmq.Router();
 * const options: zmq.RouterConnectOptions = { routingId: "server-1" };
 * router.connect("tcp://127.0.0.1:5555", options);
 * router.close();
 * ```
 */
export interface RouterConnectOptions {
  /** The routing id to give the peer of this connection (ZMQ_CONNECT_ROUTING_ID). */
  routingId?: string;
}

/**
 * Options of {@link Stream.connect}.
 *
 * @example
 * ```ts
 * import * as zmq from "./zeromq.ts";
 * const stream = new zmq.Stream();
 * const options: zmq.StreamConnectOptions = { routingId: "web-1" };
 * stream.connect("tcp://127.0.0.1:8080", options);
 * stream.close();
 * ```
 */
export type StreamConnectOptions = RouterConnectOptions;

function connectWithRoutingId(
  socket: Socket,
  address: string,
  options: RouterConnectOptions | undefined,
): void {
  if (options?.routingId) {
    (socket as unknown as { setStringOption(id: number, value: unknown): void })
      .setStringOption(SocketOption.CONNECT_ROUTING_ID, options.routingId);
  }
  Socket.prototype.connect.call(socket, address);
}

/**
 * ZMQ_ROUTER: receives [routing id, ...frames]; sends to the peer the first frame names.
 *
 * @example
 * ```ts
 * import * as zmq from "./zeromq.ts";
 * const router = new zmq.Router({ mandatory: true });
 * await router.bind("tcp://127.0.0.1:*");
 * // for await (const [id, msg] of router) await router.send([id, msg])
 * router.close();
 * ```
 */
export class Router extends Socket {
  /** Makes a ROUTER socket. */
  constructor(options?: SocketOptions<Router>) {
    super(SocketType.ROUTER, options);
  }

  /**
   * Connects; `options.routingId` names the peer of this connection, so
   * messages can be routed to it at once.
   */
  override connect(address: string, options: RouterConnectOptions = {}): void {
    connectWithRoutingId(this, address, options);
  }
}
/** Router sends and receives, with these options. */
export interface Router extends Readable, Writable {
  /** ZMQ_ROUTING_ID: this socket's identity as another ROUTER sees it. */
  routingId: string | null;
  /** ZMQ_ROUTER_MANDATORY: fail with EHOSTUNREACH instead of dropping unroutable messages. */
  mandatory: boolean;
  /** ZMQ_PROBE_ROUTER: send an empty message on connect (write-only). */
  probeRouter: boolean;
  /** ZMQ_ROUTER_HANDOVER: a new peer with a known routing id takes over (write-only). */
  handover: boolean;
}

/**
 * ZMQ_PULL: receives fairly from every connected pusher.
 *
 * @example
 * ```ts
 * import * as zmq from "./zeromq.ts";
 * const pull = new zmq.Pull();
 * await pull.bind("tcp://127.0.0.1:*");
 * pull.close();
 * ```
 */
export class Pull extends Socket {
  /** Makes a PULL socket. */
  constructor(options?: SocketOptions<Pull>) {
    super(SocketType.PULL, options);
  }
}
/** Pull receives, with these options. */
export interface Pull extends Readable {
  /** ZMQ_CONFLATE: keep only the last message (write-only). */
  conflate: boolean;
}

/**
 * ZMQ_PUSH: sends round-robin to the connected pullers.
 *
 * @example
 * ```ts
 * import * as zmq from "./zeromq.ts";
 * const push = new zmq.Push();
 * push.connect("tcp://127.0.0.1:5557");
 * push.close();
 * ```
 */
export class Push extends Socket {
  /** Makes a PUSH socket. */
  constructor(options?: SocketOptions<Push>) {
    super(SocketType.PUSH, options);
  }
}
/** Push sends, with these options. */
export interface Push extends Writable {
  /** ZMQ_CONFLATE: keep only the last message (write-only). */
  conflate: boolean;
}

/**
 * ZMQ_XPUB: a Publisher that receives subscriptions as messages
 * (byte 1 subscribe, 0 unsubscribe, then the prefix).
 *
 * @example
 * ```ts
 * import * as zmq from "./zeromq.ts";
 * const xpub = new zmq.XPublisher();
 * xpub.verbosity = "allSubs";
 * await xpub.bind("tcp://127.0.0.1:*");
 * xpub.close();
 * ```
 */
export class XPublisher extends Socket {
  /** Makes an XPUB socket. */
  constructor(options?: SocketOptions<XPublisher>) {
    super(SocketType.XPUB, options);
  }

  /**
   * ZMQ_XPUB_VERBOSE / ZMQ_XPUB_VERBOSER: which repeated subscriptions
   * reach the application. null (the default): only new ones; "allSubs":
   * every subscription; "allSubsUnsubs": every subscription and
   * unsubscription. Write-only.
   */
  set verbosity(value: null | "allSubs" | "allSubsUnsubs") {
    const set = (this as unknown as { setBoolOption(id: number, value: boolean): void })
      .setBoolOption;
    if (value === null) set.call(this, SocketOption.XPUB_VERBOSE, false);
    else if (value === "allSubs") set.call(this, SocketOption.XPUB_VERBOSE, true);
    else if (value === "allSubsUnsubs") set.call(this, SocketOption.XPUB_VERBOSER, true);
  }
}
/** XPublisher sends and receives, with these options. */
export interface XPublisher extends Readable, Writable {
  /** ZMQ_XPUB_NODROP: fail with EAGAIN at the high-water mark instead of dropping (write-only). */
  noDrop: boolean;
  /** ZMQ_XPUB_MANUAL: subscriptions are applied by the application (write-only). */
  manual: boolean;
  /** ZMQ_XPUB_WELCOME_MSG: a message for each new subscriber (write-only). */
  welcomeMessage: string | null;
  /** ZMQ_INVERT_MATCHING: send to the subscribers that do NOT match. */
  invertMatching: boolean;
}

/**
 * ZMQ_XSUB: a Subscriber that subscribes by sending messages.
 *
 * @example
 * ```ts
 * import * as zmq from "./zeromq.ts";
 * const xsub = new zmq.XSubscriber();
 * xsub.connect("tcp://127.0.0.1:5556");
 * await xsub.send(Buffer.from([1])); // subscribe to everything
 * xsub.close();
 * ```
 */
export class XSubscriber extends Socket {
  /** Makes an XSUB socket. */
  constructor(options?: SocketOptions<XSubscriber>) {
    super(SocketType.XSUB, options);
  }
}
/** XSubscriber sends and receives. */
export interface XSubscriber extends Readable, Writable {}

/**
 * ZMQ_STREAM: raw TCP; receives and sends [connection id, data].
 *
 * @example
 * ```ts
 * import * as zmq from "./zeromq.ts";
 * const stream = new zmq.Stream();
 * await stream.bind("tcp://127.0.0.1:*");
 * stream.close();
 * ```
 */
export class Stream extends Socket {
  /** Makes a STREAM socket. */
  constructor(options?: SocketOptions<Stream>) {
    super(SocketType.STREAM, options);
  }

  /** Connects; `options.routingId` names the connection for sends. */
  override connect(address: string, options: StreamConnectOptions = {}): void {
    connectWithRoutingId(this, address, options);
  }
}
/** Stream sends and receives two-frame messages, with these options. */
export interface Stream extends Readable<[Message, Message]>, Writable<[MessageLike, MessageLike]> {
  /** ZMQ_STREAM_NOTIFY: an empty message on each connect and disconnect (write-only). */
  notify: boolean;
}

defineOptions(Socket, optionsForType(undefined), "Socket");
defineFor(Pair, "PAIR");
defineFor(Publisher, "PUB");
defineFor(Subscriber, "SUB");
defineFor(Request, "REQ");
defineFor(Reply, "REP");
defineFor(Dealer, "DEALER");
defineFor(Router, "ROUTER");
defineFor(Pull, "PULL");
defineFor(Push, "PUSH");
defineFor(XPublisher, "XPUB");
defineFor(XSubscriber, "XSUB");
defineFor(Stream, "STREAM");

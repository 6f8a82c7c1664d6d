/**
 * The twelve socket types, each with exactly the capabilities its pattern
 * has: a Publisher cannot receive, a Pull cannot send.
 *
 * @module
 */
import { SocketOption } from "../ffi/constants.ts";
import { Readable } from "./readable.ts";
import { defineOptionProperties, engine, Socket, type SocketTypeName } from "./socket.ts";
import type * as O from "./socket_options.ts";
import { type SendOptions, Writable } from "./writable.ts";
import { writeOption } from "./options.ts";
import type { Message } from "./frames.ts";

/** A socket class with some capabilities, as the socket types extend it. */
export type SocketBase<Capabilities> = abstract new (
  type: SocketTypeName,
  options: object | undefined,
) => Socket & Capabilities;

/**
 * The base of every socket type that can only receive (Pull, Subscriber).
 *
 * @example
 * ```ts
 * import * as zmq from "./mod.ts";
 * const pull = new zmq.Pull();
 * console.log(pull instanceof zmq.ReceivingSocket); // true
 * pull.close();
 * ```
 */
export const ReceivingSocket: SocketBase<Readable> = Readable(Socket);

/**
 * The base of every socket type that can only send (Push, Publisher).
 *
 * @example
 * ```ts
 * import * as zmq from "./mod.ts";
 * const push = new zmq.Push();
 * console.log(push instanceof zmq.SendingSocket); // true
 * push.close();
 * ```
 */
export const SendingSocket: SocketBase<Writable> = Writable(Socket);

/**
 * The base of every socket type that can send and receive (Pair, Request, Router, ...).
 *
 * @example
 * ```ts
 * import * as zmq from "./mod.ts";
 * const dealer = new zmq.Dealer();
 * console.log(dealer instanceof zmq.DuplexSocket); // true
 * dealer.close();
 * ```
 */
export const DuplexSocket: SocketBase<Readable & Writable> = Writable(Readable(Socket));

/**
 * ZMQ_PAIR: an exclusive connection to one peer, both ways.
 *
 * @example
 * ```ts
 * import * as zmq from "./mod.ts";
 * const a = new zmq.Pair();
 * await a.bind("inproc://pair");
 * const b = new zmq.Pair();
 * b.connect("inproc://pair");
 * await a.send("ping");
 * console.log(await b.receive());
 * a.close();
 * b.close();
 * ```
 */
export class Pair extends DuplexSocket {
  /** Makes a PAIR socket. */
  constructor(options?: O.PairOptions) {
    super("PAIR", options);
  }
}
/** The option properties of Pair (see PairOptionProperties). */
export interface Pair extends O.PairOptionProperties {}

/**
 * ZMQ_PUB: sends every message to every subscriber whose subscription matches its first frame.
 *
 * @example
 * ```ts
 * import * as zmq from "./mod.ts";
 * const pub = new zmq.Publisher();
 * await pub.bind("tcp://127.0.0.1:*");
 * await pub.send(["weather", "sunny"]);
 * pub.close();
 * ```
 */
export class Publisher extends SendingSocket {
  /** Makes a PUB socket. */
  constructor(options?: O.PublisherOptions) {
    super("PUB", options);
  }
}
/** The option properties of Publisher (see PublisherOptionProperties). */
export interface Publisher extends O.PublisherOptionProperties {}

/**
 * ZMQ_SUB: receives what publishers send, filtered by prefix subscriptions.
 *
 * @example
 * ```ts
 * import * as zmq from "./mod.ts";
 * const sub = new zmq.Subscriber();
 * sub.connect("tcp://127.0.0.1:5556");
 * sub.subscribe("weather");
 * sub.close();
 * ```
 */
export class Subscriber extends ReceivingSocket {
  /** Makes a SUB socket; it receives nothing until it subscribes. */
  constructor(options?: O.SubscriberOptions) {
    super("SUB", options);
  }

  /**
   * Receives messages whose first frame starts with any of `prefixes`;
   * with no argument, everything. A prefix longer than 4096 bytes (UTF-8
   * for text) is a RangeError, and then none of `prefixes` is subscribed.
   */
  subscribe(...prefixes: (string | Uint8Array)[]): void {
    changeSubscriptions(this, SocketOption.SUBSCRIBE, prefixes);
  }

  /**
   * Undoes {@link Subscriber.subscribe} for `prefixes`; with no argument, the
   * subscribe-to-all. The same bound on a prefix's length applies.
   */
  unsubscribe(...prefixes: (string | Uint8Array)[]): void {
    changeSubscriptions(this, SocketOption.UNSUBSCRIBE, prefixes);
  }
}
/** The option properties of Subscriber (see SubscriberOptionProperties). */
export interface Subscriber extends O.SubscriberOptionProperties {}

/**
 * The longest subscription prefix, in bytes. libzmq 4.3.4 keeps a socket's
 * subscriptions in a trie that it walks recursively, one stack frame per
 * byte: unsubscribing walks it on the calling thread, and closing the socket
 * frees it on libzmq's reaper thread. Measured here (Deno 2 and Bun 1.x on
 * Linux, 8 MiB stacks): the reaper overflows its stack between 174,000 and
 * 175,600 bytes, an unsubscribe on the main thread between 103,800 and
 * 105,500, and one in a Worker (4 MiB) between 40,000 and 60,000, killing the
 * process. 4096 keeps ten times that margin for smaller stacks, and no topic
 * needs more.
 */
const MAX_SUBSCRIPTION_BYTES = 4096;

const subscriptionEncoder = new TextEncoder();

/** The byte length of a prefix as libzmq will get it; undefined for what writeOption refuses itself. */
function prefixBytes(prefix: unknown): number | undefined {
  if (typeof prefix === "string") {
    // UTF-8 takes at most 3 bytes per UTF-16 unit: encode only when it could matter.
    return prefix.length * 3 <= MAX_SUBSCRIPTION_BYTES
      ? prefix.length
      : subscriptionEncoder.encode(prefix).byteLength;
  }
  if (ArrayBuffer.isView(prefix) || prefix instanceof ArrayBuffer) return prefix.byteLength;
  return undefined;
}

function changeSubscriptions(
  socket: Socket,
  id: number,
  prefixes: (string | Uint8Array)[],
): void {
  socket[engine].assertOpen();
  // All are checked before any is set: a refused call changes nothing.
  for (const [index, prefix] of prefixes.entries()) {
    const bytes = prefixBytes(prefix);
    if (bytes !== undefined && bytes > MAX_SUBSCRIPTION_BYTES) {
      throw new RangeError(
        `Subscription prefix ${index} is ${bytes} bytes; a prefix may be at most ` +
          `${MAX_SUBSCRIPTION_BYTES} bytes (libzmq 4.3.4 walks a prefix one stack frame per ` +
          "byte and crashes the process on long ones)",
      );
    }
  }
  const option = {
    name: id === SocketOption.SUBSCRIBE ? "subscribe" : "unsubscribe",
    zmqName: id === SocketOption.SUBSCRIBE ? "SUBSCRIBE" : "UNSUBSCRIBE",
    id,
    type: "bytes",
    access: "w",
    doc: "",
  } as const;
  for (const prefix of prefixes.length === 0 ? [""] : prefixes) {
    writeOption(socket[engine].pointer, option, prefix);
  }
}

/**
 * ZMQ_XPUB: a Publisher that also receives subscriptions as messages
 * (first byte 1 = subscribe, 0 = unsubscribe, then the prefix).
 *
 * Unless `maxMessageSize` is given, an XPublisher accepts messages of at most
 * 4097 bytes from its peers (a peer that sends a larger one is dropped): a
 * subscription to a prefix of at most 4096 bytes, as a Subscriber may make.
 * A forwarding Proxy passes the subscriptions it receives to an
 * XSubscriber, and libzmq 4.3.4 crashes the process closing an XSubscriber
 * that holds a very long one (~175,000 bytes); a peer could otherwise send it.
 *
 * @example
 * ```ts
 * import * as zmq from "./mod.ts";
 * const xpub = new zmq.XPublisher({ verbose: true });
 * await xpub.bind("tcp://127.0.0.1:*");
 * xpub.close();
 * ```
 */
export class XPublisher extends DuplexSocket {
  /** Makes an XPUB socket. */
  constructor(options?: O.XPublisherOptions) {
    super("XPUB", options);
    // Before any bind: libzmq gives a listener's connections the options it had then.
    if (options?.maxMessageSize === undefined) {
      this.setOption("maxMessageSize", MAX_SUBSCRIPTION_BYTES + 1);
    }
  }
}
/** The option properties of XPublisher (see XPublisherOptionProperties). */
export interface XPublisher extends O.XPublisherOptionProperties {}

/**
 * ZMQ_XSUB: a Subscriber that subscribes by sending messages
 * ([1, ...prefix] to subscribe, [0, ...prefix] to unsubscribe).
 *
 * @example
 * ```ts
 * import * as zmq from "./mod.ts";
 * const xsub = new zmq.XSubscriber();
 * xsub.connect("tcp://127.0.0.1:5556");
 * await xsub.send(new Uint8Array([1])); // subscribe to everything
 * xsub.close();
 * ```
 */
export class XSubscriber extends DuplexSocket {
  /** Makes an XSUB socket. */
  constructor(options?: O.XSubscriberOptions) {
    super("XSUB", options);
  }

  /**
   * Sends a message upstream. A frame starting with byte 1 subscribes to the
   * rest of it, one starting with 0 unsubscribes; such a frame longer than
   * 4097 bytes (a prefix over 4096, as for {@link Subscriber.subscribe}) is a
   * RangeError, and nothing is sent.
   *
   * @example
   * ```ts
   * import * as zmq from "./mod.ts";
   * const xsub = new zmq.XSubscriber();
   * await xsub.send(new Uint8Array([1, ...new TextEncoder().encode("weather")]));
   * xsub.close();
   * ```
   */
  override send(message: Message, options?: SendOptions): Promise<void> {
    try {
      checkSubscriptionMessage(message);
    } catch (error) {
      return Promise.reject(error);
    }
    return super.send(message, options);
  }

  /**
   * {@link XSubscriber.send} without waiting: false when it would block. The
   * same bound on subscription frames applies.
   *
   * @example
   * ```ts
   * import * as zmq from "./mod.ts";
   * const xsub = new zmq.XSubscriber();
   * xsub.trySend(new Uint8Array([1])); // subscribe to everything
   * xsub.close();
   * ```
   */
  override trySend(message: Message): boolean {
    checkSubscriptionMessage(message);
    return super.trySend(message);
  }
}

/**
 * Refuses subscription frames libzmq cannot free safely. libzmq 4.3.4's XSUB
 * treats every frame that starts with 1 or 0 (not only the first) as a
 * subscription change for the same trie as Subscriber.subscribe.
 */
function checkSubscriptionMessage(message: unknown): void {
  const frames: unknown[] = Array.isArray(message) ? message : [message];
  for (let index = 0; index < frames.length; index++) {
    const frame = frames[index];
    const bytes = prefixBytes(frame);
    if (bytes === undefined || bytes <= MAX_SUBSCRIPTION_BYTES + 1) continue;
    const first = typeof frame === "string"
      ? frame.charCodeAt(0)
      : frame instanceof ArrayBuffer
      ? new Uint8Array(frame, 0, 1)[0]
      : new Uint8Array(
        (frame as ArrayBufferView).buffer,
        (frame as ArrayBufferView).byteOffset,
        1,
      )[0];
    if (first === 0 || first === 1) {
      throw new RangeError(
        `Frame ${index} ${first === 1 ? "subscribes to" : "unsubscribes from"} a prefix of ` +
          `${bytes - 1} bytes; a prefix may be at most ${MAX_SUBSCRIPTION_BYTES} bytes ` +
          "(libzmq 4.3.4 walks a prefix one stack frame per byte and crashes the process on long ones)",
      );
    }
  }
}
/** The option properties of XSubscriber (see XSubscriberOptionProperties). */
export interface XSubscriber extends O.XSubscriberOptionProperties {}

/**
 * ZMQ_REQ: sends a request, then must receive its reply before the next.
 *
 * @example
 * ```ts
 * import * as zmq from "./mod.ts";
 * const req = new zmq.Request();
 * req.connect("tcp://127.0.0.1:5555");
 * await req.send("question");
 * const [answer] = await req.receive({ timeout: 1000 }).catch(() => [new Uint8Array()]);
 * req.close();
 * ```
 */
export class Request extends DuplexSocket {
  /** Makes a REQ socket. */
  constructor(options?: O.RequestOptions) {
    super("REQ", options);
  }
}
/** The option properties of Request (see RequestOptionProperties). */
export interface Request extends O.RequestOptionProperties {}

/**
 * ZMQ_REP: receives a request, then must send its reply before the next.
 *
 * @example
 * ```ts
 * import * as zmq from "./mod.ts";
 * const rep = new zmq.Reply();
 * await rep.bind("tcp://127.0.0.1:*");
 * // for await (const [request] of rep) await rep.send(request);
 * rep.close();
 * ```
 */
export class Reply extends DuplexSocket {
  /** Makes a REP socket. */
  constructor(options?: O.ReplyOptions) {
    super("REP", options);
  }
}
/** The option properties of Reply (see ReplyOptionProperties). */
export interface Reply extends O.ReplyOptionProperties {}

/**
 * ZMQ_DEALER: sends round-robin to its peers and receives from all, with no lock-step.
 *
 * @example
 * ```ts
 * import * as zmq from "./mod.ts";
 * const dealer = new zmq.Dealer({ routingId: "worker-1" });
 * dealer.connect("tcp://127.0.0.1:5555");
 * dealer.close();
 * ```
 */
export class Dealer extends DuplexSocket {
  /** Makes a DEALER socket. */
  constructor(options?: O.DealerOptions) {
    super("DEALER", options);
  }
}
/** The option properties of Dealer (see DealerOptionProperties). */
export interface Dealer extends O.DealerOptionProperties {}

/**
 * ZMQ_ROUTER: receives [peer routing id, ...frames] and sends to the peer named by the first frame.
 *
 * @example
 * ```ts
 * import * as zmq from "./mod.ts";
 * const router = new zmq.Router({ mandatory: true });
 * await router.bind("tcp://127.0.0.1:*");
 * // const [id, ...frames] = await router.receive(); await router.send([id, "reply"]);
 * router.close();
 * ```
 */
export class Router extends DuplexSocket {
  /** Makes a ROUTER socket. */
  constructor(options?: O.RouterOptions) {
    super("ROUTER", options);
  }
}
/** The option properties of Router (see RouterOptionProperties). */
export interface Router extends O.RouterOptionProperties {}

/**
 * ZMQ_PUSH: sends round-robin to the connected pullers (a pipeline's upstream).
 *
 * @example
 * ```ts
 * import * as zmq from "./mod.ts";
 * const push = new zmq.Push({ sendHighWaterMark: 1000 });
 * await push.bind("tcp://127.0.0.1:*");
 * push.close();
 * ```
 */
export class Push extends SendingSocket {
  /** Makes a PUSH socket. */
  constructor(options?: O.PushOptions) {
    super("PUSH", options);
  }
}
/** The option properties of Push (see PushOptionProperties). */
export interface Push extends O.PushOptionProperties {}

/**
 * ZMQ_PULL: receives fairly from every connected pusher (a pipeline's downstream).
 *
 * @example
 * ```ts
 * import * as zmq from "./mod.ts";
 * const pull = new zmq.Pull();
 * await pull.bind("tcp://127.0.0.1:*");
 * pull.close();
 * ```
 */
export class Pull extends ReceivingSocket {
  /** Makes a PULL socket. */
  constructor(options?: O.PullOptions) {
    super("PULL", options);
  }
}
/** The option properties of Pull (see PullOptionProperties). */
export interface Pull extends O.PullOptionProperties {}

/**
 * ZMQ_STREAM: raw TCP. Receives [connection id, bytes]; sends [connection id, bytes]
 * (an empty body closes that connection).
 *
 * @example
 * ```ts
 * import * as zmq from "./mod.ts";
 * const stream = new zmq.Stream();
 * await stream.bind("tcp://127.0.0.1:*");
 * stream.close();
 * ```
 */
export class Stream extends DuplexSocket {
  /** Makes a STREAM socket. */
  constructor(options?: O.StreamOptions) {
    super("STREAM", options);
  }
}
/** The option properties of Stream (see StreamOptionProperties). */
export interface Stream extends O.StreamOptionProperties {}

defineOptionProperties(Pair, "PAIR");
defineOptionProperties(Publisher, "PUB");
defineOptionProperties(Subscriber, "SUB");
defineOptionProperties(XPublisher, "XPUB");
defineOptionProperties(XSubscriber, "XSUB");
defineOptionProperties(Request, "REQ");
defineOptionProperties(Reply, "REP");
defineOptionProperties(Dealer, "DEALER");
defineOptionProperties(Router, "ROUTER");
defineOptionProperties(Push, "PUSH");
defineOptionProperties(Pull, "PULL");
defineOptionProperties(Stream, "STREAM");

/**
 * zeromq.js v6's API on this library: change `from "zeromq"` to this module
 * (or map the name `zeromq` to it) and a zeromq.js program runs on Deno, Bun
 * and Node. Frames are Buffers, errors carry libzmq's text with `code`,
 * `errno` and `address`, events come through an Observer, and a second
 * concurrent send or receive is refused with EBUSY, all as in zeromq.js.
 * See docs/zeromq-compat.md for the switch and the few differences.
 *
 * @example Push and pull
 * ```ts
 * import * as zmq from "./zeromq.ts";
 *
 * const pull = new zmq.Pull();
 * await pull.bind("tcp://127.0.0.1:*");
 * const push = new zmq.Push();
 * push.connect(pull.lastEndpoint!);
 *
 * await push.send("hello");
 * const [msg] = await pull.receive();
 * console.log(msg.toString()); // hello
 * push.close();
 * pull.close();
 * ```
 *
 * @module
 */
export { type Capabilities, capability, curveKeyPair, version } from "./src/zeromq/facts.ts";
export { context, type ContextOptions } from "./src/zeromq/context.ts";
export { Context, Observer, Proxy, Socket } from "./src/zeromq/constructors.ts";
export type { AuthError, ErrnoError, ProtoError } from "./src/zeromq/errors.ts";
export type { Message, MessageLike } from "./src/zeromq/messages.ts";
export {
  type Event,
  type EventAddress,
  type EventError,
  type EventInterval,
  type EventOfType,
  type EventSubscriber,
  type EventType,
} from "./src/zeromq/observer.ts";
export {
  Dealer,
  Pair,
  Publisher,
  Pull,
  Push,
  type Readable,
  Reply,
  Request,
  Router,
  type RouterConnectOptions,
  type SocketOptions,
  Stream,
  type StreamConnectOptions,
  Subscriber,
  type Writable,
  type WritableKeys,
  XPublisher,
  XSubscriber,
} from "./src/zeromq/socket_types.ts";
// The classes behind Socket, Context, Observer and Proxy (those four values
// are the classes wrapped to refuse a call without `new` as zeromq.js does).
export type { Socket as SocketClass } from "./src/zeromq/socket.ts";
export type { Context as ContextClass } from "./src/zeromq/context.ts";
export type { Observer as ObserverClass } from "./src/zeromq/observer.ts";
export type { Proxy as ProxyClass } from "./src/zeromq/proxy.ts";

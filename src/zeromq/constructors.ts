/**
 * The constructors zeromq.js implements natively (Socket, Context, Observer,
 * Proxy): called without `new`, they throw the TypeError N-API gives
 * ("Class constructors cannot be invoked without 'new'"), the same in every
 * runtime. Everything else passes through to the class: `new`,
 * `instanceof`, `extends` and static members.
 *
 * @module
 */
import { Context as ContextClass } from "./context.ts";
import { Observer as ObserverClass } from "./observer.ts";
import { Proxy as ProxyClass } from "./proxy.ts";
import { Socket as SocketClass } from "./socket.ts";

const NativeProxy = globalThis.Proxy;

// deno-lint-ignore no-explicit-any
function requireNew<T extends abstract new (...args: any[]) => unknown>(target: T): T {
  return new NativeProxy(target, {
    apply() {
      throw new TypeError("Class constructors cannot be invoked without 'new'");
    },
  });
}

/**
 * The base of every socket class (see the class of the same name in
 * socket.ts): `new Socket(type, options)` with a zmq.h type number.
 *
 * @example
 * ```ts
 * import * as zmq from "./zeromq.ts";
 * const sock = new zmq.Socket(5); // ZMQ_DEALER
 * console.log(sock instanceof zmq.Socket); // true
 * sock.close();
 * ```
 */
export const Socket: typeof SocketClass = requireNew(SocketClass);
/** A socket of any type. */
export type Socket = InstanceType<typeof Socket>;

/**
 * A ZeroMQ context with zeromq.js's option properties.
 *
 * @example
 * ```ts
 * import * as zmq from "./zeromq.ts";
 * const context = new zmq.Context({ ioThreads: 2 });
 * console.log(context.ioThreads); // 2
 * ```
 */
export const Context: typeof ContextClass = requireNew(ContextClass);
/** A context. */
export type Context = InstanceType<typeof Context>;

/**
 * A socket's event observer (`socket.events` is one).
 *
 * @example
 * ```ts
 * import * as zmq from "./zeromq.ts";
 * const sock = new zmq.Dealer();
 * const events = new zmq.Observer(sock);
 * sock.close();
 * console.log((await events.receive()).type); // end
 * ```
 */
export const Observer: typeof ObserverClass = requireNew(ObserverClass);
/** An event observer. */
export type Observer = InstanceType<typeof Observer>;

/**
 * A steerable proxy between two sockets.
 *
 * @example
 * ```ts
 * import * as zmq from "./zeromq.ts";
 * const proxy = new zmq.Proxy(new zmq.Router(), new zmq.Dealer());
 * proxy.frontEnd.close();
 * proxy.backEnd.close();
 * ```
 */
export const Proxy: typeof ProxyClass = requireNew(ProxyClass);
/** A proxy. */
export type Proxy<F extends SocketClass = SocketClass, B extends SocketClass = SocketClass> =
  ProxyClass<F, B>;

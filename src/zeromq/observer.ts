/**
 * zeromq.js's Observer: a socket's events read one at a time with
 * `receive()`, iterated with `for await`, or delivered to listeners with
 * `on()`; the last event is always `{ type: "end" }`. Built on the main API's
 * `socket.events`.
 *
 * @module
 */
import { EventEmitter } from "node:events";
import type { SocketEvent } from "../monitor.ts";
import { checkArgumentCount } from "./arguments.ts";
import {
  type AuthError,
  authError,
  type ErrnoError,
  errnoError,
  errorForErrno,
  fromMainError,
  type ProtoError,
  protoError,
} from "./errors.ts";
import { socketState } from "./internals.ts";
import { asyncIterator } from "./iteration.ts";

/**
 * The endpoint of an event. *
 * @example
 * ```ts
 * import * as zmq from "./zeromq.ts";
 * const sock = new zmq.Dealer();
 * sock.events.on("connect:retry", (event) => console.log(event.address, event.interval));
 * sock.close();
 * ```
 */
export interface EventAddress {
  /** The endpoint the event happened on. */
  address: string;
}

/**
 * The reconnect interval of a `connect:retry` event. *
 * @example
 * ```ts
 * import * as zmq from "./zeromq.ts";
 * const sock = new zmq.Dealer();
 * sock.events.on("connect:retry", (event) => console.log(event.address, event.interval));
 * sock.close();
 * ```
 */
export interface EventInterval {
  /** Milliseconds until the next attempt. */
  interval: number;
}

/**
 * The error of an `*:error` event.
 *
 * @example
 * ```ts
 * import * as zmq from "./zeromq.ts";
 * const sock = new zmq.Dealer();
 * sock.events.on("bind:error", ({ error }) => console.log(error.code, error.message));
 * sock.close();
 * ```
 */
export interface EventError<E = ErrnoError> {
  /** What went wrong. */
  error: E;
}

/**
 * One socket event, as zeromq.js describes it: its `type`, and its
 * `address`, `interval` or `error` where the type has them.
 *
 * @example
 * ```ts
 * import * as zmq from "./zeromq.ts";
 * const sock = new zmq.Dealer();
 * const events = sock.events;
 * sock.close();
 * const event: zmq.Event = await events.receive();
 * if (event.type === "end") console.log("no more events");
 * ```
 */
export type Event =
  | { type: "accept" } & EventAddress
  | { type: "accept:error" } & EventAddress & EventError
  | { type: "bind" } & EventAddress
  | { type: "bind:error" } & EventAddress & EventError
  | { type: "connect" } & EventAddress
  | { type: "connect:delay" } & EventAddress
  | { type: "connect:retry" } & EventAddress & EventInterval
  | { type: "close" } & EventAddress
  | { type: "close:error" } & EventAddress & EventError
  | { type: "disconnect" } & EventAddress
  | { type: "end" }
  | { type: "handshake" } & EventAddress
  | { type: "handshake:error:protocol" } & EventAddress & EventError<ProtoError>
  | { type: "handshake:error:auth" } & EventAddress & EventError<AuthError>
  | { type: "handshake:error:other" } & EventAddress & EventError
  | { type: "unknown" };

/**
 * The name of an event type ("bind", "connect:retry", "end", ...).
 *
 * @example
 * ```ts
 * import * as zmq from "./zeromq.ts";
 * const watched: zmq.EventType[] = ["connect", "disconnect"];
 * const sock = new zmq.Dealer();
 * for (const type of watched) sock.events.on(type, (event) => console.log(event.type));
 * sock.close();
 * ```
 */
export type EventType = Event["type"];

/**
 * The event of a given type.
 *
 * @example
 * ```ts
 * import * as zmq from "./zeromq.ts";
 * function logRetry(event: zmq.EventOfType<"connect:retry">) {
 *   console.log(`retrying ${event.address} in ${event.interval} ms`);
 * }
 * const sock = new zmq.Dealer();
 * sock.events.on("connect:retry", logRetry);
 * sock.close();
 * ```
 */
export type EventOfType<E extends EventType = EventType> = Extract<Event, { type: E }>;

/**
 * The listener side of an {@link Observer} (`on` and `off`).
 *
 * @example
 * ```ts
 * import * as zmq from "./zeromq.ts";
 * const sock = new zmq.Dealer();
 * const subscriber: zmq.EventSubscriber = sock.events;
 * const log = (event: zmq.Event) => console.log(event.type);
 * subscriber.on("bind", log).off("bind", log);
 * sock.close();
 * ```
 */
export interface EventSubscriber {
  /** Calls `listener` with every event of `type`; switches the observer to emitter mode. */
  on<E extends EventType>(type: E, listener: (data: EventOfType<E>) => void): EventSubscriber;
  /** Removes a listener added with `on`. */
  off<E extends EventType>(type: E, listener: (data: EventOfType<E>) => void): EventSubscriber;
}

/** An event as zeromq.js words it, from the main API's. */
function compatEvent(event: SocketEvent): Event {
  const out: Record<string, unknown> = { type: event.type };
  if (event.address !== "") out.address = event.address;
  const value = event.raw.value;
  switch (event.type) {
    case "connect:retry":
      out.interval = value;
      break;
    case "bind:error":
    case "accept:error":
    case "close:error":
    case "handshake:error:other":
      out.error = errorForErrno(value);
      break;
    case "handshake:error:protocol":
      out.error = protoError(value);
      break;
    case "handshake:error:auth":
      out.error = authError(value);
      break;
  }
  return out as Event;
}

const EMITTER_MODE = "Observer is in event emitter mode. " +
  "After a call to events.on() it is not possible to read events with events.receive().";

/**
 * A socket's events, as zeromq.js delivers them. `socket.events` is one; a
 * second Observer of the same socket sees the same events.
 *
 * @example Listeners
 * ```ts
 * import * as zmq from "./zeromq.ts";
 * const sock = new zmq.Dealer();
 * sock.events.on("bind", ({ address }) => console.log("bound to", address));
 * sock.events.on("end", () => console.log("no more events"));
 * await sock.bind("tcp://127.0.0.1:*");
 * sock.close();
 * ```
 *
 * @example Iteration
 * ```ts
 * import * as zmq from "./zeromq.ts";
 * const sock = new zmq.Dealer();
 * const events = sock.events;
 * sock.close();
 * for await (const event of events) console.log(event.type); // end
 * ```
 */
export class Observer {
  #iterator: AsyncIterator<SocketEvent, undefined>;
  #socket: object;
  #closed = false;
  #reading: ((event: Event | undefined) => void) | undefined;
  #emitter: EventEmitter | undefined;
  // Held while a receive is pending and the socket is open.
  #hold: ReturnType<typeof setInterval> | undefined;

  /** Starts observing `socket`'s events. */
  constructor(socket: object) {
    if (socket === null || typeof socket !== "object") {
      throw new TypeError("Socket must be a socket object");
    }
    checkArgumentCount(arguments, 1);
    const state = socketState(socket);
    if (state === undefined) throw errnoError("EINVAL");
    this.#socket = socket;
    if (state.state === "closed") throw errnoError("ENOTSOCK", "Socket operation on non-socket");
    try {
      this.#iterator = state.inner.events[Symbol.asyncIterator]();
    } catch (error) {
      throw fromMainError(error);
    }
    // Once the socket is closed only its last events are to come: they must
    // not keep the process alive.
    state.onClose.add(() => this.#release());
  }

  #release(): void {
    if (this.#hold !== undefined) clearInterval(this.#hold);
    this.#hold = undefined;
  }

  /** True once the last event (`end`) was read, or {@link Observer.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Stops observing; a pending receive() resolves with undefined. */
  close(): void {
    checkArgumentCount(arguments, 0);
    if (this.#closed) return;
    this.#closed = true;
    void this.#iterator.return?.();
    const reading = this.#reading;
    this.#reading = undefined;
    reading?.(undefined);
  }

  /**
   * The next event; the last is `{ type: "end" }`, after which the observer
   * is closed. One receive at a time (a second is EBUSY); not in emitter mode.
   *
   * @example
   * ```ts
   * import * as zmq from "./zeromq.ts";
   * const sock = new zmq.Dealer();
   * const events = sock.events;
   * const bound = events.receive();
   * await sock.bind("tcp://127.0.0.1:*");
   * console.log((await bound).type); // bind
   * sock.close();
   * ```
   */
  receive(): Promise<Event> {
    checkArgumentCount(arguments, 0);
    if (this.#closed) throw errnoError("EBADF");
    if (this.#reading !== undefined) {
      throw errnoError(
        "EBUSY",
        "Observer is busy reading; only one receive operation may be in progress at any time",
      );
    }
    // As in zeromq.js, a pending receive keeps the process alive while the
    // socket is open (the main API's monitor does not, by itself).
    const socketOpen = socketState(this.#socket)?.state !== "closed";
    if (socketOpen) this.#hold = setInterval(() => {}, 2 ** 30);
    return new Promise<Event | undefined>((outerResolve, reject) => {
      const resolve = (event: Event | undefined) => {
        this.#release();
        outerResolve(event);
      };
      this.#reading = resolve;
      this.#iterator.next().then((result) => {
        if (this.#reading !== resolve) return; // closed meanwhile: already resolved
        this.#reading = undefined;
        if (result.done) {
          this.#closed = true;
          resolve({ type: "end" });
        } else {
          resolve(compatEvent(result.value));
        }
      }, (error) => {
        if (this.#reading !== resolve) return;
        this.#reading = undefined;
        this.#release();
        reject(fromMainError(error));
      });
    }) as Promise<Event>;
  }

  /**
   * Calls `listener` with each event of `type`. From the first call on, the
   * observer reads events itself: `receive()` throws.
   */
  on<E extends EventType>(type: E, listener: (data: EventOfType<E>) => void): EventSubscriber {
    return this.#emitterMode().on(type, listener) as unknown as EventSubscriber;
  }

  /** Removes a listener added with {@link Observer.on}. */
  off<E extends EventType>(type: E, listener: (data: EventOfType<E>) => void): EventSubscriber {
    return this.#emitterMode().off(type, listener) as unknown as EventSubscriber;
  }

  #emitterMode(): EventEmitter {
    if (this.#emitter !== undefined) return this.#emitter;
    const emitter = this.#emitter = new EventEmitter();
    const receive = this.receive.bind(this);
    Object.defineProperty(this, "receive", {
      configurable: true,
      get() {
        throw new Error(EMITTER_MODE);
      },
    });
    void (async () => {
      try {
        while (!this.#closed) {
          const event = await receive();
          if (event === undefined) break;
          emitter.emit(event.type, event);
        }
      } catch {
        // The socket's monitor failed: no more events will come.
      }
    })();
    return emitter;
  }
}

/** The async iteration of an Observer, as zeromq.js gives it. */
export interface Observer extends AsyncIterable<Event> {
  /** Iterates events until the observer closes (after `end`). */
  [Symbol.asyncIterator](): AsyncIterableIterator<Event>;
}

Object.defineProperty(Observer.prototype, Symbol.asyncIterator, {
  value: asyncIterator,
  writable: true,
  configurable: true,
});

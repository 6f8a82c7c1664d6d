/**
 * The base of every socket type: lifecycle, endpoints and options. Sending
 * and receiving are added per type (see readable.ts and writable.ts).
 *
 * @module
 */
import { SocketType, type SocketTypeName } from "../ffi/constants.ts";
import { loadNative } from "../ffi/load.ts";
import { Context, type ContextMember, defaultContextInstance } from "./context.ts";
import { errnoValue, lastErrno, misuse, zmqFailure } from "./errors.ts";
import { retryInterrupted } from "./interrupted_calls.ts";
import {
  appliesTo,
  findOption,
  optionByName,
  type OptionSpec,
  readOption,
  writeOption,
} from "./options.ts";
import { type MonitorReader, SocketEvents, socketMonitor } from "./monitor.ts";
import { SocketEngine } from "./socket_engine.ts";
import { openInternalSocket } from "./internal_socket.ts";
import { checkInproc, forgetInproc, recordInproc } from "./inproc_guard.ts";
import { checkMulticast, isPgmEndpoint, onOneIoThread } from "./multicast_guard.ts";
import { checkWebSocket, isWebSocketEndpoint } from "./websocket_guard.ts";
import { checkUseFd, forgetUseFd, recordUseFd } from "./use_fd_guard.ts";
import type { SocketOptionProperties } from "./socket_options.ts";
import { describeValue } from "./describe_value.ts";

const EAGAIN = errnoValue("EAGAIN");

export type { SocketTypeName };

/** What every socket's constructor takes besides its type's options. */
export interface SocketConstructorOptions {
  /** The context to make the socket in (default: the shared {@link context}). */
  context?: Context;
  /**
   * Small received frames (up to 1 KiB) are carved out of shared 64 KiB
   * buffers, as Node's Buffer pool does, instead of each getting an
   * ArrayBuffer of its own (default false). Each frame's bytes stay its own,
   * but `frame.buffer` is the shared pool: don't transfer it or read past the
   * frame through it. Pays off in Deno, where each ArrayBuffer costs ~300 ns
   * (small receives ~3x faster); Bun and Node allocate small buffers cheaply.
   */
  pooledFrames?: boolean;
  /**
   * Waits block this thread in the kernel, as a blocking libzmq call (and
   * pyzmq) does, instead of handing them to the event loop (default false).
   * For a socket that owns its thread, such as a request/reply client or a
   * worker in a Worker that does nothing else: its round trip then comes
   * within a few percent of C's. While one of its receives or sends waits,
   * nothing else on the thread runs (no timers, no I/O, no other socket),
   * and an abort signal is seen only when the wait ends; `timeout` and
   * receiveTimeout / sendTimeout still bound it.
   *
   * @example
   * ```ts
   * import * as zmq from "./mod.ts";
   * const req = new zmq.Request({ blocking: true, receiveTimeout: 1000 });
   * req.connect("tcp://127.0.0.1:5555");
   * req.close();
   * ```
   */
  blocking?: boolean;
}

/** @ignore The engine behind each socket, for the capability mixins. */
export const engine: unique symbol = Symbol("zmq.engine");

/** @ignore Binds or unbinds now, throwing (the zeromq.js entry's bindSync / unbindSync). */
export const endpointNow: unique symbol = Symbol("zmq.endpointNow");

const encoder = new TextEncoder();

// Sockets dropped without close() are closed when collected.
// The registry holds only the engine and the context, never the socket.
const abandoned = new FinalizationRegistry<
  { engine: SocketEngine; context: Context; member: ContextMember }
>(({ engine, context, member }) => {
  forgetInproc(context, engine);
  forgetUseFd(engine);
  const lingers = mayLinger(engine);
  context.forget(member, engine.close(), lingers);
});

const HWM_OPTIONS = new Set(["sendHighWaterMark", "receiveHighWaterMark"]);

const typeNames = Object.keys(SocketType) as SocketTypeName[];

/** The zmq.h name of a socket type given by name or number; a TypeError for anything else. */
function socketTypeName(type: unknown): SocketTypeName {
  if (typeof type === "string" && Object.hasOwn(SocketType, type)) return type as SocketTypeName;
  if (typeof type === "number") {
    const name = typeNames.find((name) => SocketType[name] === type);
    if (name !== undefined) return name;
  }
  throw new TypeError(
    `Unknown socket type ${describeValue(type)}: use a socket class (zmq.Push, zmq.Router, ...) ` +
      `or one of ${typeNames.join(", ")}`,
  );
}

/** True for an option value that unsets a bytes option ("" or no bytes). */
function isEmpty(value: unknown): boolean {
  if (typeof value === "string") return value === "";
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value.byteLength === 0;
  return value === null || value === undefined;
}

/** True when closing may leave messages that libzmq keeps delivering (linger is not 0). */
function mayLinger(engine: SocketEngine): boolean {
  if (engine.closed) return false;
  if (engine.lent) return true; // cannot ask: another thread uses it
  try {
    return readOption(engine.pointer, findOption("LINGER")!) !== 0;
  } catch {
    return true; // its context is shutting down (ETERM): cannot ask either
  }
}

/**
 * A ZeroMQ socket. Use one of the socket classes ({@link Push}, {@link Pull},
 * {@link Request}, ...): each has the methods its type supports.
 *
 * @example
 * ```ts
 * import * as zmq from "./mod.ts";
 * const pull = new zmq.Pull({ receiveHighWaterMark: 100 });
 * await pull.bind("tcp://127.0.0.1:*");
 * console.log(pull.lastEndpoint); // tcp://127.0.0.1:<port>
 * pull.close();
 * ```
 */
export abstract class Socket {
  /** The socket type, as zmq.h names it ("PUSH", "REQ", ...). */
  readonly type: SocketTypeName;
  /** The context the socket belongs to. */
  readonly context: Context;
  /** @ignore */
  readonly [engine]: SocketEngine;
  #writeOnly = new Map<string, unknown>();
  // Routing ids given to this socket's connections (ROUTER, STREAM), each
  // with the endpoint it went to: libzmq aborts on a second connection with
  // an id already in use, and frees one only after a disconnect completes.
  #connectRoutingIds = new Map<string, string>();
  #events: SocketEvents | undefined;
  // Kept here so it stays readable while a Proxy owns the socket.
  #lastEndpoint: string | null = null;
  // Set by the first bind or connect: the socket may have pipes from then on.
  #connected = false;
  #member: ContextMember;

  /**
   * @ignore Made by the socket classes. `type` is a zmq.h name ("PUSH") or
   * number (8); anything else is a TypeError.
   */
  constructor(type: SocketTypeName | number, options: object | undefined) {
    const className = new.target.name;
    if (options !== undefined && (options === null || typeof options !== "object")) {
      throw new TypeError(`${className} options must be an object, got ${String(options)}`);
    }
    const { context, pooledFrames, blocking, ...settings } = (options ?? {}) as
      & SocketConstructorOptions
      & Record<string, unknown>;
    for (const [name, value] of [["pooledFrames", pooledFrames], ["blocking", blocking]]) {
      if (value !== undefined && typeof value !== "boolean") {
        throw new TypeError(
          `The ${name} option of ${className} must be a boolean, got ${describeValue(value)}`,
        );
      }
    }
    this.type = socketTypeName(type);
    if (context !== undefined && !(context instanceof Context)) {
      throw new TypeError(
        `The context option of ${className} must be a zmq.Context, got ${describeValue(context)}`,
      );
    }
    this.context = context ?? defaultContextInstance();
    // The context holds this member, so it must not hold the socket itself:
    // an abandoned socket has to stay collectable.
    const holder: { engine?: SocketEngine } = {};
    this.#member = {
      release: () => holder.engine?.close() ?? Promise.resolve(),
      lingers: () => holder.engine !== undefined && mayLinger(holder.engine),
    };
    const pointer = loadNative().zmq.zmq_socket(
      this.context.pointerFor(this.#member),
      SocketType[this.type],
    );
    if (pointer === null) {
      let error = zmqFailure(`Cannot create a ${className} socket`);
      if (error.code === "EMFILE") {
        // libzmq says "Too many open files" for its own socket limit too.
        error = misuse(
          "EMFILE",
          `Cannot create a ${className} socket: the context is at its maxSockets limit ` +
            `(${this.context.maxSockets}; sockets just closed count until libzmq has torn ` +
            `them down, a moment later), or the process is out of file descriptors`,
        );
      }
      this.context.forget(this.#member);
      throw error;
    }
    this[engine] = holder.engine = new SocketEngine(
      pointer,
      `${className} socket`,
      this,
      this.type,
    );
    this[engine].pooledFrames = pooledFrames === true;
    this[engine].blocking = blocking === true;
    abandoned.register(
      this,
      { engine: this[engine], context: this.context, member: this.#member },
      this,
    );
    try {
      for (const [name, value] of Object.entries(settings)) {
        if (value === undefined) continue;
        const option = optionByName.get(name);
        if (option === undefined || !appliesTo(option, this.type)) {
          throw new TypeError(`Unknown option "${name}" for ${className}`);
        }
        if (option.access === "r") throw new TypeError(`Option "${name}" is read-only`);
        this.#write(option, value);
      }
    } catch (error) {
      this.close();
      throw error;
    }
  }

  /**
   * The socket's events (connect, bind, accept, disconnect, handshake, ...) as
   * an async iterable; monitoring starts with the first iterator.
   *
   * @example
   * ```ts
   * import * as zmq from "./mod.ts";
   * const push = new zmq.Push();
   * (async () => {
   *   for await (const event of push.events) console.log(event.type, event.address);
   * })();
   * push.connect("tcp://127.0.0.1:5555"); // connect:delay, connect:retry, ...
   * setTimeout(() => push.close(), 500);
   * ```
   */
  get events(): SocketEvents {
    this[engine].assertOpen();
    return this.#events ??= new SocketEvents({
      startMonitor: (endpoint) => {
        this[engine].assertOpen(); // never from this thread while a Proxy owns the socket
        socketMonitor(this[engine].pointer, endpoint);
      },
      openMonitorReader: (endpoint) => this.#openMonitorReader(endpoint),
      isClosed: () => this.closed,
    });
  }

  #openMonitorReader(endpoint: string): MonitorReader {
    // Listening for events must not keep the process alive by itself.
    const reader = openInternalSocket(this.context, {
      type: "PAIR",
      describe: "monitor reader socket",
      connect: endpoint,
    });
    return { receive: () => reader.engine.receive(), close: () => void reader.close() };
  }

  /** True once {@link Socket.close} was called. */
  get closed(): boolean {
    return this[engine].closed;
  }

  /** The endpoint last bound or connected, with a wildcard port resolved (ZMQ_LAST_ENDPOINT); null before any. */
  get lastEndpoint(): string | null {
    if (this[engine].closed) throw this[engine].closedError();
    return this.#lastEndpoint;
  }

  /**
   * Binds to an endpoint so peers can connect; `tcp://127.0.0.1:*` picks a free port
   * (read it from {@link Socket.lastEndpoint}).
   *
   * @example
   * ```ts
   * import * as zmq from "./mod.ts";
   * const rep = new zmq.Reply();
   * await rep.bind("tcp://127.0.0.1:*");
   * rep.close();
   * ```
   */
  bind(address: string): Promise<void> {
    try {
      this.#endpoint("bind", address);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Stops listening on an endpoint that {@link Socket.bind} bound. */
  unbind(address: string): Promise<void> {
    try {
      this.#endpoint("unbind", address);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Connects to an endpoint; libzmq connects (and reconnects) in the background.
   *
   * @example
   * ```ts
   * import * as zmq from "./mod.ts";
   * const req = new zmq.Request();
   * req.connect("tcp://127.0.0.1:5555");
   * req.close();
   * ```
   */
  connect(address: string): void {
    this.#endpoint("connect", address);
  }

  /** @ignore Binds or unbinds at once, throwing what bind() or unbind() would reject with. */
  [endpointNow](action: "bind" | "unbind", address: string): void {
    this.#endpoint(action, address);
  }

  /** Disconnects from an endpoint that {@link Socket.connect} connected to. */
  disconnect(address: string): void {
    this.#endpoint("disconnect", address);
  }

  /**
   * Closes the socket: pending receives and sends fail, async iteration ends.
   * Calling it again does nothing.
   */
  close(): void {
    if (this[engine].closed) return;
    abandoned.unregister(this);
    forgetInproc(this.context, this[engine]);
    forgetUseFd(this[engine]);
    const lingers = mayLinger(this[engine]);
    this.context.forget(this.#member, this[engine].close(), lingers);
    this.#events?.socketClosed();
  }

  /** The same as {@link Socket.close}, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * Reads any option by its zmq.h name ("ZMQ_LINGER") or property name ("linger").
   *
   * @example
   * ```ts
   * import * as zmq from "./mod.ts";
   * const push = new zmq.Push();
   * console.log(push.getOption("ZMQ_SNDHWM")); // 1000
   * push.close();
   * ```
   */
  getOption(name: string): unknown {
    const option = this.#option(name);
    if (option.access === "w") return this.#writeOnly.get(option.name);
    this[engine].assertOpen();
    const value = readOption(this[engine].pointer, option);
    this[engine].afterOtherCall();
    return value;
  }

  /**
   * Writes any option by its zmq.h name ("ZMQ_LINGER") or property name ("linger").
   *
   * @example
   * ```ts
   * import * as zmq from "./mod.ts";
   * const push = new zmq.Push();
   * push.setOption("ZMQ_LINGER", 0);
   * push.close();
   * ```
   */
  setOption(name: string, value: unknown): void {
    const option = this.#option(name);
    if (option.access === "r") throw new TypeError(`Option "${name}" is read-only`);
    this.#write(option, value);
  }

  #option(name: string): OptionSpec {
    const option = findOption(name);
    if (option === undefined || !appliesTo(option, this.type)) {
      throw new TypeError(`Unknown option "${String(name)}" for ${this.constructor.name}`);
    }
    return option;
  }

  #write(option: OptionSpec, value: unknown): void {
    this[engine].assertOpen();
    if (this.#connected && HWM_OPTIONS.has(option.name)) {
      // libzmq 4.3.4 passes a changed high-water mark on to every pipe's
      // peer, including a peer already freed when the socket at the other
      // end closed: the process crashes (SIGSEGV on libzmq's reaper thread).
      throw misuse(
        "EFSM",
        `Set ${option.name} before bind() or connect(): libzmq 4.3.4 can crash when it ` +
          "changes on a socket that has connections",
      );
    }
    writeOption(this[engine].pointer, option, value);
    this[engine].afterOtherCall();
    if (option.access === "w") this.#writeOnly.set(option.name, value);
  }

  /**
   * The connectRoutingId the next connect gives its peer (as a key), refused
   * when an earlier connect of this socket used it: libzmq 4.3.4 asserts
   * (router.cpp, stream.cpp: "!has_out_pipe (routing_id)") and the process
   * aborts. The id stays taken for the socket's life, because a disconnected
   * connection leaves libzmq's table only later, in the background.
   */
  #nextConnectRoutingId(cannot: string, address: string): string | undefined {
    if (this.type !== "ROUTER" && this.type !== "STREAM") return undefined;
    const id = this.#writeOnly.get("connectRoutingId");
    if (id === undefined) return undefined;
    const bytes = typeof id === "string" ? encoder.encode(id) : id as Uint8Array;
    if (bytes.length === 0) return undefined;
    const key = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
    const earlier = this.#connectRoutingIds.get(key);
    if (earlier !== undefined) {
      throw misuse(
        "EINVAL",
        `${cannot} "${address}": this socket already gave routing id ${
          describeValue(id)
        } to its connection to "${earlier}" (libzmq aborts the process on a duplicate); ` +
          "set another connectRoutingId",
        address,
      );
    }
    return key;
  }

  #endpoint(action: "bind" | "unbind" | "connect" | "disconnect", address: string): void {
    if (typeof address !== "string") {
      throw new TypeError(`Cannot ${action}: the endpoint must be a string, got ${typeof address}`);
    }
    // "Cannot bind to ...", "Cannot unbind from ...".
    const cannot = `Cannot ${action} ${action === "bind" || action === "connect" ? "to" : "from"}`;
    this[engine].assertOpen();
    if (!/^[a-z]+:\/\/./.test(address)) {
      throw misuse(
        "EINVAL",
        `${cannot} "${address}": an endpoint looks like transport://address, e.g. tcp://127.0.0.1:5555`,
        address,
      );
    }
    if (this.type === "STREAM" && address.startsWith("inproc://")) {
      // libzmq does not refuse this, then aborts the process when a framed
      // message reaches the raw Stream socket.
      throw misuse(
        "ENOCOMPATPROTO",
        `${cannot} "${address}": a Stream socket speaks raw TCP; use tcp:// or ipc://`,
        address,
      );
    }
    // libzmq takes the port modulo 65536 and binds or connects somewhere else.
    const port = /^(?:tcp|ws|wss):\/\/.*:(\d+)(?:\/.*)?$/.exec(address)?.[1];
    if (port !== undefined && Number(port) > 65535) {
      throw misuse(
        "EINVAL",
        `${cannot} "${address}": port ${port} is out of range (0-65535, or * for any)`,
        address,
      );
    }
    const inproc = address.startsWith("inproc://");
    if (inproc) {
      checkInproc(this.context, this[engine], this.type, action, address, {
        conflate: this.#writeOnly.get("conflate") === true,
        welcome: this.#writeOnly.has("welcomeMessage") &&
          !isEmpty(this.#writeOnly.get("welcomeMessage")),
      });
    }
    if ((action === "bind" || action === "connect") && isPgmEndpoint(address)) {
      checkMulticast(this[engine].pointer, this.type, address);
    }
    if (action === "connect" && isWebSocketEndpoint(address)) {
      checkWebSocket(this[engine].pointer, address);
    }
    const routingId = action === "connect"
      ? this.#nextConnectRoutingId(cannot, address)
      : undefined;
    const useFd = action === "bind" && !inproc
      ? readOption(this[engine].pointer, findOption("USE_FD")!) as number
      : -1;
    checkUseFd(this[engine], useFd, address);
    const zmq = loadNative().zmq;
    const text = encoder.encode(address + "\0");
    const pointer = this[engine].pointer;
    const call = () =>
      action === "bind"
        ? zmq.zmq_bind(pointer, text)
        : action === "unbind"
        ? zmq.zmq_unbind(pointer, text)
        : action === "connect"
        ? zmq.zmq_connect(pointer, text)
        : zmq.zmq_disconnect(pointer, text);
    const multicast = (action === "bind" || action === "connect") && isPgmEndpoint(address);
    const attempt = multicast ? () => onOneIoThread(pointer, call) : call;
    let rc = retryInterrupted(attempt);
    // None of these fails with EAGAIN: that errno was overwritten between the
    // call and zmq_errno() (seen in Bun on a busy machine, a bind to an address
    // in use reported EAGAIN). A failed call changed nothing: ask again.
    if (rc !== 0 && lastErrno() === EAGAIN) rc = retryInterrupted(attempt);
    if (rc !== 0) throw zmqFailure(`${cannot} "${address}"`, address);
    if (inproc) recordInproc(this.context, this[engine], this.type, action, address);
    if (action === "bind" || action === "connect") this.#connected = true;
    if (routingId !== undefined) {
      // libzmq used it up on this connect.
      this.#connectRoutingIds.set(routingId, address);
      this.#writeOnly.delete("connectRoutingId");
    }
    recordUseFd(this[engine], useFd);
    if (action === "unbind") forgetUseFd(this[engine]);
    const last = readOption(pointer, findOption("LAST_ENDPOINT")!) as string;
    this.#lastEndpoint = last === "" ? null : last;
    if (action === "disconnect" || action === "unbind") this[engine].settleSoon();
    this[engine].afterOtherCall();
  }
}

/** The option properties every socket has (see SocketOptionProperties). */
export interface Socket extends SocketOptionProperties {}

/**
 * Gives `target` a property for each option of the table that applies to
 * `type` (every type's options when `type` is undefined: the base class).
 * Keyed on the socket type, so subclasses inherit the properties and a
 * minifier's renaming changes nothing.
 */
export function defineOptionProperties(
  target: { prototype: object },
  type: SocketTypeName | undefined,
): void {
  for (const option of optionByName.values()) {
    if (type === undefined ? option.for !== undefined : option.for?.includes(type) !== true) {
      continue;
    }
    // A getter the class defines itself (lastEndpoint) stays.
    if (Object.getOwnPropertyDescriptor(target.prototype, option.name)) continue;
    Object.defineProperty(target.prototype, option.name, {
      configurable: true,
      enumerable: false,
      get(this: Socket) {
        return this.getOption(option.name);
      },
      set(this: Socket, value: unknown) {
        this.setOption(option.name, value);
      },
    });
  }
}

defineOptionProperties(Socket, undefined);

/**
 * zeromq.js's Socket: the base of every socket class of the zeromq.js entry
 * point, built on a socket of the main API. zeromq.js's rules live here: one
 * pending send and one pending receive (a second is EBUSY), EBADF once
 * closed, EAGAIN for an operation that close() cancelled, bind and unbind
 * that block the socket until they settle, Buffer frames, typed option
 * accessors, and a sealed object.
 *
 * @module
 */
import { setImmediate } from "node:timers";
import { SocketOption, SocketType, type SocketTypeName } from "../../ffi/constants.ts";
import { errnoValue, ZmqError } from "../errors.ts";
import { socketClasses } from "../socket_classes.ts";
import { endpointNow, engine, type Socket as MainSocket } from "../socket.ts";
import { assignOptions, checkAddress, checkArgumentCount } from "./arguments.ts";
import { type Context, context as defaultContext, isContext, mainContext } from "./context.ts";
import { errnoError, errorForErrno, fromMainError } from "./errors.ts";
import {
  type InnerSocket,
  notOpenError,
  registerSocket,
  type SocketState,
  socketState,
} from "./internals.ts";
import { incomingFrame, type Message, outgoingFrames } from "./messages.ts";
import { Observer } from "./observer.ts";
import { asyncIterator } from "./iteration.ts";
import {
  checkAccessorArguments,
  encodeRaw,
  type OptionCType,
  readRaw,
  warn,
  writeRaw,
} from "./option_access.ts";
import { immediateOptions } from "./socket_options.ts";

const typeNames = new Map<number, SocketTypeName>(
  (Object.keys(SocketType) as SocketTypeName[]).map((name) => [SocketType[name], name]),
);

// Options the main API must see being set: it guards them (a high-water mark
// changed on a connected socket can crash libzmq 4.3.4; conflate and the
// welcome message matter to its inproc checks; useFd is bounded; a connect
// routing id given twice would make libzmq abort).
const guarded = new Map<number, string>([
  [SocketOption.CONNECT_ROUTING_ID, "connectRoutingId"],
  [SocketOption.SNDHWM, "sendHighWaterMark"],
  [SocketOption.RCVHWM, "receiveHighWaterMark"],
  [SocketOption.CONFLATE, "conflate"],
  [SocketOption.XPUB_WELCOME_MSG, "welcomeMessage"],
  [SocketOption.USE_FD, "useFd"],
]);

function state(socket: Socket): SocketState {
  return socketState(socket)!;
}

function throwUnlessOpen(state: SocketState): void {
  const error = notOpenError(state);
  if (error !== undefined) throw error;
}

/**
 * The base of every socket class, as zeromq.js has it: `new Socket(type,
 * options)` with a zmq.h socket type number makes a socket of that type.
 * Sockets are sealed: setting an option the type does not have is a
 * TypeError.
 *
 * @example
 * ```ts
 * import * as zmq from "./zeromq.ts";
 * const sock = new zmq.Dealer({ linger: 0 });
 * await sock.bind("tcp://127.0.0.1:*");
 * console.log(sock.lastEndpoint, sock instanceof zmq.Socket); // tcp://127.0.0.1:<port> true
 * sock.close();
 * ```
 */
export class Socket {
  /**
   * Makes a socket of `type` (a zmq.h number: 0 PAIR ... 11 STREAM) in
   * `options.context` (default: the shared {@link context}) and sets the
   * other options as properties.
   */
  constructor(type: number, options?: object) {
    if (typeof type !== "number") throw new TypeError("Socket type must be a number");
    if (options !== undefined && (options === null || typeof options !== "object")) {
      throw new TypeError("Options must be an object");
    }
    checkArgumentCount(arguments, 2);
    let context = defaultContext;
    if (options !== undefined && "context" in options) {
      const given = (options as { context: unknown }).context;
      if (!isContext(given)) throw errnoError("EINVAL");
      context = given;
    }
    const name = typeNames.get(type);
    if (name === undefined) throw errnoError("EINVAL");
    let inner: InnerSocket;
    try {
      inner = new socketClasses[name]({ context: mainContext(context) }) as InnerSocket;
    } catch (error) {
      throw fromMainError(error);
    }
    registerSocket(this, {
      inner,
      type: name,
      context,
      state: "open",
      requestClose: false,
      endpoints: 0,
      reading: false,
      writing: false,
      inproc: new Set(),
      onClose: new Set(),
    });
    Object.seal(this);
    if (options !== undefined) {
      try {
        assignOptions(this, options, "Socket", "context");
      } catch (error) {
        inner.close();
        throw error;
      }
    }
  }

  /**
   * The socket's event observer (the same object every time); monitoring
   * starts when it is first read.
   *
   * @example
   * ```ts
   * import * as zmq from "./zeromq.ts";
   * const sock = new zmq.Dealer();
   * sock.events.on("bind", (event) => console.log("bound to", event.address));
   * await sock.bind("tcp://127.0.0.1:*");
   * sock.close();
   * ```
   */
  get events(): Observer {
    const socket = state(this);
    return (socket.observer ??= new Observer(this)) as Observer;
  }

  /** The context the socket belongs to. */
  get context(): Context {
    return state(this).context;
  }

  /** True once the socket is closed (a close() during bind or unbind waits for it). */
  get closed(): boolean {
    return state(this).state === "closed";
  }

  /** True when a message can be received now (ZMQ_EVENTS has ZMQ_POLLIN). */
  get readable(): boolean {
    const socket = state(this);
    return socket.state !== "closed" && socket.inner.readable === true;
  }

  /** True when a message can be sent now (ZMQ_EVENTS has ZMQ_POLLOUT). */
  get writable(): boolean {
    const socket = state(this);
    return socket.state !== "closed" && socket.inner.writable === true;
  }

  /**
   * Closes the socket: a pending send or receive rejects with EAGAIN. During
   * a bind or unbind the socket closes once that settles.
   */
  close(): void {
    checkArgumentCount(arguments, 0);
    const socket = state(this);
    if (socket.state === "blocked") {
      socket.requestClose = true;
      return;
    }
    closeNow(socket);
  }

  /**
   * Binds to an endpoint; the socket is blocked (EBUSY for other calls) until
   * the promise settles, as in zeromq.js.
   *
   * @example
   * ```ts
   * import * as zmq from "./zeromq.ts";
   * const sock = new zmq.Reply();
   * await sock.bind("tcp://127.0.0.1:*");
   * sock.close();
   * ```
   */
  bind(address: string): Promise<void> {
    checkAddress(arguments);
    return this.#blocking(address, "bind", 1);
  }

  /** Stops listening on a bound endpoint; blocks the socket like {@link Socket.bind}. */
  unbind(address: string): Promise<void> {
    checkAddress(arguments);
    return this.#blocking(address, "unbind", -1);
  }

  /**
   * Binds at once, throwing any error.
   *
   * @example
   * ```ts
   * import * as zmq from "./zeromq.ts";
   * const sock = new zmq.Pull();
   * sock.bindSync("tcp://127.0.0.1:*");
   * sock.close();
   * ```
   */
  bindSync(address: string): void {
    checkAddress(arguments);
    this.#now(address, "bind", 1);
  }

  /** Unbinds at once, throwing any error. */
  unbindSync(address: string): void {
    checkAddress(arguments);
    this.#now(address, "unbind", -1);
  }

  /**
   * Connects to an endpoint (in the background, with reconnects).
   *
   * @example
   * ```ts
   * import * as zmq from "./zeromq.ts";
   * const sock = new zmq.Request();
   * sock.connect("tcp://127.0.0.1:5555");
   * sock.close();
   * ```
   */
  connect(address: string): void {
    checkAddress(arguments);
    const socket = state(this);
    throwUnlessOpen(socket);
    // libzmq 4.3.4 aborts the process when a socket closes after a failed
    // SOCKS connection: a socket with a SOCKS proxy set may not connect.
    const socks = readRaw(socket.inner[engine].pointer, SocketOption.SOCKS_PROXY, "String");
    if (socks !== null) throw errnoError("ENOTSUP", undefined, address);
    try {
      socket.inner.connect(address);
    } catch (error) {
      throw fromMainError(error);
    }
    socket.endpoints++;
  }

  /** Disconnects from an endpoint. */
  disconnect(address: string): void {
    checkAddress(arguments);
    const socket = state(this);
    throwUnlessOpen(socket);
    try {
      socket.inner.disconnect(address);
    } catch (error) {
      throw fromMainError(error);
    }
    socket.endpoints--;
  }

  #blocking(address: string, action: "bind" | "unbind", change: 1 | -1): Promise<void> {
    const socket = state(this);
    throwUnlessOpen(socket);
    socket.state = "blocked";
    return new Promise((resolve, reject) => {
      // zeromq.js binds on a worker thread: the socket stays blocked until a
      // later turn of the event loop.
      setImmediate(() => {
        let outcome: Promise<void>;
        try {
          outcome = socket.inner[action](address);
        } catch (error) {
          outcome = Promise.reject(error);
        }
        outcome.then(
          () => {
            trackInproc(socket, address, change);
            unblock(socket, change);
            resolve();
          },
          (error) => {
            unblock(socket, change);
            reject(fromMainError(error));
          },
        );
      });
    });
  }

  #now(address: string, action: "bind" | "unbind", change: 1 | -1): void {
    const socket = state(this);
    throwUnlessOpen(socket);
    try {
      socket.inner[endpointNow](action, address);
      trackInproc(socket, address, change);
    } catch (error) {
      throw fromMainError(error);
    } finally {
      socket.endpoints += change;
    }
  }

  /**
   * Reads a boolean option by its zmq.h number.
   *
   * @example
   * ```ts
   * import * as zmq from "./zeromq.ts";
   * class MyDealer extends zmq.Dealer {
   *   get immediateFlag(): boolean {
   *     return this.getBoolOption(39); // ZMQ_IMMEDIATE
   *   }
   * }
   * new MyDealer().close();
   * ```
   */
  protected getBoolOption(option: number): boolean {
    return this.#get(arguments, "Bool", option) as boolean;
  }

  /** Sets a boolean option by its zmq.h number. */
  protected setBoolOption(option: number, value: boolean): void {
    this.#set(arguments, "Bool", option, value);
  }

  /** Reads a 32-bit option by its zmq.h number. */
  protected getInt32Option(option: number): number {
    return this.#get(arguments, "Int32", option) as number;
  }

  /** Sets a 32-bit option by its zmq.h number. */
  protected setInt32Option(option: number, value: number): void {
    this.#set(arguments, "Int32", option, value);
  }

  /** Reads an unsigned 32-bit option by its zmq.h number. */
  protected getUint32Option(option: number): number {
    return this.#get(arguments, "Uint32", option) as number;
  }

  /** Sets an unsigned 32-bit option by its zmq.h number. */
  protected setUint32Option(option: number, value: number): void {
    this.#set(arguments, "Uint32", option, value);
  }

  /** Reads a 64-bit option by its zmq.h number. */
  protected getInt64Option(option: number): number {
    return this.#get(arguments, "Int64", option) as number;
  }

  /** Sets a 64-bit option by its zmq.h number. */
  protected setInt64Option(option: number, value: number): void {
    this.#set(arguments, "Int64", option, value);
  }

  /** Reads an unsigned 64-bit option by its zmq.h number. */
  protected getUint64Option(option: number): number {
    return this.#get(arguments, "Uint64", option) as number;
  }

  /**
   * Sets an unsigned 64-bit option by its zmq.h number; a value above
   * Number.MAX_SAFE_INTEGER gives a process warning, as in zeromq.js.
   */
  protected setUint64Option(option: number, value: number): void {
    this.#set(arguments, "Uint64", option, value);
  }

  /** Reads a text option by its zmq.h number; null when it is empty. */
  protected getStringOption(option: number): string | null {
    return this.#get(arguments, "String", option) as string | null;
  }

  /** Sets a text or binary option by its zmq.h number; null unsets it. */
  protected setStringOption(option: number, value: string | Uint8Array | null): void {
    this.#set(arguments, "String", option, value);
  }

  #get(args: IArguments, type: OptionCType, option: number): unknown {
    checkAccessorArguments(args, type, false);
    const socket = state(this);
    if (option === SocketOption.LAST_ENDPOINT && type === "String" && socket.state !== "closed") {
      // The main API keeps it readable while a Proxy's thread owns the socket.
      return socket.inner.lastEndpoint;
    }
    const inner = openInner(socket);
    const value = readRaw(inner[engine].pointer, option, type);
    inner[engine].afterOtherCall();
    return value;
  }

  #set(args: IArguments, type: OptionCType, id: number, value: unknown): void {
    checkAccessorArguments(args, type, true);
    const socket = state(this);
    if (!immediateOptions.has(id) && (socket.endpoints !== 0 || socket.state !== "open")) {
      warn("Socket option will not take effect until next connect/bind.");
    }
    const inner = openInner(socket);
    const bytes = encodeRaw(type, value);
    const name = guarded.get(id);
    if (name !== undefined) {
      try {
        inner.setOption(name, mainValue(type, value, bytes));
      } catch (error) {
        throw fromMainError(error);
      }
      return;
    }
    writeRaw(inner[engine].pointer, id, bytes);
    inner[engine].afterOtherCall();
  }
}

/** The value the main API's setOption takes for what zeromq.js was given. */
function mainValue(type: OptionCType, value: unknown, bytes: Uint8Array | null): unknown {
  if (type === "Bool") return value;
  if (type === "String") return bytes ?? "";
  return new DataView(bytes!.buffer).getInt32(0, true);
}

/** The main socket, if it can be used from this thread now. */
function openInner(socket: SocketState): MainSocket {
  if (socket.state === "closed") throw errorForErrno(errnoValue("ENOTSOCK"));
  try {
    socket.inner[engine].assertOpen();
  } catch (error) {
    throw fromMainError(error);
  }
  return socket.inner;
}

function unblock(socket: SocketState, change: 1 | -1): void {
  socket.state = "open";
  socket.endpoints += change;
  if (socket.requestClose) closeNow(socket);
}

function trackInproc(socket: SocketState, address: string, change: 1 | -1): void {
  if (!address.startsWith("inproc://")) return;
  if (change === 1) socket.inproc.add(address);
  else socket.inproc.delete(address);
}

/** Closes a socket that is not blocked. */
export function closeNow(socket: SocketState): void {
  socket.requestClose = false;
  if (socket.state === "closed") return;
  socket.state = "closed";
  socket.endpoints = 0;
  // libzmq frees an inproc name only when it has destroyed the socket, a
  // moment after close: unbinding first frees it now, so that the next
  // socket can bind it (zeromq.js closes sooner than the main API does).
  for (const address of socket.inproc) {
    socket.inner.unbind(address).catch(() => {});
  }
  socket.inproc.clear();
  socket.inner.close();
  for (const closed of socket.onClose) closed();
  socket.onClose.clear();
}

/**
 * Sends a message; rejects with zeromq.js's errors. Defined on every socket,
 * as in zeromq.js; typed only for the types that can send.
 */
function send(this: Socket, message: unknown): Promise<void> {
  if (arguments.length === 0 || message === undefined) {
    throw new TypeError("Message must be present");
  }
  checkArgumentCount(arguments, 1);
  const socket = state(this);
  throwUnlessOpen(socket);
  if (socket.writing) {
    throw errnoError(
      "EBUSY",
      "Socket is busy writing; only one send operation may be in progress at any time",
    );
  }
  const frames = outgoingFrames(message);
  if (frames.length === 0) return Promise.resolve();
  const inner = socket.inner;
  if (inner.send === undefined) return Promise.reject(errnoError("ENOTSUP"));
  socket.writing = true;
  let sent: Promise<void>;
  try {
    sent = inner.send(frames.length === 1 ? frames[0] : frames);
  } catch (error) {
    socket.writing = false;
    return Promise.reject(fromMainError(error));
  }
  return sent.then(
    () => {
      socket.writing = false;
    },
    (error) => {
      socket.writing = false;
      throw cancelledOrMapped(socket, error);
    },
  );
}

/** Receives the next message as Buffers; rejects with zeromq.js's errors. */
function receive(this: Socket): Promise<Message[]> {
  checkArgumentCount(arguments, 0);
  const socket = state(this);
  throwUnlessOpen(socket);
  if (socket.reading) {
    throw errnoError(
      "EBUSY",
      "Socket is busy reading; only one receive operation may be in progress at any time",
    );
  }
  const inner = socket.inner;
  if (inner.receive === undefined) return Promise.reject(errnoError("ENOTSUP"));
  socket.reading = true;
  return inner.receive().then(
    (frames) => {
      socket.reading = false;
      return frames.map(incomingFrame);
    },
    (error) => {
      socket.reading = false;
      throw cancelledOrMapped(socket, error);
    },
  );
}

// An operation that close() cancelled ends as zeromq.js's last try ends it:
// EAGAIN. libzmq's own errors (EFSM, ...) stay what they are.
function cancelledOrMapped(socket: SocketState, error: unknown): unknown {
  const cancelled = socket.state === "closed" && error instanceof ZmqError &&
    error.code === "ENOTSOCK";
  return cancelled ? errnoError("EAGAIN") : fromMainError(error);
}

Object.defineProperties(Socket.prototype, {
  send: { value: send, writable: true, configurable: true },
  receive: { value: receive, writable: true, configurable: true },
  [Symbol.asyncIterator]: { value: asyncIterator, writable: true, configurable: true },
});

/** The option properties every socket has (zeromq.js's names and value types). */
export interface Socket {
  /** ZMQ_AFFINITY: bitmask of I/O threads for new connections. */
  affinity: number;
  /** ZMQ_RATE: multicast data rate in kilobits per second. */
  rate: number;
  /** ZMQ_RECOVERY_IVL: multicast recovery interval in ms. */
  recoveryInterval: number;
  /** ZMQ_LINGER: ms unsent messages are kept after close (-1: until sent). */
  linger: number;
  /** ZMQ_RECONNECT_IVL: ms before reconnecting (-1: never). */
  reconnectInterval: number;
  /** ZMQ_BACKLOG: queue of pending incoming connections. */
  backlog: number;
  /** ZMQ_RECONNECT_IVL_MAX: upper bound of the reconnect back-off in ms. */
  reconnectMaxInterval: number;
  /** ZMQ_MAXMSGSIZE: largest message accepted from a peer (-1: no limit). */
  maxMessageSize: number;
  /** ZMQ_TCP_KEEPALIVE: SO_KEEPALIVE (-1: OS default). */
  tcpKeepalive: number;
  /** ZMQ_TCP_KEEPALIVE_CNT: TCP_KEEPCNT (-1: OS default). */
  tcpKeepaliveCount: number;
  /** ZMQ_TCP_KEEPALIVE_IDLE: TCP_KEEPIDLE (-1: OS default). */
  tcpKeepaliveIdle: number;
  /** ZMQ_TCP_KEEPALIVE_INTVL: TCP_KEEPINTVL (-1: OS default). */
  tcpKeepaliveInterval: number;
  /** ZMQ_TCP_ACCEPT_FILTER: accept connections only from this address. */
  tcpAcceptFilter: string | null;
  /** ZMQ_IMMEDIATE: queue messages only to completed connections. */
  immediate: boolean;
  /** ZMQ_IPV6: use IPv6 as well as IPv4. */
  ipv6: boolean;
  /** ZMQ_PLAIN_SERVER: act as a PLAIN server. */
  plainServer: boolean;
  /** ZMQ_PLAIN_USERNAME: the PLAIN client's username. */
  plainUsername: string | null;
  /** ZMQ_PLAIN_PASSWORD: the PLAIN client's password. */
  plainPassword: string | null;
  /** ZMQ_CURVE_SERVER: act as a CURVE server. */
  curveServer: boolean;
  /** ZMQ_CURVE_PUBLICKEY: this socket's public key (Z85). */
  curvePublicKey: string | null;
  /** ZMQ_CURVE_SECRETKEY: this socket's secret key (Z85). */
  curveSecretKey: string | null;
  /** ZMQ_CURVE_SERVERKEY: the server's public key, on a client (Z85). */
  curveServerKey: string | null;
  /** ZMQ_GSSAPI_SERVER: act as a GSSAPI server. */
  gssapiServer: boolean;
  /** ZMQ_GSSAPI_PRINCIPAL: this socket's GSSAPI principal. */
  gssapiPrincipal: string | null;
  /** ZMQ_GSSAPI_SERVICE_PRINCIPAL: the server's GSSAPI principal. */
  gssapiServicePrincipal: string | null;
  /** ZMQ_GSSAPI_PLAINTEXT: GSSAPI without encryption. */
  gssapiPlainText: boolean;
  /** ZMQ_GSSAPI_PRINCIPAL_NAMETYPE: how gssapiPrincipal is read. */
  gssapiPrincipalNameType: "hostBased" | "userName" | "krb5Principal";
  /** ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE: how gssapiServicePrincipal is read. */
  gssapiServicePrincipalNameType: "hostBased" | "userName" | "krb5Principal";
  /** ZMQ_ZAP_DOMAIN: the authentication domain. */
  zapDomain: string | null;
  /** ZMQ_TOS: the IP type-of-service of outgoing packets. */
  typeOfService: number;
  /** ZMQ_HANDSHAKE_IVL: ms allowed for the ZMTP handshake. */
  handshakeInterval: number;
  /**
   * ZMQ_SOCKS_PROXY: connect through this SOCKS5 proxy. It can be set and
   * read, but connect() refuses it (ENOTSUP): libzmq 4.3.4 aborts the process
   * when a socket closes after a failed SOCKS connection.
   */
  socksProxy: string | null;
  /** ZMQ_HEARTBEAT_IVL: ms between ZMTP heartbeats. */
  heartbeatInterval: number;
  /** ZMQ_HEARTBEAT_TTL: how long the peer may go without a heartbeat, in ms. */
  heartbeatTimeToLive: number;
  /** ZMQ_HEARTBEAT_TIMEOUT: ms without traffic after a heartbeat before the peer is dead. */
  heartbeatTimeout: number;
  /** ZMQ_CONNECT_TIMEOUT: ms a TCP connect may take. */
  connectTimeout: number;
  /** ZMQ_TCP_MAXRT: TCP_USER_TIMEOUT in ms. */
  tcpMaxRetransmitTimeout: number;
  /** ZMQ_MULTICAST_MAXTPDU: largest multicast datagram. */
  multicastMaxTransportDataUnit: number;
  /** ZMQ_VMCI_BUFFER_SIZE. */
  vmciBufferSize: number;
  /** ZMQ_VMCI_BUFFER_MIN_SIZE. */
  vmciBufferMinSize: number;
  /** ZMQ_VMCI_BUFFER_MAX_SIZE. */
  vmciBufferMaxSize: number;
  /** ZMQ_VMCI_CONNECT_TIMEOUT. */
  vmciConnectTimeout: number;
  /** ZMQ_BINDTODEVICE: bind to this network interface. */
  interface: string | null;
  /** ZMQ_ZAP_ENFORCE_DOMAIN (DRAFT in libzmq 4.3: EINVAL without the draft API). */
  zapEnforceDomain: boolean;
  /** ZMQ_LOOPBACK_FASTPATH (DRAFT in libzmq 4.3: EINVAL without the draft API). */
  loopbackFastPath: boolean;
  /** ZMQ_TYPE: the socket type's number (read-only). */
  readonly type: number;
  /** ZMQ_LAST_ENDPOINT: the endpoint last bound or connected (read-only). */
  readonly lastEndpoint: string | null;
  /** ZMQ_MECHANISM: null, "plain", "curve" or "gssapi" (read-only). */
  readonly securityMechanism: null | "plain" | "curve" | "gssapi";
  /** ZMQ_THREAD_SAFE: whether the socket type is thread-safe (read-only). */
  readonly threadSafe: boolean;
}

/**
 * Every libzmq 4.3 socket option, declared once: its zmq.h name, its C type,
 * whether it can be read and written, which socket types it is for, and what
 * it does. Properties, constructor options and getOption/setOption all read
 * this table, and scripts/options_declarations.ts generates the typed
 * interfaces of src/socket_options.ts from it (a test keeps them in step).
 *
 * @module
 */
import { SocketOption, type SocketTypeName } from "../ffi/constants.ts";
import { loadNative } from "../ffi/load.ts";
import type { Pointer } from "../ffi/native.ts";
import { misuse, zmqFailure } from "./errors.ts";
import { retryInterrupted } from "./interrupted_calls.ts";

/** How an option's value is stored in C and seen in JavaScript. */
export type OptionType =
  | "int" // int -> number
  | "bool" // int 0/1 -> boolean
  | "int64" // int64_t -> number
  | "uint64" // uint64_t -> number
  | "string" // char[] -> string
  | "bytes" // binary -> Uint8Array (a string is taken as UTF-8)
  | "key"; // CURVE key: 40-char Z85 or 32 raw bytes in, Z85 out

/** One row of the option table. */
export interface OptionSpec {
  /** The camelCase property name. */
  readonly name: string;
  /** The zmq.h name without the `ZMQ_` prefix. */
  readonly zmqName: keyof typeof SocketOption;
  readonly id: number;
  readonly type: OptionType;
  readonly access: "rw" | "r" | "w";
  /** The socket types it applies to; undefined means every type. */
  readonly for?: readonly SocketTypeName[];
  /** The property's documentation (markdown; the first sentence is the summary). */
  readonly doc: string;
  /** False where the Socket class declares the property itself (lastEndpoint). */
  readonly declared?: false;
}

type Row = Omit<OptionSpec, "id">;

const rows: readonly Row[] = [
  {
    name: "affinity",
    zmqName: "AFFINITY",
    type: "uint64",
    access: "rw",
    doc: "bitmask of I/O threads that may serve new connections (a pgm:// or epgm:// one " +
      "runs on the lowest of them).",
  },
  {
    name: "routingId",
    zmqName: "ROUTING_ID",
    type: "bytes",
    access: "rw",
    doc: "this socket's identity as seen by a ROUTER peer (1-255 bytes); reads back as bytes.",
  },
  {
    name: "rate",
    zmqName: "RATE",
    type: "int",
    access: "rw",
    doc: "multicast data rate in kilobits per second.",
  },
  {
    name: "recoveryInterval",
    zmqName: "RECOVERY_IVL",
    type: "int",
    access: "rw",
    doc: "multicast recovery interval in milliseconds.",
  },
  {
    name: "sendBufferSize",
    zmqName: "SNDBUF",
    type: "int",
    access: "rw",
    doc: "kernel send buffer size in bytes (-1: OS default).",
  },
  {
    name: "receiveBufferSize",
    zmqName: "RCVBUF",
    type: "int",
    access: "rw",
    doc: "kernel receive buffer size in bytes (-1: OS default).",
  },
  {
    name: "fileDescriptor",
    zmqName: "FD",
    type: "int",
    access: "r",
    doc: "the file descriptor that signals state changes (edge-triggered; read ZMQ_EVENTS " +
      "after it fires); read-only.",
  },
  {
    name: "socketType",
    zmqName: "TYPE",
    type: "int",
    access: "r",
    doc: "the socket type's number from zmq.h (ZMQ_PUSH = 8, ...); read-only.",
  },
  {
    name: "linger",
    zmqName: "LINGER",
    type: "int",
    access: "rw",
    doc: "milliseconds unsent messages are kept after close (-1: until sent, 0: dropped).",
  },
  {
    name: "reconnectInterval",
    zmqName: "RECONNECT_IVL",
    type: "int",
    access: "rw",
    doc: "milliseconds before reconnecting (-1: never).",
  },
  {
    name: "backlog",
    zmqName: "BACKLOG",
    type: "int",
    access: "rw",
    doc: "queue of pending incoming connections.",
  },
  {
    name: "reconnectIntervalMax",
    zmqName: "RECONNECT_IVL_MAX",
    type: "int",
    access: "rw",
    doc: "upper bound of the reconnect back-off in milliseconds (0: no back-off).",
  },
  {
    name: "maxMessageSize",
    zmqName: "MAXMSGSIZE",
    type: "int64",
    access: "rw",
    doc: "largest message accepted from a peer in bytes (-1: no limit); larger ones drop the peer.",
  },
  {
    name: "sendHighWaterMark",
    zmqName: "SNDHWM",
    type: "int",
    access: "rw",
    doc: "most outgoing messages queued per peer (0: no limit); set it before bind/connect.",
  },
  {
    name: "receiveHighWaterMark",
    zmqName: "RCVHWM",
    type: "int",
    access: "rw",
    doc: "most incoming messages queued per peer (0: no limit); set it before bind/connect.",
  },
  {
    name: "multicastHops",
    zmqName: "MULTICAST_HOPS",
    type: "int",
    access: "rw",
    doc: "time-to-live of multicast packets.",
  },
  {
    name: "receiveTimeout",
    zmqName: "RCVTIMEO",
    type: "int",
    access: "rw",
    doc: "the default bound of `receive()` in milliseconds: -1 (the default) waits " +
      "forever, 0 fails at once with EAGAIN when no message is waiting, N fails with " +
      "EAGAIN after N ms. A call's own `{ timeout }` overrides it.",
  },
  {
    name: "sendTimeout",
    zmqName: "SNDTIMEO",
    type: "int",
    access: "rw",
    doc: "the default bound of `send()` in milliseconds: -1 (the default) waits forever, " +
      "0 fails at once with EAGAIN when the message cannot be queued (no peer, or the " +
      "high-water mark reached), N fails with EAGAIN after N ms. A call's own " +
      "`{ timeout }` overrides it.",
  },
  {
    name: "lastEndpoint",
    zmqName: "LAST_ENDPOINT",
    type: "string",
    access: "r",
    doc: "the endpoint last bound or connected, with a wildcard port resolved; read-only.",
    declared: false,
  },
  {
    name: "mandatory",
    zmqName: "ROUTER_MANDATORY",
    type: "bool",
    access: "w",
    for: ["ROUTER"],
    doc: "fail with EHOSTUNREACH instead of dropping messages to unknown peers (write-only).",
  },
  {
    name: "tcpKeepalive",
    zmqName: "TCP_KEEPALIVE",
    type: "int",
    access: "rw",
    doc: "SO_KEEPALIVE (-1: OS default, 0: off, 1: on).",
  },
  {
    name: "tcpKeepaliveCount",
    zmqName: "TCP_KEEPALIVE_CNT",
    type: "int",
    access: "rw",
    doc: "TCP_KEEPCNT (-1: OS default).",
  },
  {
    name: "tcpKeepaliveIdle",
    zmqName: "TCP_KEEPALIVE_IDLE",
    type: "int",
    access: "rw",
    doc: "TCP_KEEPIDLE in seconds (-1: OS default).",
  },
  {
    name: "tcpKeepaliveInterval",
    zmqName: "TCP_KEEPALIVE_INTVL",
    type: "int",
    access: "rw",
    doc: "TCP_KEEPINTVL in seconds (-1: OS default).",
  },
  {
    name: "tcpAcceptFilter",
    zmqName: "TCP_ACCEPT_FILTER",
    type: "bytes",
    access: "w",
    doc: "deprecated by libzmq; accepts connections only from this address (write-only).",
  },
  {
    name: "immediate",
    zmqName: "IMMEDIATE",
    type: "bool",
    access: "rw",
    doc: "queue messages only to completed connections.",
  },
  {
    name: "verbose",
    zmqName: "XPUB_VERBOSE",
    type: "bool",
    access: "w",
    for: ["XPUB"],
    doc: "pass on every subscription, not only new ones (write-only).",
  },
  {
    name: "ipv6",
    zmqName: "IPV6",
    type: "bool",
    access: "rw",
    doc: "use IPv6 as well as IPv4.",
  },
  {
    name: "securityMechanism",
    zmqName: "MECHANISM",
    type: "int",
    access: "r",
    doc: "the security mechanism in use (0 NULL, 1 PLAIN, 2 CURVE, 3 GSSAPI); read-only.",
  },
  {
    name: "plainServer",
    zmqName: "PLAIN_SERVER",
    type: "bool",
    access: "rw",
    doc: "act as a PLAIN server (check username and password through ZAP).",
  },
  {
    name: "plainUsername",
    zmqName: "PLAIN_USERNAME",
    type: "string",
    access: "rw",
    doc: "the PLAIN client's username.",
  },
  {
    name: "plainPassword",
    zmqName: "PLAIN_PASSWORD",
    type: "string",
    access: "rw",
    doc: "the PLAIN client's password.",
  },
  {
    name: "curveServer",
    zmqName: "CURVE_SERVER",
    type: "bool",
    access: "rw",
    doc: "act as a CURVE server (needs curveSecretKey).",
  },
  {
    name: "curvePublicKey",
    zmqName: "CURVE_PUBLICKEY",
    type: "key",
    access: "rw",
    doc: "this socket's long-term public key (Z85 or 32 bytes); reads back as Z85.",
  },
  {
    name: "curveSecretKey",
    zmqName: "CURVE_SECRETKEY",
    type: "key",
    access: "rw",
    doc: "this socket's long-term secret key (Z85 or 32 bytes); reads back as Z85.",
  },
  {
    name: "curveServerKey",
    zmqName: "CURVE_SERVERKEY",
    type: "key",
    access: "rw",
    doc: "the server's public key, set on a CURVE client (Z85 or 32 bytes).",
  },
  {
    name: "probeRouter",
    zmqName: "PROBE_ROUTER",
    type: "bool",
    access: "w",
    for: ["ROUTER", "DEALER", "REQ"],
    doc: "send an empty message on connect so a ROUTER learns this peer (write-only).",
  },
  {
    name: "correlate",
    zmqName: "REQ_CORRELATE",
    type: "bool",
    access: "w",
    for: ["REQ"],
    doc: "match replies to requests with a request id (write-only).",
  },
  {
    name: "relaxed",
    zmqName: "REQ_RELAXED",
    type: "bool",
    access: "w",
    for: ["REQ"],
    doc: "allow a new request before the reply to the last one (write-only).",
  },
  {
    name: "conflate",
    zmqName: "CONFLATE",
    type: "bool",
    access: "w",
    for: ["PUSH", "PULL", "PUB", "SUB", "DEALER"],
    doc: "keep only the last message (single-frame messages only; write-only).",
  },
  {
    name: "zapDomain",
    zmqName: "ZAP_DOMAIN",
    type: "string",
    access: "rw",
    doc: "the authentication domain passed to the ZAP handler.",
  },
  {
    name: "handover",
    zmqName: "ROUTER_HANDOVER",
    type: "bool",
    access: "w",
    for: ["ROUTER"],
    doc: "a new peer with a known routing id takes over the old connection (write-only).",
  },
  {
    name: "typeOfService",
    zmqName: "TOS",
    type: "int",
    access: "rw",
    doc: "the IP type-of-service byte of outgoing packets.",
  },
  {
    name: "connectRoutingId",
    zmqName: "CONNECT_ROUTING_ID",
    type: "bytes",
    access: "w",
    for: ["ROUTER", "STREAM"],
    doc: "the routing id to give the peer of the next connect() (write-only).",
  },
  {
    name: "gssapiServer",
    zmqName: "GSSAPI_SERVER",
    type: "bool",
    access: "rw",
    doc: "act as a GSSAPI server.",
  },
  {
    name: "gssapiPrincipal",
    zmqName: "GSSAPI_PRINCIPAL",
    type: "string",
    access: "rw",
    doc: "this socket's GSSAPI principal.",
  },
  {
    name: "gssapiServicePrincipal",
    zmqName: "GSSAPI_SERVICE_PRINCIPAL",
    type: "string",
    access: "rw",
    doc: "the server's GSSAPI principal, set on a client.",
  },
  {
    name: "gssapiPlainText",
    zmqName: "GSSAPI_PLAINTEXT",
    type: "bool",
    access: "rw",
    doc: "GSSAPI authentication without encryption.",
  },
  {
    name: "handshakeInterval",
    zmqName: "HANDSHAKE_IVL",
    type: "int",
    access: "rw",
    doc: "milliseconds allowed for the ZMTP handshake (0: no limit).",
  },
  {
    name: "socksProxy",
    zmqName: "SOCKS_PROXY",
    type: "string",
    access: "rw",
    doc: "connect through this SOCKS5 proxy (host:port). Setting it is refused (ENOTSUP): " +
      "libzmq 4.3.4 aborts the process when a socket closes after a failed SOCKS connection.",
  },
  {
    name: "noDrop",
    zmqName: "XPUB_NODROP",
    type: "bool",
    access: "w",
    for: ["PUB", "XPUB"],
    doc: "make sends wait (EAGAIN) instead of dropping at the high-water mark (write-only).",
  },
  {
    name: "manual",
    zmqName: "XPUB_MANUAL",
    type: "bool",
    access: "w",
    for: ["XPUB"],
    doc: "subscriptions are applied by the application, not automatically (write-only).",
  },
  {
    name: "welcomeMessage",
    zmqName: "XPUB_WELCOME_MSG",
    type: "bytes",
    access: "w",
    for: ["XPUB"],
    doc: `a message sent to each new subscriber (write-only).
libzmq sends it when the XPublisher next processes its commands, that is
on its next call: keep a \`receive()\` pending on it (as an XPublisher
usually does, to read subscriptions) or the welcome waits.

@example
\`\`\`ts
import * as zmq from "./mod.ts";
const xpub = new zmq.XPublisher({ welcomeMessage: "hello" });
await xpub.bind("tcp://127.0.0.1:*");
const subscriptions = xpub.receive(); // also lets the welcome go out
const sub = new zmq.Subscriber();
sub.subscribe("");
sub.connect(xpub.lastEndpoint!);
const [welcome] = await sub.receive(); // the bytes of "hello"
\`\`\``,
  },
  {
    name: "notify",
    zmqName: "STREAM_NOTIFY",
    type: "bool",
    access: "w",
    for: ["STREAM"],
    doc: "deliver an empty message on each connect and disconnect (write-only).",
  },
  {
    name: "invertMatching",
    zmqName: "INVERT_MATCHING",
    type: "bool",
    access: "rw",
    for: ["PUB", "SUB", "XPUB"],
    doc: "deliver what does NOT match the subscriptions.",
  },
  {
    name: "heartbeatInterval",
    zmqName: "HEARTBEAT_IVL",
    type: "int",
    access: "rw",
    doc: "milliseconds between ZMTP heartbeats (0: none).",
  },
  {
    name: "heartbeatTimeToLive",
    zmqName: "HEARTBEAT_TTL",
    type: "int",
    access: "rw",
    doc: "how long the peer may wait for a heartbeat before dropping us, in milliseconds.",
  },
  {
    name: "heartbeatTimeout",
    zmqName: "HEARTBEAT_TIMEOUT",
    type: "int",
    access: "rw",
    doc: "milliseconds without traffic after a heartbeat before the peer counts as dead.",
  },
  {
    name: "verboser",
    zmqName: "XPUB_VERBOSER",
    type: "bool",
    access: "w",
    for: ["XPUB"],
    doc: "pass on every subscription and unsubscription (write-only).",
  },
  {
    name: "connectTimeout",
    zmqName: "CONNECT_TIMEOUT",
    type: "int",
    access: "rw",
    doc: "milliseconds a TCP connect may take (0: the OS default).",
  },
  {
    name: "tcpMaxRetransmitTimeout",
    zmqName: "TCP_MAXRT",
    type: "int",
    access: "rw",
    doc: "TCP_USER_TIMEOUT in milliseconds (0: the OS default).",
  },
  {
    name: "threadSafe",
    zmqName: "THREAD_SAFE",
    type: "bool",
    access: "r",
    doc: "whether the socket type is thread-safe (never, for these types); read-only.",
  },
  {
    name: "multicastMaxTransportDataUnitSize",
    zmqName: "MULTICAST_MAXTPDU",
    type: "int",
    access: "rw",
    doc: "largest multicast datagram in bytes.",
  },
  {
    name: "useFd",
    zmqName: "USE_FD",
    type: "int",
    access: "rw",
    doc: "bind to this pre-opened file descriptor instead of creating one (-1: off).",
  },
  {
    name: "gssapiPrincipalNameType",
    zmqName: "GSSAPI_PRINCIPAL_NAMETYPE",
    type: "int",
    access: "rw",
    doc: "how gssapiPrincipal is interpreted.",
  },
  {
    name: "gssapiServicePrincipalNameType",
    zmqName: "GSSAPI_SERVICE_PRINCIPAL_NAMETYPE",
    type: "int",
    access: "rw",
    doc: "how gssapiServicePrincipal is interpreted.",
  },
  {
    name: "bindToDevice",
    zmqName: "BINDTODEVICE",
    type: "string",
    access: "rw",
    doc: "bind the socket to this network interface (SO_BINDTODEVICE).",
  },
];

/** The table. */
export const socketOptions: readonly OptionSpec[] = rows.map((row) => ({
  ...row,
  id: SocketOption[row.zmqName],
}));

/** Options by property name. */
export const optionByName: ReadonlyMap<string, OptionSpec> = new Map(
  socketOptions.map((o) => [o.name, o]),
);
const optionByZmqName = new Map<string, OptionSpec>(socketOptions.map((o) => [o.zmqName, o]));

/** Looks an option up by its zmq.h name ("ZMQ_LINGER" or "LINGER") or property name. */
export function findOption(name: string): OptionSpec | undefined {
  if (typeof name !== "string") return undefined;
  const bare = name.startsWith("ZMQ_") ? name.slice(4) : name;
  return optionByZmqName.get(bare) ?? optionByName.get(name);
}

/** True when the option applies to sockets of `type`. */
export function appliesTo(option: OptionSpec, type: SocketTypeName): boolean {
  return option.for === undefined || option.for.includes(type);
}

/** The options that apply to sockets of `type`, by property name. */
export function optionsFor(type: SocketTypeName): OptionSpec[] {
  return socketOptions.filter((option) => appliesTo(option, type));
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const Z85_KEY_LENGTH = 40;
const RAW_KEY_LENGTH = 32;
const valueBuffer = new Uint8Array(new ArrayBuffer(1024));
const valueView = new DataView(valueBuffer.buffer);
const sizeBuffer = new BigUint64Array(1);
const capacityOf: Record<OptionType, number> = {
  int: 4,
  bool: 4,
  int64: 8,
  uint64: 8,
  string: valueBuffer.length,
  bytes: 256,
  key: Z85_KEY_LENGTH + 1,
};

/** Reads an option from a socket. */
export function readOption(socket: Pointer, option: OptionSpec): unknown {
  const zmq = loadNative().zmq;
  // libzmq wants the exact size for numbers and room for the NUL for text.
  const capacity = capacityOf[option.type];
  sizeBuffer[0] = BigInt(capacity);
  const read = () => zmq.zmq_getsockopt(socket, option.id, valueBuffer, sizeBuffer);
  if (retryInterrupted(read) !== 0) {
    throw zmqFailure(`Cannot read option ${option.name} (ZMQ_${option.zmqName})`);
  }
  const size = Number(sizeBuffer[0]);
  switch (option.type) {
    case "int":
      return valueView.getInt32(0, true);
    case "bool":
      return valueView.getInt32(0, true) !== 0;
    case "int64":
      return Number(valueView.getBigInt64(0, true));
    case "uint64":
      return Number(valueView.getBigUint64(0, true));
    case "string":
    case "key":
      // Strings come back NUL-terminated; the size counts the NUL.
      return decoder.decode(valueBuffer.subarray(0, Math.max(0, size - 1)));
    case "bytes":
      return valueBuffer.slice(0, size);
  }
}

/** Writes an option to a socket; wrong value types are a TypeError. */
export function writeOption(socket: Pointer, option: OptionSpec, value: unknown): void {
  // libzmq takes any other negative as a descriptor and aborts on it later.
  if (option.name === "useFd" && typeof value === "number" && value < -1) {
    throw new RangeError(
      `Option useFd (ZMQ_USE_FD) must be -1 (off) or a file descriptor, got ${value}`,
    );
  }
  const bytes = encodeOption(option, value);
  // libzmq 4.3.4 frees a failed SOCKS connection's poll entry and then
  // removes it again when the socket closes or disconnects in the retry
  // window: the process aborts ("Bad file descriptor (src/epoll.cpp:113)").
  if (option.name === "socksProxy" && bytes.byteLength > 0) {
    throw misuse(
      "ENOTSUP",
      "Option socksProxy (ZMQ_SOCKS_PROXY) is not supported: libzmq 4.3.4 aborts the process " +
        "when a socket closes after a failed SOCKS connection",
    );
  }
  const zmq = loadNative().zmq;
  // An empty text option means "unset": libzmq takes that as NULL and length 0
  // (a non-NULL empty string is refused for PLAIN credentials).
  const empty = bytes.byteLength === 0 && (option.type === "string" || option.type === "bytes");
  const data = empty ? null as unknown as Uint8Array : bytes;
  if (zmq.zmq_setsockopt(socket, option.id, data, bytes.byteLength) !== 0) {
    throw zmqFailure(`Cannot set option ${option.name} (ZMQ_${option.zmqName})`);
  }
}

function encodeOption(option: OptionSpec, value: unknown): Uint8Array {
  const label = `Option ${option.name} (ZMQ_${option.zmqName})`;
  switch (option.type) {
    case "int": {
      if (
        !Number.isInteger(value) || (value as number) < -(2 ** 31) || (value as number) >= 2 ** 31
      ) {
        throw new TypeError(`${label} must be a 32-bit integer, got ${show(value)}`);
      }
      const out = new Uint8Array(4);
      new DataView(out.buffer).setInt32(0, value as number, true);
      return out;
    }
    case "bool": {
      if (typeof value !== "boolean") {
        throw new TypeError(`${label} must be a boolean, got ${show(value)}`);
      }
      return new Uint8Array([value ? 1 : 0, 0, 0, 0]);
    }
    case "int64":
    case "uint64": {
      const unsigned = option.type === "uint64";
      const ok = (typeof value === "number" && Number.isInteger(value)) ||
        typeof value === "bigint";
      if (!ok || (unsigned && value! < 0)) {
        throw new TypeError(
          `${label} must be ${unsigned ? "a non-negative" : "an"} integer, got ${show(value)}`,
        );
      }
      const out = new Uint8Array(8);
      const view = new DataView(out.buffer);
      if (unsigned) view.setBigUint64(0, BigInt(value as number), true);
      else view.setBigInt64(0, BigInt(value as number), true);
      return out;
    }
    case "string": {
      if (typeof value !== "string") {
        throw new TypeError(`${label} must be a string, got ${show(value)}`);
      }
      return encoder.encode(value);
    }
    case "bytes": {
      if (typeof value === "string") return encoder.encode(value);
      if (value instanceof Uint8Array) return value;
      if (ArrayBuffer.isView(value)) {
        return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
      }
      if (value instanceof ArrayBuffer) return new Uint8Array(value);
      throw new TypeError(`${label} must be a string or bytes, got ${show(value)}`);
    }
    case "key": {
      // Never echo the value: it may be a secret key.
      if (typeof value === "string") {
        if (value.length !== Z85_KEY_LENGTH) {
          throw new TypeError(
            `${label} must be a ${Z85_KEY_LENGTH}-character Z85 key or ${RAW_KEY_LENGTH} bytes, got a string of ${value.length} characters`,
          );
        }
        return encoder.encode(value);
      }
      if (value instanceof Uint8Array && value.byteLength === RAW_KEY_LENGTH) return value;
      if (value instanceof Uint8Array) {
        throw new TypeError(
          `${label} must be ${RAW_KEY_LENGTH} bytes or a ${Z85_KEY_LENGTH}-character Z85 key, got ${value.byteLength} bytes`,
        );
      }
      throw new TypeError(`${label} must be a Z85 string or 32 bytes, got ${typeof value}`);
    }
  }
}

function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.slice(0, 40));
  if (value === null || value === undefined) return String(value);
  if (typeof value === "object") return `an object (${value.constructor?.name ?? "Object"})`;
  return `${typeof value} ${String(value)}`;
}

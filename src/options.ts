/**
 * Every libzmq 4.3 socket option, declared once: its zmq.h name and id, its C
 * type, whether it can be read and written, and which socket types it is for.
 * Properties, constructor options and getOption/setOption all read this table.
 *
 * @module
 */
import { loadNative } from "../ffi/load.ts";
import type { Pointer } from "../ffi/native.ts";
import { misuse, zmqFailure } from "./errors.ts";

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
  readonly zmqName: string;
  readonly id: number;
  readonly type: OptionType;
  readonly access: "rw" | "r" | "w";
  /** Socket type names it applies to; undefined means every type. */
  readonly for?: readonly string[];
}

const SUB_SIDE = ["Publisher", "Subscriber", "XPublisher", "XSubscriber"] as const;

/** The table. */
export const socketOptions: readonly OptionSpec[] = [
  { name: "affinity", zmqName: "AFFINITY", id: 4, type: "uint64", access: "rw" },
  { name: "routingId", zmqName: "ROUTING_ID", id: 5, type: "bytes", access: "rw" },
  { name: "rate", zmqName: "RATE", id: 8, type: "int", access: "rw" },
  { name: "recoveryInterval", zmqName: "RECOVERY_IVL", id: 9, type: "int", access: "rw" },
  { name: "sendBufferSize", zmqName: "SNDBUF", id: 11, type: "int", access: "rw" },
  { name: "receiveBufferSize", zmqName: "RCVBUF", id: 12, type: "int", access: "rw" },
  { name: "fileDescriptor", zmqName: "FD", id: 14, type: "int", access: "r" },
  { name: "socketType", zmqName: "TYPE", id: 16, type: "int", access: "r" },
  { name: "linger", zmqName: "LINGER", id: 17, type: "int", access: "rw" },
  { name: "reconnectInterval", zmqName: "RECONNECT_IVL", id: 18, type: "int", access: "rw" },
  { name: "backlog", zmqName: "BACKLOG", id: 19, type: "int", access: "rw" },
  {
    name: "reconnectIntervalMax",
    zmqName: "RECONNECT_IVL_MAX",
    id: 21,
    type: "int",
    access: "rw",
  },
  { name: "maxMessageSize", zmqName: "MAXMSGSIZE", id: 22, type: "int64", access: "rw" },
  { name: "sendHighWaterMark", zmqName: "SNDHWM", id: 23, type: "int", access: "rw" },
  { name: "receiveHighWaterMark", zmqName: "RCVHWM", id: 24, type: "int", access: "rw" },
  { name: "multicastHops", zmqName: "MULTICAST_HOPS", id: 25, type: "int", access: "rw" },
  { name: "receiveTimeout", zmqName: "RCVTIMEO", id: 27, type: "int", access: "rw" },
  { name: "sendTimeout", zmqName: "SNDTIMEO", id: 28, type: "int", access: "rw" },
  { name: "lastEndpoint", zmqName: "LAST_ENDPOINT", id: 32, type: "string", access: "r" },
  {
    name: "mandatory",
    zmqName: "ROUTER_MANDATORY",
    id: 33,
    type: "bool",
    access: "w",
    for: ["Router"],
  },
  { name: "tcpKeepalive", zmqName: "TCP_KEEPALIVE", id: 34, type: "int", access: "rw" },
  {
    name: "tcpKeepaliveCount",
    zmqName: "TCP_KEEPALIVE_CNT",
    id: 35,
    type: "int",
    access: "rw",
  },
  {
    name: "tcpKeepaliveIdle",
    zmqName: "TCP_KEEPALIVE_IDLE",
    id: 36,
    type: "int",
    access: "rw",
  },
  {
    name: "tcpKeepaliveInterval",
    zmqName: "TCP_KEEPALIVE_INTVL",
    id: 37,
    type: "int",
    access: "rw",
  },
  { name: "tcpAcceptFilter", zmqName: "TCP_ACCEPT_FILTER", id: 38, type: "string", access: "w" },
  { name: "immediate", zmqName: "IMMEDIATE", id: 39, type: "bool", access: "rw" },
  {
    name: "verbose",
    zmqName: "XPUB_VERBOSE",
    id: 40,
    type: "bool",
    access: "w",
    for: ["XPublisher"],
  },
  { name: "ipv6", zmqName: "IPV6", id: 42, type: "bool", access: "rw" },
  { name: "securityMechanism", zmqName: "MECHANISM", id: 43, type: "int", access: "r" },
  { name: "plainServer", zmqName: "PLAIN_SERVER", id: 44, type: "bool", access: "rw" },
  { name: "plainUsername", zmqName: "PLAIN_USERNAME", id: 45, type: "string", access: "rw" },
  { name: "plainPassword", zmqName: "PLAIN_PASSWORD", id: 46, type: "string", access: "rw" },
  { name: "curveServer", zmqName: "CURVE_SERVER", id: 47, type: "bool", access: "rw" },
  { name: "curvePublicKey", zmqName: "CURVE_PUBLICKEY", id: 48, type: "key", access: "rw" },
  { name: "curveSecretKey", zmqName: "CURVE_SECRETKEY", id: 49, type: "key", access: "rw" },
  { name: "curveServerKey", zmqName: "CURVE_SERVERKEY", id: 50, type: "key", access: "rw" },
  {
    name: "probeRouter",
    zmqName: "PROBE_ROUTER",
    id: 51,
    type: "bool",
    access: "w",
    for: ["Router", "Dealer", "Request"],
  },
  {
    name: "correlate",
    zmqName: "REQ_CORRELATE",
    id: 52,
    type: "bool",
    access: "w",
    for: ["Request"],
  },
  {
    name: "relaxed",
    zmqName: "REQ_RELAXED",
    id: 53,
    type: "bool",
    access: "w",
    for: ["Request"],
  },
  {
    name: "conflate",
    zmqName: "CONFLATE",
    id: 54,
    type: "bool",
    access: "w",
    for: ["Push", "Pull", "Publisher", "Subscriber", "Dealer", "Pair"],
  },
  { name: "zapDomain", zmqName: "ZAP_DOMAIN", id: 55, type: "string", access: "rw" },
  {
    name: "handover",
    zmqName: "ROUTER_HANDOVER",
    id: 56,
    type: "bool",
    access: "w",
    for: ["Router"],
  },
  { name: "typeOfService", zmqName: "TOS", id: 57, type: "int", access: "rw" },
  {
    name: "connectRoutingId",
    zmqName: "CONNECT_ROUTING_ID",
    id: 61,
    type: "bytes",
    access: "w",
    for: ["Router", "Stream"],
  },
  { name: "gssapiServer", zmqName: "GSSAPI_SERVER", id: 62, type: "bool", access: "rw" },
  {
    name: "gssapiPrincipal",
    zmqName: "GSSAPI_PRINCIPAL",
    id: 63,
    type: "string",
    access: "rw",
  },
  {
    name: "gssapiServicePrincipal",
    zmqName: "GSSAPI_SERVICE_PRINCIPAL",
    id: 64,
    type: "string",
    access: "rw",
  },
  {
    name: "gssapiPlainText",
    zmqName: "GSSAPI_PLAINTEXT",
    id: 65,
    type: "bool",
    access: "rw",
  },
  { name: "handshakeInterval", zmqName: "HANDSHAKE_IVL", id: 66, type: "int", access: "rw" },
  { name: "socksProxy", zmqName: "SOCKS_PROXY", id: 68, type: "string", access: "rw" },
  {
    name: "noDrop",
    zmqName: "XPUB_NODROP",
    id: 69,
    type: "bool",
    access: "w",
    for: ["Publisher", "XPublisher"],
  },
  {
    name: "manual",
    zmqName: "XPUB_MANUAL",
    id: 71,
    type: "bool",
    access: "w",
    for: ["XPublisher"],
  },
  {
    name: "welcomeMessage",
    zmqName: "XPUB_WELCOME_MSG",
    id: 72,
    type: "bytes",
    access: "w",
    for: ["XPublisher"],
  },
  {
    name: "notify",
    zmqName: "STREAM_NOTIFY",
    id: 73,
    type: "bool",
    access: "w",
    for: ["Stream"],
  },
  {
    name: "invertMatching",
    zmqName: "INVERT_MATCHING",
    id: 74,
    type: "bool",
    access: "rw",
    for: SUB_SIDE,
  },
  { name: "heartbeatInterval", zmqName: "HEARTBEAT_IVL", id: 75, type: "int", access: "rw" },
  {
    name: "heartbeatTimeToLive",
    zmqName: "HEARTBEAT_TTL",
    id: 76,
    type: "int",
    access: "rw",
  },
  {
    name: "heartbeatTimeout",
    zmqName: "HEARTBEAT_TIMEOUT",
    id: 77,
    type: "int",
    access: "rw",
  },
  {
    name: "verboser",
    zmqName: "XPUB_VERBOSER",
    id: 78,
    type: "bool",
    access: "w",
    for: ["XPublisher"],
  },
  { name: "connectTimeout", zmqName: "CONNECT_TIMEOUT", id: 79, type: "int", access: "rw" },
  {
    name: "tcpMaxRetransmitTimeout",
    zmqName: "TCP_MAXRT",
    id: 80,
    type: "int",
    access: "rw",
  },
  { name: "threadSafe", zmqName: "THREAD_SAFE", id: 81, type: "bool", access: "r" },
  {
    name: "multicastMaxTransportDataUnitSize",
    zmqName: "MULTICAST_MAXTPDU",
    id: 84,
    type: "int",
    access: "rw",
  },
  { name: "useFd", zmqName: "USE_FD", id: 89, type: "int", access: "rw" },
  {
    name: "gssapiPrincipalNameType",
    zmqName: "GSSAPI_PRINCIPAL_NAMETYPE",
    id: 90,
    type: "int",
    access: "rw",
  },
  {
    name: "gssapiServicePrincipalNameType",
    zmqName: "GSSAPI_SERVICE_PRINCIPAL_NAMETYPE",
    id: 91,
    type: "int",
    access: "rw",
  },
  { name: "bindToDevice", zmqName: "BINDTODEVICE", id: 92, type: "string", access: "rw" },
];

/** Options for every socket type, by property name. */
export const optionByName: ReadonlyMap<string, OptionSpec> = new Map(
  socketOptions.map((o) => [o.name, o]),
);
const optionByZmqName = new Map(socketOptions.map((o) => [o.zmqName, o]));

/** Looks an option up by its zmq.h name ("ZMQ_LINGER" or "LINGER") or property name. */
export function findOption(name: string): OptionSpec | undefined {
  if (typeof name !== "string") return undefined;
  const bare = name.startsWith("ZMQ_") ? name.slice(4) : name;
  return optionByZmqName.get(bare) ?? optionByName.get(name);
}

/** True when the option applies to the socket type (by class name). */
export function appliesTo(option: OptionSpec, typeName: string): boolean {
  return option.for === undefined || option.for.includes(typeName);
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
  if (zmq.zmq_getsockopt(socket, option.id, valueBuffer, sizeBuffer) !== 0) {
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
    const error = zmqFailure(`Cannot set option ${option.name} (ZMQ_${option.zmqName})`);
    throw error;
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

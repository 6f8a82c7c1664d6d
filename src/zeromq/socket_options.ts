/**
 * The socket options zeromq.js v6 has, as properties: which socket types have
 * each, its zmq.h option, its C type, whether it can be read and written, and
 * for a few the names that stand for its numbers. Each property calls the
 * socket's typed accessor (getInt32Option, setStringOption, ...), as in
 * zeromq.js, so a subclass sees the same.
 *
 * @module
 */
import { SocketOption, type SocketTypeName } from "../../ffi/constants.ts";
import type { OptionCType } from "./option_access.ts";

/** zmq.h ids this library's constant table leaves out (VMCI transport, DRAFT API). */
const ExtraOption = {
  VMCI_BUFFER_SIZE: 85,
  VMCI_BUFFER_MIN_SIZE: 86,
  VMCI_BUFFER_MAX_SIZE: 87,
  VMCI_CONNECT_TIMEOUT: 88,
  ZAP_ENFORCE_DOMAIN: 93,
  LOOPBACK_FASTPATH: 94,
} as const;

type OptionName = keyof typeof SocketOption | keyof typeof ExtraOption;

/** One property of the table. */
export interface CompatOption {
  readonly name: string;
  readonly id: number;
  readonly type: OptionCType;
  readonly access: "r" | "w" | "rw";
  /** The socket types that have it; undefined: every type. */
  readonly for?: readonly SocketTypeName[];
  /** Names for the option's numbers (0, 1, 2, ...), as zeromq.js gives them. */
  readonly values?: readonly (string | null)[];
  /** Only where libzmq has this capability. */
  readonly needs?: "curve" | "gssapi";
}

const SENDERS: SocketTypeName[] = [
  "PAIR",
  "PUB",
  "REQ",
  "REP",
  "DEALER",
  "ROUTER",
  "PUSH",
  "XPUB",
  "XSUB",
  "STREAM",
];
const RECEIVERS: SocketTypeName[] = [
  "PAIR",
  "SUB",
  "REQ",
  "REP",
  "DEALER",
  "ROUTER",
  "PULL",
  "XPUB",
  "XSUB",
  "STREAM",
];
const PRINCIPAL_TYPES = ["hostBased", "userName", "krb5Principal"];

type Row = [
  name: string,
  option: OptionName,
  type: OptionCType,
  access?: "r" | "w" | "rw",
  extra?: Partial<Pick<CompatOption, "for" | "values" | "needs">>,
];

const rows: Row[] = [
  ["sendBufferSize", "SNDBUF", "Int32", "rw", { for: SENDERS }],
  ["sendHighWaterMark", "SNDHWM", "Int32", "rw", { for: SENDERS }],
  ["sendTimeout", "SNDTIMEO", "Int32", "rw", { for: SENDERS }],
  ["multicastHops", "MULTICAST_HOPS", "Int32", "rw", { for: SENDERS }],
  ["receiveBufferSize", "RCVBUF", "Int32", "rw", { for: RECEIVERS }],
  ["receiveHighWaterMark", "RCVHWM", "Int32", "rw", { for: RECEIVERS }],
  ["receiveTimeout", "RCVTIMEO", "Int32", "rw", { for: RECEIVERS }],
  ["affinity", "AFFINITY", "Uint64"],
  ["routingId", "ROUTING_ID", "String", "rw", { for: ["REQ", "REP", "ROUTER", "DEALER"] }],
  ["rate", "RATE", "Int32"],
  ["recoveryInterval", "RECOVERY_IVL", "Int32"],
  ["type", "TYPE", "Int32", "r"],
  ["linger", "LINGER", "Int32"],
  ["reconnectInterval", "RECONNECT_IVL", "Int32"],
  ["backlog", "BACKLOG", "Int32"],
  ["reconnectMaxInterval", "RECONNECT_IVL_MAX", "Int32"],
  ["maxMessageSize", "MAXMSGSIZE", "Int64"],
  ["lastEndpoint", "LAST_ENDPOINT", "String", "r"],
  ["mandatory", "ROUTER_MANDATORY", "Bool", "rw", { for: ["ROUTER"] }],
  ["tcpKeepalive", "TCP_KEEPALIVE", "Int32"],
  ["tcpKeepaliveCount", "TCP_KEEPALIVE_CNT", "Int32"],
  ["tcpKeepaliveIdle", "TCP_KEEPALIVE_IDLE", "Int32"],
  ["tcpKeepaliveInterval", "TCP_KEEPALIVE_INTVL", "Int32"],
  ["tcpAcceptFilter", "TCP_ACCEPT_FILTER", "String"],
  ["immediate", "IMMEDIATE", "Bool"],
  ["ipv6", "IPV6", "Bool"],
  ["securityMechanism", "MECHANISM", "Int32", "r", { values: [null, "plain", "curve", "gssapi"] }],
  ["plainServer", "PLAIN_SERVER", "Bool"],
  ["plainUsername", "PLAIN_USERNAME", "String"],
  ["plainPassword", "PLAIN_PASSWORD", "String"],
  ["curveServer", "CURVE_SERVER", "Bool", "rw", { needs: "curve" }],
  ["curvePublicKey", "CURVE_PUBLICKEY", "String", "rw", { needs: "curve" }],
  ["curveSecretKey", "CURVE_SECRETKEY", "String", "rw", { needs: "curve" }],
  ["curveServerKey", "CURVE_SERVERKEY", "String", "rw", { needs: "curve" }],
  ["probeRouter", "PROBE_ROUTER", "Bool", "w", { for: ["ROUTER", "DEALER", "REQ"] }],
  ["correlate", "REQ_CORRELATE", "Bool", "w", { for: ["REQ"] }],
  ["relaxed", "REQ_RELAXED", "Bool", "w", { for: ["REQ"] }],
  ["conflate", "CONFLATE", "Bool", "w", { for: ["PULL", "PUSH", "SUB", "PUB", "DEALER"] }],
  ["zapDomain", "ZAP_DOMAIN", "String"],
  ["handover", "ROUTER_HANDOVER", "Bool", "w", { for: ["ROUTER"] }],
  ["typeOfService", "TOS", "Uint32"],
  ["gssapiServer", "GSSAPI_SERVER", "Bool", "rw", { needs: "gssapi" }],
  ["gssapiPrincipal", "GSSAPI_PRINCIPAL", "String", "rw", { needs: "gssapi" }],
  ["gssapiServicePrincipal", "GSSAPI_SERVICE_PRINCIPAL", "String", "rw", { needs: "gssapi" }],
  ["gssapiPlainText", "GSSAPI_PLAINTEXT", "Bool", "rw", { needs: "gssapi" }],
  ["gssapiPrincipalNameType", "GSSAPI_PRINCIPAL_NAMETYPE", "Int32", "rw", {
    needs: "gssapi",
    values: PRINCIPAL_TYPES,
  }],
  ["gssapiServicePrincipalNameType", "GSSAPI_SERVICE_PRINCIPAL_NAMETYPE", "Int32", "rw", {
    needs: "gssapi",
    values: PRINCIPAL_TYPES,
  }],
  ["handshakeInterval", "HANDSHAKE_IVL", "Int32"],
  ["socksProxy", "SOCKS_PROXY", "String"],
  ["noDrop", "XPUB_NODROP", "Bool", "w", { for: ["XPUB", "PUB"] }],
  ["manual", "XPUB_MANUAL", "Bool", "w", { for: ["XPUB"] }],
  ["welcomeMessage", "XPUB_WELCOME_MSG", "String", "w", { for: ["XPUB"] }],
  ["notify", "STREAM_NOTIFY", "Bool", "w", { for: ["STREAM"] }],
  ["invertMatching", "INVERT_MATCHING", "Bool", "rw", { for: ["PUB", "SUB", "XPUB"] }],
  ["heartbeatInterval", "HEARTBEAT_IVL", "Int32"],
  ["heartbeatTimeToLive", "HEARTBEAT_TTL", "Int32"],
  ["heartbeatTimeout", "HEARTBEAT_TIMEOUT", "Int32"],
  ["connectTimeout", "CONNECT_TIMEOUT", "Int32"],
  ["tcpMaxRetransmitTimeout", "TCP_MAXRT", "Int32"],
  ["threadSafe", "THREAD_SAFE", "Bool", "r"],
  ["multicastMaxTransportDataUnit", "MULTICAST_MAXTPDU", "Int32"],
  ["vmciBufferSize", "VMCI_BUFFER_SIZE", "Uint64"],
  ["vmciBufferMinSize", "VMCI_BUFFER_MIN_SIZE", "Uint64"],
  ["vmciBufferMaxSize", "VMCI_BUFFER_MAX_SIZE", "Uint64"],
  ["vmciConnectTimeout", "VMCI_CONNECT_TIMEOUT", "Int32"],
  ["interface", "BINDTODEVICE", "String"],
  ["zapEnforceDomain", "ZAP_ENFORCE_DOMAIN", "Bool"],
  ["loopbackFastPath", "LOOPBACK_FASTPATH", "Bool"],
];

/** The table. */
export const compatSocketOptions: readonly CompatOption[] = rows.map((
  [name, option, type, access = "rw", extra = {}],
) => ({
  name,
  id: option in SocketOption
    ? SocketOption[option as keyof typeof SocketOption]
    : ExtraOption[option as keyof typeof ExtraOption],
  type,
  access,
  ...extra,
}));

/** Socket options that take effect at once, so setting them on a connected socket is no mistake. */
export const immediateOptions: ReadonlySet<number> = new Set([
  SocketOption.SUBSCRIBE,
  SocketOption.UNSUBSCRIBE,
  SocketOption.LINGER,
  SocketOption.ROUTER_MANDATORY,
  SocketOption.PROBE_ROUTER,
  SocketOption.XPUB_VERBOSE,
  SocketOption.REQ_CORRELATE,
  SocketOption.REQ_RELAXED,
  SocketOption.ROUTER_HANDOVER,
  SocketOption.XPUB_VERBOSER,
  SocketOption.SNDHWM,
  SocketOption.RCVHWM,
  SocketOption.SNDTIMEO,
  SocketOption.RCVTIMEO,
]);

/** What a property needs of the object it is defined on. */
interface Accessible {
  [accessor: string]: unknown;
}

/**
 * Defines `options` as properties of `target.prototype`, each calling the
 * typed accessor (`get${type}Option` / `set${type}Option`). A read-only
 * property refuses a write with the TypeError V8 gives zeromq.js's native
 * objects (`#<owner>` names the native class), in every runtime.
 */
export function defineOptions(
  target: { prototype: object },
  options: readonly Pick<CompatOption, "name" | "id" | "type" | "access" | "values">[],
  owner: "Socket" | "Context",
): void {
  for (const option of options) {
    if (Object.hasOwn(target.prototype, option.name)) continue;
    const { id, type, values, name } = option;
    const descriptor: PropertyDescriptor = { configurable: true };
    if (option.access !== "w") {
      descriptor.get = function (this: Accessible) {
        const raw = (this[`get${type}Option`] as (id: number) => unknown).call(this, id);
        return values === undefined ? raw : values[raw as number];
      };
    }
    descriptor.set = option.access === "r"
      ? function () {
        throw new TypeError(`Cannot set property ${name} of #<${owner}> which has only a getter`);
      }
      : function (this: Accessible, value: unknown) {
        const raw = values === undefined ? value : values.indexOf(value as string);
        (this[`set${type}Option`] as (id: number, value: unknown) => void).call(this, id, raw);
      };
    Object.defineProperty(target.prototype, name, descriptor);
  }
}

/**
 * The options of the table that apply to `type` (undefined: those every type
 * has). CURVE and GSSAPI options are defined whether or not libzmq has the
 * mechanism (zeromq.js leaves them out), so that importing loads nothing:
 * libzmq refuses them with EINVAL where it lacks the mechanism.
 */
export function optionsForType(type: SocketTypeName | undefined): CompatOption[] {
  return compatSocketOptions.filter((option) =>
    type === undefined ? option.for === undefined : option.for?.includes(type) === true
  );
}

/**
 * Numbers from zmq.h (libzmq 4.3, stable API only) and the errno values this
 * library names. Declared once; everything else refers to these.
 *
 * @module
 */

/**
 * The socket types by their zmq.h names, with zmq.h's numbers (`ZMQ_PAIR` is
 * 0, ...): what a socket's `type` and `socketType` say.
 *
 * @example
 * ```ts
 * import * as zmq from "./mod.ts";
 * const push = new zmq.Push();
 * console.log(push.type, push.socketType === zmq.SocketType[push.type]); // "PUSH" true
 * push.close();
 * ```
 */
export const SocketType = {
  PAIR: 0,
  PUB: 1,
  SUB: 2,
  REQ: 3,
  REP: 4,
  DEALER: 5,
  ROUTER: 6,
  PULL: 7,
  PUSH: 8,
  XPUB: 9,
  XSUB: 10,
  STREAM: 11,
} as const;

/** A socket type as zmq.h names it ("PUSH", "REQ", ...): the one spelling the library uses. */
export type SocketTypeName = keyof typeof SocketType;

/** Context options for `zmq_ctx_set` / `zmq_ctx_get`. */
export const ContextOption = {
  IO_THREADS: 1,
  MAX_SOCKETS: 2,
  SOCKET_LIMIT: 3,
  THREAD_PRIORITY: 3,
  THREAD_SCHED_POLICY: 4,
  MAX_MSGSZ: 5,
  MSG_T_SIZE: 6,
  THREAD_AFFINITY_CPU_ADD: 7,
  THREAD_AFFINITY_CPU_REMOVE: 8,
  THREAD_NAME_PREFIX: 9,
  IPV6: 42,
  BLOCKY: 70,
} as const;

/**
 * Socket option ids (`ZMQ_*` for `zmq_setsockopt` / `zmq_getsockopt`), stable
 * API only. src/options.ts says which of them are properties, with their C
 * types; the engine uses the rest (EVENTS, RCVMORE, SUBSCRIBE) directly.
 */
export const SocketOption = {
  AFFINITY: 4,
  ROUTING_ID: 5,
  SUBSCRIBE: 6,
  UNSUBSCRIBE: 7,
  RATE: 8,
  RECOVERY_IVL: 9,
  SNDBUF: 11,
  RCVBUF: 12,
  RCVMORE: 13,
  FD: 14,
  EVENTS: 15,
  TYPE: 16,
  LINGER: 17,
  RECONNECT_IVL: 18,
  BACKLOG: 19,
  RECONNECT_IVL_MAX: 21,
  MAXMSGSIZE: 22,
  SNDHWM: 23,
  RCVHWM: 24,
  MULTICAST_HOPS: 25,
  RCVTIMEO: 27,
  SNDTIMEO: 28,
  LAST_ENDPOINT: 32,
  ROUTER_MANDATORY: 33,
  TCP_KEEPALIVE: 34,
  TCP_KEEPALIVE_CNT: 35,
  TCP_KEEPALIVE_IDLE: 36,
  TCP_KEEPALIVE_INTVL: 37,
  TCP_ACCEPT_FILTER: 38,
  IMMEDIATE: 39,
  XPUB_VERBOSE: 40,
  IPV6: 42,
  MECHANISM: 43,
  PLAIN_SERVER: 44,
  PLAIN_USERNAME: 45,
  PLAIN_PASSWORD: 46,
  CURVE_SERVER: 47,
  CURVE_PUBLICKEY: 48,
  CURVE_SECRETKEY: 49,
  CURVE_SERVERKEY: 50,
  PROBE_ROUTER: 51,
  REQ_CORRELATE: 52,
  REQ_RELAXED: 53,
  CONFLATE: 54,
  ZAP_DOMAIN: 55,
  ROUTER_HANDOVER: 56,
  TOS: 57,
  CONNECT_ROUTING_ID: 61,
  GSSAPI_SERVER: 62,
  GSSAPI_PRINCIPAL: 63,
  GSSAPI_SERVICE_PRINCIPAL: 64,
  GSSAPI_PLAINTEXT: 65,
  HANDSHAKE_IVL: 66,
  SOCKS_PROXY: 68,
  XPUB_NODROP: 69,
  XPUB_MANUAL: 71,
  XPUB_WELCOME_MSG: 72,
  STREAM_NOTIFY: 73,
  INVERT_MATCHING: 74,
  HEARTBEAT_IVL: 75,
  HEARTBEAT_TTL: 76,
  HEARTBEAT_TIMEOUT: 77,
  XPUB_VERBOSER: 78,
  CONNECT_TIMEOUT: 79,
  TCP_MAXRT: 80,
  THREAD_SAFE: 81,
  MULTICAST_MAXTPDU: 84,
  USE_FD: 89,
  GSSAPI_PRINCIPAL_NAMETYPE: 90,
  GSSAPI_SERVICE_PRINCIPAL_NAMETYPE: 91,
  BINDTODEVICE: 92,
} as const;

/** Send/receive flags. */
export const Flag = { DONTWAIT: 1, SNDMORE: 2 } as const;

/** `ZMQ_EVENTS` / `zmq_poll` bits. */
export const Poll = { IN: 1, OUT: 2, ERR: 4, PRI: 8 } as const;

/** `struct pollfd { int fd; short events; short revents; }`: its size and field offsets. */
export const Pollfd = { BYTES: 8, FD: 0, EVENTS: 4, REVENTS: 6 } as const;

/** libc poll(2) bits (the same on Linux and macOS). */
export const PosixPoll = { IN: 0x1, OUT: 0x4, ERR: 0x8, HUP: 0x10, NVAL: 0x20 } as const;

/** Monitor event ids (`ZMQ_EVENT_*`). */
export const MonitorEvent = {
  CONNECTED: 0x0001,
  CONNECT_DELAYED: 0x0002,
  CONNECT_RETRIED: 0x0004,
  LISTENING: 0x0008,
  BIND_FAILED: 0x0010,
  ACCEPTED: 0x0020,
  ACCEPT_FAILED: 0x0040,
  CLOSED: 0x0080,
  CLOSE_FAILED: 0x0100,
  DISCONNECTED: 0x0200,
  MONITOR_STOPPED: 0x0400,
  HANDSHAKE_FAILED_NO_DETAIL: 0x0800,
  HANDSHAKE_SUCCEEDED: 0x1000,
  HANDSHAKE_FAILED_PROTOCOL: 0x2000,
  HANDSHAKE_FAILED_AUTH: 0x4000,
  ALL: 0xffff,
} as const;

/** Message properties for `zmq_msg_get`. */
export const MessageProperty = { MORE: 1, SRCFD: 2, SHARED: 3 } as const;

/** Device kinds for the classic `zmq_device`/proxy roles. */
export const Device = { STREAMER: 1, FORWARDER: 2, QUEUE: 3 } as const;

/** Security mechanisms reported by `ZMQ_MECHANISM`. */
export const Mechanism = { NULL: 0, PLAIN: 1, CURVE: 2, GSSAPI: 3 } as const;

/** libzmq's own error numbers start here. */
export const HAUSNUMERO = 156384712;

/** Error numbers libzmq defines itself, the same on every OS. */
export const zmqErrno = {
  EFSM: HAUSNUMERO + 51,
  ENOCOMPATPROTO: HAUSNUMERO + 52,
  ETERM: HAUSNUMERO + 53,
  EMTHREAD: HAUSNUMERO + 54,
} as const;

/** POSIX errno values by OS, for the codes a ZmqError names. */
export const posixErrno: Record<"linux" | "darwin", Record<string, number>> = {
  linux: {
    EPERM: 1,
    ENOENT: 2,
    EINTR: 4,
    EBADF: 9,
    EAGAIN: 11,
    ENOMEM: 12,
    EACCES: 13,
    EFAULT: 14,
    EBUSY: 16,
    ENODEV: 19,
    EINVAL: 22,
    EMFILE: 24,
    ENOSPC: 28,
    ENAMETOOLONG: 36,
    ENOTSOCK: 88,
    EMSGSIZE: 90,
    EPROTONOSUPPORT: 93,
    ENOTSUP: 95,
    EAFNOSUPPORT: 97,
    EADDRINUSE: 98,
    EADDRNOTAVAIL: 99,
    ENETDOWN: 100,
    ENETUNREACH: 101,
    ECONNABORTED: 103,
    ECONNRESET: 104,
    ENOBUFS: 105,
    ENOTCONN: 107,
    ETIMEDOUT: 110,
    ECONNREFUSED: 111,
    EHOSTUNREACH: 113,
    EINPROGRESS: 115,
  },
  darwin: {
    EPERM: 1,
    ENOENT: 2,
    EINTR: 4,
    EBADF: 9,
    ENOMEM: 12,
    EACCES: 13,
    EFAULT: 14,
    EBUSY: 16,
    ENODEV: 19,
    EINVAL: 22,
    EMFILE: 24,
    ENOSPC: 28,
    EAGAIN: 35,
    EINPROGRESS: 36,
    ENOTSOCK: 38,
    EMSGSIZE: 40,
    EPROTONOSUPPORT: 43,
    ENOTSUP: 45,
    EAFNOSUPPORT: 47,
    EADDRINUSE: 48,
    EADDRNOTAVAIL: 49,
    ENETDOWN: 50,
    ENETUNREACH: 51,
    ECONNABORTED: 53,
    ECONNRESET: 54,
    ENOBUFS: 55,
    ENOTCONN: 57,
    ETIMEDOUT: 60,
    ECONNREFUSED: 61,
    ENAMETOOLONG: 63,
    EHOSTUNREACH: 65,
  },
};

/** Size of `zmq_msg_t` (64 bytes, 8-byte aligned). */
export const MSG_T_SIZE = 64;

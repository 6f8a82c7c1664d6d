/**
 * The typed option properties of each socket type, as TypeScript sees them.
 * GENERATED from the option table in src/options.ts by
 * scripts/options_declarations.ts: edit the table, then run
 * `deno task gen:options` (test/options_table_test.ts fails while this file is stale).
 *
 * @module
 */

/** Options every socket type has, as properties. */
export interface SocketOptionProperties {
  /**
   * ZMQ_AFFINITY: bitmask of I/O threads that may serve new connections (a pgm:// or epgm:// one
   * runs on the lowest of them).
   */
  affinity: number;
  /**
   * ZMQ_ROUTING_ID: this socket's identity as seen by a ROUTER peer (1-255 bytes); reads back as
   * bytes.
   */
  routingId: Uint8Array | string;
  /** ZMQ_RATE: multicast data rate in kilobits per second. */
  rate: number;
  /** ZMQ_RECOVERY_IVL: multicast recovery interval in milliseconds. */
  recoveryInterval: number;
  /** ZMQ_SNDBUF: kernel send buffer size in bytes (-1: OS default). */
  sendBufferSize: number;
  /** ZMQ_RCVBUF: kernel receive buffer size in bytes (-1: OS default). */
  receiveBufferSize: number;
  /**
   * ZMQ_FD: the file descriptor that signals state changes (edge-triggered; read ZMQ_EVENTS after
   * it fires); read-only.
   */
  readonly fileDescriptor: number;
  /** ZMQ_TYPE: the socket type's number from zmq.h (ZMQ_PUSH = 8, ...); read-only. */
  readonly socketType: number;
  /** ZMQ_LINGER: milliseconds unsent messages are kept after close (-1: until sent, 0: dropped). */
  linger: number;
  /** ZMQ_RECONNECT_IVL: milliseconds before reconnecting (-1: never). */
  reconnectInterval: number;
  /** ZMQ_BACKLOG: queue of pending incoming connections. */
  backlog: number;
  /**
   * ZMQ_RECONNECT_IVL_MAX: upper bound of the reconnect back-off in milliseconds (0: no back-off).
   */
  reconnectIntervalMax: number;
  /**
   * ZMQ_MAXMSGSIZE: largest message accepted from a peer in bytes (-1: no limit); larger ones drop
   * the peer.
   */
  maxMessageSize: number;
  /**
   * ZMQ_SNDHWM: most outgoing messages queued per peer (0: no limit); set it before bind/connect.
   */
  sendHighWaterMark: number;
  /**
   * ZMQ_RCVHWM: most incoming messages queued per peer (0: no limit); set it before bind/connect.
   */
  receiveHighWaterMark: number;
  /** ZMQ_MULTICAST_HOPS: time-to-live of multicast packets. */
  multicastHops: number;
  /**
   * ZMQ_RCVTIMEO: the default bound of `receive()` in milliseconds: -1 (the default) waits forever,
   * 0 fails at once with EAGAIN when no message is waiting, N fails with EAGAIN after N ms. A
   * call's own `{ timeout }` overrides it.
   */
  receiveTimeout: number;
  /**
   * ZMQ_SNDTIMEO: the default bound of `send()` in milliseconds: -1 (the default) waits forever, 0
   * fails at once with EAGAIN when the message cannot be queued (no peer, or the high-water mark
   * reached), N fails with EAGAIN after N ms. A call's own `{ timeout }` overrides it.
   */
  sendTimeout: number;
  /** ZMQ_TCP_KEEPALIVE: SO_KEEPALIVE (-1: OS default, 0: off, 1: on). */
  tcpKeepalive: number;
  /** ZMQ_TCP_KEEPALIVE_CNT: TCP_KEEPCNT (-1: OS default). */
  tcpKeepaliveCount: number;
  /** ZMQ_TCP_KEEPALIVE_IDLE: TCP_KEEPIDLE in seconds (-1: OS default). */
  tcpKeepaliveIdle: number;
  /** ZMQ_TCP_KEEPALIVE_INTVL: TCP_KEEPINTVL in seconds (-1: OS default). */
  tcpKeepaliveInterval: number;
  /**
   * ZMQ_TCP_ACCEPT_FILTER: deprecated by libzmq; accepts connections only from this address
   * (write-only).
   */
  tcpAcceptFilter: Uint8Array | string;
  /** ZMQ_IMMEDIATE: queue messages only to completed connections. */
  immediate: boolean;
  /** ZMQ_IPV6: use IPv6 as well as IPv4. */
  ipv6: boolean;
  /**
   * ZMQ_MECHANISM: the security mechanism in use (0 NULL, 1 PLAIN, 2 CURVE, 3 GSSAPI); read-only.
   */
  readonly securityMechanism: number;
  /** ZMQ_PLAIN_SERVER: act as a PLAIN server (check username and password through ZAP). */
  plainServer: boolean;
  /** ZMQ_PLAIN_USERNAME: the PLAIN client's username. */
  plainUsername: string;
  /** ZMQ_PLAIN_PASSWORD: the PLAIN client's password. */
  plainPassword: string;
  /** ZMQ_CURVE_SERVER: act as a CURVE server (needs curveSecretKey). */
  curveServer: boolean;
  /**
   * ZMQ_CURVE_PUBLICKEY: this socket's long-term public key (Z85 or 32 bytes); reads back as Z85.
   */
  curvePublicKey: string | Uint8Array;
  /**
   * ZMQ_CURVE_SECRETKEY: this socket's long-term secret key (Z85 or 32 bytes); reads back as Z85.
   */
  curveSecretKey: string | Uint8Array;
  /** ZMQ_CURVE_SERVERKEY: the server's public key, set on a CURVE client (Z85 or 32 bytes). */
  curveServerKey: string | Uint8Array;
  /** ZMQ_ZAP_DOMAIN: the authentication domain passed to the ZAP handler. */
  zapDomain: string;
  /** ZMQ_TOS: the IP type-of-service byte of outgoing packets. */
  typeOfService: number;
  /** ZMQ_GSSAPI_SERVER: act as a GSSAPI server. */
  gssapiServer: boolean;
  /** ZMQ_GSSAPI_PRINCIPAL: this socket's GSSAPI principal. */
  gssapiPrincipal: string;
  /** ZMQ_GSSAPI_SERVICE_PRINCIPAL: the server's GSSAPI principal, set on a client. */
  gssapiServicePrincipal: string;
  /** ZMQ_GSSAPI_PLAINTEXT: GSSAPI authentication without encryption. */
  gssapiPlainText: boolean;
  /** ZMQ_HANDSHAKE_IVL: milliseconds allowed for the ZMTP handshake (0: no limit). */
  handshakeInterval: number;
  /**
   * ZMQ_SOCKS_PROXY: connect through this SOCKS5 proxy (host:port). Setting it is refused
   * (ENOTSUP): libzmq 4.3.4 aborts the process when a socket closes after a failed SOCKS
   * connection.
   */
  socksProxy: string;
  /** ZMQ_HEARTBEAT_IVL: milliseconds between ZMTP heartbeats (0: none). */
  heartbeatInterval: number;
  /**
   * ZMQ_HEARTBEAT_TTL: how long the peer may wait for a heartbeat before dropping us, in
   * milliseconds.
   */
  heartbeatTimeToLive: number;
  /**
   * ZMQ_HEARTBEAT_TIMEOUT: milliseconds without traffic after a heartbeat before the peer counts as
   * dead.
   */
  heartbeatTimeout: number;
  /** ZMQ_CONNECT_TIMEOUT: milliseconds a TCP connect may take (0: the OS default). */
  connectTimeout: number;
  /** ZMQ_TCP_MAXRT: TCP_USER_TIMEOUT in milliseconds (0: the OS default). */
  tcpMaxRetransmitTimeout: number;
  /**
   * ZMQ_THREAD_SAFE: whether the socket type is thread-safe (never, for these types); read-only.
   */
  readonly threadSafe: boolean;
  /** ZMQ_MULTICAST_MAXTPDU: largest multicast datagram in bytes. */
  multicastMaxTransportDataUnitSize: number;
  /** ZMQ_USE_FD: bind to this pre-opened file descriptor instead of creating one (-1: off). */
  useFd: number;
  /** ZMQ_GSSAPI_PRINCIPAL_NAMETYPE: how gssapiPrincipal is interpreted. */
  gssapiPrincipalNameType: number;
  /** ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE: how gssapiServicePrincipal is interpreted. */
  gssapiServicePrincipalNameType: number;
  /** ZMQ_BINDTODEVICE: bind the socket to this network interface (SO_BINDTODEVICE). */
  bindToDevice: string;
}

/** Options of a Pair socket (ZMQ_PAIR), as properties. */
export interface PairOptionProperties extends SocketOptionProperties {
}

/** What `new Pair(...)` takes: any writable option, and SocketConstructorOptions. */
export type PairOptions = WritableOptions<PairOptionProperties>;

/** Options of a Publisher socket (ZMQ_PUB), as properties. */
export interface PublisherOptionProperties extends SocketOptionProperties {
  /** ZMQ_CONFLATE: keep only the last message (single-frame messages only; write-only). */
  conflate: boolean;
  /**
   * ZMQ_XPUB_NODROP: make sends wait (EAGAIN) instead of dropping at the high-water mark
   * (write-only).
   */
  noDrop: boolean;
  /** ZMQ_INVERT_MATCHING: deliver what does NOT match the subscriptions. */
  invertMatching: boolean;
}

/** What `new Publisher(...)` takes: any writable option, and SocketConstructorOptions. */
export type PublisherOptions = WritableOptions<PublisherOptionProperties>;

/** Options of a Subscriber socket (ZMQ_SUB), as properties. */
export interface SubscriberOptionProperties extends SocketOptionProperties {
  /** ZMQ_CONFLATE: keep only the last message (single-frame messages only; write-only). */
  conflate: boolean;
  /** ZMQ_INVERT_MATCHING: deliver what does NOT match the subscriptions. */
  invertMatching: boolean;
}

/** What `new Subscriber(...)` takes: any writable option, and SocketConstructorOptions. */
export type SubscriberOptions = WritableOptions<SubscriberOptionProperties>;

/** Options of a Request socket (ZMQ_REQ), as properties. */
export interface RequestOptionProperties extends SocketOptionProperties {
  /**
   * ZMQ_PROBE_ROUTER: send an empty message on connect so a ROUTER learns this peer (write-only).
   */
  probeRouter: boolean;
  /** ZMQ_REQ_CORRELATE: match replies to requests with a request id (write-only). */
  correlate: boolean;
  /** ZMQ_REQ_RELAXED: allow a new request before the reply to the last one (write-only). */
  relaxed: boolean;
}

/** What `new Request(...)` takes: any writable option, and SocketConstructorOptions. */
export type RequestOptions = WritableOptions<RequestOptionProperties>;

/** Options of a Reply socket (ZMQ_REP), as properties. */
export interface ReplyOptionProperties extends SocketOptionProperties {
}

/** What `new Reply(...)` takes: any writable option, and SocketConstructorOptions. */
export type ReplyOptions = WritableOptions<ReplyOptionProperties>;

/** Options of a Dealer socket (ZMQ_DEALER), as properties. */
export interface DealerOptionProperties extends SocketOptionProperties {
  /**
   * ZMQ_PROBE_ROUTER: send an empty message on connect so a ROUTER learns this peer (write-only).
   */
  probeRouter: boolean;
  /** ZMQ_CONFLATE: keep only the last message (single-frame messages only; write-only). */
  conflate: boolean;
}

/** What `new Dealer(...)` takes: any writable option, and SocketConstructorOptions. */
export type DealerOptions = WritableOptions<DealerOptionProperties>;

/** Options of a Router socket (ZMQ_ROUTER), as properties. */
export interface RouterOptionProperties extends SocketOptionProperties {
  /**
   * ZMQ_ROUTER_MANDATORY: fail with EHOSTUNREACH instead of dropping messages to unknown peers
   * (write-only).
   */
  mandatory: boolean;
  /**
   * ZMQ_PROBE_ROUTER: send an empty message on connect so a ROUTER learns this peer (write-only).
   */
  probeRouter: boolean;
  /**
   * ZMQ_ROUTER_HANDOVER: a new peer with a known routing id takes over the old connection
   * (write-only).
   */
  handover: boolean;
  /** ZMQ_CONNECT_ROUTING_ID: the routing id to give the peer of the next connect() (write-only). */
  connectRoutingId: Uint8Array | string;
}

/** What `new Router(...)` takes: any writable option, and SocketConstructorOptions. */
export type RouterOptions = WritableOptions<RouterOptionProperties>;

/** Options of a Pull socket (ZMQ_PULL), as properties. */
export interface PullOptionProperties extends SocketOptionProperties {
  /** ZMQ_CONFLATE: keep only the last message (single-frame messages only; write-only). */
  conflate: boolean;
}

/** What `new Pull(...)` takes: any writable option, and SocketConstructorOptions. */
export type PullOptions = WritableOptions<PullOptionProperties>;

/** Options of a Push socket (ZMQ_PUSH), as properties. */
export interface PushOptionProperties extends SocketOptionProperties {
  /** ZMQ_CONFLATE: keep only the last message (single-frame messages only; write-only). */
  conflate: boolean;
}

/** What `new Push(...)` takes: any writable option, and SocketConstructorOptions. */
export type PushOptions = WritableOptions<PushOptionProperties>;

/** Options of a XPublisher socket (ZMQ_XPUB), as properties. */
export interface XPublisherOptionProperties extends SocketOptionProperties {
  /** ZMQ_XPUB_VERBOSE: pass on every subscription, not only new ones (write-only). */
  verbose: boolean;
  /**
   * ZMQ_XPUB_NODROP: make sends wait (EAGAIN) instead of dropping at the high-water mark
   * (write-only).
   */
  noDrop: boolean;
  /**
   * ZMQ_XPUB_MANUAL: subscriptions are applied by the application, not automatically (write-only).
   */
  manual: boolean;
  /**
   * ZMQ_XPUB_WELCOME_MSG: a message sent to each new subscriber (write-only).
   * libzmq sends it when the XPublisher next processes its commands, that is
   * on its next call: keep a `receive()` pending on it (as an XPublisher
   * usually does, to read subscriptions) or the welcome waits.
   *
   * @example
   * ```ts
   * import * as zmq from "./mod.ts";
   * const xpub = new zmq.XPublisher({ welcomeMessage: "hello" });
   * await xpub.bind("tcp://127.0.0.1:*");
   * const subscriptions = xpub.receive(); // also lets the welcome go out
   * const sub = new zmq.Subscriber();
   * sub.subscribe("");
   * sub.connect(xpub.lastEndpoint!);
   * const [welcome] = await sub.receive(); // the bytes of "hello"
   * ```
   */
  welcomeMessage: Uint8Array | string;
  /** ZMQ_INVERT_MATCHING: deliver what does NOT match the subscriptions. */
  invertMatching: boolean;
  /** ZMQ_XPUB_VERBOSER: pass on every subscription and unsubscription (write-only). */
  verboser: boolean;
}

/** What `new XPublisher(...)` takes: any writable option, and SocketConstructorOptions. */
export type XPublisherOptions = WritableOptions<XPublisherOptionProperties>;

/** Options of a XSubscriber socket (ZMQ_XSUB), as properties. */
export interface XSubscriberOptionProperties extends SocketOptionProperties {
}

/** What `new XSubscriber(...)` takes: any writable option, and SocketConstructorOptions. */
export type XSubscriberOptions = WritableOptions<XSubscriberOptionProperties>;

/** Options of a Stream socket (ZMQ_STREAM), as properties. */
export interface StreamOptionProperties extends SocketOptionProperties {
  /** ZMQ_CONNECT_ROUTING_ID: the routing id to give the peer of the next connect() (write-only). */
  connectRoutingId: Uint8Array | string;
  /** ZMQ_STREAM_NOTIFY: deliver an empty message on each connect and disconnect (write-only). */
  notify: boolean;
}

/** What `new Stream(...)` takes: any writable option, and SocketConstructorOptions. */
export type StreamOptions = WritableOptions<StreamOptionProperties>;

/** The writable options of a property set, all optional, plus SocketConstructorOptions. */
export type WritableOptions<T> =
  & { -readonly [K in Exclude<keyof T, ReadOnlyOptions>]?: T[K] }
  & import("./socket.ts").SocketConstructorOptions;

/** Options that can only be read. */
export type ReadOnlyOptions =
  | "fileDescriptor"
  | "socketType"
  | "lastEndpoint"
  | "securityMechanism"
  | "threadSafe";

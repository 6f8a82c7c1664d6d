/**
 * The numbers zeromq.js v5 exported (ZMQ_* option ids, socket types, poll
 * and send flags, capability and state flags), from zmq.h.
 *
 * @module
 */
import { ContextOption, Flag, Poll, SocketOption, SocketType } from "../../ffi/constants.ts";

/** ZMQ_AFFINITY. */
export const ZMQ_AFFINITY: number = SocketOption.AFFINITY;
/** ZMQ_IDENTITY (ZMQ_ROUTING_ID). */
export const ZMQ_IDENTITY: number = SocketOption.ROUTING_ID;
/** ZMQ_SUBSCRIBE. */
export const ZMQ_SUBSCRIBE: number = SocketOption.SUBSCRIBE;
/** ZMQ_UNSUBSCRIBE. */
export const ZMQ_UNSUBSCRIBE: number = SocketOption.UNSUBSCRIBE;
/** ZMQ_RATE. */
export const ZMQ_RATE: number = SocketOption.RATE;
/** ZMQ_RECOVERY_IVL. */
export const ZMQ_RECOVERY_IVL: number = SocketOption.RECOVERY_IVL;
/** ZMQ_RECOVERY_IVL_MSEC (the same option as ZMQ_RECOVERY_IVL). */
export const ZMQ_RECOVERY_IVL_MSEC: number = SocketOption.RECOVERY_IVL;
/** ZMQ_SNDBUF. */
export const ZMQ_SNDBUF: number = SocketOption.SNDBUF;
/** ZMQ_RCVBUF. */
export const ZMQ_RCVBUF: number = SocketOption.RCVBUF;
/** ZMQ_RCVMORE (not readable in compatibility mode). */
export const ZMQ_RCVMORE: number = SocketOption.RCVMORE;
/** ZMQ_FD (not readable in compatibility mode). */
export const ZMQ_FD: number = SocketOption.FD;
/** ZMQ_EVENTS. */
export const ZMQ_EVENTS: number = SocketOption.EVENTS;
/** ZMQ_TYPE. */
export const ZMQ_TYPE: number = SocketOption.TYPE;
/** ZMQ_LINGER. */
export const ZMQ_LINGER: number = SocketOption.LINGER;
/** ZMQ_RECONNECT_IVL. */
export const ZMQ_RECONNECT_IVL: number = SocketOption.RECONNECT_IVL;
/** ZMQ_BACKLOG. */
export const ZMQ_BACKLOG: number = SocketOption.BACKLOG;
/** ZMQ_RECONNECT_IVL_MAX. */
export const ZMQ_RECONNECT_IVL_MAX: number = SocketOption.RECONNECT_IVL_MAX;
/** ZMQ_MAXMSGSIZE. */
export const ZMQ_MAXMSGSIZE: number = SocketOption.MAXMSGSIZE;
/** ZMQ_SNDHWM. */
export const ZMQ_SNDHWM: number = SocketOption.SNDHWM;
/** ZMQ_RCVHWM. */
export const ZMQ_RCVHWM: number = SocketOption.RCVHWM;
/** ZMQ_MULTICAST_HOPS. */
export const ZMQ_MULTICAST_HOPS: number = SocketOption.MULTICAST_HOPS;
/** ZMQ_RCVTIMEO. */
export const ZMQ_RCVTIMEO: number = SocketOption.RCVTIMEO;
/** ZMQ_SNDTIMEO. */
export const ZMQ_SNDTIMEO: number = SocketOption.SNDTIMEO;
/** ZMQ_IPV4ONLY (the inverse of ZMQ_IPV6). */
export const ZMQ_IPV4ONLY = 31;
/** ZMQ_LAST_ENDPOINT. */
export const ZMQ_LAST_ENDPOINT: number = SocketOption.LAST_ENDPOINT;
/** ZMQ_ROUTER_MANDATORY. */
export const ZMQ_ROUTER_MANDATORY: number = SocketOption.ROUTER_MANDATORY;
/** ZMQ_TCP_KEEPALIVE. */
export const ZMQ_TCP_KEEPALIVE: number = SocketOption.TCP_KEEPALIVE;
/** ZMQ_TCP_KEEPALIVE_CNT. */
export const ZMQ_TCP_KEEPALIVE_CNT: number = SocketOption.TCP_KEEPALIVE_CNT;
/** ZMQ_TCP_KEEPALIVE_IDLE. */
export const ZMQ_TCP_KEEPALIVE_IDLE: number = SocketOption.TCP_KEEPALIVE_IDLE;
/** ZMQ_TCP_KEEPALIVE_INTVL. */
export const ZMQ_TCP_KEEPALIVE_INTVL: number = SocketOption.TCP_KEEPALIVE_INTVL;
/** ZMQ_TCP_ACCEPT_FILTER. */
export const ZMQ_TCP_ACCEPT_FILTER: number = SocketOption.TCP_ACCEPT_FILTER;
/** ZMQ_DELAY_ATTACH_ON_CONNECT (ZMQ_IMMEDIATE). */
export const ZMQ_DELAY_ATTACH_ON_CONNECT: number = SocketOption.IMMEDIATE;
/** ZMQ_XPUB_VERBOSE. */
export const ZMQ_XPUB_VERBOSE: number = SocketOption.XPUB_VERBOSE;
/** ZMQ_ROUTER_RAW (not supported in compatibility mode). */
export const ZMQ_ROUTER_RAW = 41;
/** ZMQ_IPV6. */
export const ZMQ_IPV6: number = SocketOption.IPV6;
/** ZMQ_MECHANISM. */
export const ZMQ_MECHANISM: number = SocketOption.MECHANISM;
/** ZMQ_PLAIN_SERVER. */
export const ZMQ_PLAIN_SERVER: number = SocketOption.PLAIN_SERVER;
/** ZMQ_PLAIN_USERNAME. */
export const ZMQ_PLAIN_USERNAME: number = SocketOption.PLAIN_USERNAME;
/** ZMQ_PLAIN_PASSWORD. */
export const ZMQ_PLAIN_PASSWORD: number = SocketOption.PLAIN_PASSWORD;
/** ZMQ_CURVE_SERVER. */
export const ZMQ_CURVE_SERVER: number = SocketOption.CURVE_SERVER;
/** ZMQ_CURVE_PUBLICKEY. */
export const ZMQ_CURVE_PUBLICKEY: number = SocketOption.CURVE_PUBLICKEY;
/** ZMQ_CURVE_SECRETKEY. */
export const ZMQ_CURVE_SECRETKEY: number = SocketOption.CURVE_SECRETKEY;
/** ZMQ_CURVE_SERVERKEY. */
export const ZMQ_CURVE_SERVERKEY: number = SocketOption.CURVE_SERVERKEY;
/** ZMQ_ZAP_DOMAIN. */
export const ZMQ_ZAP_DOMAIN: number = SocketOption.ZAP_DOMAIN;
/** ZMQ_HEARTBEAT_IVL. */
export const ZMQ_HEARTBEAT_IVL: number = SocketOption.HEARTBEAT_IVL;
/** ZMQ_HEARTBEAT_TTL. */
export const ZMQ_HEARTBEAT_TTL: number = SocketOption.HEARTBEAT_TTL;
/** ZMQ_HEARTBEAT_TIMEOUT. */
export const ZMQ_HEARTBEAT_TIMEOUT: number = SocketOption.HEARTBEAT_TIMEOUT;
/** ZMQ_CONNECT_TIMEOUT. */
export const ZMQ_CONNECT_TIMEOUT: number = SocketOption.CONNECT_TIMEOUT;
/** ZMQ_ROUTER_HANDOVER. */
export const ZMQ_ROUTER_HANDOVER: number = SocketOption.ROUTER_HANDOVER;
/** ZMQ_IO_THREADS (a context option). */
export const ZMQ_IO_THREADS: number = ContextOption.IO_THREADS;
/** ZMQ_MAX_SOCKETS (a context option). */
export const ZMQ_MAX_SOCKETS: number = ContextOption.MAX_SOCKETS;

/** ZMQ_PAIR. */
export const ZMQ_PAIR: number = SocketType.PAIR;
/** ZMQ_PUB. */
export const ZMQ_PUB: number = SocketType.PUB;
/** ZMQ_SUB. */
export const ZMQ_SUB: number = SocketType.SUB;
/** ZMQ_REQ. */
export const ZMQ_REQ: number = SocketType.REQ;
/** ZMQ_REP. */
export const ZMQ_REP: number = SocketType.REP;
/** ZMQ_DEALER. */
export const ZMQ_DEALER: number = SocketType.DEALER;
/** ZMQ_XREQ (the old name of ZMQ_DEALER). */
export const ZMQ_XREQ: number = SocketType.DEALER;
/** ZMQ_ROUTER. */
export const ZMQ_ROUTER: number = SocketType.ROUTER;
/** ZMQ_XREP (the old name of ZMQ_ROUTER). */
export const ZMQ_XREP: number = SocketType.ROUTER;
/** ZMQ_PULL. */
export const ZMQ_PULL: number = SocketType.PULL;
/** ZMQ_PUSH. */
export const ZMQ_PUSH: number = SocketType.PUSH;
/** ZMQ_XPUB. */
export const ZMQ_XPUB: number = SocketType.XPUB;
/** ZMQ_XSUB. */
export const ZMQ_XSUB: number = SocketType.XSUB;
/** ZMQ_STREAM. */
export const ZMQ_STREAM: number = SocketType.STREAM;

/** ZMQ_POLLIN. */
export const ZMQ_POLLIN: number = Poll.IN;
/** ZMQ_POLLOUT. */
export const ZMQ_POLLOUT: number = Poll.OUT;
/** ZMQ_POLLERR. */
export const ZMQ_POLLERR: number = Poll.ERR;

/** ZMQ_SNDMORE: `send(frame, zmq.ZMQ_SNDMORE)` adds a frame; the next send without it sends all. */
export const ZMQ_SNDMORE: number = Flag.SNDMORE;

/** 1: sockets can be monitored. */
export const ZMQ_CAN_MONITOR = 1;
/** 1: sockets can disconnect. */
export const ZMQ_CAN_DISCONNECT = 1;
/** 1: sockets can unbind. */
export const ZMQ_CAN_UNBIND = 1;
/** 1: context options can be set. */
export const ZMQ_CAN_SET_CTX = 1;

/** Socket state: ready. */
export const STATE_READY = 0;
/** Socket state: busy. */
export const STATE_BUSY = 1;
/** Socket state: closed. */
export const STATE_CLOSED = 2;

/**
 * The twelve socket types as the command line names them (the zmq.h name in
 * lower case: "pub", "req", ...), with what each can do, for help and usage
 * errors.
 *
 * @module
 */
import type { SocketTypeName as ZmqSocketType } from "../ffi/constants.ts";

/** What a socket type is and can do. */
export interface SocketTypeInfo {
  readonly sends: boolean;
  readonly receives: boolean;
  /** One line on what it does. */
  readonly about: string;
  /** The types it talks to. */
  readonly peers: string;
}

/** Every socket type by its command name. */
export const socketTypes = {
  pub: {
    sends: true,
    receives: false,
    about: "publish each message to every subscriber with a matching prefix",
    peers: "sub, xsub",
  },
  sub: {
    sends: false,
    receives: true,
    about: "print what publishers send, filtered by --subscribe prefixes",
    peers: "pub, xpub",
  },
  xpub: {
    sends: true,
    receives: true,
    about: "publish, and print subscriptions (first byte 1: subscribe, 0: unsubscribe)",
    peers: "sub, xsub",
  },
  xsub: {
    sends: true,
    receives: true,
    about: "subscribe by sending messages, and print what publishers send",
    peers: "pub, xpub",
  },
  req: {
    sends: true,
    receives: true,
    about: "send each request and print its reply",
    peers: "rep, router",
  },
  rep: {
    sends: true,
    receives: true,
    about: "print each request and answer it",
    peers: "req, dealer",
  },
  dealer: {
    sends: true,
    receives: true,
    about: "send and receive freely; sends are load-balanced over peers",
    peers: "router, rep, dealer",
  },
  router: {
    sends: true,
    receives: true,
    about: "receive and send with the peer's routing id as the first frame",
    peers: "dealer, req, router",
  },
  push: {
    sends: true,
    receives: false,
    about: "send each message to one puller, round-robin",
    peers: "pull",
  },
  pull: {
    sends: false,
    receives: true,
    about: "print what pushers send",
    peers: "push",
  },
  pair: {
    sends: true,
    receives: true,
    about: "talk to exactly one peer, both ways",
    peers: "pair",
  },
  stream: {
    sends: true,
    receives: true,
    about: "raw TCP: every message is [connection id, bytes]",
    peers: "any plain TCP client or server",
  },
} as const satisfies Record<SocketTypeName, SocketTypeInfo>;

/** A socket type's command name: its zmq.h name in lower case ("pub", "req", ...). */
export type SocketTypeName = Lowercase<ZmqSocketType>;

/** The zmq.h name of a command's socket type ("pub" -> "PUB"). */
export function zmqSocketType(name: SocketTypeName): ZmqSocketType {
  return name.toUpperCase() as ZmqSocketType;
}

/** The command names of the socket types, in the order help lists them. */
export const socketTypeNames = Object.keys(socketTypes) as SocketTypeName[];

/** True when `name` is a socket type's command name. */
export function isSocketType(name: string): name is SocketTypeName {
  return Object.hasOwn(socketTypes, name);
}

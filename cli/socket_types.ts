/**
 * The twelve socket types as the command line names them, with what each
 * can do. Kept apart from the library so that help and usage errors work
 * even where libzmq cannot be loaded.
 *
 * @module
 */

/** What a socket type is and can do. */
export interface SocketTypeInfo {
  /** The library class: zmq.Publisher, zmq.Request, ... */
  readonly className:
    | "Publisher"
    | "Subscriber"
    | "XPublisher"
    | "XSubscriber"
    | "Request"
    | "Reply"
    | "Dealer"
    | "Router"
    | "Push"
    | "Pull"
    | "Pair"
    | "Stream";
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
    className: "Publisher",
    sends: true,
    receives: false,
    about: "publish each message to every subscriber with a matching prefix",
    peers: "sub, xsub",
  },
  sub: {
    className: "Subscriber",
    sends: false,
    receives: true,
    about: "print what publishers send, filtered by --subscribe prefixes",
    peers: "pub, xpub",
  },
  xpub: {
    className: "XPublisher",
    sends: true,
    receives: true,
    about: "publish, and print subscriptions (first byte 1: subscribe, 0: unsubscribe)",
    peers: "sub, xsub",
  },
  xsub: {
    className: "XSubscriber",
    sends: true,
    receives: true,
    about: "subscribe by sending messages, and print what publishers send",
    peers: "pub, xpub",
  },
  req: {
    className: "Request",
    sends: true,
    receives: true,
    about: "send each request and print its reply",
    peers: "rep, router",
  },
  rep: {
    className: "Reply",
    sends: true,
    receives: true,
    about: "print each request and answer it",
    peers: "req, dealer",
  },
  dealer: {
    className: "Dealer",
    sends: true,
    receives: true,
    about: "send and receive freely; sends are load-balanced over peers",
    peers: "router, rep, dealer",
  },
  router: {
    className: "Router",
    sends: true,
    receives: true,
    about: "receive and send with the peer's routing id as the first frame",
    peers: "dealer, req, router",
  },
  push: {
    className: "Push",
    sends: true,
    receives: false,
    about: "send each message to one puller, round-robin",
    peers: "pull",
  },
  pull: {
    className: "Pull",
    sends: false,
    receives: true,
    about: "print what pushers send",
    peers: "push",
  },
  pair: {
    className: "Pair",
    sends: true,
    receives: true,
    about: "talk to exactly one peer, both ways",
    peers: "pair",
  },
  stream: {
    className: "Stream",
    sends: true,
    receives: true,
    about: "raw TCP: every message is [connection id, bytes]",
    peers: "any plain TCP client or server",
  },
} as const satisfies Record<string, SocketTypeInfo>;

/** A socket type's command name: "pub", "req", ... */
export type SocketTypeName = keyof typeof socketTypes;

/** The command names of the socket types, in the order help lists them. */
export const socketTypeNames = Object.keys(socketTypes) as SocketTypeName[];

/** True when `name` is a socket type's command name. */
export function isSocketType(name: string): name is SocketTypeName {
  return Object.hasOwn(socketTypes, name);
}

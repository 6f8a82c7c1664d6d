/**
 * Each socket type's class, by the type's zmq.h name: for code that picks a
 * socket type at run time (the command line, generated declarations).
 *
 * @module
 */
import type { SocketTypeName } from "../ffi/constants.ts";
import {
  Dealer,
  Pair,
  Publisher,
  Pull,
  Push,
  Reply,
  Request,
  Router,
  Stream,
  Subscriber,
  XPublisher,
  XSubscriber,
} from "./socket_types.ts";

/** The class of each socket type. */
export const socketClasses = {
  PAIR: Pair,
  PUB: Publisher,
  SUB: Subscriber,
  REQ: Request,
  REP: Reply,
  DEALER: Dealer,
  ROUTER: Router,
  PULL: Pull,
  PUSH: Push,
  XPUB: XPublisher,
  XSUB: XSubscriber,
  STREAM: Stream,
} as const satisfies Record<SocketTypeName, unknown>;

/**
 * A multipart message that libzmq 4.3.4 stops taking halfway: what became of
 * the frames it took, and how the engine finishes so that no peer ever sees a
 * spliced or truncated message.
 *
 * libzmq takes a message frame by frame, and a frame after the first can
 * still fail with EAGAIN: when the connection it was going to closes between
 * two frames (libzmq processes that news inside a send). What happened to the
 * frames already taken depends on the socket type (libzmq's lb.cpp, pair.cpp,
 * req.cpp):
 *
 * - PUSH, DEALER (lb): the taken frames are rolled back, undelivered. If the
 *   failing frame had more after it, the socket now drops frames until the
 *   message's last one; otherwise it is ready for a new message.
 * - REQ: as DEALER underneath, but REQ keeps its own state: cut off at a
 *   middle frame, the rest is dropped and REQ then waits for a reply that
 *   cannot come (a request lost in flight); cut off at its last frame, REQ
 *   believes it is still in the middle of a request, and nothing it sends
 *   later would be a well-formed request.
 * - PAIR: the taken frames went into the closing connection and are dropped
 *   with it; the socket keeps no state, so a new message starts clean.
 * - ROUTER, STREAM, PUB, XPUB, XSUB drop silently instead of failing halfway.
 *
 * @module
 */
import type { SocketTypeName } from "../ffi/constants.ts";

/** What the engine does with a message libzmq stopped taking halfway. */
export type CutOffAction =
  /** Nothing reached a peer: send the whole message again when the socket can. */
  | "restart"
  /** Hand libzmq the rest now (it drops it), then send the whole message again. */
  | "drop-rest-then-restart"
  /** Hand libzmq the rest now (it drops it); the request is lost in flight, as on any lost connection. */
  | "drop-rest"
  /** The socket cannot send a well-formed message again: fail, and refuse further sends. */
  | "broken"
  /** Not expected for this type: the rest must follow before any other message. */
  | "finish";

/** The action for a message of a `type` socket cut off before frame `at` of `count`. */
export function cutOffAction(
  type: SocketTypeName | undefined,
  at: number,
  count: number,
): CutOffAction {
  const atLast = at === count - 1;
  switch (type) {
    case "PUSH":
    case "DEALER":
      return atLast ? "restart" : "drop-rest-then-restart";
    case "REQ":
      return atLast ? "broken" : "drop-rest";
    case "PAIR":
      return "restart";
    default:
      return "finish";
  }
}

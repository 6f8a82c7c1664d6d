/**
 * libzmq calls that a signal interrupted. Any call that processes libzmq's
 * commands (send, receive, reading ZMQ_EVENTS, bind, connect) fails with
 * EINTR when a signal comes meanwhile: a profiler's SIGPROF (`--cpu-prof`)
 * every millisecond, a child's SIGCHLD. Nothing was taken or given, so the
 * library makes the same call again (as pyzmq does) rather than surface it.
 *
 * @module
 */
import { Flag } from "../ffi/constants.ts";
import { loadNative } from "../ffi/load.ts";
import type { Pointer } from "../ffi/native.ts";
import { errnoValue, lastErrno, zmqFailure } from "./errors.ts";

const EINTR = errnoValue("EINTR");

/** True for EINTR: the call can simply be made again. */
export function interrupted(errno: number): boolean {
  return errno === EINTR;
}

/**
 * The rest of a multipart message after zmq_msg_recv into `msg` failed: the
 * same call again while a signal interrupted it; any other failure throws.
 * (The rest is already here: libzmq delivers messages whole.)
 */
export function receiveRestAgain(msg: Pointer, socket: Pointer): number {
  const zmq = loadNative().zmq;
  for (;;) {
    if (!interrupted(lastErrno())) {
      throw zmqFailure("Cannot receive the rest of a multipart message");
    }
    const length = zmq.zmq_msg_recv(msg, socket, Flag.DONTWAIT);
    if (length >= 0) return length;
  }
}

/** Makes `call` (0 on success) again while a signal interrupts it; its last result. */
export function retryInterrupted(call: () => number): number {
  for (;;) {
    const rc = call();
    if (rc >= 0 || !interrupted(lastErrno())) return rc;
  }
}

/**
 * The proxy thread: runs the blocking `zmq_proxy_steerable` on sockets the
 * main thread lent it, and reports how it ended.
 *
 * libzmq's proxy returns when a signal interrupts it (EINTR: a profiler's
 * SIGPROF, a child's SIGCHLD), between two messages. It is then run again,
 * and libzmq knows nothing of the pause it was in: while the main thread's
 * shared flag says paused, this thread answers the control socket itself
 * (forwarding nothing) until RESUME.
 *
 * @module
 */
import { parentPort } from "node:worker_threads";
import { loadNative } from "../ffi/load.ts";
import type { Native, Pointer } from "../ffi/native.ts";
import { Flag } from "../ffi/constants.ts";
import { interrupted } from "./interrupted_calls.ts";

/** What the main thread sends to start a proxy. */
export interface ProxyStart {
  frontend: bigint;
  backend: bigint;
  /** 0n when there is no capture socket. */
  capture: bigint;
  control: bigint;
  /** One Int32, 1 while the main thread has the proxy paused. */
  paused: SharedArrayBuffer;
}

/** How the proxy ended: rc 0 after TERMINATE, -1 with errno otherwise. */
export interface ProxyEnd {
  rc: number;
  errno: number;
}

const port = parentPort;
if (port === null) throw new Error("proxy_worker.ts must run as a worker thread");

/** libzmq's STATISTICS answer: eight 64-bit counts, one frame each. */
const STATISTICS_FRAMES = 8;

/**
 * Serves the control socket while paused, as libzmq's proxy would: until
 * RESUME (returns undefined: run the proxy again) or TERMINATE / a failure
 * (returns how the proxy ended). Counts are libzmq's anew: all zero.
 */
function servePaused(native: Native, control: Pointer): ProxyEnd | undefined {
  const zmq = native.zmq;
  const command = new Uint8Array(16);
  const zero = new Uint8Array(8);
  const failed = (): ProxyEnd | undefined => {
    const errno = zmq.zmq_errno();
    return interrupted(errno) ? undefined : { rc: -1, errno };
  };
  for (;;) {
    const length = zmq.zmq_recv(control, command, native.sizeArgument(command.length), 0);
    if (length < 0) {
      const end = failed();
      if (end !== undefined) return end;
      continue;
    }
    const text = new TextDecoder().decode(command.subarray(0, Math.min(length, command.length)));
    if (text === "RESUME") return undefined;
    if (text === "TERMINATE") return { rc: 0, errno: 0 };
    if (text !== "STATISTICS") continue; // PAUSE: paused already
    for (let i = 0; i < STATISTICS_FRAMES; i++) {
      const flags = i < STATISTICS_FRAMES - 1 ? Flag.SNDMORE : 0;
      while (zmq.zmq_send(control, zero, native.sizeArgument(zero.length), flags) < 0) {
        const end = failed();
        if (end !== undefined) return end;
      }
    }
  }
}

port.once("message", (start: ProxyStart) => {
  const native = loadNative();
  const pointer = (value: bigint) => value === 0n ? null : native.pointerFromBigInt(value);
  const paused = new Int32Array(start.paused);
  for (;;) {
    const rc = native.zmq.zmq_proxy_steerable(
      pointer(start.frontend),
      pointer(start.backend),
      pointer(start.capture),
      pointer(start.control),
    );
    let end: ProxyEnd | undefined = { rc, errno: rc === 0 ? 0 : native.zmq.zmq_errno() };
    if (rc !== 0 && interrupted(end.errno)) {
      end = Atomics.load(paused, 0) === 1
        ? servePaused(native, pointer(start.control)!)
        : undefined;
      if (end === undefined) continue;
    }
    port.postMessage(end);
    return;
  }
});

/**
 * The proxy thread: runs the blocking `zmq_proxy_steerable` on sockets the
 * main thread lent it, and reports how it ended.
 *
 * @module
 */
import { parentPort } from "node:worker_threads";
import { loadNative } from "../ffi/load.ts";

/** What the main thread sends to start a proxy. */
export interface ProxyStart {
  frontend: bigint;
  backend: bigint;
  /** 0n when there is no capture socket. */
  capture: bigint;
  control: bigint;
}

/** How the proxy ended: rc 0 after TERMINATE, -1 with errno otherwise. */
export interface ProxyEnd {
  rc: number;
  errno: number;
}

const port = parentPort;
if (port === null) throw new Error("proxy_worker.ts must run as a worker thread");

port.once("message", (start: ProxyStart) => {
  const native = loadNative();
  const pointer = (value: bigint) => value === 0n ? null : native.pointerFromBigInt(value);
  const rc = native.zmq.zmq_proxy_steerable(
    pointer(start.frontend),
    pointer(start.backend),
    pointer(start.capture),
    pointer(start.control),
  );
  const end: ProxyEnd = { rc, errno: rc === 0 ? 0 : native.zmq.zmq_errno() };
  port.postMessage(end);
});

/**
 * The poller thread: blocks in libc poll() over the fds the main thread asks
 * for, then reports back through shared memory and waits for its turn again.
 * It never calls libzmq: sockets are not thread-safe, only their fds are
 * watched here.
 *
 * @module
 */
import { parentPort, workerData } from "node:worker_threads";
import { loadLibc } from "../ffi/load.ts";
import { PosixPoll } from "../ffi/constants.ts";
import {
  HEADER_BYTES,
  MAX_POLL_FDS,
  type PollerStart,
  Slot,
  WOKE_AT_BYTE,
} from "./poller_thread_protocol.ts";
import { PollfdList } from "./pollfd_list.ts";

const libc = loadLibc();
if (libc === null) throw new Error("The poller thread needs libc's poll()");
const port = parentPort;
if (port === null) throw new Error("poller_thread_worker.ts must run as a worker thread");

{
  const { shared, wakeFd } = workerData as PollerStart;
  const control = new Int32Array(shared, 0, HEADER_BYTES / 4);
  const wokeAt = new Float64Array(shared, WOKE_AT_BYTE, 1);
  const list = new PollfdList(MAX_POLL_FDS, shared, HEADER_BYTES);
  // poll() gets private memory: the shared list stays the main thread's to
  // rewrite while this thread is not polling.
  const local = new PollfdList(MAX_POLL_FDS);
  const drain = new Uint8Array(64);
  Atomics.store(control, Slot.RUNNING, 1);
  for (;;) {
    Atomics.wait(control, Slot.TURN, 0);
    if (Atomics.load(control, Slot.STOP) === 1) break;
    const count = Atomics.load(control, Slot.COUNT);
    local.copyFrom(list, count);
    let rc = libc.poll(local.bytes, count, -1);
    while (rc < 0) rc = libc.poll(local.bytes, count, -1); // EINTR
    wokeAt[0] = performance.timeOrigin + performance.now();
    if (Atomics.load(control, Slot.STOP) === 1) break; // the process is exiting
    // Entry 0 is the wake-up pipe: empty it so the next poll blocks again.
    if ((local.revents(0) & PosixPoll.IN) !== 0) {
      libc.read(wakeFd, drain, drain.length);
    }
    list.copyFrom(local, count);
    Atomics.store(control, Slot.TURN, 0);
    Atomics.add(control, Slot.DONE, 1);
    Atomics.notify(control, Slot.DONE);
  }
}

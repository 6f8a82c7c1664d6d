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
import { HEADER_BYTES, type PollerStart, POLLFD_BYTES, Slot } from "./poller_protocol.ts";

const libc = loadLibc();
if (libc === null) throw new Error("The poller thread needs libc's poll()");
const port = parentPort;
if (port === null) throw new Error("poller_worker.ts must run as a worker thread");

{
  const { shared, wakeFd } = workerData as PollerStart;
  const control = new Int32Array(shared, 0, HEADER_BYTES / 4);
  const list = new Uint8Array(shared, HEADER_BYTES);
  // poll() gets private memory: the shared list stays the main thread's to
  // rewrite while this thread is not polling.
  const local = new Uint8Array(list.length);
  const localView = new DataView(local.buffer);
  const drain = new Uint8Array(64);
  for (;;) {
    Atomics.wait(control, Slot.TURN, 0);
    if (Atomics.load(control, Slot.STOP) === 1) break;
    const count = Atomics.load(control, Slot.COUNT);
    const bytes = count * POLLFD_BYTES;
    local.set(list.subarray(0, bytes));
    let rc = libc.poll(local, count, -1);
    while (rc < 0) rc = libc.poll(local, count, -1); // EINTR
    // Entry 0 is the wake-up pipe: empty it so the next poll blocks again.
    if ((localView.getInt16(6, true) & PosixPoll.IN) !== 0) {
      libc.read(wakeFd, drain, drain.length);
    }
    list.set(local.subarray(0, bytes));
    Atomics.store(control, Slot.TURN, 0);
    Atomics.add(control, Slot.DONE, 1);
    Atomics.notify(control, Slot.DONE);
  }
}

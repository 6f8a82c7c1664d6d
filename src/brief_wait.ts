/**
 * Short waits on the JavaScript thread itself. Handing a wait to the poller
 * thread and back costs two thread wake-ups (~25-40 µs each on a small VM);
 * when a socket's waits are known to end within a fraction of a millisecond
 * (a request/reply exchange), blocking in the kernel for that long is faster
 * and burns no CPU. The budget is bounded, so timers and other I/O are
 * delayed by at most that much.
 *
 * @module
 */
import { PosixPoll } from "../ffi/constants.ts";
import { loadNative, loadPpoll } from "../ffi/load.ts";

/** The longest a brief wait blocks the thread, in microseconds. */
export const BRIEF_WAIT_BUDGET_US = 500;

const pollfd = new Uint8Array(8); // struct pollfd { int fd; short events; short revents; }
const pollfdView = new DataView(pollfd.buffer);
const timespec = new BigInt64Array(2); // struct timespec { time_t tv_sec; long tv_nsec; }

/** Blocks up to `microseconds` for `fd` to become readable; false on timeout or where unsupported. */
export function waitReadable(fd: number, microseconds: number): boolean {
  const ppoll = loadPpoll();
  if (ppoll === null) return false;
  pollfdView.setInt32(0, fd, true);
  pollfdView.setInt16(4, PosixPoll.IN, true);
  pollfdView.setInt16(6, 0, true);
  timespec[0] = 0n;
  timespec[1] = BigInt(Math.max(0, Math.round(microseconds * 1000)));
  const rc = ppoll.ppoll(pollfd, loadNative().sizeArgument(1), timespec, null);
  return rc > 0;
}

/** True where brief waits are possible here. */
export function briefWaitsAvailable(): boolean {
  return loadPpoll() !== null;
}

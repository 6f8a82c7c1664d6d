/**
 * The layout of the memory shared between the JavaScript thread and the
 * poller thread, declared once for both sides: a header of Int32 slots, then
 * a list of `struct pollfd` (see pollfd_list.ts).
 *
 * @module
 */
import { Pollfd } from "../ffi/constants.ts";

/** Int32 slots at the start of the shared buffer. */
export const Slot = {
  /** 1 while the poller thread owns the fd list (it is polling); 0 while the main thread does. */
  TURN: 0,
  /** How many pollfd entries the list holds. */
  COUNT: 1,
  /** Bumped by the poller thread after every poll; the main thread waits on it. */
  DONE: 2,
  /** Set to 1 to end the poller thread. */
  STOP: 3,
  /** Set to 1 by the poller thread once it runs (starting one can take ~0.5 s in Deno Workers). */
  RUNNING: 4,
} as const;

/**
 * A Float64 after the slots: when the poller thread's last poll() returned,
 * in milliseconds since the epoch (performance.timeOrigin + now()), so the
 * main thread can tell how long the wake-up took to reach it.
 */
export const WOKE_AT_BYTE = 24;
/** Bytes before the pollfd list. */
export const HEADER_BYTES = 32;
/** The most fds one poll watches (the wake-up pipe is one of them). */
export const MAX_POLL_FDS = 8192;
/** Size of the shared buffer. */
export const SHARED_BYTES = HEADER_BYTES + MAX_POLL_FDS * Pollfd.BYTES;

/** The message that starts a poller thread. */
export interface PollerStart {
  shared: SharedArrayBuffer;
  /** The read end of the wake-up pipe; always entry 0 of the list. */
  wakeFd: number;
}

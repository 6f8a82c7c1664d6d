/**
 * A list of C `struct pollfd` entries in JavaScript memory, laid out as
 * ffi/constants.ts declares: what libc's poll() and ppoll() read and fill.
 * The one place that writes and reads that layout.
 *
 * @module
 */
import { Pollfd, PosixPoll } from "../ffi/constants.ts";

/** pollfd entries over an ArrayBuffer or a SharedArrayBuffer (the poller thread's). */
export class PollfdList {
  #view: DataView;
  #bytes: Uint8Array;

  /** `capacity` entries in fresh memory, or over `memory` from `byteOffset` on. */
  constructor(capacity: number, memory?: ArrayBufferLike, byteOffset = 0) {
    const buffer = memory ?? new ArrayBuffer(capacity * Pollfd.BYTES);
    this.#bytes = new Uint8Array(buffer, byteOffset, capacity * Pollfd.BYTES);
    this.#view = new DataView(buffer, byteOffset, capacity * Pollfd.BYTES);
  }

  /** The memory to pass to poll() / ppoll(). */
  get bytes(): Uint8Array {
    return this.#bytes;
  }

  /** How many entries fit. */
  get capacity(): number {
    return this.#bytes.byteLength / Pollfd.BYTES;
  }

  /** Makes room for `count` entries (fresh memory only; entries are not kept). */
  reserve(count: number): void {
    if (count <= this.capacity) return;
    const buffer = new ArrayBuffer(count * 2 * Pollfd.BYTES);
    this.#bytes = new Uint8Array(buffer);
    this.#view = new DataView(buffer);
  }

  /** Entry `index` watches `fd` for `events` (poll(2) bits, default POLLIN). */
  set(index: number, fd: number, events: number = PosixPoll.IN): void {
    const offset = index * Pollfd.BYTES;
    this.#view.setInt32(offset + Pollfd.FD, fd, true);
    this.#view.setInt16(offset + Pollfd.EVENTS, events, true);
    this.#view.setInt16(offset + Pollfd.REVENTS, 0, true);
  }

  /** What poll() reported for entry `index`. */
  revents(index: number): number {
    return this.#view.getInt16(index * Pollfd.BYTES + Pollfd.REVENTS, true);
  }

  /** Copies the first `count` entries from `other` (same layout, any memory). */
  copyFrom(other: PollfdList, count: number): void {
    this.#bytes.set(other.bytes.subarray(0, count * Pollfd.BYTES));
  }
}

/**
 * Zero-copy frames. Sending: a large frame is lent to libzmq
 * (zmq_msg_init_data with a free callback) instead of copied, and stays
 * referenced here until libzmq gives it back. Receiving: a
 * {@link ReceivedMessage}'s large frames are views over libzmq's own memory
 * where the runtime can tie that memory's life to the views (Bun), and single
 * copies elsewhere.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { isMainThread } from "node:worker_threads";
import { Flag, MSG_T_SIZE } from "../ffi/constants.ts";
import { loadNative, runtime } from "../ffi/load.ts";
import type { Native, NativeCallback, Pointer } from "../ffi/native.ts";
import { errnoValue, errorFor, misuse } from "./errors.ts";
import { detach, isDetached } from "./array_buffers.ts";
import { interrupted, receiveRestAgain } from "./interrupted_calls.ts";

const EAGAIN = errnoValue("EAGAIN");

// ---------------------------------------------------------------- sending

/**
 * From this size on, lending beats copying in bench/zero_copy.ts (numbers in
 * the README).
 */
const DEFAULT_SEND_MIN = 64 * 1024;
// Frames up to this size go through the staging buffer in frames.ts anyway.
const SMALLEST_LENDABLE = 257;

let releaseCallback: NativeCallback | null | undefined;

function releaser(native: Native): NativeCallback | null {
  if (releaseCallback === undefined) releaseCallback = native.callback?.(onRelease) ?? null;
  return releaseCallback;
}

/**
 * `ZMQ_ZERO_COPY_MIN` (a size in bytes, or "off"), else the default, where
 * lending is safe. It is not where libzmq's I/O thread, calling back to say a
 * frame is free, must wait for the JavaScript thread (Deno, koffi): that
 * stalls sending (no faster than a copy at 64 KiB), deadlocks with a
 * JavaScript thread blocked in zmq_ctx_term (Context.terminate with lent
 * frames queued), and a Deno process that exited with frames in flight
 * crashed (SIGSEGV). Nor is it in a Worker: terminating one frees its memory
 * while libzmq may still be sending from it (Bun crashed); the main thread's
 * memory lasts as long as the process.
 */
function sendThreshold(native: Native): number {
  // Decided without making a callback: in Deno merely having one costs.
  if (native.callback === undefined || native.callbackBlocksCallingThread !== false) {
    return Infinity;
  }
  if (!isMainThread) return Infinity;
  const setting = runtime.env("ZMQ_ZERO_COPY_MIN")?.trim();
  if (setting === undefined || setting === "") return DEFAULT_SEND_MIN;
  if (setting === "off") return Infinity;
  const bytes = Number(setting);
  if (!Number.isFinite(bytes) || bytes < 0) {
    throw new TypeError(`ZMQ_ZERO_COPY_MIN must be a size in bytes or "off", got "${setting}"`);
  }
  return Math.max(bytes, SMALLEST_LENDABLE);
}

let sendMin: number | undefined;
let onSendMinChange: ((bytes: number) => void) | undefined;

/** Calls `listener` with the threshold now and whenever it changes (frames.ts caches it). */
export function watchZeroCopySendThreshold(listener: (bytes: number) => void): void {
  onSendMinChange = listener;
  listener(zeroCopySendThreshold());
}

/**
 * Sets the threshold for this process wherever the runtime has callbacks,
 * even where lending is unsafe by default (for tests and benchmarks only;
 * users set ZMQ_ZERO_COPY_MIN). Infinity turns lending off.
 */
export function setZeroCopySendThreshold(bytes: number): void {
  if (typeof bytes !== "number" || Number.isNaN(bytes) || bytes < 0) {
    throw new TypeError(`The zero-copy threshold is a size in bytes, got ${String(bytes)}`);
  }
  sendMin = releaser(loadNative()) === null ? Infinity : Math.max(bytes, SMALLEST_LENDABLE);
  onSendMinChange?.(sendMin);
}

/**
 * The smallest frame `send()` lends to libzmq instead of copying in this
 * thread: Infinity where every frame is copied (in Deno, whose callbacks
 * from libzmq's threads wait for the JavaScript thread, and in Workers).
 * Set `ZMQ_ZERO_COPY_MIN` (bytes, or "off") to choose another where lending
 * is available.
 *
 * @example
 * ```ts
 * import * as zmq from "./mod.ts";
 * console.log(zmq.zeroCopySendThreshold()); // 65536 in Bun, Infinity in Deno
 * ```
 */
export function zeroCopySendThreshold(): number {
  return sendMin ??= sendThreshold(loadNative());
}

// The frames libzmq holds, by the hint given to zmq_msg_init_data. Holding
// the view holds its ArrayBuffer: no collection while libzmq reads it.
const lent = new Map<number, Uint8Array>();
// How many lent frames share each ArrayBuffer, for whenReleased().
const lentBuffers = new Map<ArrayBufferLike, { count: number; waiters: (() => void)[] }>();
let nextHint = 1;
let sendStorage: Pointer | undefined;
const sendMessage = new BigUint64Array(new ArrayBuffer(MSG_T_SIZE));

// libzmq is done with a frame: from its I/O thread (delivered on the event
// loop), or on this thread in the middle of a zmq call that dropped or
// closed the message (zmq_msg_close, zmq_msg_recv, even zmq_getsockopt for
// inproc). So this only updates bookkeeping: nothing here calls libzmq.
function onRelease(_data: Pointer, hint: Pointer): void {
  const id = Number(loadNative().pointerToBigInt(hint));
  const frame = lent.get(id);
  if (frame === undefined) return;
  lent.delete(id);
  // Lent frames are never empty: an empty one was detached under libzmq.
  if (frame.byteLength === 0) warnDetached();
  const buffer = frame.buffer;
  const entry = lentBuffers.get(buffer);
  if (entry === undefined || --entry.count > 0) return;
  lentBuffers.delete(buffer);
  for (const wake of entry.waiters) wake();
}

let warnedDetached = false;

function warnDetached(): void {
  if (warnedDetached) return;
  warnedDetached = true;
  console.warn(
    "zmq: a frame lent to libzmq (zero-copy send) had its ArrayBuffer transferred or " +
      "detached before libzmq was done with it, so libzmq may have read freed memory. " +
      "Await zmq.whenReleased(frame) before transferring, resizing or reusing a large frame.",
  );
}

function canLend(frame: Uint8Array): boolean {
  // A resizable buffer may shrink under libzmq's feet: copy it instead.
  const buffer = frame.buffer as ArrayBuffer & { resizable?: boolean; growable?: boolean };
  return buffer.resizable !== true && buffer.growable !== true;
}

/** What {@link lendFrame} returns when libzmq would block. */
export const WOULD_BLOCK = -1;

/**
 * Sends one frame without copying it: the number of bytes sent,
 * {@link WOULD_BLOCK}, or null when this frame cannot be lent (the caller
 * copies it); other failures throw. The frame stays referenced until libzmq
 * releases it; after a failure it is released before this returns.
 */
export function lendFrame(socket: Pointer, frame: Uint8Array, flags: number): number | null {
  if (!canLend(frame)) return null;
  const native = loadNative();
  const zmq = native.zmq;
  sendStorage ??= native.pointerOf(sendMessage);
  // A frame received as a view over libzmq's memory is not ours to lend:
  // release() frees that memory whatever libzmq still queues.
  const heldId = heldBuffers.get(frame.buffer);
  if (heldId !== undefined) return forwardHeld(socket, frame, heldId, flags);
  const id = nextHint;
  nextHint = nextHint >= Number.MAX_SAFE_INTEGER ? 1 : nextHint + 1;
  lent.set(id, frame);
  const buffer = frame.buffer;
  const entry = lentBuffers.get(buffer);
  if (entry === undefined) lentBuffers.set(buffer, { count: 1, waiters: [] });
  else entry.count++;
  const rc = zmq.zmq_msg_init_data(
    sendStorage,
    native.pointerOf(frame),
    native.sizeArgument(frame.byteLength),
    releaser(native)!.pointer,
    native.pointerFromBigInt(BigInt(id)),
  );
  if (rc !== 0) {
    onRelease(null, native.pointerFromBigInt(BigInt(id)));
    return null;
  }
  const sent = zmq.zmq_msg_send(sendStorage, socket, flags);
  if (sent < 0) {
    const errno = zmq.zmq_errno();
    // Still ours after a failed send: closing it gives the frame back.
    zmq.zmq_msg_close(sendStorage);
    if (errno === EAGAIN) return WOULD_BLOCK;
    if (interrupted(errno)) return null; // sent again by copying
    throw errorFor(errno, "Cannot send");
  }
  return sent;
}

/**
 * Sends a view over a received message's memory without copying: a new
 * zmq_msg_t shares that memory with libzmq's reference count (zmq_msg_copy),
 * so it outlives the received message's release() for as long as libzmq
 * queues it. A view of only part of the frame is copied instead (null).
 */
function forwardHeld(
  socket: Pointer,
  frame: Uint8Array,
  id: number,
  flags: number,
): number | null {
  const storage = held.get(id);
  const whole = frame.byteOffset === 0 && frame.byteLength === frame.buffer.byteLength;
  if (storage === undefined || !whole) return null;
  const native = loadNative();
  const zmq = native.zmq;
  zmq.zmq_msg_init(sendStorage!);
  if (zmq.zmq_msg_copy(sendStorage!, native.pointerOf(storage)) !== 0) {
    zmq.zmq_msg_close(sendStorage!);
    return null;
  }
  const sent = zmq.zmq_msg_send(sendStorage!, socket, flags);
  if (sent < 0) {
    const errno = zmq.zmq_errno();
    zmq.zmq_msg_close(sendStorage!);
    if (errno === EAGAIN) return WOULD_BLOCK;
    if (interrupted(errno)) return null; // sent again by copying
    throw errorFor(errno, "Cannot send");
  }
  return sent;
}

/** How many frames libzmq holds without a copy right now (for tests and diagnostics). */
export function lentFrameCount(): number {
  return lent.size;
}

/**
 * Resolves once libzmq holds no frame lent from `frame`'s memory (at once when
 * it holds none). A frame of {@link zeroCopySendThreshold} bytes or more is
 * lent, not copied, and libzmq may still read it after `send()` resolved:
 * wait for this before modifying, transferring or resizing its buffer.
 *
 * @example
 * ```ts
 * import * as zmq from "./mod.ts";
 * const push = new zmq.Push();
 * await push.bind("inproc://big");
 * const pull = new zmq.Pull();
 * pull.connect("inproc://big");
 * const frame = new Uint8Array(1 << 20);
 * await push.send(frame);
 * await pull.receive();
 * await zmq.whenReleased(frame); // now frame may be reused
 * frame.fill(1);
 * push.close();
 * pull.close();
 * ```
 */
export function whenReleased(frame: ArrayBufferLike | ArrayBufferView): Promise<void> {
  let buffer: ArrayBufferLike;
  if (ArrayBuffer.isView(frame)) buffer = frame.buffer;
  else if (frame instanceof ArrayBuffer || isSharedArrayBuffer(frame)) buffer = frame;
  else {
    return Promise.reject(
      new TypeError("whenReleased takes the ArrayBuffer or typed array that was sent"),
    );
  }
  const entry = lentBuffers.get(buffer);
  if (entry === undefined) return Promise.resolve();
  return new Promise((resolve) => entry.waiters.push(resolve));
}

function isSharedArrayBuffer(value: unknown): value is SharedArrayBuffer {
  return typeof SharedArrayBuffer !== "undefined" && value instanceof SharedArrayBuffer;
}

// ---------------------------------------------------------------- receiving

/**
 * Frames at least this large are views over libzmq's memory where the runtime
 * allows: from here on a view costs the receiver less than a copy in
 * bench/zero_copy.ts (at 64 KiB it is no cheaper).
 */
const VIEW_MIN = 128 * 1024;
const LARGE_FRAME = 64 * 1024;
const UNZEROED_MIN = 16 * 1024;

// zmq_msg_t storage that views point into, by the context given to the
// external buffer's deallocator. Each is closed once no buffer uses it.
const held = new Map<number, Uint8Array>();
// The ArrayBuffer of each such view, to its id in `held`.
const heldBuffers = new WeakMap<ArrayBufferLike, number>();
let nextHeld = 1;
let freeCallback: NativeCallback | undefined;
// A zmq_msg_t ready for the next zmq_msg_recv.
let spare: Uint8Array | undefined;

function newStorage(native: Native): Uint8Array {
  const storage = new Uint8Array(new ArrayBuffer(MSG_T_SIZE));
  native.zmq.zmq_msg_init(native.pointerOf(storage));
  return storage;
}

// The last ArrayBuffer over a held message is gone: collected, detached, or
// (if it was transferred) its new owner is gone.
function onBufferFree(_bytes: Pointer, context: Pointer): void {
  const native = loadNative();
  const id = Number(native.pointerToBigInt(context));
  const storage = held.get(id);
  if (storage === undefined) return; // release() closed it already
  held.delete(id);
  native.zmq.zmq_msg_close(native.pointerOf(storage));
}

/** How many received frames are views over libzmq's memory right now (for tests and diagnostics). */
export function heldFrameCount(): number {
  return held.size;
}

/** True where {@link ReceivedMessage} frames can be views rather than copies. */
export function receiveViewsAvailable(): boolean {
  return loadNative().externalBuffer !== undefined;
}

/**
 * Keeps `storage` (a received zmq_msg_t of `length` bytes) until no buffer
 * uses its memory, and pushes a view over that memory onto `frames`: the
 * view's id in `held`.
 */
function holdAsView(native: Native, storage: Uint8Array, length: number, frames: Uint8Array[]) {
  freeCallback ??= native.callback!(onBufferFree);
  const id = nextHeld;
  nextHeld = nextHeld >= Number.MAX_SAFE_INTEGER ? 1 : nextHeld + 1;
  held.set(id, storage);
  const buffer = native.externalBuffer!(
    native.zmq.zmq_msg_data(native.pointerOf(storage)),
    length,
    freeCallback,
    native.pointerFromBigInt(BigInt(id)),
  );
  heldBuffers.set(buffer, id);
  frames.push(new Uint8Array(buffer));
  return id;
}

/**
 * The smallest frame a plain receive (`receive()`, `for await`) hands over as
 * a view over libzmq's memory instead of a copy, freed once the garbage
 * collector drops the view: Infinity where that is not safe. Only in Bun
 * (whose external buffers have a deallocator) and only on the main thread
 * (a terminated Worker's heap would run the deallocator of a gone thread).
 */
export function plainViewMin(): number {
  return loadNative().externalBuffer !== undefined && isMainThread ? VIEW_MIN : Infinity;
}

/**
 * Moves the received message in `msg` (leaving it empty) into storage of its
 * own and pushes a view over its `length` bytes onto `frames`; for frames of
 * {@link plainViewMin} bytes or more.
 */
export function pushPlainView(msg: Pointer, length: number, frames: Uint8Array[]): void {
  const native = loadNative();
  const storage = spare ??= newStorage(native);
  if (native.zmq.zmq_msg_move(native.pointerOf(storage), msg) !== 0) {
    throw errorFor(native.zmq.zmq_errno(), "Cannot receive");
  }
  holdAsView(native, storage, length, frames);
  spare = undefined;
}

function copyFrame(native: Native, storage: Pointer, length: number): Uint8Array {
  let frame: Uint8Array;
  if (length >= UNZEROED_MIN) {
    const memory = Buffer.allocUnsafeSlow(length);
    frame = new Uint8Array(memory.buffer, memory.byteOffset, length);
  } else {
    frame = new Uint8Array(length); // its own buffer: release() detaches it
  }
  if (length > 0) native.copyInto(native.zmq.zmq_msg_data(storage), frame);
  return frame;
}

/**
 * Receives one whole message without blocking, large frames as views where
 * the runtime allows; null when none is waiting.
 */
export function receiveMessage(socket: Pointer): ReceivedMessage | null {
  const native = loadNative();
  const zmq = native.zmq;
  const views = native.externalBuffer !== undefined;
  let storage = spare ??= newStorage(native);
  let pointer = native.pointerOf(storage);
  let length = zmq.zmq_msg_recv(pointer, socket, Flag.DONTWAIT);
  if (length < 0) {
    const errno = zmq.zmq_errno();
    if (errno === EAGAIN) return null;
    if (interrupted(errno)) return receiveMessage(socket);
    throw errorFor(errno, "Cannot receive");
  }
  const frames: Uint8Array[] = [];
  const ids: number[] = [];
  for (;;) {
    const more = zmq.zmq_msg_more(pointer) !== 0;
    if (views && length >= VIEW_MIN) {
      const id = holdAsView(native, storage, length, frames);
      ids.push(id);
      storage = spare = newStorage(native);
      pointer = native.pointerOf(storage);
    } else {
      frames.push(copyFrame(native, pointer, length));
      ids.push(0);
    }
    if (!more) break;
    // The rest of a multipart message is already here: libzmq delivers messages whole.
    length = zmq.zmq_msg_recv(pointer, socket, Flag.DONTWAIT);
    if (length < 0) length = receiveRestAgain(pointer, socket);
  }
  // Give a large copied body back now rather than at the next receive.
  if (length >= LARGE_FRAME) {
    zmq.zmq_msg_close(pointer);
    zmq.zmq_msg_init(pointer);
  }
  return new ReceivedMessage(frames, ids);
}

/**
 * A received message whose frames stay valid until {@link ReceivedMessage.release}.
 * Where the runtime allows (Bun), frames of 128 KiB or more are views over
 * libzmq's memory rather than copies; elsewhere (Deno) every frame is one copy.
 * Either way, release() detaches every frame's buffer: a view kept past it
 * reads as empty (length 0), never as freed memory.
 *
 * @example
 * ```ts
 * import * as zmq from "./mod.ts";
 * const pull = new zmq.Pull();
 * await pull.bind("inproc://views");
 * const push = new zmq.Push();
 * push.connect("inproc://views");
 * await push.send(new Uint8Array(1 << 20));
 * using message = await pull.receiveMessage();
 * console.log(message.frames[0].length); // 1048576
 * // released at the end of the block (or call message.release())
 * push.close();
 * pull.close();
 * ```
 */
export class ReceivedMessage {
  #frames: Uint8Array[] | null;
  // Per frame: its held zmq_msg_t's id, or 0 for a copy.
  #ids: number[];

  /** @ignore Made by receiveMessage(). */
  constructor(frames: Uint8Array[], ids: number[]) {
    this.#frames = frames;
    this.#ids = ids;
  }

  /** The frames, in order. Throws a ZmqError (EINVAL) once released. */
  get frames(): Uint8Array[] {
    if (this.#frames === null) {
      throw misuse(
        "EINVAL",
        "This message was released: its frames are no longer readable (copy what you need first)",
      );
    }
    return this.#frames;
  }

  /** True once {@link ReceivedMessage.release} ran. */
  get released(): boolean {
    return this.#frames === null;
  }

  /**
   * Gives the message's memory back to libzmq and detaches every frame's
   * buffer. A frame sent onward that libzmq still queues stays readable
   * until libzmq is done with it, then detaches. Releasing twice throws a
   * ZmqError (EINVAL).
   */
  release(): void {
    const frames = this.#frames;
    if (frames === null) throw misuse("EINVAL", "This message was already released");
    this.#frames = null;
    for (let i = 0; i < frames.length; i++) {
      const buffer = frames[i].buffer as ArrayBuffer;
      // Detached by someone else: if it was transferred, the memory lives on
      // in the new buffer, and the deallocator closes it once that is gone.
      if (isDetached(buffer)) continue;
      if (lentBuffers.has(buffer)) {
        // Sent onward and still queued in libzmq: detaching now would free
        // memory libzmq reads. It detaches once libzmq gives it back.
        void whenReleased(buffer).then(() => detach(buffer));
        continue;
      }
      detach(buffer);
      const id = this.#ids[i];
      if (id === 0) continue;
      // The buffer was the memory's only owner and is detached: close now
      // rather than when the deallocator's call comes round.
      const storage = held.get(id);
      if (storage === undefined) continue;
      held.delete(id);
      const native = loadNative();
      native.zmq.zmq_msg_close(native.pointerOf(storage));
    }
  }

  /** Releases the message if it was not released yet (for `using`). */
  [Symbol.dispose](): void {
    if (this.#frames !== null) this.release();
  }
}

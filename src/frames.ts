/**
 * Moving whole messages between JavaScript and libzmq: what a frame may be,
 * and the non-blocking send and receive of every frame of one message.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { Flag, MSG_T_SIZE, SocketType } from "../ffi/constants.ts";
import { loadNative } from "../ffi/load.ts";
import type { Native, Pointer } from "../ffi/native.ts";
import { errnoValue, errorFor } from "./errors.ts";
import { interrupted, receiveRestAgain } from "./interrupted_calls.ts";
import { isDetached } from "./array_buffers.ts";
import {
  lendFrame,
  plainViewMin,
  pushPlainView,
  watchZeroCopySendThreshold,
  WOULD_BLOCK,
} from "./zero_copy.ts";

const EAGAIN = errnoValue("EAGAIN");

/** One frame as a caller may give it: text is sent as UTF-8. */
export type Frame = string | Uint8Array | ArrayBuffer | SharedArrayBuffer | ArrayBufferView;

/** One message: a frame, or the frames of a multipart message in order. */
export type Message = Frame | readonly Frame[];

const encoder = new TextEncoder();

/** The bytes of one frame, without copying where the frame already is bytes. */
export function frameBytes(frame: Frame): Uint8Array {
  if (typeof frame === "string") return encoder.encode(frame);
  if (ArrayBuffer.isView(frame)) {
    if (frame.byteLength === 0 && isDetached(frame.buffer)) throw detachedError();
    if (frame instanceof Uint8Array) return frame;
    return new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength);
  }
  if (frame instanceof ArrayBuffer || isSharedArrayBuffer(frame)) {
    if (frame.byteLength === 0 && isDetached(frame)) throw detachedError();
    return new Uint8Array(frame);
  }
  throw new TypeError(
    `Cannot send ${
      describe(frame)
    }: a frame must be a string, Uint8Array, ArrayBuffer or ArrayBufferView`,
  );
}

// A detached buffer (transferred to a Worker, or released) reads as empty:
// sending it would send an empty frame instead of the caller's bytes.
function detachedError(): TypeError {
  return new TypeError(
    "Cannot send a frame whose ArrayBuffer is detached (transferred to a Worker, or " +
      "released): its bytes are gone; nothing of the message was sent",
  );
}

function isSharedArrayBuffer(value: unknown): value is SharedArrayBuffer {
  return typeof SharedArrayBuffer !== "undefined" && value instanceof SharedArrayBuffer;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a nested array";
  if (typeof value === "object") return `an object (${value.constructor?.name ?? "Object"})`;
  return `a ${typeof value} (${String(value).slice(0, 40)})`;
}

/** True for a one-frame message that needs no checking beyond its type: text or a view. */
export function isPlainFrame(message: Message): message is string | ArrayBufferView {
  return typeof message === "string" || ArrayBuffer.isView(message);
}

/** A message as a list of frames; an empty list is refused. */
export function messageFrames(message: Message): readonly Frame[] {
  const frames = Array.isArray(message) ? message as readonly Frame[] : [message as Frame];
  if (frames.length === 0) throw new TypeError("Cannot send an empty list of frames");
  // Check every frame first: a bad frame found halfway would leave a message half sent.
  for (const frame of frames) {
    if (typeof frame !== "string") frameBytes(frame);
  }
  return frames;
}

// Small frames go through one preallocated buffer whose address is known, so
// the hot path passes plain pointers (a typed-array argument costs more in Deno).
const STAGING_BYTES = 64 * 1024;
const staging = new Uint8Array(new ArrayBuffer(STAGING_BYTES));
let stagingPointer: Pointer | undefined;
// One zmq_msg_t serves every receive: JavaScript runs one call at a time, and
// zmq_msg_recv releases the previous content itself.
const messageStorage = new BigUint64Array(new ArrayBuffer(MSG_T_SIZE));
let messagePointer: Pointer | undefined;
const LARGE_FRAME = 64 * 1024;
// Bound on first use, then read from module scope on the hot path.
let native: Native;
let zmq: Native["zmq"];
let size: Native["sizeArgument"];
// Frames this large are lent to libzmq instead of copied (Infinity: never).
let lendMin = Infinity;
// Received frames this large are views over libzmq's memory (Infinity: never).
let viewMin = Infinity;

function ensurePointers(): void {
  if (messagePointer !== undefined) return;
  native = loadNative();
  zmq = native.zmq;
  size = native.sizeArgument;
  watchZeroCopySendThreshold((bytes) => lendMin = bytes);
  viewMin = plainViewMin();
  stagingPointer = native.pointerOf(staging);
  messagePointer = native.pointerOf(messageStorage);
  zmq.zmq_msg_init(messagePointer);
  inlineLayout = detectInlineLayout();
}

// Small frames (up to 33 bytes on 64-bit) live inside the zmq_msg_t itself,
// which is our own memory: reading them there saves three FFI calls per frame
// (msg_data, memcpy, msg_more). The layout is libzmq's private business, so it
// is checked against the real library once at start-up, and every frame's
// type byte is checked before use; anything unexpected takes the FFI path.
const INLINE_DATA_OFFSET = 8; // after the metadata pointer
const INLINE_SIZE_OFFSET = 41;
const TYPE_OFFSET = 42;
const FLAGS_OFFSET = 43;
const MORE_FLAG = 1;
const INLINE_MAX = 33;
const messageBytes = new Uint8Array(messageStorage.buffer);
let inlineLayout: { type: number } | null = null;

function detectInlineLayout(): { type: number } | null {
  const context = zmq.zmq_ctx_new();
  if (context === null) return null;
  const a = zmq.zmq_socket(context, SocketType.PAIR);
  const b = zmq.zmq_socket(context, SocketType.PAIR);
  const msg = messagePointer!;
  try {
    const endpoint = encoder.encode(`inproc://zmq.layout.probe\0`);
    if (a === null || b === null || zmq.zmq_bind(a, endpoint) !== 0) return null;
    if (zmq.zmq_connect(b, endpoint) !== 0) return null;
    const base = native.pointerToBigInt(msg);
    let type = -1;
    for (const length of [0, 1, 7, 33, 34, 200]) {
      const payload = Uint8Array.from({ length }, (_, i) => (i * 7 + length) & 0xff);
      // A message is delivered whole: send two frames, then read both.
      if (zmq.zmq_send(a, payload, size(length), Flag.SNDMORE) !== length) return null;
      if (zmq.zmq_send(a, payload, size(length), 0) !== length) return null;
      for (const more of [true, false]) {
        if (zmq.zmq_msg_recv(msg, b, Flag.DONTWAIT) !== length) return null;
        const moreFlag = (messageBytes[FLAGS_OFFSET] & MORE_FLAG) !== 0;
        if (moreFlag !== (zmq.zmq_msg_more(msg) === 1) || moreFlag !== more) return null;
        const inline = native.pointerToBigInt(zmq.zmq_msg_data(msg)) - base ===
          BigInt(INLINE_DATA_OFFSET);
        if (length <= INLINE_MAX) {
          if (!inline || messageBytes[INLINE_SIZE_OFFSET] !== length) return null;
          if (type === -1) type = messageBytes[TYPE_OFFSET];
          if (messageBytes[TYPE_OFFSET] !== type) return null;
          for (let i = 0; i < length; i++) {
            if (messageBytes[INLINE_DATA_OFFSET + i] !== payload[i]) return null;
          }
        } else if (inline || messageBytes[TYPE_OFFSET] === type) {
          return null; // the type byte must tell inline frames from others
        }
      }
    }
    return type === -1 ? null : { type };
  } finally {
    zmq.zmq_msg_close(msg);
    zmq.zmq_msg_init(msg);
    if (a !== null) zmq.zmq_close(a);
    if (b !== null) zmq.zmq_close(b);
    zmq.zmq_ctx_term(context);
  }
}

/**
 * Sends frames from `start` without blocking. Returns the index of the first
 * frame not sent: `frames.length` when all went, `start` when libzmq would block.
 * Throws a ZmqError for anything but "would block".
 */
export function sendFrames(socket: Pointer, frames: readonly Frame[], start: number): number {
  const last = frames.length - 1;
  for (let i = start; i <= last; i++) {
    const flags = i < last ? Flag.DONTWAIT | Flag.SNDMORE : Flag.DONTWAIT;
    if (!sendFrame(socket, frames[i], flags)) return i;
  }
  return frames.length;
}

/**
 * Sends one frame with `flags` (which include DONTWAIT). False when libzmq
 * would block; throws a ZmqError for anything else, and a TypeError for
 * something that is not a frame (before anything is sent).
 */
export function sendFrame(socket: Pointer, frame: Frame, flags: number): boolean {
  ensurePointers();
  let rc: number;
  if (typeof frame === "string" && frame.length * 3 <= STAGING_BYTES) {
    const { written } = encoder.encodeInto(frame, staging);
    rc = zmq.zmq_send_pointer(socket, stagingPointer!, size(written), flags);
  } else {
    const bytes = frameBytes(frame);
    if (bytes.byteLength <= 256) {
      staging.set(bytes);
      rc = zmq.zmq_send_pointer(socket, stagingPointer!, size(bytes.byteLength), flags);
    } else if (bytes.byteLength < lendMin) {
      rc = zmq.zmq_send(socket, bytes, size(bytes.byteLength), flags);
    } else {
      // lendFrame reads errno itself: the release it may run calls JavaScript.
      const lent = lendFrame(socket, bytes, flags);
      if (lent === WOULD_BLOCK) return false;
      rc = lent ?? zmq.zmq_send(socket, bytes, size(bytes.byteLength), flags);
    }
  }
  if (rc < 0) {
    const errno = zmq.zmq_errno();
    if (errno === EAGAIN) return false;
    if (interrupted(errno)) return sendFrame(socket, frame, flags);
    throw errorFor(errno, "Cannot send");
  }
  return true;
}

// Small received frames can come out of a shared slab (as Node's Buffer pool
// does), for sockets made with `pooledFrames`: each view is exact and
// private, but its `.buffer` is the slab. In Deno every ArrayBuffer costs
// ~300 ns or more (its typed arrays never live on V8's heap), about three
// times the rest of a small receive.
const SLAB_BYTES = 64 * 1024;
const POOLED_FRAME_MAX = 1024;
let slab = new Uint8Array(SLAB_BYTES);
let slabOffset = 0;

// Large frames are about to be overwritten whole: skip zero-filling them
// where the runtime allows (Bun: 0.9 against 2.0 µs per 64 KiB; in Deno 2.9
// allocUnsafeSlow costs what a zeroed array does, ~3.5 µs). A plain
// Uint8Array view over the whole of its own buffer is returned, not a Buffer.
const UNZEROED_FRAME_MIN = 16 * 1024;

function newFrame(size: number, pooled: boolean): Uint8Array {
  if (size >= UNZEROED_FRAME_MIN) {
    const memory = Buffer.allocUnsafeSlow(size);
    return new Uint8Array(memory.buffer, memory.byteOffset, size);
  }
  if (!pooled || size > POOLED_FRAME_MAX) return new Uint8Array(size);
  // A transferred frame detaches the whole slab: start a new one.
  if (slabOffset + size > SLAB_BYTES || slab.byteLength === 0) {
    slab = new Uint8Array(SLAB_BYTES);
    slabOffset = 0;
  }
  // (A view built from the buffer is cheaper than subarray in V8.)
  const frame = new Uint8Array(slab.buffer, slabOffset, size);
  slabOffset += (size + 7) & ~7; // keep views 8-byte aligned
  return frame;
}

/**
 * Receives one whole message without blocking; null when none is waiting.
 * Each frame owns its ArrayBuffer, unless `pooled` (see newFrame). With
 * `flags` 0 the call blocks in libzmq up to the socket's receive timeout
 * (null when that runs out, or a signal interrupts the wait).
 */
export function receiveFrames(
  socket: Pointer,
  pooled = false,
  flags: number = Flag.DONTWAIT,
): Uint8Array[] | null {
  ensurePointers();
  const msg = messagePointer!;
  // zmq_msg_recv returns the frame's size, which saves a zmq_msg_size call.
  let length = zmq.zmq_msg_recv(msg, socket, flags);
  if (length < 0) {
    const errno = zmq.zmq_errno();
    if (errno === EAGAIN) return null;
    if (interrupted(errno)) {
      return flags === Flag.DONTWAIT ? receiveFrames(socket, pooled, flags) : null;
    }
    throw errorFor(errno, "Cannot receive");
  }
  let frames: Uint8Array[] | undefined;
  let large = false;
  const inlineType = inlineLayout === null ? -1 : inlineLayout.type;
  for (;;) {
    let more: boolean;
    if (length >= viewMin) {
      more = zmq.zmq_msg_more(msg) !== 0;
      frames ??= [];
      pushPlainView(msg, length, frames); // takes the content: msg is left empty
    } else {
      const frame = newFrame(length, pooled);
      if (length <= INLINE_MAX && messageBytes[TYPE_OFFSET] === inlineType) {
        for (let i = 0; i < length; i++) frame[i] = messageBytes[INLINE_DATA_OFFSET + i];
        more = (messageBytes[FLAGS_OFFSET] & MORE_FLAG) !== 0;
      } else {
        if (length > 0) native.copyInto(zmq.zmq_msg_data(msg), frame);
        more = zmq.zmq_msg_more(msg) !== 0;
      }
      if (frames === undefined) frames = [frame];
      else frames.push(frame);
      if (length >= LARGE_FRAME) large = true;
    }
    if (!more) break;
    // The rest of a multipart message is already here: libzmq delivers messages whole.
    length = zmq.zmq_msg_recv(msg, socket, Flag.DONTWAIT);
    if (length < 0) length = receiveRestAgain(msg, socket);
  }
  if (large) {
    // Give a large body back now rather than at the next receive.
    zmq.zmq_msg_close(msg);
    zmq.zmq_msg_init(msg);
  }
  return frames!;
}

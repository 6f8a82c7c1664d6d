/**
 * Frames as zeromq.js takes and gives them: anything goes out (bytes of a
 * view or ArrayBuffer, text as UTF-8, null as an empty frame, anything else
 * as its string), and every received frame is a Buffer.
 *
 * @module
 */
import { Buffer } from "node:buffer";

/**
 * A received message frame: a Node Buffer (node:buffer, in every runtime).
 *
 * @example
 * ```ts
 * import * as zmq from "./zeromq.ts";
 * const pull = new zmq.Pull({ receiveTimeout: 100 });
 * const frames: zmq.Message[] = await pull.receive().catch(() => []);
 * console.log(frames.map((frame) => frame.toString()));
 * pull.close();
 * ```
 */
export type Message = Buffer;

/**
 * What `send()` takes as one frame: bytes (any view or ArrayBuffer), text
 * (UTF-8), a number, or null (an empty frame). Other values are sent as
 * their string, as zeromq.js does.
 *
 * @example
 * ```ts
 * import * as zmq from "./zeromq.ts";
 * const frames: zmq.MessageLike[] = ["topic", Buffer.from([1, 2]), 42, null];
 * const push = new zmq.Push({ sendTimeout: 0 });
 * await push.send(frames).catch(() => {}); // no peer: EAGAIN
 * push.close();
 * ```
 */
export type MessageLike =
  | ArrayBufferView
  | ArrayBuffer
  | SharedArrayBuffer
  | string
  | number
  | null;

const EMPTY = new Uint8Array(0);

function isSharedArrayBuffer(value: unknown): value is SharedArrayBuffer {
  return typeof SharedArrayBuffer !== "undefined" && value instanceof SharedArrayBuffer;
}

/** One outgoing frame as the main API takes it. */
export function outgoingFrame(value: unknown): Uint8Array | string {
  if (typeof value === "string") return value;
  if (ArrayBuffer.isView(value)) {
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  }
  if (value instanceof ArrayBuffer || isSharedArrayBuffer(value)) return new Uint8Array(value);
  if (value === null) return EMPTY;
  // A Symbol throws here, as converting it to a string does in zeromq.js.
  return `${value as string}`;
}

/** An outgoing message (one value or an array of frames) as a list of frames. */
export function outgoingFrames(message: unknown): (Uint8Array | string)[] {
  return Array.isArray(message) ? message.map(outgoingFrame) : [outgoingFrame(message)];
}

/** A received frame as a Buffer over the same memory (the frame owns its buffer). */
export function incomingFrame(frame: Uint8Array): Buffer {
  return Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
}

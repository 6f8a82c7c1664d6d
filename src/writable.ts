/**
 * The sending capability, mixed into the socket types that can send.
 *
 * @module
 */
import { isPlainFrame, type Message, messageFrames } from "./frames.ts";
import { engine } from "./socket.ts";
import type { WaitOptions } from "./socket_engine.ts";

/** Options for {@link Writable.send}. */
export type SendOptions = WaitOptions;

/** What a socket that can send offers. */
export interface Writable {
  /**
   * Queues a message: a frame or an array of frames (multipart). Resolves once
   * libzmq has taken it; waits while the high-water mark is reached.
   * Calls made while one is pending are sent in call order.
   *
   * Small frames are copied. In Bun, a frame of 64 KiB or more is lent to
   * libzmq without a copy and may still be read after this resolves: do not
   * modify its buffer until `await zmq.whenReleased(frame)` (see
   * {@link zeroCopySendThreshold}; `ZMQ_ZERO_COPY_MIN=off` turns lending off).
   *
   * @example
   * ```ts
   * import * as zmq from "./mod.ts";
   * const push = new zmq.Push();
   * push.connect("tcp://127.0.0.1:5555");
   * await push.send(["topic", new Uint8Array([1, 2, 3])], { timeout: 1000 }).catch(() => {});
   * push.close();
   * ```
   */
  send(message: Message, options?: SendOptions): Promise<void>;
  /**
   * Sends now if libzmq can take the message without blocking; false otherwise.
   * Large frames are lent as with {@link Writable.send}.
   */
  trySend(message: Message): boolean;
  /** True when a message can be sent without blocking (ZMQ_EVENTS has ZMQ_POLLOUT). */
  readonly writable: boolean;
}

import type { SocketClass } from "./readable.ts";

/** Adds {@link Writable} to a socket class. */
export function Writable<Base extends SocketClass>(
  base: Base,
): abstract new (...args: ConstructorParameters<Base>) => InstanceType<Base> & Writable {
  abstract class WritableSocket extends base implements Writable {
    send(message: Message, options?: SendOptions): Promise<void> {
      // The common case, one frame, goes on without building a list.
      if (isPlainFrame(message)) return this[engine].send(message, options);
      let frames;
      try {
        frames = messageFrames(message);
      } catch (error) {
        return Promise.reject(error);
      }
      return this[engine].send(frames, options);
    }

    trySend(message: Message): boolean {
      return this[engine].trySend(isPlainFrame(message) ? message : messageFrames(message));
    }

    get writable(): boolean {
      return this[engine].writable;
    }
  }
  return WritableSocket as unknown as abstract new (
    ...args: ConstructorParameters<Base>
  ) => InstanceType<Base> & Writable;
}

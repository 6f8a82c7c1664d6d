/**
 * The receiving capability, mixed into the socket types that can receive.
 *
 * @module
 */
import { io, type Socket } from "./socket.ts";
import type { WaitOptions } from "./socket_io.ts";

/** Options for {@link Readable.receive}. */
export type ReceiveOptions = WaitOptions;

/** What a socket that can receive offers. */
export interface Readable {
  /**
   * Resolves with the next whole message, one Uint8Array per frame.
   * Calls made while one is pending are served in call order.
   *
   * @example
   * ```ts
   * import * as zmq from "./mod.ts";
   * const pull = new zmq.Pull();
   * await pull.bind("tcp://127.0.0.1:*");
   * const push = new zmq.Push();
   * push.connect(pull.lastEndpoint!);
   * await push.send("hi");
   * const [frame] = await pull.receive({ timeout: 1000 });
   * console.log(new TextDecoder().decode(frame));
   * push.close();
   * pull.close();
   * ```
   */
  receive(options?: ReceiveOptions): Promise<Uint8Array[]>;
  /** The next message if one is waiting, otherwise null; never blocks. */
  tryReceive(): Uint8Array[] | null;
  /** True when a message is waiting (ZMQ_EVENTS has ZMQ_POLLIN). */
  readonly readable: boolean;
  /**
   * Iterates messages as they arrive; ends when the socket closes.
   *
   * @example
   * ```ts
   * import * as zmq from "./mod.ts";
   * const pull = new zmq.Pull();
   * await pull.bind("inproc://jobs");
   * setTimeout(() => pull.close(), 100);
   * for await (const [frame] of pull) console.log(frame);
   * ```
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<Uint8Array[]>;
}

/** Any socket class, as the capability mixins take it. */
// deno-lint-ignore no-explicit-any
export type SocketClass = abstract new (...args: any[]) => Socket;

/** Adds {@link Readable} to a socket class. */
export function Readable<Base extends SocketClass>(
  base: Base,
): abstract new (...args: ConstructorParameters<Base>) => InstanceType<Base> & Readable {
  abstract class ReadableSocket extends base implements Readable {
    receive(options?: ReceiveOptions): Promise<Uint8Array[]> {
      return this[io].receive(options);
    }

    tryReceive(): Uint8Array[] | null {
      return this[io].tryReceive();
    }

    get readable(): boolean {
      return this[io].readable;
    }

    [Symbol.asyncIterator](): AsyncIterableIterator<Uint8Array[]> {
      // The iterator holds the socket (not just its engine), so a socket
      // referenced only by a running loop is not collected and closed.
      const iterator: AsyncIterableIterator<Uint8Array[]> = {
        next: () => this[io].next(),
        // Leaving a for-await loop early leaves the socket open and usable.
        return: () => Promise.resolve({ done: true, value: undefined }),
        [Symbol.asyncIterator]: () => iterator,
      };
      return iterator;
    }
  }
  return ReadableSocket as unknown as abstract new (
    ...args: ConstructorParameters<Base>
  ) => InstanceType<Base> & Readable;
}

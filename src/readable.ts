/**
 * The receiving capability, mixed into the socket types that can receive.
 *
 * @module
 */
import { engine, type Socket } from "./socket.ts";
import type { WaitOptions } from "./socket_engine.ts";
import {
  checkPropertyNames,
  type MessageWithMetadata,
  type MetadataReceiveOptions,
  receiveWithMetadata,
} from "./metadata.ts";
import { type ReceivedMessage, receiveMessage } from "./zero_copy.ts";

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
  /**
   * Resolves with the next whole message as a {@link ReceivedMessage} whose
   * frames stay valid until its `release()`. Where the runtime can tie
   * libzmq's memory to a view's life (Bun), frames of 128 KiB or more are
   * views over that memory, not copies; elsewhere (Deno) each frame is one
   * copy. After `release()` every frame reads as empty. Served in call order
   * with receive().
   *
   * @example
   * ```ts
   * import * as zmq from "./mod.ts";
   * const pull = new zmq.Pull();
   * await pull.bind("tcp://127.0.0.1:*");
   * const push = new zmq.Push();
   * push.connect(pull.lastEndpoint!);
   * await push.send(new Uint8Array(1 << 20));
   * const message = await pull.receiveMessage({ timeout: 1000 });
   * console.log(message.frames[0].length); // 1048576
   * message.release(); // or: using message = await pull.receiveMessage()
   * push.close();
   * pull.close();
   * ```
   */
  receiveMessage(options?: ReceiveOptions): Promise<ReceivedMessage>;
  /**
   * Resolves with the next whole message together with each frame's
   * ZMQ_MORE flag and the message's properties ("Peer-Address", "User-Id",
   * "Socket-Type", "Routing-Id", and any listed in `properties`). Opt-in:
   * receive() does not read them. Served in call order with receive().
   *
   * @example
   * ```ts
   * import * as zmq from "./mod.ts";
   * const pull = new zmq.Pull();
   * await pull.bind("tcp://127.0.0.1:*");
   * const push = new zmq.Push();
   * push.connect(pull.lastEndpoint!);
   * await push.send("hello");
   * const { frames, metadata } = await pull.receiveWithMetadata({ timeout: 1000 });
   * console.log(metadata.peerAddress, metadata.socketType); // "127.0.0.1" "PUSH"
   * console.log(metadata.get("User-Id")); // undefined: no authenticator
   * push.close();
   * pull.close();
   * ```
   */
  receiveWithMetadata(options?: MetadataReceiveOptions): Promise<MessageWithMetadata>;
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
      return this[engine].receive(options);
    }

    tryReceive(): Uint8Array[] | null {
      return this[engine].tryReceive();
    }

    receiveMessage(options?: ReceiveOptions): Promise<ReceivedMessage> {
      return this[engine].receiveWith(receiveMessage, options);
    }

    receiveWithMetadata(options?: MetadataReceiveOptions): Promise<MessageWithMetadata> {
      let properties: readonly string[];
      try {
        properties = checkPropertyNames(options?.properties);
      } catch (error) {
        return Promise.reject(error);
      }
      return this[engine].receiveWith((socket) => receiveWithMetadata(socket, properties), options);
    }

    get readable(): boolean {
      return this[engine].readable;
    }

    [Symbol.asyncIterator](): AsyncIterableIterator<Uint8Array[]> {
      // The iterator holds the socket (not just its engine), so a socket
      // referenced only by a running loop is not collected and closed.
      const iterator: AsyncIterableIterator<Uint8Array[]> = {
        next: () => this[engine].next(),
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

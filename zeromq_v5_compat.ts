/**
 * zeromq.js v5's API, as zeromq.js v6 ships it in `zeromq/v5-compat`: for
 * programs written against `require("zeromq")` before v6. Change the import
 * (or map `zeromq/v5-compat`, or `zeromq`, to this module) and they run on
 * Deno, Bun and Node. See docs/zeromq-compat.md.
 *
 * @example Request and reply
 * ```ts
 * import * as zmq from "./zeromq_v5_compat.ts";
 *
 * const rep = zmq.socket("rep");
 * rep.bindSync("tcp://127.0.0.1:*");
 * rep.on("message", (request: Buffer) => rep.send(`echo ${request}`));
 *
 * const req = zmq.socket("req");
 * req.connect(rep.last_endpoint as string);
 * req.on("message", (reply: Buffer) => {
 *   console.log(reply.toString()); // echo hello
 *   req.close();
 *   rep.close();
 * });
 * req.send("hello");
 * ```
 *
 * @module
 */
export * from "./src/zeromq/v5_constants.ts";
export type { Message, MessageLike } from "./src/zeromq/messages.ts";
export {
  type Callback,
  Context,
  createSocket,
  createSocket as socket,
  curveKeypair,
  options,
  proxy,
  Socket,
  type SocketType,
  version,
} from "./src/zeromq/v5_socket.ts";

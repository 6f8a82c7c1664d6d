/**
 * Sockets the library itself uses (monitor readers, proxy control, the ZAP
 * handler): no public class, linger 0, owned by a context so terminate()
 * closes them, and optionally without keeping the process alive.
 *
 * @module
 */
import { SocketType } from "../ffi/constants.ts";
import { loadNative } from "../ffi/load.ts";
import type { Context } from "./context.ts";
import { zmqFailure } from "./errors.ts";
import { findOption, writeOption } from "./options.ts";
import { SocketEngine } from "./socket_engine.ts";
import { forgetInternalConnect, recordInternalConnect } from "./inproc_guard.ts";

const encoder = new TextEncoder();

/** An internal socket: its engine and how to close it. */
export interface InternalSocket {
  readonly engine: SocketEngine;
  /** Closes it and forgets it in its context. */
  close(): Promise<void>;
}

/** Options for {@link openInternalSocket}. */
export interface InternalSocketOptions {
  type: keyof typeof SocketType;
  describe: string;
  bind?: string;
  connect?: string;
}

/** Opens an internal socket in `context`, bound or connected as asked. */
export function openInternalSocket(
  context: Context,
  options: InternalSocketOptions,
): InternalSocket {
  const zmq = loadNative().zmq;
  const holder: { engine?: SocketEngine } = {};
  const member = { release: () => holder.engine?.close() ?? Promise.resolve() };
  const pointer = zmq.zmq_socket(context.pointerFor(member), SocketType[options.type]);
  if (pointer === null) {
    context.forget(member);
    throw zmqFailure(`Cannot create the ${options.describe}`);
  }
  const engine = holder.engine = new SocketEngine(pointer, options.describe);
  // Its inproc connect, kept known to the context while it is open: one left
  // pending is bound by terminate() (see Context) before libzmq binds it itself.
  let connectedInproc: string | undefined;
  const close = () => {
    if (connectedInproc !== undefined) forgetInternalConnect(context, connectedInproc);
    connectedInproc = undefined;
    // Unbinding first frees an inproc name at once (zmq_close frees it later,
    // on libzmq's reaper thread), so a successor can bind it right away.
    if (options.bind !== undefined && !engine.closed) {
      zmq.zmq_unbind(pointer, encoder.encode(options.bind + "\0"));
    }
    const released = engine.close();
    context.forget(member, released);
    return released;
  };
  try {
    writeOption(pointer, findOption("LINGER")!, 0);
    // No receive limit: over inproc the sender's queue is then unbounded too.
    // libzmq's monitor sends events with a blocking send from its I/O thread
    // while holding the socket's monitor lock: a full queue (this thread busy
    // for a while) would stall the I/O thread, and any call needing that lock.
    writeOption(pointer, findOption("RCVHWM")!, 0);
    for (const action of ["bind", "connect"] as const) {
      const endpoint = options[action];
      if (endpoint === undefined) continue;
      const text = encoder.encode(endpoint + "\0");
      const rc = action === "bind" ? zmq.zmq_bind(pointer, text) : zmq.zmq_connect(pointer, text);
      if (rc !== 0) {
        throw zmqFailure(`Cannot ${action} the ${options.describe} to ${endpoint}`, endpoint);
      }
      if (action === "connect" && endpoint.startsWith("inproc://")) {
        recordInternalConnect(context, connectedInproc = endpoint);
      }
    }
  } catch (error) {
    void close();
    throw error;
  }
  return { engine, close };
}

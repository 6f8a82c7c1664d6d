/**
 * What the zeromq.js classes keep about each socket, shared by the socket,
 * its Observer and a Proxy (kept off the sealed socket objects).
 *
 * @module
 */
import type { SocketTypeName } from "../../ffi/constants.ts";
import type { Readable } from "../readable.ts";
import type { Socket as MainSocket } from "../socket.ts";
import type { Writable } from "../writable.ts";
import type { Context } from "./context.ts";
import { type ErrnoError, errnoError } from "./errors.ts";

/** The main API's socket behind a zeromq.js socket, with whichever capabilities its type has. */
export type InnerSocket = MainSocket & Partial<Readable & Writable>;

/** The state of one zeromq.js socket. */
export interface SocketState {
  readonly inner: InnerSocket;
  readonly type: SocketTypeName;
  readonly context: Context;
  /** "blocked" while a bind or unbind runs, or a Proxy owns the socket. */
  state: "open" | "blocked" | "closed";
  /** close() came while blocked: close once unblocked. */
  requestClose: boolean;
  /** Binds and connects minus unbinds and disconnects, as zeromq.js counts them. */
  endpoints: number;
  reading: boolean;
  writing: boolean;
  observer?: object;
  /** inproc endpoints bound: unbound at close, so the name is free at once. */
  readonly inproc: Set<string>;
  /** Called when the socket closes (observers stop holding the process). */
  readonly onClose: Set<() => void>;
}

const states = new WeakMap<object, SocketState>();

/** Records the state of a new socket. */
export function registerSocket(socket: object, state: SocketState): void {
  states.set(socket, state);
}

/** The state of a zeromq.js socket, or undefined for anything else. */
export function socketState(socket: unknown): SocketState | undefined {
  return typeof socket === "object" && socket !== null ? states.get(socket) : undefined;
}

/** The error zeromq.js gives unless the socket is open: EBADF closed, EBUSY blocked. */
export function notOpenError(state: SocketState): ErrnoError | undefined {
  if (state.state === "closed") return errnoError("EBADF");
  if (state.state === "blocked") {
    return errnoError("EBUSY", "Socket is blocked by a bind or unbind operation");
  }
  return undefined;
}

/**
 * Refuses the two inproc sequences that make libzmq 4.3.4 abort the process
 * ("Assertion failed: written (src/pipe.cpp:87)").
 *
 * A connect to an inproc address nobody has bound yet is left pending inside
 * the context. When the address is bound later, libzmq hands the binder its
 * pending pipes and then writes the binder's routing id into each pipe whose
 * connecter wants one (Router and Reply). That write asserts if the pipe is
 * no longer open, which happens when:
 * - the Router/Reply disconnected the pending address before the bind, or
 * - the binder is a Pair, which keeps one pipe and closes every other one
 *   (a second pending connection, or a Pair that already has a peer).
 *
 * So, per context, this remembers the inproc addresses this thread's sockets
 * bound and the Router/Reply connections still pending, and refuses the
 * disconnect, or the Pair bind, before libzmq sees it. Connections made from
 * other threads of a shared context are not seen here.
 *
 * @module
 */
import { misuse } from "./errors.ts";

/** The socket types whose connections expect the binder's routing id. */
const WANTS_ROUTING_ID = new Set(["ROUTER", "REP"]);

interface InprocState {
  /** Address -> the sockets bound to it. */
  bound: Map<string, Set<object>>;
  /** Address -> Router/Reply sockets whose connection to it is still pending. */
  pending: Map<string, Set<object>>;
}

const states = new WeakMap<object, InprocState>();

function stateOf(context: object): InprocState {
  let state = states.get(context);
  if (state === undefined) {
    state = { bound: new Map(), pending: new Map() };
    states.set(context, state);
  }
  return state;
}

/** The endpoint actions the guard looks at. */
export type EndpointAction = "bind" | "unbind" | "connect" | "disconnect";

/**
 * Throws a ZmqError if `socket` (of zmq.h type `type`) doing `action` on the
 * inproc `address` would make libzmq abort. `socket` is any object that
 * stands for the socket (its engine), `context` its context.
 */
export function checkInproc(
  context: object,
  socket: object,
  type: string,
  action: EndpointAction,
  address: string,
): void {
  const state = states.get(context);
  if (state === undefined) return;
  const pending = state.pending.get(address);
  if (pending === undefined || pending.size === 0) return;
  // libzmq's unbind of an inproc address a socket did not bind disconnects it.
  if ((action === "disconnect" || action === "unbind") && pending.has(socket)) {
    throw misuse(
      "ENOTSUP",
      `Cannot ${action} "${address}" before something binds it: libzmq 4.3.4 ` +
        `aborts the process when a ${type} socket's pending inproc connection is ` +
        `disconnected and the address is bound later. Close the socket instead.`,
      address,
    );
  }
  if (action === "bind" && type === "PAIR") {
    throw misuse(
      "ENOCOMPATPROTO",
      `Cannot bind a Pair to "${address}": a Router or Reply socket is waiting to ` +
        `connect there, and a Pair talks only to a Pair (libzmq 4.3.4 aborts the ` +
        `process when a Pair refuses such a connection).`,
      address,
    );
  }
}

/** Records a successful `action` on the inproc `address`. */
export function recordInproc(
  context: object,
  socket: object,
  type: string,
  action: EndpointAction,
  address: string,
): void {
  const state = stateOf(context);
  switch (action) {
    case "bind":
      add(state.bound, address, socket);
      // The pending connections were handed to the binder: they are live now.
      state.pending.delete(address);
      break;
    case "unbind":
      remove(state.bound, address, socket);
      remove(state.pending, address, socket);
      break;
    case "connect":
      if (WANTS_ROUTING_ID.has(type) && !state.bound.has(address)) {
        add(state.pending, address, socket);
      }
      break;
    case "disconnect":
      remove(state.pending, address, socket);
      break;
  }
}

/** Forgets a closed socket: its binds end, and its pending connections no longer matter. */
export function forgetInproc(context: object, socket: object): void {
  const state = states.get(context);
  if (state === undefined) return;
  for (const map of [state.bound, state.pending]) {
    for (const address of [...map.keys()]) remove(map, address, socket);
  }
}

function add(map: Map<string, Set<object>>, address: string, socket: object): void {
  let set = map.get(address);
  if (set === undefined) map.set(address, set = new Set());
  set.add(socket);
}

function remove(map: Map<string, Set<object>>, address: string, socket: object): void {
  const set = map.get(address);
  if (set === undefined) return;
  set.delete(socket);
  if (set.size === 0) map.delete(address);
}

/**
 * Refuses the inproc sequences that make libzmq 4.3.4 abort the process
 * ("Assertion failed: written (src/pipe.cpp:87)", "ok (src/ctx.cpp:809)",
 * "ok (src/xpub.cpp:90)").
 *
 * A connect to an inproc address nobody has bound yet is left pending inside
 * the context, as a pipe whose far end waits for a binder. When the address
 * is bound later (or the context terminates, which binds a Pair to each),
 * libzmq hands the binder every pending pipe and, without checking, reads or
 * writes it: it writes the binder's routing id into a Router's or Reply's
 * pipe, reads the connecter's routing id out of it for other binders, and an
 * XPublisher writes its welcome message. Those asserts fire when the pipe is
 * no longer what libzmq expects:
 * - a Router/Reply disconnected (or unbound) it before the bind, or the
 *   binder is a Pair, which keeps one pipe and closes the others at once;
 * - the connecter had `conflate` set: its one-message pipe loses the routing
 *   id as soon as anything else is written (its own close, a message);
 * - its socket closed or disconnected and the binder writes a welcome message.
 *
 * So, per context, this remembers the inproc addresses this thread's sockets
 * bound and the connections still pending, and refuses the call that would
 * lead there before libzmq sees it. Connections made from other threads of a
 * shared context are not seen here.
 *
 * @module
 */
import { misuse } from "./errors.ts";

/** The socket types whose connections expect the binder's routing id. */
const WANTS_ROUTING_ID = new Set(["ROUTER", "REP"]);

interface InprocState {
  /** Address -> the sockets bound to it. */
  bound: Map<string, Set<object>>;
  /** Address -> sockets whose connection to it is still pending, with their type. */
  pending: Map<string, Map<object, string>>;
  /** Address -> how many pending connections were since closed or disconnected. */
  abandoned: Map<string, number>;
  /**
   * Address -> how many of the library's own sockets (see internal_socket.ts)
   * are connected there and open. Their connects bypass this guard; one may
   * be left pending (a monitor reader whose monitor could not start).
   */
  internal: Map<string, number>;
}

const states = new WeakMap<object, InprocState>();

/**
 * The bookkeeping's key for `context`: a Context gives one shared by every
 * Context object of its C context in this thread (its `inprocKey`), so that
 * sockets made on a borrowed context count too.
 */
function keyOf(context: object): object {
  return (context as { inprocKey?: object }).inprocKey ?? context;
}

function stateOf(context: object): InprocState {
  context = keyOf(context);
  let state = states.get(context);
  if (state === undefined) {
    state = { bound: new Map(), pending: new Map(), abandoned: new Map(), internal: new Map() };
    states.set(context, state);
  }
  return state;
}

/** The endpoint actions the guard looks at. */
export type EndpointAction = "bind" | "unbind" | "connect" | "disconnect";

/** What the guard needs to know of the socket's settings. */
export interface InprocSettings {
  /** ZMQ_CONFLATE is set. */
  conflate: boolean;
  /** An XPublisher with a ZMQ_XPUB_WELCOME_MSG. */
  welcome: boolean;
}

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
  settings: InprocSettings,
): void {
  const state = states.get(keyOf(context));
  const bound = state?.bound.has(address) ?? false;
  const pending = state?.pending.get(address);
  if (action === "connect" && settings.conflate && !bound) {
    throw misuse(
      "ENOTSUP",
      `Cannot connect a socket with conflate to "${address}" before something binds it: ` +
        "libzmq 4.3.4 aborts the process when that pending connection is bound later. " +
        "Bind first, or connect before setting conflate.",
      address,
    );
  }
  // libzmq's unbind of an inproc address a socket did not bind disconnects it.
  if (
    (action === "disconnect" || action === "unbind") && pending?.has(socket) &&
    WANTS_ROUTING_ID.has(type)
  ) {
    throw misuse(
      "ENOTSUP",
      `Cannot ${action} "${address}" before something binds it: libzmq 4.3.4 ` +
        `aborts the process when a ${type} socket's pending inproc connection is ` +
        `disconnected and the address is bound later. Close the socket instead.`,
      address,
    );
  }
  if (action !== "bind" || state === undefined) return;
  if (type === "PAIR" && [...pending?.values() ?? []].some((t) => WANTS_ROUTING_ID.has(t))) {
    throw misuse(
      "ENOCOMPATPROTO",
      `Cannot bind a Pair to "${address}": a Router or Reply socket is waiting to ` +
        `connect there, and a Pair talks only to a Pair (libzmq 4.3.4 aborts the ` +
        `process when a Pair refuses such a connection).`,
      address,
    );
  }
  if (settings.welcome && (state.abandoned.get(address) ?? 0) > 0) {
    throw misuse(
      "ENOTSUP",
      `Cannot bind an XPublisher with a welcome message to "${address}": a socket that ` +
        "connected there before it was bound has since closed or disconnected, and " +
        "libzmq 4.3.4 aborts the process writing the welcome message to it.",
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
      state.abandoned.delete(address);
      break;
    case "connect":
      if (!state.bound.has(address)) {
        let sockets = state.pending.get(address);
        if (sockets === undefined) state.pending.set(address, sockets = new Map());
        sockets.set(socket, type);
      }
      break;
    case "unbind":
      remove(state.bound, address, socket);
      abandon(state, address, socket);
      break;
    case "disconnect":
      abandon(state, address, socket);
      break;
  }
}

/**
 * The inproc addresses that this thread's sockets of `context` connected to
 * and nobody has bound since: libzmq keeps a pending connection for each
 * (also once its socket closed) until the address is bound or the context
 * terminates.
 */
export function pendingInprocAddresses(context: object): string[] {
  const state = states.get(keyOf(context));
  if (state === undefined) return [];
  return [
    ...new Set([...state.pending.keys(), ...state.abandoned.keys(), ...state.internal.keys()]),
  ];
}

/** One of the library's own sockets of `context` connected to the inproc `address`. */
export function recordInternalConnect(context: object, address: string): void {
  const internal = stateOf(context).internal;
  internal.set(address, (internal.get(address) ?? 0) + 1);
}

/** That socket closed. */
export function forgetInternalConnect(context: object, address: string): void {
  const internal = states.get(keyOf(context))?.internal;
  const count = internal?.get(address);
  if (internal === undefined || count === undefined) return;
  if (count <= 1) internal.delete(address);
  else internal.set(address, count - 1);
}

/** Forgets a closed socket: its binds end, its pending connections are abandoned. */
export function forgetInproc(context: object, socket: object): void {
  const state = states.get(keyOf(context));
  if (state === undefined) return;
  for (const address of [...state.bound.keys()]) remove(state.bound, address, socket);
  for (const address of [...state.pending.keys()]) abandon(state, address, socket);
}

function abandon(state: InprocState, address: string, socket: object): void {
  const sockets = state.pending.get(address);
  if (sockets === undefined || !sockets.delete(socket)) return;
  if (sockets.size === 0) state.pending.delete(address);
  state.abandoned.set(address, (state.abandoned.get(address) ?? 0) + 1);
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

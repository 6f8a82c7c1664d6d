/**
 * The library's one error class, and the helpers that fill it from libzmq's
 * errno.
 *
 * @module
 */
import { posixErrno, zmqErrno } from "../ffi/constants.ts";
import { loadNative, runtime } from "../ffi/load.ts";

/**
 * An error from libzmq or from misuse of a socket.
 *
 * @example
 * ```ts
 * import * as zmq from "./mod.ts";
 * const push = new zmq.Push();
 * try {
 *   await push.bind("tcp://127.0.0.1:not-a-port");
 * } catch (error) {
 *   if (error instanceof zmq.ZmqError) console.log(error.code, error.address);
 * } finally {
 *   push.close();
 * }
 * ```
 */
export class ZmqError extends Error {
  /** The errno's name, such as "EAGAIN", "EFSM" or "EADDRINUSE". */
  readonly code: string;
  /** The numeric errno (libzmq's or the OS's). */
  readonly errno: number;
  /** The endpoint involved, where one applies. */
  readonly address?: string;

  /** Builds an error; most are made by the library from libzmq's errno. */
  constructor(message: string, code: string, errno: number, address?: string) {
    super(message);
    this.name = "ZmqError";
    this.code = code;
    this.errno = errno;
    if (address !== undefined) this.address = address;
  }
}

const codeByErrno = new Map<number, string>();
const errnoByCode = new Map<string, number>();
{
  const table = posixErrno[runtime.os === "darwin" ? "darwin" : "linux"];
  for (const [name, value] of [...Object.entries(table), ...Object.entries(zmqErrno)]) {
    codeByErrno.set(value, name);
    errnoByCode.set(name, value);
  }
}

/** The name of an errno value, such as "EAGAIN"; "E<number>" when unknown. */
export function errnoName(errno: number): string {
  return codeByErrno.get(errno) ?? `E${errno}`;
}

/** The errno value for a name such as "EAGAIN" on this OS. */
export function errnoValue(code: string): number {
  return errnoByCode.get(code) ?? -1;
}

/** The current thread's libzmq errno. */
export function lastErrno(): number {
  return loadNative().zmq.zmq_errno();
}

/** libzmq's own text for an errno. */
export function strerror(errno: number): string {
  const native = loadNative();
  return native.readCString(native.zmq.zmq_strerror(errno));
}

/** A ZmqError for libzmq's current errno, with the action that failed as context. */
export function zmqFailure(action: string, address?: string): ZmqError {
  const errno = lastErrno();
  return errorFor(errno, action, address);
}

/** A ZmqError for a given errno. */
export function errorFor(errno: number, action: string, address?: string): ZmqError {
  const code = errnoName(errno);
  return new ZmqError(`${action}: ${explain(code, errno, address)}`, code, errno, address);
}

/** A ZmqError that libzmq did not raise (closed socket, timeout, ...). */
export function misuse(code: string, message: string, address?: string): ZmqError {
  return new ZmqError(message, code, errnoValue(code), address);
}

// libzmq's strerror is terse; these say what a user can do about it.
function explain(code: string, errno: number, address?: string): string {
  switch (code) {
    case "EADDRINUSE":
      return "the address is already in use (another socket or process is bound to it)";
    case "EPROTONOSUPPORT":
      return "unknown or unsupported transport (use tcp://, ipc://, inproc://, pgm:// or epgm://)";
    case "EINVAL":
      return address !== undefined
        ? "invalid endpoint (expected transport://address, e.g. tcp://127.0.0.1:5555)"
        : "invalid argument";
    case "ENOCOMPATPROTO":
      return "the transport does not work with this socket type";
    case "EFSM":
      return "the operation is not allowed in the socket's current state " +
        "(a Request must receive the reply before it sends again; a Reply must receive before it replies)";
    case "ETERM":
      return "the context was terminated";
    case "ENOTSOCK":
      return "the socket is closed";
    case "EHOSTUNREACH":
      return "the message could not be routed (no such peer)";
    case "ENODEV":
      return "no such interface or device";
    case "EADDRNOTAVAIL":
      return "the address is not available on this machine";
    case "ENOENT":
      return "no such endpoint";
    default:
      return strerror(errno);
  }
}

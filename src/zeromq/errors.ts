/**
 * Errors as zeromq.js makes them: a plain `Error` with `code`, `errno` and,
 * for endpoint operations, `address`; the message is libzmq's own text
 * (zmq_strerror) except for the few that zeromq.js rewrites.
 *
 * @module
 */
import { errnoName, errnoValue, strerror, ZmqError } from "../errors.ts";

/**
 * An error with an errno, as the zeromq.js entry point throws and rejects
 * with: `code` ("EAGAIN", "EFSM", ...), `errno` (the number) and, for bind,
 * unbind, connect and disconnect, the `address`.
 *
 * @example
 * ```ts
 * import * as zmq from "./zeromq.ts";
 * const sock = new zmq.Dealer();
 * try {
 *   await sock.bind("foo://bar");
 * } catch (err) {
 *   const { code, message, address } = err as zmq.ErrnoError;
 *   console.log(code, message, address); // EPROTONOSUPPORT Protocol not supported foo://bar
 * } finally {
 *   sock.close();
 * }
 * ```
 */
export interface ErrnoError extends Error {
  /** The errno's name, such as "EAGAIN". */
  code: string;
  /** The errno's number. */
  errno: number;
  /** The endpoint of a failed bind, unbind, connect or disconnect. */
  address?: string;
}

/**
 * The error of a failed ZAP authentication (`handshake:error:auth` events):
 * `status` is the ZAP status code.
 *
 * @example
 * ```ts
 * import * as zmq from "./zeromq.ts";
 * const sock = new zmq.Pair();
 * sock.events.on("handshake:error:auth", ({ error }) => console.log(error.status));
 * sock.close();
 * ```
 */
export interface AuthError extends Error {
  /** 300 (temporary error), 400 (authentication failure) or 500 (internal error). */
  status: 300 | 400 | 500;
}

/**
 * The error of a ZMTP or ZAP protocol failure (`handshake:error:protocol`
 * events): `code` names it, as "ERR_ZMTP_MECHANISM_MISMATCH" and the like.
 *
 * @example
 * ```ts
 * import * as zmq from "./zeromq.ts";
 * const sock = new zmq.Pair();
 * sock.events.on("handshake:error:protocol", ({ error }) => console.log(error.code));
 * sock.close();
 * ```
 */
export interface ProtoError extends Error {
  /** "ERR_ZMTP_..." or "ERR_ZAP_...". */
  code: string;
}

// The messages zeromq.js words itself; every other errno reads as zmq_strerror.
const rewritten: Record<string, string> = {
  EFAULT: "Context is closed",
  EAGAIN: "Operation was not possible or timed out",
  EMFILE: "Too many open file descriptors",
  ENOENT: "No such endpoint",
  EBUSY: "Socket is busy",
  EBADF: "Socket is closed",
  EADDRINUSE: "Address already in use",
};

/** The text zeromq.js gives an errno. */
export function errnoMessage(errno: number): string {
  return rewritten[errnoName(errno)] ?? strerror(errno);
}

/** An {@link ErrnoError} for a code ("EBUSY"), with zeromq.js's text unless `message` is given. */
export function errnoError(code: string, message?: string, address?: string): ErrnoError {
  const errno = errnoValue(code);
  return withErrno(message ?? errnoMessage(errno), code, errno, address);
}

/** An {@link ErrnoError} for an errno number. */
export function errorForErrno(errno: number, address?: string): ErrnoError {
  return withErrno(errnoMessage(errno), errnoName(errno), errno, address);
}

function withErrno(message: string, code: string, errno: number, address?: string): ErrnoError {
  const error = new Error(message) as ErrnoError;
  error.errno = errno;
  error.code = code;
  if (address !== undefined) error.address = address;
  return error;
}

/**
 * The main API's error as zeromq.js would have raised it: a ZmqError becomes
 * an ErrnoError with libzmq's text; anything else is returned as it is.
 */
export function fromMainError(error: unknown): unknown {
  if (!(error instanceof ZmqError)) return error;
  const errno = error.errno >= 0 ? error.errno : errnoValue(error.code);
  const code = error.code === "ENOTSOCK" ? "EBADF" : error.code;
  const number = error.code === "ENOTSOCK" ? errnoValue("EBADF") : errno;
  return withErrno(errnoMessage(number), code, number, error.address);
}

const authMessages: Record<number, string> = {
  300: "Temporary error",
  400: "Authentication failure",
  500: "Internal error",
};

/** The error of a `handshake:error:auth` event for a ZAP status code. */
export function authError(status: number): AuthError {
  const error = new Error(authMessages[status] ?? "Unknown error") as AuthError;
  error.status = status as AuthError["status"];
  return error;
}

// ZMQ_PROTOCOL_ERROR_* values from zmq.h, by the name zeromq.js gives them.
const protocolErrors: [number, string][] = [
  [0x10000000, "ZMTP_UNSPECIFIED"],
  [0x10000001, "ZMTP_UNEXPECTED_COMMAND"],
  [0x10000002, "ZMTP_INVALID_SEQUENCE"],
  [0x10000003, "ZMTP_KEY_EXCHANGE"],
  [0x10000011, "ZMTP_MALFORMED_COMMAND_UNSPECIFIED"],
  [0x10000012, "ZMTP_MALFORMED_COMMAND_MESSAGE"],
  [0x10000013, "ZMTP_MALFORMED_COMMAND_HELLO"],
  [0x10000014, "ZMTP_MALFORMED_COMMAND_INITIATE"],
  [0x10000015, "ZMTP_MALFORMED_COMMAND_ERROR"],
  [0x10000016, "ZMTP_MALFORMED_COMMAND_READY"],
  [0x10000017, "ZMTP_MALFORMED_COMMAND_WELCOME"],
  [0x10000018, "ZMTP_INVALID_METADATA"],
  [0x11000001, "ZMTP_CRYPTOGRAPHIC"],
  [0x11000002, "ZMTP_MECHANISM_MISMATCH"],
  [0x20000000, "ZAP_UNSPECIFIED"],
  [0x20000001, "ZAP_MALFORMED_REPLY"],
  [0x20000002, "ZAP_BAD_REQUEST_ID"],
  [0x20000003, "ZAP_BAD_VERSION"],
  [0x20000004, "ZAP_INVALID_STATUS_CODE"],
  [0x20000005, "ZAP_INVALID_METADATA"],
];
const protocolErrorNames = new Map(protocolErrors);

/** The error of a `handshake:error:protocol` event for a ZMQ_PROTOCOL_ERROR_* value. */
export function protoError(value: number): ProtoError {
  const name = protocolErrorNames.get(value);
  const error = new Error(
    name === undefined ? "Unknown error" : `${name.slice(0, name.indexOf("_"))} protocol error`,
  ) as ProtoError;
  error.code = name === undefined ? "ERR_UNKNOWN" : `ERR_${name}`;
  return error;
}

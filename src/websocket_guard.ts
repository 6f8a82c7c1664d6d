/**
 * libzmq 4.3.4's WebSocket transport (ws://, wss://) knows the NULL, PLAIN
 * and CURVE mechanisms only: a client connecting with GSSAPI reaches
 * `assert (false)` in ws_engine.cpp and aborts the process. Refused here
 * before libzmq sees it.
 *
 * @module
 */
import type { Pointer } from "../ffi/native.ts";
import { misuse } from "./errors.ts";
import { findOption, readOption } from "./options.ts";

/** ZMQ_GSSAPI as ZMQ_MECHANISM reports it. */
const GSSAPI = 3;

/** True for the endpoints that {@link checkWebSocket} applies to. */
export function isWebSocketEndpoint(address: string): boolean {
  return address.startsWith("ws://") || address.startsWith("wss://");
}

/** Throws a ZmqError (ENOTSUP) if connecting `socket` to the WebSocket `address` would abort. */
export function checkWebSocket(socket: Pointer, address: string): void {
  if (readOption(socket, findOption("MECHANISM")!) !== GSSAPI) return;
  throw misuse(
    "ENOTSUP",
    `Cannot connect to "${address}" with GSSAPI: libzmq 4.3.4 aborts the process in a ` +
      "WebSocket handshake that uses GSSAPI (use NULL, PLAIN or CURVE over ws://, or tcp://)",
    address,
  );
}

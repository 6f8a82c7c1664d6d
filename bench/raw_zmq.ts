/**
 * This runtime's own FFI to libzmq and nothing else (no library): the few
 * calls the raw floors need (raw_round_trip.ts, raw_stream.ts), with
 * pointers as plain values. Deno (`Deno.dlopen`) and Bun (`bun:ffi`).
 *
 * @module
 */
import { createRequire } from "node:module";
import { runtime } from "./common.ts";

const LAST_ENDPOINT = 32;

/** The few libzmq calls the raw floors need, with pointers as plain values. */
export interface Zmq {
  socket(type: number): unknown;
  bind(socket: unknown, endpoint: string): void;
  connect(socket: unknown, endpoint: string): void;
  lastEndpoint(socket: unknown): string;
  send16(socket: unknown): void;
  /** A blocking receive, copied into a new frame of its size. */
  receive(socket: unknown): Uint8Array;
}

const encode = (text: string) => new TextEncoder().encode(text + "\0");

/** The part of `bun:ffi` used here, typed so Deno can check this file. */
interface BunFfi {
  dlopen(
    path: string,
    symbols: Record<string, { args: string[]; returns: string }>,
  ): { symbols: Record<string, (...args: unknown[]) => unknown> };
  ptr(view: ArrayBufferView): unknown;
  toArrayBuffer(pointer: unknown, offset: number, length: number): ArrayBuffer;
}

export function openZmq(): Zmq {
  const payload = new Uint8Array(16);
  const message = new BigUint64Array(8); // zmq_msg_t: 64 bytes
  const size = new BigUint64Array([256n]);
  const name = new Uint8Array(256);
  if (runtime === "deno") {
    const { symbols: z } = Deno.dlopen(
      "libzmq.so.5",
      {
        zmq_ctx_new: { parameters: [], result: "pointer" },
        zmq_socket: { parameters: ["pointer", "i32"], result: "pointer" },
        zmq_bind: { parameters: ["pointer", "buffer"], result: "i32" },
        zmq_connect: { parameters: ["pointer", "buffer"], result: "i32" },
        zmq_getsockopt: { parameters: ["pointer", "i32", "buffer", "buffer"], result: "i32" },
        zmq_send: { parameters: ["pointer", "pointer", "usize", "i32"], result: "i32" },
        zmq_msg_init: { parameters: ["pointer"], result: "i32" },
        zmq_msg_recv: { parameters: ["pointer", "pointer", "i32"], result: "i32" },
        zmq_msg_data: { parameters: ["pointer"], result: "pointer" },
      } as const,
    );
    const context = z.zmq_ctx_new();
    const msg = Deno.UnsafePointer.of(message);
    const data = Deno.UnsafePointer.of(payload);
    z.zmq_msg_init(msg);
    type P = Deno.PointerValue;
    return {
      socket: (type) => z.zmq_socket(context, type),
      bind: (s, endpoint) => void z.zmq_bind(s as P, encode(endpoint)),
      connect: (s, endpoint) => void z.zmq_connect(s as P, encode(endpoint)),
      lastEndpoint(s) {
        z.zmq_getsockopt(s as P, LAST_ENDPOINT, name, new Uint8Array(size.buffer));
        return new TextDecoder().decode(name.subarray(0, Number(size[0]) - 1));
      },
      send16: (s) => void z.zmq_send(s as P, data, 16n, 0),
      receive(s) {
        const n = z.zmq_msg_recv(msg, s as P, 0);
        const frame = new Uint8Array(n);
        Deno.UnsafePointerView.copyInto(z.zmq_msg_data(msg)!, frame);
        return frame;
      },
    };
  }
  const ffi = createRequire(import.meta.url)("bun:ffi") as BunFfi;
  const P = "ptr", I = "i32";
  const { symbols: z } = ffi.dlopen("libzmq.so.5", {
    zmq_ctx_new: { args: [], returns: P },
    zmq_socket: { args: [P, I], returns: P },
    zmq_bind: { args: [P, P], returns: I },
    zmq_connect: { args: [P, P], returns: I },
    zmq_getsockopt: { args: [P, I, P, P], returns: I },
    zmq_send: { args: [P, P, "u64", I], returns: I },
    zmq_msg_init: { args: [P], returns: I },
    zmq_msg_recv: { args: [P, P, I], returns: I },
    zmq_msg_data: { args: [P], returns: P },
  });
  const context = z.zmq_ctx_new();
  const msg = ffi.ptr(message);
  const data = ffi.ptr(payload);
  z.zmq_msg_init(msg);
  return {
    socket: (type) => z.zmq_socket(context, type),
    bind: (s, endpoint) => void z.zmq_bind(s, ffi.ptr(encode(endpoint))),
    connect: (s, endpoint) => void z.zmq_connect(s, ffi.ptr(encode(endpoint))),
    lastEndpoint(s) {
      z.zmq_getsockopt(s, LAST_ENDPOINT, ffi.ptr(name), ffi.ptr(size));
      return new TextDecoder().decode(name.subarray(0, Number(size[0]) - 1));
    },
    send16: (s) => void z.zmq_send(s, data, 16, 0),
    receive(s) {
      const n = z.zmq_msg_recv(msg, s, 0) as number;
      const frame = new Uint8Array(n);
      frame.set(new Uint8Array(ffi.toArrayBuffer(z.zmq_msg_data(msg), 0, n)));
      return frame;
    },
  };
}

/**
 * zeromq.js's typed option accessors (getBoolOption, setInt32Option, ...):
 * raw `zmq_getsockopt` / `zmq_setsockopt` by option number, with zeromq.js's
 * argument checks, number conversions and warnings.
 *
 * @module
 */
import process from "node:process";
import { Buffer } from "node:buffer";
import { loadNative } from "../../ffi/load.ts";
import type { Pointer } from "../../ffi/native.ts";
import { lastErrno } from "../errors.ts";
import { retryInterrupted } from "../interrupted_calls.ts";
import { errorForErrno } from "./errors.ts";

/** The C type of an option as zeromq.js names its accessors. */
export type OptionCType = "Bool" | "Int32" | "Uint32" | "Int64" | "Uint64" | "String";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const value = new Uint8Array(new ArrayBuffer(1024));
const view = new DataView(value.buffer);
const size = new BigUint64Array(1);
const width: Record<OptionCType, number> = {
  Bool: 4,
  Int32: 4,
  Uint32: 4,
  Int64: 8,
  Uint64: 8,
  String: value.byteLength,
};
const MAX_UINT64 = 2n ** 64n - 1n;

/** Emits a process warning as zeromq.js does (Node's `process.emitWarning`). */
export function warn(message: string): void {
  process.emitWarning(message);
}

/** TypeError for an accessor's arguments, as zeromq.js words them. */
export function checkAccessorArguments(
  args: IArguments | unknown[],
  type: OptionCType,
  setting: boolean,
): void {
  if (typeof args[0] !== "number") throw new TypeError("Identifier must be a number");
  if (setting) {
    const value = args[1];
    const ok = type === "Bool"
      ? typeof value === "boolean"
      : type === "String"
      ? typeof value === "string" || value === null || value instanceof Uint8Array
      : typeof value === "number";
    if (!ok) {
      throw new TypeError(
        type === "Bool"
          ? "Option value must be a boolean"
          : type === "String"
          ? "Option value must be a string or buffer"
          : "Option value must be a number",
      );
    }
  }
  const expected = setting ? 2 : 1;
  if (args.length > expected) {
    throw new TypeError(
      `Expected ${expected} argument${expected === 1 ? "" : "s"} but received ${args.length}`,
    );
  }
}

/** Reads an option of a socket (or, with `context`, a context) by number. */
export function readRaw(pointer: Pointer, id: number, type: OptionCType): unknown {
  size[0] = BigInt(width[type]);
  const read = () => loadNative().zmq.zmq_getsockopt(pointer, id, value, size);
  if (retryInterrupted(read) !== 0) {
    throw errorForErrno(lastErrno());
  }
  const length = Number(size[0]);
  switch (type) {
    case "Bool":
      return view.getInt32(0, true) !== 0;
    case "Int32":
      return view.getInt32(0, true);
    case "Uint32":
      return view.getUint32(0, true);
    case "Int64":
      return Number(view.getBigInt64(0, true));
    case "Uint64":
      return Number(view.getBigUint64(0, true));
    case "String": {
      if (length === 0 || (length === 1 && value[0] === 0)) return null;
      const text = value.subarray(0, length);
      const end = text.indexOf(0);
      return decoder.decode(end < 0 ? text : text.subarray(0, end));
    }
  }
}

/** The bytes zeromq.js would pass to zmq_setsockopt for `input` (null: no value). */
export function encodeRaw(type: OptionCType, input: unknown): Uint8Array | null {
  switch (type) {
    case "Bool":
      return new Uint8Array([input ? 1 : 0, 0, 0, 0]);
    case "Int32":
    case "Uint32": {
      const out = new Uint8Array(4);
      const number = Math.trunc(input as number);
      if (type === "Int32") new DataView(out.buffer).setInt32(0, number | 0, true);
      else new DataView(out.buffer).setUint32(0, number >>> 0, true);
      return out;
    }
    case "Int64": {
      const out = new Uint8Array(8);
      const number = input as number;
      const big = Number.isFinite(number) ? BigInt(Math.trunc(number)) : 0n;
      new DataView(out.buffer).setBigInt64(0, BigInt.asIntN(64, big), true);
      return out;
    }
    case "Uint64": {
      const out = new Uint8Array(8);
      const number = input as number;
      if (number > Number.MAX_SAFE_INTEGER) {
        warn(
          "Value is larger than Number.MAX_SAFE_INTEGER and may have been rounded inaccurately.",
        );
      }
      let big = number > 0 && Number.isFinite(number) ? BigInt(Math.trunc(number)) : 0n;
      if (number === Infinity || big > MAX_UINT64) big = MAX_UINT64;
      new DataView(out.buffer).setBigUint64(0, big, true);
      return out;
    }
    case "String":
      if (input === null) return null;
      if (typeof input === "string") return encoder.encode(input);
      return Buffer.from(input as Uint8Array);
  }
}

/** Writes an option of a socket by number; libzmq's refusal is an ErrnoError. */
export function writeRaw(pointer: Pointer, id: number, bytes: Uint8Array | null): void {
  const data = bytes === null ? null as unknown as Uint8Array : bytes;
  const length = bytes === null ? 0 : bytes.byteLength;
  if (loadNative().zmq.zmq_setsockopt(pointer, id, data, length) !== 0) {
    throw errorForErrno(lastErrno());
  }
}

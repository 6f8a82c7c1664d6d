/**
 * CURVE keys and the Z85 text encoding libzmq uses for them.
 *
 * @module
 */
import { loadNative } from "../ffi/load.ts";
import { zmqFailure } from "./errors.ts";

const decoder = new TextDecoder();
const encoder = new TextEncoder();
const Z85_KEY_LENGTH = 40;
const Z85_TEXT = /^[0-9a-zA-Z.\-:+=^!/*?&<>()[\]{}@%$#]*$/;

/** A CURVE key pair as 40-character Z85 strings. */
export interface CurveKeyPair {
  /** The public key: give it to peers. */
  publicKey: string;
  /** The secret key: keep it private. */
  secretKey: string;
}

function text(buffer: Uint8Array): string {
  const end = buffer.indexOf(0);
  return decoder.decode(end < 0 ? buffer : buffer.subarray(0, end));
}

/**
 * Makes a new CURVE key pair.
 *
 * @example
 * ```ts
 * import * as zmq from "./mod.ts";
 * const { publicKey, secretKey } = zmq.curveKeyPair();
 * const server = new zmq.Reply({ curveServer: true, curveSecretKey: secretKey });
 * server.close();
 * ```
 */
export function curveKeyPair(): CurveKeyPair {
  const publicKey = new Uint8Array(Z85_KEY_LENGTH + 1);
  const secretKey = new Uint8Array(Z85_KEY_LENGTH + 1);
  if (loadNative().zmq.zmq_curve_keypair(publicKey, secretKey) !== 0) {
    throw zmqFailure('Cannot make a CURVE key pair (is libzmq built with CURVE? see has("curve"))');
  }
  return { publicKey: text(publicKey), secretKey: text(secretKey) };
}

/**
 * The public key that belongs to a secret key (both Z85, or the secret as 32 bytes).
 *
 * @example
 * ```ts
 * import * as zmq from "./mod.ts";
 * const pair = zmq.curveKeyPair();
 * console.log(zmq.curvePublic(pair.secretKey) === pair.publicKey); // true
 * ```
 */
export function curvePublic(secretKey: string | Uint8Array): string {
  const secret = typeof secretKey === "string" ? secretKey : z85Encode(checkRaw(secretKey));
  if (typeof secret !== "string" || secret.length !== Z85_KEY_LENGTH) {
    throw new TypeError(
      `A CURVE secret key is ${Z85_KEY_LENGTH} Z85 characters or 32 bytes, got ${
        describeKey(secretKey)
      }`,
    );
  }
  const publicKey = new Uint8Array(Z85_KEY_LENGTH + 1);
  if (loadNative().zmq.zmq_curve_public(publicKey, encoder.encode(secret + "\0")) !== 0) {
    throw zmqFailure("Cannot derive the public key (is it a valid Z85 secret key?)");
  }
  return text(publicKey);
}

function checkRaw(key: Uint8Array): Uint8Array {
  if (!(key instanceof Uint8Array) || key.byteLength !== 32) {
    throw new TypeError(`A raw CURVE key is 32 bytes, got ${describeKey(key)}`);
  }
  return key;
}

// Describes a key by its shape only: it may be secret.
function describeKey(key: unknown): string {
  if (typeof key === "string") return `a string of ${key.length} characters`;
  if (key instanceof Uint8Array) return `${key.byteLength} bytes`;
  return typeof key;
}

/**
 * Encodes bytes as Z85 text; the length must be a multiple of 4.
 *
 * @example
 * ```ts
 * import * as zmq from "./mod.ts";
 * console.log(zmq.z85Encode(new Uint8Array([0x86, 0x4f, 0xd2, 0x6f]))); // "Hello"
 * ```
 */
export function z85Encode(data: Uint8Array): string {
  if (!(data instanceof Uint8Array)) {
    throw new TypeError(`z85Encode takes a Uint8Array, got ${typeof data}`);
  }
  if (data.byteLength % 4 !== 0) {
    throw new RangeError(`Z85 encodes multiples of 4 bytes, got ${data.byteLength}`);
  }
  const out = new Uint8Array((data.byteLength / 4) * 5 + 1);
  if (data.byteLength > 0 && loadNative().zmq.zmq_z85_encode(out, data, data.byteLength) === null) {
    throw new RangeError("Cannot Z85-encode these bytes");
  }
  return text(out);
}

/**
 * Decodes Z85 text to bytes; the length must be a multiple of 5.
 *
 * @example
 * ```ts
 * import * as zmq from "./mod.ts";
 * console.log(zmq.z85Decode("Hello")); // Uint8Array [0x86, 0x4f, 0xd2, 0x6f]
 * ```
 */
export function z85Decode(text: string): Uint8Array {
  if (typeof text !== "string") {
    throw new TypeError(`z85Decode takes a string, got ${typeof text}`);
  }
  if (text.length % 5 !== 0) {
    throw new RangeError(`Z85 text is a multiple of 5 characters, got ${text.length}`);
  }
  if (!Z85_TEXT.test(text)) {
    throw new RangeError("Not valid Z85 text: it has characters outside Z85's alphabet");
  }
  const out = new Uint8Array((text.length / 5) * 4);
  if (
    text.length > 0 && loadNative().zmq.zmq_z85_decode(out, encoder.encode(text + "\0")) === null
  ) {
    throw new RangeError("Not valid Z85 text");
  }
  return out;
}

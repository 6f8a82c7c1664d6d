/**
 * Receiving a message together with its properties: each frame's ZMQ_MORE
 * flag and the connection's metadata (zmq_msg_gets: "Peer-Address",
 * "User-Id", "Socket-Type", "Routing-Id", and whatever a ZAP handler added).
 * A reader of its own, so the plain receive path stays as fast as it was.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { Flag, MSG_T_SIZE } from "../ffi/constants.ts";
import { loadNative } from "../ffi/load.ts";
import type { Pointer } from "../ffi/native.ts";
import { errnoValue, errorFor } from "./errors.ts";
import { interrupted, receiveRestAgain } from "./interrupted_calls.ts";
import type { WaitOptions } from "./socket_engine.ts";

const EAGAIN = errnoValue("EAGAIN");

/** Options for {@link Readable.receiveWithMetadata}. */
export interface MetadataReceiveOptions extends WaitOptions {
  /**
   * Properties to read besides the four standard ones, by their exact names
   * (for example one a ZAP handler set). Only properties read when the
   * message arrived can be asked for later: libzmq cannot list them.
   */
  properties?: readonly string[];
}

/**
 * A message's properties, read when it arrived. A property the message does
 * not have is `undefined`: messages over inproc have none, and "User-Id"
 * exists only where a ZAP handler (such as an {@link Authenticator}) admitted
 * the peer.
 */
export interface MessageMetadata {
  /** "Peer-Address": the peer's IP address (tcp). */
  readonly peerAddress?: string;
  /** "User-Id": who the ZAP handler said the peer is (PLAIN: the username; CURVE: the Z85 public key). */
  readonly userId?: string;
  /** "Socket-Type": the peer's socket type, such as "PUSH". */
  readonly socketType?: string;
  /**
   * "Routing-Id" (on the wire "Identity"): the routing id the peer announced
   * (its `routingId` option), if it set one. Only REQ, DEALER and ROUTER
   * peers announce one.
   */
  readonly routingId?: string;
  /**
   * A property by its exact name: "Peer-Address", "User-Id", "Socket-Type",
   * "Routing-Id", "Identity", or one listed in `properties` when receiving;
   * `undefined` when the message lacks it.
   * Asking for a name that was not read throws a TypeError.
   */
  get(name: string): string | undefined;
}

/** What {@link Readable.receiveWithMetadata} resolves with. */
export interface MessageWithMetadata {
  /** The frames, in order (each a copy). */
  frames: Uint8Array[];
  /** Each frame's ZMQ_MORE flag as libzmq reported it: true for all but the last. */
  more: boolean[];
  /** The message's properties. */
  metadata: MessageMetadata;
}

// "Identity" is ZMTP's name for the routing id on the wire (libzmq 4.3 keeps it).
const STANDARD = ["Peer-Address", "User-Id", "Socket-Type", "Routing-Id", "Identity"] as const;

const encoder = new TextEncoder();
const cNames = new Map<string, Uint8Array>();

function cName(name: string): Uint8Array {
  let encoded = cNames.get(name);
  if (encoded === undefined) {
    encoded = encoder.encode(name + "\0");
    if (cNames.size < 256) cNames.set(name, encoded);
  }
  return encoded;
}

/** Checks the extra property names before anything is received. */
export function checkPropertyNames(properties: unknown): readonly string[] {
  if (properties === undefined || properties === null) return [];
  if (!Array.isArray(properties)) {
    throw new TypeError(`properties must be an array of property names, got ${typeof properties}`);
  }
  for (const name of properties) {
    if (typeof name !== "string" || name === "" || name.includes("\0")) {
      throw new TypeError(
        `Each property name must be a non-empty string without NUL, got ${
          typeof name === "string" ? JSON.stringify(name) : typeof name
        }`,
      );
    }
  }
  return properties;
}

class Metadata implements MessageMetadata {
  declare readonly peerAddress?: string;
  declare readonly userId?: string;
  declare readonly socketType?: string;
  declare readonly routingId?: string;
  #values: Map<string, string | undefined>;

  constructor(values: Map<string, string | undefined>) {
    this.#values = values;
    const set = (key: string, value: string | undefined) => {
      if (value !== undefined) Object.defineProperty(this, key, { value, enumerable: true });
    };
    set("peerAddress", values.get("Peer-Address"));
    set("userId", values.get("User-Id"));
    set("socketType", values.get("Socket-Type"));
    // An empty routing id is a peer that set none.
    set("routingId", values.get("Routing-Id") || values.get("Identity") || undefined);
  }

  get(name: string): string | undefined {
    if (typeof name !== "string") {
      throw new TypeError(`A property name is a string, got ${typeof name}`);
    }
    if (!this.#values.has(name)) {
      throw new TypeError(
        `Property "${name}" was not read for this message: name it when receiving, ` +
          `receiveWithMetadata({ properties: [${JSON.stringify(name)}] })`,
      );
    }
    return this.#values.get(name);
  }
}

// One zmq_msg_t of its own, separate from the plain path's.
const storage = new Uint8Array(new ArrayBuffer(MSG_T_SIZE));
let storagePointer: Pointer | undefined;
const LARGE_FRAME = 64 * 1024;
const UNZEROED_MIN = 16 * 1024;

function readProperties(
  message: Pointer,
  extra: readonly string[],
): Map<string, string | undefined> {
  const native = loadNative();
  const values = new Map<string, string | undefined>();
  for (const name of [...STANDARD, ...extra]) {
    if (values.has(name)) continue;
    const value = native.zmq.zmq_msg_gets(message, cName(name));
    values.set(name, value === null ? undefined : native.readCString(value));
  }
  return values;
}

/**
 * Receives one whole message and its properties without blocking; null when
 * none is waiting.
 */
export function receiveWithMetadata(
  socket: Pointer,
  extra: readonly string[],
): MessageWithMetadata | null {
  const native = loadNative();
  const zmq = native.zmq;
  if (storagePointer === undefined) {
    storagePointer = native.pointerOf(storage);
    zmq.zmq_msg_init(storagePointer);
  }
  const message = storagePointer;
  let length = zmq.zmq_msg_recv(message, socket, Flag.DONTWAIT);
  if (length < 0) {
    const errno = zmq.zmq_errno();
    if (errno === EAGAIN) return null;
    if (interrupted(errno)) return receiveWithMetadata(socket, extra);
    throw errorFor(errno, "Cannot receive");
  }
  const frames: Uint8Array[] = [];
  const more: boolean[] = [];
  let large = false;
  for (;;) {
    let frame: Uint8Array;
    if (length >= UNZEROED_MIN) {
      const memory = Buffer.allocUnsafeSlow(length);
      frame = new Uint8Array(memory.buffer, memory.byteOffset, length);
    } else {
      frame = new Uint8Array(length);
    }
    if (length > 0) native.copyInto(zmq.zmq_msg_data(message), frame);
    if (length >= LARGE_FRAME) large = true;
    frames.push(frame);
    const hasMore = zmq.zmq_msg_more(message) !== 0;
    more.push(hasMore);
    if (!hasMore) break;
    length = zmq.zmq_msg_recv(message, socket, Flag.DONTWAIT);
    if (length < 0) length = receiveRestAgain(message, socket);
  }
  // Every frame that came over the wire carries the connection's properties;
  // the last always did (a Router's first frame, the routing id, has none).
  const metadata = new Metadata(readProperties(message, extra));
  if (large) {
    // Give a large body back now rather than at the next receive.
    zmq.zmq_msg_close(message);
    zmq.zmq_msg_init(message);
  }
  return { frames, more, metadata };
}

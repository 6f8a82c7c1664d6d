/**
 * zeromq.js's `version`, `capability` and `curveKeyPair`.
 *
 * @module
 */
import { has } from "../facts.ts";
import { curveKeyPair as mainCurveKeyPair } from "../keys.ts";

export { version } from "../facts.ts";

/**
 * What libzmq was built with, by name (the type of {@link capability}).
 *
 * @example
 * ```ts
 * import * as zmq from "./zeromq.ts";
 * const { curve, ipc }: Partial<zmq.Capabilities> = zmq.capability;
 * console.log(curve, ipc);
 * ```
 */
export interface Capabilities {
  /** The ipc:// transport. */
  ipc: boolean;
  /** The pgm:// and epgm:// transports. */
  pgm: boolean;
  /** The tipc:// transport. */
  tipc: boolean;
  /** The norm:// transport. */
  norm: boolean;
  /** CURVE security. */
  curve: boolean;
  /** GSSAPI security. */
  gssapi: boolean;
  /** The DRAFT API. */
  draft: boolean;
}

const names = ["ipc", "pgm", "tipc", "norm", "curve", "gssapi", "draft"] as const;

/**
 * What libzmq was built with: `{ ipc, pgm, tipc, norm, curve, gssapi, draft }`,
 * each a boolean (asked of libzmq on first read).
 *
 * @example
 * ```ts
 * import * as zmq from "./zeromq.ts";
 * if (!zmq.capability.curve) console.log("no CURVE here");
 * ```
 */
export const capability: Partial<Capabilities> = Object.defineProperties(
  {},
  Object.fromEntries(names.map((name) => [name, {
    enumerable: true,
    get: () => has(name),
  }])),
) as Partial<Capabilities>;

/**
 * Makes a CURVE key pair as 40-character Z85 strings.
 *
 * @example
 * ```ts
 * import * as zmq from "./zeromq.ts";
 * const { publicKey, secretKey } = zmq.curveKeyPair();
 * const server = new zmq.Pair({ curveServer: true, curvePublicKey: publicKey, curveSecretKey: secretKey });
 * server.close();
 * ```
 */
export function curveKeyPair(): { publicKey: string; secretKey: string } {
  const { publicKey, secretKey } = mainCurveKeyPair();
  return { publicKey, secretKey };
}

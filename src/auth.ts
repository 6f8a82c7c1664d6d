/**
 * A ZAP handler (RFC 27): decides which peers may connect to the sockets of
 * a context, by address, PLAIN password or CURVE key.
 *
 * @module
 */
import type { Context } from "./context.ts";
import { defaultContextInstance } from "./context.ts";
import { misuse, ZmqError } from "./errors.ts";
import { type InternalSocket, openInternalSocket } from "./internal_socket.ts";
import { z85Encode } from "./keys.ts";
import { loadCertificateDirectory } from "./certificates.ts";

/** The endpoint libzmq asks for authentication decisions. */
export const ZAP_ENDPOINT = "inproc://zeromq.zap.01";

/** One authentication request, as the handler sees it. */
export interface AuthRequest {
  /** The socket's zapDomain ("" when unset). */
  domain: string;
  /** The peer's IP address. */
  address: string;
  /** The peer's routing id, if it set one. */
  routingId: Uint8Array;
  /** "NULL", "PLAIN", "CURVE" or "GSSAPI". */
  mechanism: string;
  /** PLAIN: the username. */
  username?: string;
  /** PLAIN: the password. */
  password?: string;
  /** CURVE: the client's public key, as Z85. */
  publicKey?: string;
}

/** A decision, reported to `onDecision` for logging. */
export interface AuthDecision {
  /** Whether the peer got in. */
  allowed: boolean;
  /** Why, in words ("address denied", "wrong password", ...). Never contains a secret. */
  reason: string;
  /** The request decided on (the PLAIN password left out). */
  request: Omit<AuthRequest, "password">;
}

/** What a custom `authorize` callback may answer. */
export type AuthVerdict = boolean | { allowed: boolean; reason?: string; userId?: string };

/** How an {@link Authenticator} decides. */
export interface AuthenticatorOptions {
  /** The context whose sockets it serves (default: the default context). */
  context?: Context;
  /** Only these IP addresses may connect (all others are refused). */
  allow?: string[];
  /** These IP addresses may not connect (wins over `allow`). */
  deny?: string[];
  /** PLAIN usernames and their passwords. */
  plain?: Record<string, string>;
  /** CURVE public keys (Z85 or 32 bytes) that may connect, or "any" for every client. */
  curve?: (string | Uint8Array)[] | "any";
  /**
   * A directory of public certificates (czmq's ZPL files) whose keys may
   * connect, in addition to `curve`; {@link Authenticator.reloadCertificates} rereads it.
   */
  certificates?: string;
  /** Serve only this ZAP domain; requests for others are refused. */
  domain?: string;
  /** A custom decision, asked after the address checks pass. */
  authorize?: (request: AuthRequest) => AuthVerdict | Promise<AuthVerdict>;
  /** Told of every decision, for logging. */
  onDecision?: (decision: AuthDecision) => void;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/**
 * A ZAP authenticator for one context. It serves from construction until
 * {@link Authenticator.close}. Without one, libzmq lets in every NULL and
 * CURVE client (PLAIN needs one).
 *
 * @example
 * ```ts
 * import * as zmq from "./mod.ts";
 * const server = zmq.curveKeyPair();
 * const client = zmq.curveKeyPair();
 * const auth = new zmq.Authenticator({ curve: [client.publicKey] });
 * const rep = new zmq.Reply({ curveServer: true, curveSecretKey: server.secretKey });
 * await rep.bind("tcp://127.0.0.1:*");
 * // clients with client.secretKey and curveServerKey = server.publicKey get in
 * rep.close();
 * await auth.close();
 * ```
 */
export class Authenticator {
  #socket: InternalSocket;
  #options: AuthenticatorOptions;
  #curveKeys: Set<string> | "any" | undefined;
  #certificateKeys = new Set<string>();
  #serving: Promise<void>;
  #closed = false;
  #closing: Promise<void> | undefined;
  // Set while a decision is being made: denies it at once (close()).
  #cancelDecision: (() => void) | undefined;

  /** Starts serving ZAP requests for the context. */
  constructor(options: AuthenticatorOptions = {}) {
    if (options === null || typeof options !== "object") {
      throw new TypeError("Authenticator options must be an object");
    }
    this.#options = options;
    this.#curveKeys = curveKeySet(options.curve);
    this.reloadCertificates();
    const context = options.context ?? defaultContextInstance();
    try {
      this.#socket = openInternalSocket(context, {
        type: "REP",
        describe: "ZAP handler socket",
        bind: ZAP_ENDPOINT,
      });
    } catch (error) {
      if (error instanceof ZmqError && error.code === "EADDRINUSE") {
        throw misuse(
          "EADDRINUSE",
          "This context already has an Authenticator: close it before starting another",
          ZAP_ENDPOINT,
        );
      }
      throw error;
    }
    this.#serving = this.#serve();
  }

  /** Replaces the CURVE allowlist given as `curve`. */
  setCurveKeys(keys: (string | Uint8Array)[] | "any"): void {
    this.#curveKeys = curveKeySet(keys);
  }

  /** Rereads the `certificates` directory (after certificates were added or removed). */
  reloadCertificates(): void {
    const directory = this.#options.certificates;
    this.#certificateKeys = directory === undefined
      ? new Set()
      : new Set(loadCertificateDirectory(directory));
  }

  /**
   * Stops serving and frees the ZAP endpoint for another Authenticator. A
   * request whose `authorize` callback has not decided yet is denied (its
   * peer is refused), so close() never waits on a callback.
   */
  close(): Promise<void> {
    return this.#closing ??= this.#close();
  }

  async #close(): Promise<void> {
    this.#closed = true;
    const cancel = this.#cancelDecision;
    if (cancel !== undefined) {
      // The request being decided is denied and answered; then serving ends.
      cancel();
      await this.#serving;
    }
    await this.#socket.close();
    await this.#serving;
  }

  async #serve(): Promise<void> {
    const engine = this.#socket.engine;
    while (!this.#closed) {
      let frames: Uint8Array[];
      try {
        frames = await engine.receive();
      } catch {
        return; // closed
      }
      const reply = await this.#answer(frames);
      try {
        // libzmq waits for every answer: one that cannot go within a second
        // (the requester gone) is dropped, never waited on forever.
        await engine.send(reply, { timeout: 1_000 });
      } catch {
        if (engine.closed) return;
      }
    }
  }

  async #answer(frames: Uint8Array[]): Promise<Uint8Array[]> {
    const version = decoder.decode(frames[0] ?? new Uint8Array());
    const requestId = frames[1] ?? new Uint8Array();
    const reply = (code: string, text: string, userId = "") => [
      encoder.encode("1.0"),
      requestId,
      encoder.encode(code),
      encoder.encode(text),
      encoder.encode(userId),
      new Uint8Array(),
    ];
    if (version !== "1.0" || frames.length < 6) {
      return reply("500", "malformed ZAP request");
    }
    const request = parseRequest(frames);
    if (request === undefined) return reply("400", "malformed credentials");
    let verdict: Verdict;
    try {
      verdict = await new Promise<Verdict>((resolve, reject) => {
        this.#cancelDecision = () =>
          resolve(deny("the Authenticator closed before the request was decided"));
        if (this.#closed) this.#cancelDecision();
        else this.#decide(request).then(resolve, reject);
      });
    } catch (error) {
      // A failing callback never opens the door.
      verdict = deny(`authorize failed: ${describeError(error)}`);
    } finally {
      this.#cancelDecision = undefined;
    }
    const { password: _secret, ...shown } = request;
    this.#report({ allowed: verdict.allowed, reason: verdict.reason, request: shown });
    return verdict.allowed ? reply("200", "OK", verdict.userId) : reply("400", verdict.reason);
  }

  /** Tells onDecision; a callback that throws or rejects is reported, and the decision stands. */
  #report(decision: AuthDecision): void {
    const onDecision = this.#options.onDecision;
    if (onDecision === undefined) return;
    const warn = (error: unknown) =>
      console.warn(
        `zmq Authenticator: the onDecision callback failed (the decision stands): ${
          describeError(error)
        }`,
      );
    try {
      const result: unknown = onDecision(decision);
      if (result instanceof Promise) result.catch(warn);
    } catch (error) {
      warn(error);
    }
  }

  async #decide(request: AuthRequest): Promise<Verdict> {
    const options = this.#options;
    const no = deny;
    if (options.domain !== undefined && request.domain !== options.domain) {
      return no(`domain "${request.domain}" is not served`);
    }
    if (options.deny?.includes(request.address)) return no("address denied");
    if (options.allow !== undefined && options.allow.length > 0) {
      if (!options.allow.includes(request.address)) return no("address not allowed");
    }
    let allowed: { allowed: boolean; reason: string; userId: string };
    switch (request.mechanism) {
      case "NULL":
        allowed = { allowed: true, reason: "NULL mechanism", userId: "" };
        break;
      case "PLAIN": {
        const table = options.plain;
        if (table === undefined) {
          allowed = no(options.authorize ? "" : "no PLAIN users configured");
          break;
        }
        const expected = Object.hasOwn(table, request.username!)
          ? table[request.username!]
          : undefined;
        allowed = expected !== undefined && expected === request.password
          ? { allowed: true, reason: "PLAIN password matched", userId: request.username! }
          : no("wrong username or password");
        break;
      }
      case "CURVE": {
        const keys = this.#curveKeys;
        if (keys === "any") {
          allowed = { allowed: true, reason: "any CURVE key accepted", userId: request.publicKey! };
        } else if (keys?.has(request.publicKey!) || this.#certificateKeys.has(request.publicKey!)) {
          allowed = { allowed: true, reason: "CURVE key allowed", userId: request.publicKey! };
        } else {
          const none = keys === undefined && this.#options.certificates === undefined;
          allowed = no(none ? "no CURVE keys configured" : "CURVE key not allowed");
        }
        break;
      }
      default:
        allowed = no(`mechanism ${request.mechanism} is not supported`);
    }
    if (options.authorize === undefined) return allowed;
    const verdict = await options.authorize(request);
    if (typeof verdict === "boolean") {
      return verdict
        ? { allowed: true, reason: "authorize allowed", userId: allowed.userId }
        : no("authorize refused");
    }
    return {
      allowed: verdict.allowed === true,
      reason: verdict.reason ?? (verdict.allowed ? "authorize allowed" : "authorize refused"),
      userId: verdict.userId ?? allowed.userId,
    };
  }
}

/** A decision as the handler keeps it. */
interface Verdict {
  allowed: boolean;
  reason: string;
  userId: string;
}

function deny(reason: string): Verdict {
  return { allowed: false, reason, userId: "" };
}

function describeError(error: unknown): string {
  try {
    return error instanceof Error ? error.message : String(error);
  } catch {
    return typeof error;
  }
}

function parseRequest(frames: Uint8Array[]): AuthRequest | undefined {
  const text = (frame: Uint8Array | undefined) => decoder.decode(frame ?? new Uint8Array());
  const request: AuthRequest = {
    domain: text(frames[2]),
    address: text(frames[3]),
    routingId: frames[4] ?? new Uint8Array(),
    mechanism: text(frames[5]),
  };
  if (request.mechanism === "PLAIN") {
    if (frames.length < 8) return undefined;
    request.username = text(frames[6]);
    request.password = text(frames[7]);
  } else if (request.mechanism === "CURVE") {
    if (frames.length < 7 || frames[6].byteLength !== 32) return undefined;
    request.publicKey = z85Encode(frames[6]);
  }
  return request;
}

function curveKeySet(
  keys: (string | Uint8Array)[] | "any" | undefined,
): Set<string> | "any" | undefined {
  if (keys === undefined || keys === "any") return keys;
  if (!Array.isArray(keys)) {
    throw new TypeError(`Authenticator curve must be a list of public keys or "any"`);
  }
  return new Set(keys.map((key, index) => {
    if (typeof key === "string" && key.length === 40) return key;
    if (key instanceof Uint8Array && key.byteLength === 32) return z85Encode(key);
    throw new TypeError(
      `Authenticator curve key ${index} must be 40 Z85 characters or 32 bytes`,
    );
  }));
}

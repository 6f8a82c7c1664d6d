/**
 * At-least-once request/reply: the "Lazy Pirate" client of the ZeroMQ guide.
 * A REQ socket waits forever for a reply that a crashed server, a dropped
 * connection or a partition has lost; this client waits a bounded time, then
 * throws the socket away, opens a fresh one (a fresh connection) and sends
 * the request again, and gives up with a clear error after the last try.
 *
 * It works with any REP server, as the guide's client does: each attempt
 * uses a fresh socket, so a late reply to an earlier attempt can never be
 * taken for this one. Retrying means a server may see a request more than
 * once; with `requestIds`, every request travels with an id frame,
 * `[id, ...message]`, that the reply must echo, `[id, ...reply]`:
 * {@link IdempotentServer} does both and runs each id's handler once, so the
 * caller sees exactly one answer per request.
 *
 * @module
 */
import { misuse, ZmqError } from "./errors.ts";
import { type Frame, frameBytes, type Message, messageFrames } from "./frames.ts";
import type { RequestOptions } from "./socket_options.ts";
import { Request } from "./socket_types.ts";

/** Options of a {@link LazyPirateClient}. */
export interface LazyPirateOptions {
  /** Milliseconds to wait for each attempt's reply (default 2500). */
  timeout?: number;
  /** How many times to resend after the first attempt before giving up (default 3). */
  retries?: number;
  /** Options for each REQ socket the client opens, such as CURVE keys or `context` (linger is 0). */
  socketOptions?: RequestOptions;
  /**
   * Send each request as `[id, ...message]` and accept only a reply that
   * echoes the id (default false: any reply on the attempt's socket is the
   * answer, as with a plain REP server). For servers that deduplicate by id,
   * such as {@link IdempotentServer}.
   */
  requestIds?: boolean;
}

/** Options of one {@link LazyPirateClient.request}; they override the client's. */
export interface LazyPirateRequestOptions {
  /** Milliseconds to wait for each attempt's reply. */
  timeout?: number;
  /** How many times to resend after the first attempt. */
  retries?: number;
  /** Abandons the request (with the signal's reason) when it aborts. */
  signal?: AbortSignal;
}

/** Counters of a {@link LazyPirateClient}. */
export interface LazyPirateStatistics {
  /** Requests started. */
  requests: number;
  /** Requests that got their reply. */
  answered: number;
  /** Resends (each on a fresh socket) after a reply did not come in time. */
  retries: number;
  /** Requests given up after their last attempt. */
  failures: number;
}

const DEFAULT_TIMEOUT = 2500;
const DEFAULT_RETRIES = 3;
const encoder = new TextEncoder();

function checkTimeout(value: unknown, where: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || Number.isNaN(value)) {
    throw new TypeError(`${where} timeout must be a number of milliseconds, got ${String(value)}`);
  }
  if (value <= 0 || !Number.isFinite(value)) {
    throw new RangeError(`${where} timeout must be a positive, finite number, got ${value}`);
  }
  return value;
}

function checkRetries(value: unknown, where: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new TypeError(`${where} retries must be a whole number, got ${String(value)}`);
  }
  if (value < 0) throw new RangeError(`${where} retries must not be negative, got ${value}`);
  return value;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * A request/reply client that retries: each attempt waits `timeout` ms for
 * the reply; a missing reply closes the REQ socket, opens a fresh one and
 * resends, up to `retries` times; then the request rejects with a ZmqError
 * "ETIMEDOUT". Requests made while one is in flight are sent one after the
 * other, in call order (each one's timeout starts with its own attempt).
 *
 * It talks to any REP server (or ROUTER that answers like one). A retried
 * request may reach the server twice: where that matters, set `requestIds`
 * and serve with {@link IdempotentServer}, which runs each request once.
 *
 * @example A plain REP server
 * ```ts
 * import * as zmq from "./mod.ts";
 *
 * const rep = new zmq.Reply();
 * await rep.bind("tcp://127.0.0.1:*");
 * (async () => {
 *   for await (const [request] of rep) await rep.send(["reply to", request]);
 * })();
 *
 * const client = new zmq.LazyPirateClient(rep.lastEndpoint!, { timeout: 1000, retries: 3 });
 * const [status] = await client.request("0");
 * console.log(new TextDecoder().decode(status)); // "reply to"
 * client.close();
 * rep.close();
 * ```
 *
 * @example Exactly one run per request, with IdempotentServer
 * ```ts
 * import * as zmq from "./mod.ts";
 *
 * const server = new zmq.IdempotentServer(([body]) => ["done", body]);
 * await server.socket.bind("tcp://127.0.0.1:*");
 *
 * const client = new zmq.LazyPirateClient(server.socket.lastEndpoint!, {
 *   timeout: 1000,
 *   retries: 3,
 *   requestIds: true,
 * });
 * const [status] = await client.request("job 1");
 * console.log(new TextDecoder().decode(status)); // "done"
 * client.close();
 * server.close();
 * ```
 */
export class LazyPirateClient {
  readonly #endpoints: readonly string[];
  readonly #timeout: number;
  readonly #retries: number;
  readonly #socketOptions: RequestOptions;
  readonly #requestIds: boolean;
  readonly #clientId = crypto.randomUUID();
  #socket: Request | undefined;
  #sequence = 0;
  #closed = false;
  #tail: Promise<void> = Promise.resolve();
  #stats: LazyPirateStatistics = { requests: 0, answered: 0, retries: 0, failures: 0 };

  /**
   * Connects to one or more server endpoints (REQ spreads requests over
   * several). A malformed endpoint throws here, not on the first request.
   */
  constructor(endpoint: string | readonly string[], options: LazyPirateOptions = {}) {
    const endpoints = typeof endpoint === "string" ? [endpoint] : endpoint;
    if (
      !Array.isArray(endpoints) || endpoints.length === 0 ||
      endpoints.some((e) => typeof e !== "string" || e === "")
    ) {
      throw new TypeError(
        `LazyPirateClient needs an endpoint or a non-empty list of endpoints, got ${
          String(endpoint)
        }`,
      );
    }
    if (options === null || typeof options !== "object") {
      throw new TypeError(`LazyPirateClient options must be an object, got ${String(options)}`);
    }
    this.#endpoints = [...endpoints];
    this.#timeout = checkTimeout(options.timeout, "LazyPirateClient") ?? DEFAULT_TIMEOUT;
    this.#retries = checkRetries(options.retries, "LazyPirateClient") ?? DEFAULT_RETRIES;
    if (options.requestIds !== undefined && typeof options.requestIds !== "boolean") {
      throw new TypeError(
        `LazyPirateClient requestIds must be a boolean, got ${String(options.requestIds)}`,
      );
    }
    this.#requestIds = options.requestIds ?? false;
    this.#socketOptions = { ...options.socketOptions, linger: 0 };
    this.#socket = this.#open();
  }

  /** True once {@link LazyPirateClient.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** How many requests were made, answered, retried and given up. */
  statistics(): LazyPirateStatistics {
    return { ...this.#stats };
  }

  /**
   * Sends `message` and resolves with the reply's frames (without the id
   * frame, with `requestIds`). Rejects with a ZmqError "ETIMEDOUT" after `retries + 1` attempts
   * without a reply, "ENOTSOCK" when the client is closed, or the signal's
   * reason when `signal` aborts.
   *
   * @example
   * ```ts
   * import * as zmq from "./mod.ts";
   * const client = new zmq.LazyPirateClient("tcp://127.0.0.1:5555", { timeout: 200, retries: 1 });
   * try {
   *   await client.request(["price", "XYZ"]);
   * } catch (error) {
   *   if (error instanceof zmq.ZmqError && error.code === "ETIMEDOUT") console.log("server gone");
   * } finally {
   *   client.close();
   * }
   * ```
   */
  async request(
    message: Message,
    options: LazyPirateRequestOptions = {},
  ): Promise<Uint8Array[]> {
    if (options === null || typeof options !== "object") {
      throw new TypeError(
        `Request options must be an object like { timeout, retries, signal }, got ${
          String(options)
        }`,
      );
    }
    const timeout = checkTimeout(options.timeout, "request()") ?? this.#timeout;
    const retries = checkRetries(options.retries, "request()") ?? this.#retries;
    const signal = options.signal;
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw new TypeError("signal must be an AbortSignal");
    }
    const frames = messageFrames(message).map((frame: Frame) => frameBytes(frame));
    this.#assertOpen();
    signal?.throwIfAborted();

    // One request at a time on a REQ socket: wait for the previous one.
    const previous = this.#tail;
    let release!: () => void;
    this.#tail = new Promise<void>((resolve) => release = resolve);
    try {
      await untilAborted(previous, signal);
      this.#assertOpen();
      this.#stats.requests += 1;
      this.#sequence += 1;
      const id = this.#requestIds
        ? encoder.encode(`${this.#clientId}:${this.#sequence}`)
        : undefined;
      return await this.#perform(id, frames, timeout, retries, signal);
    } finally {
      // The next request may start once this one ended, however it ended.
      previous.then(release, release);
    }
  }

  /** Closes the socket; pending and later requests reject with "ENOTSOCK". Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#discardSocket();
  }

  /** Same as {@link LazyPirateClient.close}. */
  [Symbol.dispose](): void {
    this.close();
  }

  async #perform(
    id: Uint8Array | undefined,
    frames: Uint8Array[],
    timeout: number,
    retries: number,
    signal: AbortSignal | undefined,
  ): Promise<Uint8Array[]> {
    const attempts = retries + 1;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      this.#assertOpen();
      if (attempt > 1) this.#stats.retries += 1;
      const socket = this.#socket ??= this.#open();
      const deadline = Date.now() + timeout;
      try {
        await socket.send(id === undefined ? frames : [id, ...frames], { timeout, signal });
        const reply = await socket.receive({
          timeout: Math.max(1, deadline - Date.now()),
          signal,
        });
        // A fresh socket per attempt: whatever arrives on it answers this attempt.
        if (id === undefined) {
          this.#stats.answered += 1;
          return reply;
        }
        if (reply.length > 0 && sameBytes(reply[0], id)) {
          this.#stats.answered += 1;
          return reply.slice(1);
        }
        // A reply without our id is not an answer: try again on a fresh socket.
        this.#discardSocket();
      } catch (error) {
        if (this.#closed) throw this.#closedError();
        // The REQ socket is mid-request and cannot send again: start afresh.
        this.#discardSocket();
        const timedOut = error instanceof ZmqError && error.code === "EAGAIN";
        if (!timedOut || signal?.aborted) throw error;
      }
    }
    this.#stats.failures += 1;
    throw misuse(
      "ETIMEDOUT",
      `No reply from ${this.#endpoints.map((e) => `"${e}"`).join(", ")} after ${attempts} ${
        attempts === 1 ? "attempt" : "attempts"
      } of ${timeout} ms each; giving up`,
      this.#endpoints[0],
    );
  }

  #open(): Request {
    const socket = new Request(this.#socketOptions);
    try {
      for (const endpoint of this.#endpoints) socket.connect(endpoint);
    } catch (error) {
      socket.close();
      throw error;
    }
    return socket;
  }

  #discardSocket(): void {
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw this.#closedError();
  }

  #closedError(): ZmqError {
    return misuse("ENOTSOCK", "The LazyPirateClient is closed");
  }
}

/** Resolves with `promise`, or rejects with the signal's reason if it aborts first. */
function untilAborted(promise: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return promise;
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    });
  });
}

/**
 * The Majordomo client (7/MDP/Client), in the guide's two forms:
 *
 * - {@link MajordomoClient.request}: request by service name and wait for the
 *   reply, with a timeout per attempt and retries on a fresh connection (the
 *   guide's mdcliapi, a Lazy Pirate over MDP). Calls made together run
 *   together, each on its own connection, so every caller gets the reply to
 *   its own request and never a reply twice.
 * - {@link MajordomoClient.send} / {@link MajordomoClient.receive}: one DEALER
 *   that keeps many requests in flight and hands back replies as they come
 *   (the guide's mdcliapi2). MDP carries no request id: replies come in the
 *   order workers finish, and telling them apart is the caller's business.
 *
 * @module
 */
import { misuse, ZmqError } from "./errors.ts";
import type { Message } from "./frames.ts";
import {
  checkCount,
  checkMilliseconds,
  checkServiceName,
  CLIENT_HEADER,
  decodeServiceName,
  DEFAULT_REQUEST_RETRIES,
  DEFAULT_REQUEST_TIMEOUT,
  EMPTY,
  messageToBytes,
  sameBytes,
} from "./majordomo_protocol.ts";
import type { DealerOptions } from "./socket_options.ts";
import { Dealer } from "./socket_types.ts";

/** Options of a {@link MajordomoClient}. */
export interface MajordomoClientOptions {
  /** Milliseconds to wait for each attempt's reply (default 2500, the guide's). */
  timeout?: number;
  /** Resends after the first attempt before giving up (default 3, the guide's). */
  retries?: number;
  /**
   * Requests of {@link MajordomoClient.request} in flight at once, each on
   * its own connection (default 32). Calls beyond it wait their turn.
   */
  maxInFlight?: number;
  /** Options of each DEALER socket the client opens (CURVE keys, `context`, ...). */
  socketOptions?: DealerOptions;
}

/** Options of one {@link MajordomoClient.request}; they override the client's. */
export interface MajordomoRequestOptions {
  /** Milliseconds to wait for each attempt's reply. */
  timeout?: number;
  /** Resends after the first attempt. */
  retries?: number;
  /** Abandons the request (rejecting with the signal's reason) when it aborts. */
  signal?: AbortSignal;
}

/** A reply as {@link MajordomoClient.receive} gives it. */
export interface MajordomoReply {
  /** The service that answered. */
  service: string;
  /** The reply's frames. */
  body: Uint8Array[];
}

/** Counters of a {@link MajordomoClient}. */
export interface MajordomoClientStatistics {
  /** Calls of request() (send() not included). */
  requests: number;
  /** Of those, answered. */
  answered: number;
  /** Resends on a fresh connection after a reply did not come in time. */
  retries: number;
  /** Requests given up after their last attempt. */
  failures: number;
  /** Messages from the broker that were not a reply to the request waiting (dropped). */
  malformed: number;
}

/**
 * A Majordomo client: asks a {@link MajordomoBroker} (or any 7/MDP broker)
 * for a service by name.
 *
 * `request()` is at-least-once: a retried request may run twice on the
 * workers' side (pair the service with {@link RequestDeduplicator} when
 * that matters), but the caller gets one reply or one error per call.
 *
 * @example
 * ```ts
 * import * as zmq from "./mod.ts";
 *
 * const broker = new zmq.MajordomoBroker();
 * await broker.bind("tcp://127.0.0.1:*");
 * const worker = new zmq.MajordomoWorker(broker.endpoint!, "echo", (body) => body);
 * const client = new zmq.MajordomoClient(broker.endpoint!, { timeout: 1000, retries: 2 });
 *
 * // Several at once: each call gets its own reply.
 * const replies = await Promise.all(["a", "b", "c"].map((x) => client.request("echo", x)));
 * console.log(replies.map(([frame]) => new TextDecoder().decode(frame))); // ["a", "b", "c"]
 * console.log(await client.hasService("echo")); // true (8/MMI)
 *
 * client.close();
 * worker.close();
 * broker.close();
 * ```
 */
export class MajordomoClient {
  /** The broker's endpoint. */
  readonly endpoint: string;
  readonly #timeout: number;
  readonly #retries: number;
  readonly #maxInFlight: number;
  readonly #socketOptions: DealerOptions;
  /** Connections with no request in flight, ready for the next one. */
  readonly #idle: Dealer[] = [];
  /** Every connection open for request(), idle or busy. */
  readonly #open = new Set<Dealer>();
  readonly #waiters: (() => void)[] = [];
  #stream: Dealer | undefined;
  #closed = false;
  #stats: MajordomoClientStatistics = {
    requests: 0,
    answered: 0,
    retries: 0,
    failures: 0,
    malformed: 0,
  };

  /** Prepares a client of the broker at `endpoint`; connections open on first use. */
  constructor(endpoint: string, options: MajordomoClientOptions = {}) {
    if (typeof endpoint !== "string" || endpoint === "") {
      throw new TypeError(`MajordomoClient needs the broker's endpoint, got ${String(endpoint)}`);
    }
    if (options === null || typeof options !== "object") {
      throw new TypeError(`MajordomoClient options must be an object, got ${String(options)}`);
    }
    this.endpoint = endpoint;
    this.#timeout = checkMilliseconds(options.timeout, "timeout", DEFAULT_REQUEST_TIMEOUT);
    this.#retries = checkCount(options.retries, "retries", DEFAULT_REQUEST_RETRIES, 0);
    this.#maxInFlight = checkCount(options.maxInFlight, "maxInFlight", 32, 1);
    this.#socketOptions = { ...options.socketOptions, linger: 0 };
    // A malformed endpoint fails here, not on the first request.
    this.#idle.push(this.#connect());
  }

  /** True once {@link MajordomoClient.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Requests, answers, retries, failures and dropped messages so far. */
  statistics(): MajordomoClientStatistics {
    return { ...this.#stats };
  }

  /**
   * Sends `body` to `service` and resolves with the reply's frames. Each
   * attempt waits `timeout` ms; a missing reply closes that connection and
   * resends on a fresh one, up to `retries` times; then the call rejects with
   * a ZmqError "ETIMEDOUT". "ENOTSOCK" when the client is closed; the
   * signal's reason when `signal` aborts. A reply that comes after its
   * attempt was given up is never delivered.
   *
   * @example
   * ```ts
   * import * as zmq from "./mod.ts";
   * const client = new zmq.MajordomoClient("tcp://127.0.0.1:5555", { timeout: 200, retries: 1 });
   * try {
   *   await client.request("echo", ["part 1", "part 2"]);
   * } catch (error) {
   *   if (error instanceof zmq.ZmqError && error.code === "ETIMEDOUT") console.log("no echo service");
   * } finally {
   *   client.close();
   * }
   * ```
   */
  async request(
    service: string,
    body: Message,
    options: MajordomoRequestOptions = {},
  ): Promise<Uint8Array[]> {
    if (options === null || typeof options !== "object") {
      throw new TypeError(
        `Request options must be an object like { timeout, retries, signal }, got ${
          String(options)
        }`,
      );
    }
    const serviceBytes = checkServiceName(service, "request()");
    const frames = messageToBytes(body);
    const timeout = checkMilliseconds(options.timeout, "timeout", this.#timeout);
    const retries = checkCount(options.retries, "retries", this.#retries, 0);
    const signal = options.signal;
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw new TypeError("signal must be an AbortSignal");
    }
    this.#assertOpen();
    signal?.throwIfAborted();
    this.#stats.requests += 1;
    let socket: Dealer | undefined = await this.#acquire(signal);
    try {
      const message = [EMPTY, CLIENT_HEADER, serviceBytes, ...frames];
      for (let attempt = 0; attempt <= retries; attempt++) {
        if (attempt > 0) {
          this.#stats.retries += 1;
          // A late reply on the old connection must never reach a later caller.
          this.#discard(socket!);
          socket = this.#connect();
        }
        const reply = await this.#attempt(socket!, message, serviceBytes, timeout, signal);
        if (reply !== null) {
          this.#stats.answered += 1;
          this.#release(socket!);
          socket = undefined;
          return reply;
        }
      }
      this.#stats.failures += 1;
      throw misuse(
        "ETIMEDOUT",
        `No reply from service "${service}" through the broker at "${this.endpoint}" after ${
          retries + 1
        } ${retries === 0 ? "attempt" : "attempts"} of ${timeout} ms each; giving up`,
        this.endpoint,
      );
    } catch (error) {
      if (this.#closed) throw this.#closedError();
      throw error;
    } finally {
      if (socket !== undefined) {
        this.#discard(socket);
        this.#wakeWaiter();
      }
    }
  }

  /**
   * Asks the broker (8/MMI `mmi.service`) whether `service` has a worker
   * registered now: true for "200", false for "404". Rejects when the broker
   * does not implement MMI ("501"), or as {@link MajordomoClient.request} does.
   *
   * @example
   * ```ts
   * import * as zmq from "./mod.ts";
   * const broker = new zmq.MajordomoBroker();
   * await broker.bind("tcp://127.0.0.1:*");
   * const client = new zmq.MajordomoClient(broker.endpoint!);
   * console.log(await client.hasService("echo")); // false: no worker yet
   * client.close();
   * broker.close();
   * ```
   */
  async hasService(service: string, options: MajordomoRequestOptions = {}): Promise<boolean> {
    checkServiceName(service, "hasService()");
    const [code] = await this.request("mmi.service", service, options);
    const text = decodeServiceName(code ?? EMPTY);
    if (text === "200") return true;
    if (text === "404") return false;
    throw misuse(
      "ENOTSUP",
      `The broker at "${this.endpoint}" answered mmi.service with ${
        JSON.stringify(text)
      } instead of "200" or "404" (8/MMI not implemented?)`,
      this.endpoint,
    );
  }

  /**
   * The asynchronous form (the guide's mdcliapi2): queues a request for
   * `service` on the client's one DEALER connection and resolves once it is
   * handed to libzmq, without waiting for the reply. Read replies with
   * {@link MajordomoClient.receive}; keep as many requests in flight as you
   * like. No retries: a request the broker loses is simply never answered.
   *
   * @example
   * ```ts
   * import * as zmq from "./mod.ts";
   * const broker = new zmq.MajordomoBroker();
   * await broker.bind("tcp://127.0.0.1:*");
   * const worker = new zmq.MajordomoWorker(broker.endpoint!, "echo", (body) => body);
   * const client = new zmq.MajordomoClient(broker.endpoint!);
   * for (let i = 0; i < 10; i++) await client.send("echo", `job ${i}`);
   * for (let i = 0; i < 10; i++) {
   *   const { service, body } = await client.receive({ timeout: 2500 });
   *   console.log(service, new TextDecoder().decode(body[0]));
   * }
   * client.close();
   * worker.close();
   * broker.close();
   * ```
   */
  async send(service: string, body: Message): Promise<void> {
    const serviceBytes = checkServiceName(service, "send()");
    const frames = messageToBytes(body);
    this.#assertOpen();
    const stream = this.#stream ??= this.#connect(false);
    try {
      await stream.send([EMPTY, CLIENT_HEADER, serviceBytes, ...frames]);
    } catch (error) {
      if (this.#closed) throw this.#closedError();
      throw error;
    }
  }

  /**
   * The next reply to a request made with {@link MajordomoClient.send}, in
   * the order replies arrive. Rejects with a ZmqError "EAGAIN" after
   * `timeout` ms without one, "ENOTSOCK" once closed.
   */
  async receive(options: { timeout?: number; signal?: AbortSignal } = {}): Promise<MajordomoReply> {
    this.#assertOpen();
    const stream = this.#stream ??= this.#connect(false);
    const deadline = options.timeout === undefined ? Infinity : performance.now() + options.timeout;
    for (;;) {
      let frames: Uint8Array[];
      try {
        frames = await stream.receive({
          timeout: deadline === Infinity ? undefined : Math.max(0, deadline - performance.now()),
          signal: options.signal,
        });
      } catch (error) {
        if (this.#closed) throw this.#closedError();
        throw error;
      }
      const service = this.#replyService(frames);
      if (service !== null) return { service, body: frames.slice(3) };
    }
  }

  /** Closes every connection; pending and later calls reject with "ENOTSOCK". Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const socket of this.#open) socket.close();
    this.#open.clear();
    this.#idle.length = 0;
    this.#stream?.close();
    this.#stream = undefined;
    for (const wake of this.#waiters.splice(0)) wake();
  }

  /** Same as {@link MajordomoClient.close}. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** One attempt: the reply's body, or null when none came within `timeout`. */
  async #attempt(
    socket: Dealer,
    message: Uint8Array[],
    service: Uint8Array,
    timeout: number,
    signal: AbortSignal | undefined,
  ): Promise<Uint8Array[] | null> {
    const deadline = performance.now() + timeout;
    try {
      await socket.send(message, { timeout, signal });
      for (;;) {
        const frames = await socket.receive({
          timeout: Math.max(1, Math.ceil(deadline - performance.now())),
          signal,
        });
        // [ "", "MDPC01", service, body... ]: anything else is not our reply.
        if (this.#replyService(frames) !== null && sameBytes(frames[2], service)) {
          return frames.slice(3);
        }
      }
    } catch (error) {
      if (error instanceof ZmqError && error.code === "EAGAIN" && !signal?.aborted) return null;
      throw error;
    }
  }

  /** The service name of a well-formed reply, or null (counted and dropped). */
  #replyService(frames: Uint8Array[]): string | null {
    if (
      frames.length >= 4 && frames[0].byteLength === 0 && sameBytes(frames[1], CLIENT_HEADER)
    ) {
      const service = decodeServiceName(frames[2]);
      if (service !== null) return service;
    }
    this.#stats.malformed += 1;
    return null;
  }

  async #acquire(signal: AbortSignal | undefined): Promise<Dealer> {
    for (;;) {
      this.#assertOpen();
      const idle = this.#idle.pop();
      if (idle !== undefined) return idle;
      if (this.#open.size < this.#maxInFlight) return this.#connect();
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          const at = this.#waiters.indexOf(wake);
          if (at >= 0) this.#waiters.splice(at, 1);
          reject(signal!.reason);
        };
        const wake = () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        };
        this.#waiters.push(wake);
        signal?.addEventListener("abort", onAbort, { once: true });
      });
    }
  }

  #release(socket: Dealer): void {
    if (this.#closed) return;
    this.#idle.push(socket);
    this.#wakeWaiter();
  }

  #wakeWaiter(): void {
    this.#waiters.shift()?.();
  }

  #connect(pooled = true): Dealer {
    this.#assertOpen();
    const socket = new Dealer(this.#socketOptions);
    try {
      socket.connect(this.endpoint);
    } catch (error) {
      socket.close();
      throw error;
    }
    if (pooled) this.#open.add(socket);
    return socket;
  }

  #discard(socket: Dealer): void {
    this.#open.delete(socket);
    socket.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw this.#closedError();
  }

  #closedError(): ZmqError {
    return misuse("ENOTSOCK", "The MajordomoClient is closed");
  }
}

/**
 * The server's half of at-least-once request/reply: a client that retries
 * (see {@link LazyPirateClient}) may deliver one request several times, so
 * the server remembers each request id's answer and runs the work once.
 *
 * {@link RequestDeduplicator} is the memory (bounded, least recently used
 * first out); {@link IdempotentServer} puts it behind a ROUTER socket that
 * speaks the client's framing: request `[id, ...body]`, reply `[id, ...answer]`.
 *
 * @module
 */
import { frameBytes, type Message, messageFrames } from "./frames.ts";
import type { RouterOptions } from "./socket_options.ts";
import { Router } from "./socket_types.ts";

/** Options of a {@link RequestDeduplicator}. */
export interface RequestDeduplicatorOptions {
  /** How many request ids (and their answers) to remember (default 10000). */
  capacity?: number;
}

/** Counters of a {@link RequestDeduplicator}. */
export interface DeduplicatorStatistics {
  /** Ids seen for the first time: the work ran. */
  executed: number;
  /** Repeats answered from memory (or from the run still in progress). */
  duplicates: number;
  /** Ids forgotten to stay within the capacity. */
  evicted: number;
}

const DEFAULT_CAPACITY = 10_000;

function keyOf(id: Uint8Array | string): string {
  if (typeof id === "string") return `s${id}`;
  if (!(id instanceof Uint8Array)) {
    throw new TypeError(`A request id must be a string or Uint8Array, got ${typeof id}`);
  }
  // Latin-1: one character per byte, so distinct ids never share a key.
  let key = "b";
  for (let i = 0; i < id.byteLength; i++) key += String.fromCharCode(id[i]);
  return key;
}

/**
 * Runs the work for each request id once and replays its answer to repeats.
 * A repeat that comes while the first run is still working waits for that
 * run's answer. A run that fails is forgotten, so a retry runs it again.
 * Only the `capacity` most recently used ids are remembered: size it above
 * the number of requests a client may still retry.
 *
 * @example
 * ```ts
 * import * as zmq from "./mod.ts";
 * const seen = new zmq.RequestDeduplicator<string>({ capacity: 1000 });
 * let runs = 0;
 * const work = () => `charged ${++runs} time(s)`;
 * console.log(await seen.run("order-7", work)); // "charged 1 time(s)"
 * console.log(await seen.run("order-7", work)); // "charged 1 time(s)" again
 * ```
 */
export class RequestDeduplicator<T> {
  readonly #capacity: number;
  readonly #answers = new Map<string, Promise<T>>();
  #stats: DeduplicatorStatistics = { executed: 0, duplicates: 0, evicted: 0 };

  /** Makes an empty memory of `capacity` ids. */
  constructor(options: RequestDeduplicatorOptions = {}) {
    if (options === null || typeof options !== "object") {
      throw new TypeError(`RequestDeduplicator options must be an object, got ${String(options)}`);
    }
    const capacity = options.capacity ?? DEFAULT_CAPACITY;
    if (typeof capacity !== "number" || !Number.isInteger(capacity)) {
      throw new TypeError(`capacity must be a whole number, got ${String(capacity)}`);
    }
    if (capacity < 1) throw new RangeError(`capacity must be at least 1, got ${capacity}`);
    this.#capacity = capacity;
  }

  /** How many ids are remembered now. */
  get size(): number {
    return this.#answers.size;
  }

  /** The most ids remembered at once. */
  get capacity(): number {
    return this.#capacity;
  }

  /** How many ids ran, repeated and were forgotten. */
  statistics(): DeduplicatorStatistics {
    return { ...this.#stats };
  }

  /** True when `id`'s answer (or its run in progress) is remembered. */
  has(id: Uint8Array | string): boolean {
    return this.#answers.has(keyOf(id));
  }

  /**
   * The answer for `id`: `work()`'s result the first time, the same result
   * (without running `work`) for every repeat while `id` is remembered.
   */
  run(id: Uint8Array | string, work: () => T | Promise<T>): Promise<T> {
    const key = keyOf(id);
    if (typeof work !== "function") {
      return Promise.reject(new TypeError("work must be a function that returns the answer"));
    }
    const known = this.#answers.get(key);
    if (known !== undefined) {
      this.#stats.duplicates += 1;
      // Recently used: move to the young end of the map's order.
      this.#answers.delete(key);
      this.#answers.set(key, known);
      return known;
    }
    this.#stats.executed += 1;
    const answer = (async () => await work())();
    this.#answers.set(key, answer);
    answer.catch(() => {
      if (this.#answers.get(key) === answer) this.#answers.delete(key);
    });
    while (this.#answers.size > this.#capacity) {
      const oldest = this.#answers.keys().next().value as string;
      this.#answers.delete(oldest);
      this.#stats.evicted += 1;
    }
    return answer;
  }

  /** Forgets `id`, so its next request runs the work again. */
  forget(id: Uint8Array | string): boolean {
    return this.#answers.delete(keyOf(id));
  }

  /** Forgets every id. */
  clear(): void {
    this.#answers.clear();
  }
}

/** What an {@link IdempotentServer}'s handler gets besides the request's frames. */
export interface IdempotentRequest {
  /** The request id the client sent (the reply carries it back). */
  id: Uint8Array;
}

/**
 * Computes the answer to one request; runs once per request id. The answer
 * is kept and sent again to repeats, so do not reuse its buffers afterwards.
 */
export type IdempotentHandler = (
  body: Uint8Array[],
  request: IdempotentRequest,
) => Message | Promise<Message>;

/** Options of an {@link IdempotentServer}. */
export interface IdempotentServerOptions extends RequestDeduplicatorOptions {
  /** Options of the ROUTER socket (CURVE keys, `context`, HWM, ...). */
  socketOptions?: RouterOptions;
  /**
   * Called when the handler throws. The request then gets no reply and is
   * forgotten, so the client's retry runs the handler again.
   */
  onError?: (error: unknown, body: Uint8Array[]) => void;
}

/** Counters of an {@link IdempotentServer}. */
export interface IdempotentServerStatistics extends DeduplicatorStatistics {
  /** Requests received, repeats included. */
  requests: number;
  /** Replies sent, repeats included. */
  replies: number;
  /** Messages without a usable id frame (dropped). */
  malformed: number;
  /** Handler runs that threw (no reply was sent). */
  failures: number;
}

// Ids are short (a LazyPirateClient sends about 40 bytes); this bounds the memory.
const MAX_ID_BYTES = 255;

/**
 * A ROUTER server for {@link LazyPirateClient}s (or any REQ/DEALER client
 * that sends `[id, ...body]` and reads `[id, ...answer]`) that runs the
 * handler once per request id: a retried request gets the first run's answer.
 * Requests are handled concurrently; it serves from construction until
 * {@link IdempotentServer.close}. Messages without an id are dropped and
 * counted as malformed.
 *
 * @example
 * ```ts
 * import * as zmq from "./mod.ts";
 *
 * const balances = new Map<string, number>();
 * const server = new zmq.IdempotentServer(([account, amount]) => {
 *   const name = new TextDecoder().decode(account);
 *   const total = (balances.get(name) ?? 0) + Number(new TextDecoder().decode(amount));
 *   balances.set(name, total); // not idempotent by itself: the server makes it so
 *   return String(total);
 * }, { capacity: 50_000 });
 * await server.socket.bind("tcp://127.0.0.1:*");
 * // ... clients: new zmq.LazyPirateClient(server.socket.lastEndpoint!, { requestIds: true })
 * server.close();
 * ```
 */
export class IdempotentServer {
  /** The ROUTER socket: bind or connect it, read its options. */
  readonly socket: Router;
  /** Resolves when the server has stopped serving: closed, or its context terminated. */
  readonly done: Promise<void>;
  readonly #handler: IdempotentHandler;
  readonly #answers: RequestDeduplicator<readonly Uint8Array[]>;
  readonly #onError: ((error: unknown, body: Uint8Array[]) => void) | undefined;
  #counts = { requests: 0, replies: 0, malformed: 0, failures: 0 };
  #closed = false;

  /** Opens the ROUTER socket and starts serving with `handler`. */
  constructor(handler: IdempotentHandler, options: IdempotentServerOptions = {}) {
    if (typeof handler !== "function") {
      throw new TypeError("IdempotentServer needs a handler function");
    }
    if (options === null || typeof options !== "object") {
      throw new TypeError(`IdempotentServer options must be an object, got ${String(options)}`);
    }
    if (options.onError !== undefined && typeof options.onError !== "function") {
      throw new TypeError("onError must be a function");
    }
    this.#handler = handler;
    this.#onError = options.onError;
    this.#answers = new RequestDeduplicator({ capacity: options.capacity });
    this.socket = new Router(options.socketOptions);
    this.done = this.#serve();
  }

  /** True once {@link IdempotentServer.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Requests, replies, runs, repeats, evictions, malformed messages and failures so far. */
  statistics(): IdempotentServerStatistics {
    return { ...this.#answers.statistics(), ...this.#counts };
  }

  /** Stops serving and closes the socket. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.socket.close();
  }

  /** Same as {@link IdempotentServer.close}. */
  [Symbol.dispose](): void {
    this.close();
  }

  async #serve(): Promise<void> {
    while (!this.#closed) {
      let frames: Uint8Array[];
      try {
        frames = await this.socket.receive();
      } catch {
        // Closed, or its context terminated: either way serving is over.
        this.close();
        return;
      }
      this.#handle(frames);
    }
  }

  async #handle(frames: Uint8Array[]): Promise<void> {
    // The envelope is everything up to the empty delimiter a REQ client adds;
    // a DEALER client without one has just its routing id.
    const delimiter = frames.findIndex((frame, i) => i > 0 && frame.byteLength === 0);
    const envelopeEnd = delimiter > 0 ? delimiter + 1 : 1;
    const envelope = frames.slice(0, envelopeEnd);
    const id = frames[envelopeEnd];
    if (id === undefined || id.byteLength === 0 || id.byteLength > MAX_ID_BYTES) {
      this.#counts.malformed += 1;
      return;
    }
    const body = frames.slice(envelopeEnd + 1);
    this.#counts.requests += 1;
    let answer: readonly Uint8Array[];
    try {
      answer = await this.#answers.run(id, async () => {
        try {
          return messageFrames(await this.#handler(body, { id })).map(frameBytes);
        } catch (error) {
          // Counted and reported once per run; repeats waiting on it just end.
          this.#counts.failures += 1;
          this.#onError?.(error, body);
          throw error;
        }
      });
    } catch {
      return;
    }
    if (this.#closed) return;
    try {
      await this.socket.send([...envelope, id, ...answer]);
      this.#counts.replies += 1;
    } catch {
      // Closed meanwhile: the client will retry elsewhere or give up.
    }
  }
}

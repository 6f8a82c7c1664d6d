/**
 * The Majordomo worker (7/MDP/Worker): a DEALER that registers for one
 * service with a broker, answers its requests one at a time with an async
 * handler, heartbeats both ways, and starts a fresh conversation (a new
 * socket and READY) when the broker disappears or says DISCONNECT.
 *
 * @module
 */
import { misuse } from "./errors.ts";
import type { Message } from "./frames.ts";
import {
  checkCount,
  checkMilliseconds,
  checkServiceName,
  COMMAND_FRAMES,
  DEFAULT_HEARTBEAT_INTERVAL,
  DEFAULT_HEARTBEAT_LIVENESS,
  DEFAULT_RECONNECT_DELAY,
  describeFrame,
  EMPTY,
  type HeartbeatOptions,
  MajordomoCommand,
  messageToBytes,
  MMI_PREFIX,
  sameBytes,
  WORKER_HEADER,
} from "./majordomo_protocol.ts";
import type { DealerOptions } from "./socket_options.ts";
import { Dealer } from "./socket_types.ts";

/** What a {@link MajordomoHandler} gets besides the request's body. */
export interface MajordomoRequest {
  /** The service the request was addressed to. */
  service: string;
  /** The client's address as the broker gave it (opaque bytes). */
  client: Uint8Array;
}

/**
 * Answers one request: the reply's frames (a string, bytes, or a list of
 * frames). Requests come one at a time. A handler that throws sends no
 * reply: the worker reports the error, starts a fresh conversation with the
 * broker, and the client's retry may reach another worker.
 */
export type MajordomoHandler = (
  body: Uint8Array[],
  request: MajordomoRequest,
) => Message | Promise<Message>;

/** Options of a {@link MajordomoWorker}. */
export interface MajordomoWorkerOptions extends HeartbeatOptions {
  /** Milliseconds to wait before reconnecting after the broker fell silent (default 2500). */
  reconnectDelay?: number;
  /** Options of each DEALER socket the worker opens (CURVE keys, `context`, ...). */
  socketOptions?: DealerOptions;
  /**
   * Called when the handler throws, and for messages from the broker that
   * are not valid MDP (dropped). Default: `console.warn`.
   */
  onError?: (error: unknown) => void;
}

/** Counters of a {@link MajordomoWorker}. */
export interface MajordomoWorkerStatistics {
  /** Requests received. */
  requests: number;
  /** Replies sent. */
  replies: number;
  /** Handler runs that threw (no reply was sent). */
  failures: number;
  /** Conversations started with the broker (READY sent), the first one included. */
  connections: number;
  /** Messages from the broker dropped as invalid. */
  malformed: number;
}

const READY = COMMAND_FRAMES[MajordomoCommand.READY];
const REPLY_COMMAND = COMMAND_FRAMES[MajordomoCommand.REPLY];
const HEARTBEAT = COMMAND_FRAMES[MajordomoCommand.HEARTBEAT];
const DISCONNECT = COMMAND_FRAMES[MajordomoCommand.DISCONNECT];

/** True when a message waits to be read (false once the socket is closed). */
function readable(socket: Dealer): boolean {
  try {
    return socket.readable;
  } catch {
    return false;
  }
}

/** Tells the broker DISCONNECT (a short linger lets it leave) and closes the socket. */
function hangUp(socket: Dealer): void {
  try {
    socket.linger = 100;
    socket.trySend([EMPTY, WORKER_HEADER, DISCONNECT]);
  } catch {
    // Already unusable: the broker will notice the silence.
  }
  socket.close();
}

function warn(error: unknown): void {
  console.warn(`W: ${error instanceof Error ? error.message : String(error)}`);
}

/**
 * A Majordomo worker for one service. It connects and registers at once and
 * serves until {@link MajordomoWorker.close}, across broker restarts: when
 * the broker falls silent for `heartbeatLiveness` intervals, or sends
 * DISCONNECT, the worker opens a fresh socket and registers again.
 * Heartbeats go on while the handler works, so a slow request does not make
 * the broker think the worker is dead.
 *
 * @example
 * ```ts
 * import * as zmq from "./mod.ts";
 *
 * const broker = new zmq.MajordomoBroker();
 * await broker.bind("tcp://127.0.0.1:*");
 * const worker = new zmq.MajordomoWorker(broker.endpoint!, "upper", async ([text]) => {
 *   return new TextDecoder().decode(text).toUpperCase();
 * });
 * const client = new zmq.MajordomoClient(broker.endpoint!);
 * console.log(new TextDecoder().decode((await client.request("upper", "hi"))[0])); // "HI"
 * client.close();
 * worker.close();
 * broker.close();
 * ```
 */
export class MajordomoWorker {
  /** The service this worker serves. */
  readonly service: string;
  /** The broker's endpoint. */
  readonly endpoint: string;
  /** Resolves when the worker has stopped: closed, or its context terminated. */
  readonly done: Promise<void>;
  readonly #serviceBytes: Uint8Array;
  readonly #handler: MajordomoHandler;
  readonly #interval: number;
  readonly #brokerExpiry: number;
  readonly #reconnectDelay: number;
  readonly #socketOptions: DealerOptions;
  readonly #onError: (error: unknown) => void;
  readonly #stop = new AbortController();
  #socket: Dealer | undefined;
  #closed = false;
  #stats: MajordomoWorkerStatistics = {
    requests: 0,
    replies: 0,
    failures: 0,
    connections: 0,
    malformed: 0,
  };

  /** Connects to the broker at `endpoint`, registers for `service` and starts serving with `handler`. */
  constructor(
    endpoint: string,
    service: string,
    handler: MajordomoHandler,
    options: MajordomoWorkerOptions = {},
  ) {
    if (typeof endpoint !== "string" || endpoint === "") {
      throw new TypeError(`MajordomoWorker needs the broker's endpoint, got ${String(endpoint)}`);
    }
    this.#serviceBytes = checkServiceName(service, "MajordomoWorker");
    if (service.startsWith(MMI_PREFIX)) {
      throw new RangeError(
        `MajordomoWorker: "${service}" is reserved: the broker serves the "mmi." services itself`,
      );
    }
    if (typeof handler !== "function") {
      throw new TypeError("MajordomoWorker needs a handler function");
    }
    if (options === null || typeof options !== "object") {
      throw new TypeError(`MajordomoWorker options must be an object, got ${String(options)}`);
    }
    if (options.onError !== undefined && typeof options.onError !== "function") {
      throw new TypeError("onError must be a function");
    }
    this.endpoint = endpoint;
    this.service = service;
    this.#handler = handler;
    this.#interval = checkMilliseconds(
      options.heartbeatInterval,
      "heartbeatInterval",
      DEFAULT_HEARTBEAT_INTERVAL,
    );
    this.#brokerExpiry = this.#interval * checkCount(
      options.heartbeatLiveness,
      "heartbeatLiveness",
      DEFAULT_HEARTBEAT_LIVENESS,
      1,
    );
    this.#reconnectDelay = checkMilliseconds(
      options.reconnectDelay,
      "reconnectDelay",
      DEFAULT_RECONNECT_DELAY,
      { allowZero: true },
    );
    this.#socketOptions = { ...options.socketOptions, linger: 0 };
    this.#onError = options.onError ?? warn;
    // A bad endpoint fails here, not in the background.
    this.#socket = this.#open();
    this.done = this.#serve();
  }

  /** True once {@link MajordomoWorker.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Requests, replies, failures, conversations and invalid messages so far. */
  statistics(): MajordomoWorkerStatistics {
    return { ...this.#stats };
  }

  /**
   * Tells the broker DISCONNECT and closes the socket. A request in the
   * handler then gets no reply (the client may retry elsewhere). Idempotent.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket !== undefined) hangUp(socket);
    this.#stop.abort();
  }

  /** Same as {@link MajordomoWorker.close}. */
  [Symbol.dispose](): void {
    this.close();
  }

  #open(): Dealer {
    const socket = new Dealer(this.#socketOptions);
    try {
      socket.connect(this.endpoint);
    } catch (error) {
      socket.close();
      throw error;
    }
    this.#stats.connections += 1;
    return socket;
  }

  async #serve(): Promise<void> {
    let quickReconnects = 0;
    while (!this.#closed) {
      const socket = this.#socket ??= this.#tryOpen();
      if (socket === undefined) return;
      const started = performance.now();
      const ending = await this.#converse(socket);
      if (this.#socket === socket) {
        this.#socket = undefined;
        socket.close();
      }
      if (this.#closed || ending === "closed") return;
      // A broker that disconnects us right away again (or is gone) is not
      // retried in a tight loop: wait before the next conversation.
      const quick = performance.now() - started < this.#interval;
      quickReconnects = quick ? quickReconnects + 1 : 0;
      if (ending === "silent" || quickReconnects > 1) {
        await this.#pause(this.#reconnectDelay);
      }
    }
  }

  #tryOpen(): Dealer | undefined {
    if (this.#closed) return undefined;
    try {
      return this.#open();
    } catch (error) {
      this.#report(error);
      this.close();
      return undefined;
    }
  }

  /**
   * One conversation with the broker on one socket: until DISCONNECT
   * ("disconnected"), the broker's silence ("silent"), or the end ("closed").
   *
   * The receive waits without a timeout (it wakes up sooner than one with);
   * a timer beside it sends heartbeats, also while the handler works, and
   * ends the conversation when the broker has been silent too long.
   */
  async #converse(socket: Dealer): Promise<"disconnected" | "silent" | "closed"> {
    // READY first; it waits for room only if the socket has none yet (an
    // `immediate` socket before its connection is up).
    if (!await this.#sendWaiting(socket, [EMPTY, WORKER_HEADER, READY, this.#serviceBytes])) {
      return this.#closed ? "closed" : "silent";
    }
    let lastHeard = performance.now();
    let busy = false;
    let silent = false;
    const timer = setInterval(() => {
      if (this.#socket !== socket) return;
      // While the handler works we read nothing, so the broker's silence is not
      // counted; and a message waiting to be read is not silence either.
      if (!busy && performance.now() - lastHeard > this.#brokerExpiry && !readable(socket)) {
        silent = true;
        this.#socket = undefined;
        socket.close();
        return;
      }
      this.#send(socket, [EMPTY, WORKER_HEADER, HEARTBEAT]);
    }, this.#interval);
    const ended = () => silent ? "silent" : this.#closed ? "closed" : "disconnected";
    try {
      while (!this.#closed && this.#socket === socket) {
        let frames: Uint8Array[];
        try {
          frames = await socket.receive();
        } catch {
          // Closed: by close(), by the silence timer, or the context terminated.
          return ended();
        }
        lastHeard = performance.now();
        // ["", "MDPW01", command, ...]
        if (
          frames.length < 3 || frames[0].byteLength !== 0 || !sameBytes(frames[1], WORKER_HEADER)
        ) {
          this.#invalid(`a message that is not MDP/Worker (header ${describeFrame(frames[1])})`);
          continue;
        }
        const command = frames[2];
        if (command.byteLength !== 1) {
          this.#invalid(`a command frame of ${command.byteLength} bytes`);
          continue;
        }
        if (command[0] === MajordomoCommand.DISCONNECT) return "disconnected";
        if (command[0] === MajordomoCommand.HEARTBEAT) continue;
        if (command[0] !== MajordomoCommand.REQUEST) {
          this.#invalid(`command 0x${command[0].toString(16).padStart(2, "0")}`);
          continue;
        }
        // [0x02, client, "", body...]
        if (frames.length < 6 || frames[3].byteLength === 0 || frames[4].byteLength !== 0) {
          this.#invalid("a REQUEST without a client address and empty delimiter");
          continue;
        }
        const client = frames[3];
        busy = true;
        const reply = await this.#work(client, frames.slice(5));
        busy = false;
        lastHeard = performance.now();
        if (this.#closed || this.#socket !== socket) return ended();
        if (reply === undefined) {
          // No reply means the broker would wait for one forever: start afresh.
          this.#socket = undefined;
          hangUp(socket);
          return "disconnected";
        }
        const message = [EMPTY, WORKER_HEADER, REPLY_COMMAND, client, EMPTY, ...reply];
        if (await this.#sendWaiting(socket, message)) this.#stats.replies += 1;
      }
      return ended();
    } finally {
      clearInterval(timer);
    }
  }

  /** Runs the handler on one request: the reply's frames, or undefined if it threw. */
  async #work(client: Uint8Array, body: Uint8Array[]): Promise<Uint8Array[] | undefined> {
    this.#stats.requests += 1;
    try {
      return messageToBytes(await this.#handler(body, { service: this.service, client }));
    } catch (error) {
      this.#stats.failures += 1;
      this.#report(error);
      return undefined;
    }
  }

  /** Sends now if there is room, else waits for room up to the broker's expiry; false if it never came. */
  async #sendWaiting(socket: Dealer, frames: Uint8Array[]): Promise<boolean> {
    if (this.#send(socket, frames)) return true;
    try {
      await socket.send(frames, { timeout: this.#brokerExpiry });
      return true;
    } catch {
      return false; // closed, or no room for that long: the conversation is over
    }
  }

  #send(socket: Dealer, frames: Uint8Array[]): boolean {
    try {
      // A DEALER queues up to its high-water mark; beyond it (a broker long
      // gone), heartbeats and replies are dropped rather than waited for.
      return socket.trySend(frames);
    } catch {
      return false;
    }
  }

  #pause(ms: number): Promise<void> {
    if (this.#stop.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#stop.signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#stop.signal.addEventListener("abort", done, { once: true });
    });
  }

  #invalid(what: string): void {
    this.#stats.malformed += 1;
    this.#report(
      misuse(
        "EINVAL",
        `Majordomo worker "${this.service}": dropped ${what} from the broker at ${this.endpoint}`,
      ),
    );
  }

  #report(error: unknown): void {
    try {
      this.#onError(error);
    } catch {
      // A failing error handler must not stop the worker.
    }
  }
}

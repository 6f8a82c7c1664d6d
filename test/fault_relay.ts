/**
 * A fault-injecting TCP relay in the spirit of toxiproxy, written with
 * node:net so it runs in Deno and Bun alike. Peers connect to the relay's
 * endpoint instead of the target; the relay opens one connection to the
 * target per client and forwards bytes both ways, with faults the test turns
 * on and off while traffic flows:
 *
 * - `setDelay(ms)`: every chunk is held `ms` before it is forwarded (latency;
 *   order is kept).
 * - `setThrottle(bytesPerSecond)`: forwarding is paced to a bandwidth.
 * - `stall()` / `resume()`: bytes stop moving but connections stay open (a
 *   hung peer or a black-holed route); reading stops too, so TCP's own
 *   backpressure reaches the sender.
 * - `reset()`: every open connection is aborted with a TCP RST, both sides.
 * - `resetAfter(bytes)`: the same, once that many more bytes have crossed
 *   (connections reset mid-stream); `resetOnNextData(direction)`: the same
 *   instead of forwarding the next bytes (a request or reply lost for sure).
 * - `refuse(true)`: new connections are reset as soon as they are accepted.
 *
 * Directions are named from the relay's point of view: "toTarget" carries
 * what clients send, "toClient" what the target sends back. A fault set
 * without a direction applies to both.
 *
 * @module
 */
import { createConnection, createServer, type Server, type Socket } from "node:net";

/** Which way bytes travel through the relay. */
export type Direction = "toTarget" | "toClient";

const DIRECTIONS: readonly Direction[] = ["toTarget", "toClient"];

// A pipe stops reading from its source while this much is held, and reads
// again below the low mark: the relay never buffers without bound.
const HIGH_WATER = 256 * 1024;
const LOW_WATER = 64 * 1024;

interface Faults {
  delayMs: number;
  bytesPerSecond: number | null;
  stalled: boolean;
}

interface Chunk {
  data: Uint8Array;
  due: number;
}

/** One direction of one connection: source socket -> held chunks -> sink socket. */
class Pipe {
  #queue: Chunk[] = [];
  #queued = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #draining = false;
  #nextFree = 0;
  #ended = false;
  #closed = false;

  constructor(
    readonly source: Socket,
    readonly sink: Socket,
    readonly faults: Faults,
    readonly onForward: (bytes: number) => void,
    readonly intercept: () => boolean,
  ) {
    source.on("data", (data: Uint8Array) => {
      if (this.intercept()) return; // the relay reset the connection instead
      this.#queue.push({ data, due: performance.now() + this.faults.delayMs });
      this.#queued += data.byteLength;
      if (this.#queued >= HIGH_WATER || this.faults.stalled) source.pause();
      this.pump();
    });
    source.on("end", () => {
      this.#ended = true;
      this.pump();
    });
  }

  /** Forwards whatever the faults allow now, and schedules the rest. */
  pump(): void {
    if (this.#closed || this.#timer !== undefined || this.#draining) return;
    while (this.#queue.length > 0) {
      if (this.faults.stalled) {
        this.source.pause();
        return;
      }
      const head = this.#queue[0];
      const now = performance.now();
      const startAt = Math.max(head.due, this.#nextFree);
      if (startAt > now + 0.5) {
        this.#timer = setTimeout(() => {
          this.#timer = undefined;
          this.pump();
        }, startAt - now);
        return;
      }
      let slice = head.data;
      const rate = this.faults.bytesPerSecond;
      if (rate !== null) {
        // Small slices keep a throttled stream smooth rather than bursty.
        const sliceBytes = Math.max(256, Math.floor(rate / 50));
        slice = head.data.subarray(0, sliceBytes);
        this.#nextFree = Math.max(now, this.#nextFree) + (slice.byteLength * 1000) / rate;
      }
      if (slice.byteLength === head.data.byteLength) this.#queue.shift();
      else head.data = head.data.subarray(slice.byteLength);
      this.#queued -= slice.byteLength;
      const flushed = this.sink.write(slice);
      this.onForward(slice.byteLength);
      if (this.#closed) return;
      if (!flushed) {
        this.#draining = true;
        this.sink.once("drain", () => {
          this.#draining = false;
          this.pump();
        });
        return;
      }
    }
    if (this.#queued < LOW_WATER && !this.faults.stalled && !this.#closed) this.source.resume();
    if (this.#ended && this.#queue.length === 0) this.sink.end();
  }

  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#queue = [];
  }
}

interface Connection {
  client: Socket;
  target: Socket;
  pipes: Pipe[];
  closed: boolean;
}

function parseTcp(endpoint: string): { host: string; port: number } {
  const match = /^(?:tcp:\/\/)?(.+):(\d+)$/.exec(endpoint);
  if (!match) throw new TypeError(`Expected tcp://host:port, got "${endpoint}"`);
  return { host: match[1], port: Number(match[2]) };
}

/** Options of {@link FaultRelay.start}. */
export interface RelayOptions {
  /** The address the relay listens on (default 127.0.0.1). */
  host?: string;
  /** The port it listens on (default: any free port). */
  port?: number;
}

/** A TCP relay whose faults a test controls; see the module comment. */
export class FaultRelay {
  readonly #server: Server;
  readonly #target: { host: string; port: number };
  readonly #faults: Record<Direction, Faults> = {
    toTarget: { delayMs: 0, bytesPerSecond: null, stalled: false },
    toClient: { delayMs: 0, bytesPerSecond: null, stalled: false },
  };
  readonly #connections = new Set<Connection>();
  readonly #forwarded: Record<Direction, number> = { toTarget: 0, toClient: 0 };
  #resetTriggers: { direction: Direction; at: number; done: () => void }[] = [];
  #dataTriggers: { direction: Direction; done: () => void }[] = [];
  #acceptWaiters: { count: number; resolve: () => void }[] = [];
  #refusing = false;
  #accepted = 0;
  #resets = 0;
  /** The relay's own endpoint, "tcp://host:port": connect peers here. */
  readonly endpoint: string;

  private constructor(server: Server, target: { host: string; port: number }, endpoint: string) {
    this.#server = server;
    this.#target = target;
    this.endpoint = endpoint;
    server.on("connection", (client) => this.#accept(client));
  }

  /** Starts a relay in front of `target` ("tcp://host:port"). */
  static async start(target: string, options: RelayOptions = {}): Promise<FaultRelay> {
    const host = options.host ?? "127.0.0.1";
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: true });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    const port = (server.address() as { port: number }).port;
    return new FaultRelay(server, parseTcp(target), `tcp://${host}:${port}`);
  }

  /** How many connections the relay has accepted so far (refused ones included). */
  get accepted(): number {
    return this.#accepted;
  }

  /** How many client connections are open now. */
  get active(): number {
    return this.#connections.size;
  }

  /** How many connections the relay has reset so far. */
  get resets(): number {
    return this.#resets;
  }

  /** Bytes forwarded so far in `direction`. */
  forwarded(direction: Direction): number {
    return this.#forwarded[direction];
  }

  /** Holds every chunk `ms` before forwarding it (0: no delay). */
  setDelay(ms: number, direction?: Direction): void {
    for (const d of this.#directions(direction)) this.#faults[d].delayMs = ms;
  }

  /** Paces forwarding to `bytesPerSecond` (null: unlimited). */
  setThrottle(bytesPerSecond: number | null, direction?: Direction): void {
    for (const d of this.#directions(direction)) this.#faults[d].bytesPerSecond = bytesPerSecond;
  }

  /** Stops moving bytes; connections stay open and TCP backpressure builds. */
  stall(direction?: Direction): void {
    for (const d of this.#directions(direction)) this.#faults[d].stalled = true;
  }

  /** Moves bytes again after {@link FaultRelay.stall}. */
  resume(direction?: Direction): void {
    for (const d of this.#directions(direction)) this.#faults[d].stalled = false;
    for (const connection of this.#connections) {
      for (const pipe of connection.pipes) pipe.pump();
    }
  }

  /** While on, every new connection is reset right after it is accepted. */
  refuse(on: boolean): void {
    this.#refusing = on;
  }

  /** Aborts every open connection with a TCP RST on both sides; returns how many. */
  reset(): number {
    const count = this.#connections.size;
    for (const connection of [...this.#connections]) this.#close(connection, true);
    return count;
  }

  /**
   * Resets every open connection once `bytes` more bytes have crossed in
   * `direction`; the promise resolves when that happened.
   */
  resetAfter(bytes: number, direction: Direction = "toTarget"): Promise<void> {
    return new Promise((done) => {
      this.#resetTriggers.push({ direction, at: this.#forwarded[direction] + bytes, done });
    });
  }

  /**
   * Resets every open connection when the next bytes arrive in `direction`,
   * instead of forwarding them: that request (or reply) is lost for sure.
   * The promise resolves when it happened.
   */
  resetOnNextData(direction: Direction): Promise<void> {
    return new Promise((done) => this.#dataTriggers.push({ direction, done }));
  }

  /** Resolves once the relay has accepted `count` connections in all. */
  waitForAccepted(count: number): Promise<void> {
    if (this.#accepted >= count) return Promise.resolve();
    return new Promise((resolve) => this.#acceptWaiters.push({ count, resolve }));
  }

  /** Stops listening and resets every connection. */
  async close(): Promise<void> {
    this.reset();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #directions(direction: Direction | undefined): readonly Direction[] {
    return direction === undefined ? DIRECTIONS : [direction];
  }

  #accept(client: Socket): void {
    this.#accepted += 1;
    this.#acceptWaiters = this.#acceptWaiters.filter((waiter) => {
      if (this.#accepted < waiter.count) return true;
      waiter.resolve();
      return false;
    });
    if (this.#refusing) {
      this.#resets += 1;
      client.resetAndDestroy();
      return;
    }
    client.setNoDelay(true);
    const target = createConnection({ ...this.#target, allowHalfOpen: true });
    target.setNoDelay(true);
    const connection: Connection = { client, target, pipes: [], closed: false };
    connection.pipes = [
      new Pipe(
        client,
        target,
        this.#faults.toTarget,
        (n) => this.#count("toTarget", n),
        () => this.#intercept("toTarget"),
      ),
      new Pipe(
        target,
        client,
        this.#faults.toClient,
        (n) => this.#count("toClient", n),
        () => this.#intercept("toClient"),
      ),
    ];
    this.#connections.add(connection);
    // A reset on one side is passed on as a reset; a close as a close.
    for (const socket of [client, target]) {
      socket.on("error", () => this.#close(connection, true));
      socket.on("close", () => this.#close(connection, false));
    }
    if (!this.#faults.toTarget.stalled) client.resume();
  }

  #intercept(direction: Direction): boolean {
    const due = this.#dataTriggers.filter((t) => t.direction === direction);
    if (due.length === 0) return false;
    this.#dataTriggers = this.#dataTriggers.filter((t) => !due.includes(t));
    this.reset();
    for (const trigger of due) trigger.done();
    return true;
  }

  #count(direction: Direction, bytes: number): void {
    this.#forwarded[direction] += bytes;
    const due = this.#resetTriggers.filter((t) =>
      t.direction === direction && this.#forwarded[direction] >= t.at
    );
    if (due.length === 0) return;
    this.#resetTriggers = this.#resetTriggers.filter((t) => !due.includes(t));
    // Not from inside the pipe that is writing: reset once it has returned.
    queueMicrotask(() => {
      this.reset();
      for (const trigger of due) trigger.done();
    });
  }

  #close(connection: Connection, abort: boolean): void {
    if (connection.closed) return;
    connection.closed = true;
    this.#connections.delete(connection);
    for (const pipe of connection.pipes) pipe.close();
    for (const socket of [connection.client, connection.target]) {
      if (socket.destroyed) continue;
      try {
        if (abort) socket.resetAndDestroy();
        else socket.destroy();
      } catch {
        // a socket still connecting cannot be reset; closing it is enough
        socket.destroy();
      }
    }
    if (abort) this.#resets += 1;
  }
}

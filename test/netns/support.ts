/**
 * What the fault tests and measure.ts share: a collector that records the
 * numbered messages coming back from forwarding peers, a recorder of socket
 * events, and event-driven waits with loud timeouts. No test harness here, so
 * measure.ts can use it outside a test runner.
 *
 * Message convention: the sender sends `[kind, seq, payload?]` with kind
 * "data" (numbered), "warm" (to open a path) or "tail" (to flush one); a
 * forwarding peer prepends its tag, so the collector sees `[tag, kind, seq]`.
 *
 * @module
 */
import type { SocketEvent, SocketEventType } from "../../mod.ts";

const decoder = new TextDecoder();

/** Something that changes; `until` waits (bounded) for a condition on it. */
export class Watch {
  #waiters = new Set<() => void>();

  /** Tells every waiter to look again. */
  changed(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }

  /** Resolves once `condition()` holds; rejects naming `what` after `ms`. */
  until(condition: () => boolean, ms: number, what: string): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!condition()) return;
        this.#waiters.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`Timed out after ${ms} ms waiting for ${what}`));
      }, ms);
      this.#waiters.add(check);
    });
  }
}

/** What one tag (one forwarding peer) delivered. */
export interface Delivery {
  /** Data sequence numbers in arrival order. */
  seqs: number[];
  /** performance.now() of each data arrival. */
  arrivals: number[];
  warm: number;
  tails: number;
}

/** The messages arriving on a receiving socket, by tag. */
export class Collector extends Watch {
  readonly #byTag = new Map<string, Delivery>();
  /** Resolves when the socket closes. */
  readonly done: Promise<void>;

  /** Starts reading `socket` until it closes. */
  constructor(socket: AsyncIterable<Uint8Array[]>) {
    super();
    this.done = (async () => {
      for await (const frames of socket) {
        const [tag, kind, seq] = frames.map((f) => decoder.decode(f));
        const delivery = this.of(tag);
        if (kind === "data") {
          delivery.seqs.push(Number(seq));
          delivery.arrivals.push(performance.now());
        } else if (kind === "warm") delivery.warm += 1;
        else if (kind === "tail") delivery.tails += 1;
        this.changed();
      }
    })();
  }

  /** What `tag` delivered so far. */
  of(tag: string): Delivery {
    let delivery = this.#byTag.get(tag);
    if (delivery === undefined) {
      delivery = { seqs: [], arrivals: [], warm: 0, tails: 0 };
      this.#byTag.set(tag, delivery);
    }
    return delivery;
  }

  /** Resolves once `tag` delivered data number `seq` (or a later one). */
  untilSeq(tag: string, seq: number, ms: number): Promise<void> {
    const seqs = this.of(tag).seqs;
    return this.until(
      () => seqs.length > 0 && seqs[seqs.length - 1] >= seq,
      ms,
      `message ${seq} from ${tag}`,
    ).catch((error) => {
      const last = seqs.length > 0 ? seqs[seqs.length - 1] : "none";
      throw new Error(`${error.message} (${seqs.length} arrived, the last was ${last})`);
    });
  }
}

/** A recorded socket event, with when it came. */
export interface TimedEvent extends SocketEvent {
  at: number;
}

/** Records a socket's events from now on. */
export class EventLog extends Watch {
  readonly events: TimedEvent[] = [];

  /** Starts listening; call before connect/bind so nothing is missed. */
  constructor(socket: { events: AsyncIterable<SocketEvent> }) {
    super();
    (async () => {
      for await (const event of socket.events) {
        this.events.push({ ...event, at: performance.now() });
        this.changed();
      }
    })();
  }

  /** Events of `type` so far. */
  ofType(type: SocketEventType): TimedEvent[] {
    return this.events.filter((e) => e.type === type);
  }

  /** Resolves with the first event of `type` after `since` (performance.now()). */
  async next(type: SocketEventType, since: number, ms: number): Promise<TimedEvent> {
    const find = () => this.events.find((e) => e.type === type && e.at >= since);
    await this.until(() => find() !== undefined, ms, `a "${type}" event`);
    return find()!;
  }
}

/**
 * Messages lost in a run of sequence numbers 0..sent-1, whether order held,
 * and `runs`: the fewest in-order streams that, merged, give what arrived.
 * ZeroMQ keeps order per connection; a bound socket fair-queues a new
 * connection with what an old one still holds, so after reconnects `runs`
 * may reach the number of connections, never more.
 */
export function tally(seqs: readonly number[], sent: number) {
  let ordered = true;
  for (let i = 1; i < seqs.length; i++) if (seqs[i] <= seqs[i - 1]) ordered = false;
  const received = new Set(seqs).size;
  return {
    sent,
    received,
    lost: sent - received,
    duplicates: seqs.length - received,
    ordered,
    runs: longestNonIncreasing(seqs),
  };
}

/**
 * The longest non-increasing subsequence: by Dilworth's theorem, the fewest
 * strictly increasing subsequences that cover `seqs`.
 */
function longestNonIncreasing(seqs: readonly number[]): number {
  // tails[k]: the largest last element of a non-increasing subsequence of length k + 1.
  const tails: number[] = [];
  for (const value of seqs) {
    let low = 0;
    let high = tails.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (tails[middle] >= value) low = middle + 1;
      else high = middle;
    }
    tails[low] = value;
  }
  return tails.length;
}

/** Resolves after `ms`; used to pace senders, never to synchronize. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

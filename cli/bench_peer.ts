/**
 * The other end of `zmq bench`, on a thread of its own so that each side
 * waits only for the other: PULL that times `count` messages after the
 * first, or REP that answers `count + 1` requests.
 *
 * @module
 */
import { parentPort, workerData } from "node:worker_threads";
import * as zmq from "../mod.ts";

/** What the bench sends the peer when it starts. */
export interface PeerStart {
  kind: "pull" | "rep";
  endpoint: string;
  /** Messages or round trips to time, after one to warm up. */
  count: number;
  /** The bench's context, for inproc (which works only within one context). */
  handle?: bigint;
}

/** What the peer answers when it is done. */
export interface PeerEnd {
  /** For pull: seconds from the first message to the last. */
  seconds?: number;
  error?: string;
}

const port = parentPort;
if (port === null) throw new Error("bench_peer.ts runs as a worker thread of zmq bench");
const start = workerData as PeerStart;
const context = start.handle === undefined
  ? new zmq.Context()
  : zmq.Context.fromHandle(start.handle);
let end: PeerEnd = {};
try {
  if (start.kind === "pull") {
    const pull = new zmq.Pull({ context, linger: 0 });
    pull.connect(start.endpoint);
    await pull.receive();
    const started = performance.now();
    for (let received = 0; received < start.count; received++) {
      if (pull.tryReceive() === null) await pull.receive();
    }
    end = { seconds: (performance.now() - started) / 1000 };
  } else {
    const rep = new zmq.Reply({ context, linger: 0 });
    rep.connect(start.endpoint);
    for (let answered = 0; answered <= start.count; answered++) {
      await rep.send(await rep.receive());
    }
  }
} catch (error) {
  end = { error: error instanceof Error ? error.message : String(error) };
} finally {
  // A borrowed context closes only this thread's sockets.
  await context.terminate();
  port.postMessage(end);
}

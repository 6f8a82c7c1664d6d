/**
 * The actor the fuzzer starts (scripts/fuzz/surface.ts): what it does is
 * chosen by the `argument` of startActor, read from workerData.
 *
 * @module
 */
import { workerData } from "node:worker_threads";
import * as zmq from "../../mod.ts";

const behaviour = (workerData as { argument?: unknown } | null)?.argument;

/** Runs in the actor's Worker with its pipe and the shared context. */
export default async function fuzzActor(pipe: zmq.Pair, context: zmq.Context): Promise<void> {
  switch (behaviour) {
    case "throw":
      throw new Error("the fuzz actor throws at once");
    case "throw-on-message":
      await pipe.receive();
      throw new Error("the fuzz actor throws on its first message");
    case "deaf": {
      // Blocked on a socket nobody sends to: only the stop timeout ends it.
      const pull = new zmq.Pull({ context, linger: 0 });
      await pull.bind(`inproc://fuzz-deaf-${Math.random().toString(36).slice(2)}`);
      await pull.receive();
      return;
    }
    case "ignore-term":
      for await (const _ of pipe) {
        // never returns on "$TERM": stop() terminates the Worker
      }
      return;
    case "sockets": {
      // Sockets of its own, left open: its runner closes them when it returns.
      const push = new zmq.Push({ context, linger: 0 });
      push.connect(`inproc://fuzz-nobody-${Math.random().toString(36).slice(2)}`);
      const pull = new zmq.Pull({ context, linger: 0 });
      await pull.bind(`inproc://fuzz-actor-${Math.random().toString(36).slice(2)}`);
      for await (const message of pipe) {
        if (zmq.isTermMessage(message)) return;
        await pipe.send(message);
      }
      return;
    }
    default:
      for await (const message of pipe) {
        if (zmq.isTermMessage(message)) return;
        await pipe.send(message);
      }
  }
}

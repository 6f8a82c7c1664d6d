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
    case "sockets":
    case "sockets-pending": {
      // Sockets of its own, left open: its runner closes them when it returns.
      const pull = new zmq.Pull({ context, linger: 0 });
      const address = `inproc://fuzz-actor-${Math.random().toString(36).slice(2)}`;
      await pull.bind(address);
      const push = new zmq.Push({ context, linger: 0 });
      // "sockets-pending" (--include-known only): a connection left waiting
      // for a binder in a Worker, which terminate() cannot bind itself; in a
      // context at its maxSockets limit libzmq may abort binding it.
      push.connect(
        behaviour === "sockets" ? address : `inproc://fuzz-nobody-${Math.random().toString(36)}`,
      );
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

/**
 * The actor's Worker: joins the parent's context, connects its end of the
 * pipe, says "$READY", runs the actor module's default export, then closes
 * every socket the actor made and reports that it is done.
 *
 * @module
 */
import { parentPort, workerData } from "node:worker_threads";
import { Context } from "./context.ts";
import { Pair } from "./socket_types.ts";
import { ACTOR_READY, type ActorEnd, type ActorFunction, type ActorStart } from "./actor.ts";

const port = parentPort;
if (port === null) throw new Error("actor_worker_side.ts must run as a worker thread");
const start = workerData as ActorStart;

const imported = await import(start.module) as { default?: unknown };
const run = imported.default;
if (typeof run !== "function") {
  throw new TypeError(`The actor module ${start.module} has no default export function`);
}
const context = Context.fromHandle(start.handle);
const pipe = new Pair({ context, linger: 0 });
let end: ActorEnd = { done: true };
try {
  pipe.connect(start.endpoint);
  await pipe.send(ACTOR_READY);
  await (run as ActorFunction)(pipe, context);
} catch (error) {
  end = { done: true, error: String(error) };
  throw error;
} finally {
  // A borrowed context closes only this thread's sockets, never the real one.
  // The parent hears that the actor is done even if that cannot finish in
  // time (a socket lent to a Proxy that does not end).
  await context.terminate().catch(() => {});
  port.postMessage(end);
}

/**
 * Request-reply broker (the guide's rrbroker): clients (rr_client.ts) and
 * workers (rr_worker.ts) both connect to the broker, so either side can come
 * and go, and grow, without the other knowing. A Router faces the clients
 * and a Dealer faces the workers; the broker copies whole messages between
 * them, envelope frames included, so each reply finds its way back.
 *
 * The guide polls both sockets in one loop; with promises that loop becomes
 * two: one forwards requests, the other replies. `zmq.Proxy` does the same
 * off the JavaScript thread (see queue_device.ts); this is what it does.
 * Runs until Ctrl-C.
 *
 * Run the broker, then as many workers and clients as you like, each in its
 * own shell:
 *
 *   deno run -A examples/rr_broker.ts         # or: bun examples/rr_broker.ts
 *   deno run -A examples/rr_worker.ts         # or: bun examples/rr_worker.ts
 *   deno run -A examples/rr_client.ts         # or: bun examples/rr_client.ts
 *
 * Options:
 *   --frontend E    where to bind for clients (default tcp://*:5559)
 *   --backend E     where to bind for workers (default tcp://*:5560)
 */
import process from "node:process";
import { parseArgs } from "node:util";
import * as zmq from "../mod.ts";

// A mistyped flag is one line on stderr and exit code 2, not a stack trace.
const { values: options } = (() => {
  try {
    return parseArgs({
      args: process.argv.slice(2),
      options: {
        frontend: { type: "string", default: "tcp://*:5559" },
        backend: { type: "string", default: "tcp://*:5560" },
      },
    });
  } catch (error) {
    console.error(`${(error as Error).message} (see the header of this file for the flags)`);
    process.exit(2);
  }
})();

// Ctrl-C aborts the receives we are waiting in, and we shut down cleanly.
const interrupted = new AbortController();
process.on("SIGINT", () => interrupted.abort());

const frontend = new zmq.Router();
await frontend.bind(options.frontend);
const backend = new zmq.Dealer();
await backend.bind(options.backend);
console.log(`broker: clients connect to ${frontend.lastEndpoint}`);
console.log(`broker: workers connect to ${backend.lastEndpoint}`);

/** Copies every message from one socket to the other; returns how many. */
async function forward(from: zmq.Router | zmq.Dealer, to: zmq.Router | zmq.Dealer) {
  let forwarded = 0;
  try {
    while (true) {
      // A request arrives on the Router as [client id, "", body]; the Dealer
      // passes that on whole, and the worker's reply comes back the same way.
      const message = await from.receive({ signal: interrupted.signal });
      await to.send(message);
      forwarded++;
    }
  } catch (error) {
    if (!interrupted.signal.aborted) throw error;
  }
  return forwarded;
}

const [requests, replies] = await Promise.all([
  forward(frontend, backend),
  forward(backend, frontend),
]);

console.log(`broker: forwarded ${requests} requests and ${replies} replies`);
frontend.close();
backend.close();

/**
 * Request-reply worker (the guide's rrserver): like hello_server.ts, but it
 * connects to the broker (rr_broker.ts) instead of binding, so you can start
 * as many as you like and the broker shares the requests out among them.
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
 *   --backend E     the broker to connect to (default tcp://localhost:5560)
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
        backend: { type: "string", default: "tcp://localhost:5560" },
      },
    });
  } catch (error) {
    console.error(`${(error as Error).message} (see the header of this file for the flags)`);
    process.exit(2);
  }
})();
const text = (frame: Uint8Array) => new TextDecoder().decode(frame);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Ctrl-C aborts the receive we are waiting in, and we shut down cleanly.
const interrupted = new AbortController();
process.on("SIGINT", () => interrupted.abort());

const responder = new zmq.Reply();
responder.connect(options.backend);
console.log(`worker ${process.pid}: waiting for requests...`);

let handled = 0;
try {
  while (true) {
    const [request] = await responder.receive({ signal: interrupted.signal });
    console.log(`Received request: [${text(request)}]`);
    await sleep(100); // do some "work"
    await responder.send(`World from worker ${process.pid}`);
    handled++;
  }
} catch (error) {
  if (!interrupted.signal.aborted) throw error;
}

console.log(`worker ${process.pid}: handled ${handled} requests`);
responder.close();

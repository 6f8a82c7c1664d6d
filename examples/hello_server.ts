/**
 * Hello World server (the guide's hwserver): a Reply socket binds, waits for
 * a request, does a little "work" and answers "World". Each reply goes back
 * to the client that asked, so any number of clients can take turns.
 *
 * Run it with hello_client.ts in a second shell:
 *
 *   deno run -A examples/hello_server.ts      # or: bun examples/hello_server.ts
 *   deno run -A examples/hello_client.ts      # or: bun examples/hello_client.ts
 *
 * Options:
 *   --endpoint E    where to bind (default tcp://*:5555)
 *   --requests N    exit after serving N requests (default: serve until Ctrl-C)
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
        endpoint: { type: "string", default: "tcp://*:5555" },
        requests: { type: "string", default: "Infinity" },
      },
    });
  } catch (error) {
    console.error(`${(error as Error).message} (see the header of this file for the flags)`);
    process.exit(2);
  }
})();
const limit = Number(options.requests);
const text = (frame: Uint8Array) => new TextDecoder().decode(frame);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Ctrl-C aborts the receive we are waiting in, and we shut down cleanly.
const interrupted = new AbortController();
process.on("SIGINT", () => interrupted.abort());

const responder = new zmq.Reply();
await responder.bind(options.endpoint);
console.log(`hello server: listening on ${responder.lastEndpoint}`);

let served = 0;
try {
  while (served < limit) {
    const [request] = await responder.receive({ signal: interrupted.signal });
    console.log(`Received ${text(request)}`);
    await sleep(100); // do some "work"
    await responder.send("World");
    served++;
  }
} catch (error) {
  if (!interrupted.signal.aborted) throw error;
}

console.log(`hello server: served ${served} requests`);
responder.close();
// Terminating the context waits until the last reply has left the process.
await zmq.context.terminate();

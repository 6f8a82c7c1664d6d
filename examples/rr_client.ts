/**
 * Request-reply client (the guide's rrclient): like hello_client.ts, but it
 * talks to the broker (rr_broker.ts), which passes each request to whichever
 * worker (rr_worker.ts) is next. The client never learns which worker
 * answered, and does not need to.
 *
 * Run the broker, then as many workers and clients as you like, each in its
 * own shell:
 *
 *   deno run -A examples/rr_broker.ts         # or: bun examples/rr_broker.ts
 *   deno run -A examples/rr_worker.ts         # or: bun examples/rr_worker.ts
 *   deno run -A examples/rr_client.ts         # or: bun examples/rr_client.ts
 *
 * Options:
 *   --frontend E    the broker to connect to (default tcp://localhost:5559)
 *   --requests N    how many requests to send (default 10)
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
        frontend: { type: "string", default: "tcp://localhost:5559" },
        requests: { type: "string", default: "10" },
      },
    });
  } catch (error) {
    console.error(`${(error as Error).message} (see the header of this file for the flags)`);
    process.exit(2);
  }
})();
const text = (frame: Uint8Array) => new TextDecoder().decode(frame);

const requester = new zmq.Request();
requester.connect(options.frontend);

for (let request = 1; request <= Number(options.requests); request++) {
  await requester.send("Hello");
  const [reply] = await requester.receive();
  console.log(`Received reply ${request} [${text(reply)}]`);
}

requester.close();

/**
 * Majordomo worker (the guide's mdworker): registers with the broker
 * (majordomo_broker.ts) for one service and answers its requests; here, an
 * echo. It heartbeats, and if the broker goes away it reconnects and
 * registers again by itself. Start as many as you like: the broker shares the
 * requests out among them. Runs until Ctrl-C.
 *
 *   deno run -A examples/majordomo_broker.ts    # or: bun examples/majordomo_broker.ts
 *   deno run -A examples/majordomo_worker.ts    # or: bun examples/majordomo_worker.ts
 *   deno run -A examples/majordomo_client.ts    # or: bun examples/majordomo_client.ts
 *
 * Options:
 *   --endpoint E    the broker to connect to (default tcp://localhost:5555)
 *   --service S     the service to serve (default echo)
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
        endpoint: { type: "string", default: "tcp://localhost:5555" },
        service: { type: "string", default: "echo" },
      },
    });
  } catch (error) {
    console.error(`${(error as Error).message} (see the header of this file for the flags)`);
    process.exit(2);
  }
})();

let handled = 0;
const worker = new zmq.MajordomoWorker(options.endpoint, options.service, (body) => {
  handled++;
  return body; // echo: the reply is the request
});
console.log(`worker ${process.pid}: serving "${options.service}", waiting for requests...`);

process.on("SIGINT", () => worker.close());
await worker.done;
console.log(`worker ${process.pid}: handled ${handled} requests`);

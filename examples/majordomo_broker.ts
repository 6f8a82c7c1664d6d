/**
 * Majordomo broker (the guide's mdbroker, 7/MDP with 8/MMI): one Router
 * that clients and workers both connect to. Workers register for a service
 * by name; the broker hands each client request to an idle worker of that
 * service, queues requests while a service has no worker, heartbeats its
 * workers and forgets the ones that fall silent. Runs until Ctrl-C.
 *
 * Run the broker, two workers and a client, each in its own shell:
 *
 *   deno run -A examples/majordomo_broker.ts    # or: bun examples/majordomo_broker.ts
 *   deno run -A examples/majordomo_worker.ts    # or: bun examples/majordomo_worker.ts
 *   deno run -A examples/majordomo_worker.ts    # a second worker for the same service
 *   deno run -A examples/majordomo_client.ts    # or: bun examples/majordomo_client.ts
 *
 * Kill a worker while the client runs: the client's retry reaches the other.
 *
 * Options:
 *   --endpoint E    where to bind (default tcp://*:5555)
 */
import process from "node:process";
import { parseArgs } from "node:util";
import * as zmq from "../mod.ts";

// A mistyped flag is one line on stderr and exit code 2, not a stack trace.
const { values: options } = (() => {
  try {
    return parseArgs({
      args: process.argv.slice(2),
      options: { endpoint: { type: "string", default: "tcp://*:5555" } },
    });
  } catch (error) {
    console.error(`${(error as Error).message} (see the header of this file for the flags)`);
    process.exit(2);
  }
})();

const broker = new zmq.MajordomoBroker();
await broker.bind(options.endpoint);
console.log(`broker: clients and workers connect to ${broker.endpoint}`);

// Ctrl-C closes the broker (it tells its workers DISCONNECT), and we report.
process.on("SIGINT", () => broker.close());
await broker.done;

const stats = broker.statistics();
console.log(
  `broker: ${stats.requests} requests, ${stats.replies} replies, ` +
    `${stats.expiredWorkers} workers expired`,
);

/**
 * Task ventilator (the guide's taskvent): a Push socket hands a batch of
 * tasks out round-robin to every connected worker (task_worker.ts), which
 * send their results on to the sink (task_sink.ts). First it tells the sink
 * that a batch begins, so the sink can start its clock.
 *
 * Push shares tasks only among the workers connected when it sends: the
 * first one to connect would get the whole batch. The guide asks you to
 * press Enter once the workers are up; this script instead watches its own
 * socket's events until --workers workers have connected.
 *
 * Run the sink, one or more workers, then the ventilator (told how many
 * workers you started), each in its own shell:
 *
 *   deno run -A examples/task_sink.ts
 *   deno run -A examples/task_worker.ts
 *   deno run -A examples/task_ventilator.ts --workers 1
 *
 * or with Bun (the two mix freely): bun examples/task_sink.ts,
 * bun examples/task_worker.ts, bun examples/task_ventilator.ts --workers 1.
 *
 * Options:
 *   --tasks E       where to bind for the workers (default tcp://*:5557)
 *   --results E     the sink to connect to (default tcp://localhost:5558)
 *   --batch N       how many tasks to send (default 100; give the sink the same)
 *   --workers N     wait for this many workers before sending (default 1)
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
        tasks: { type: "string", default: "tcp://*:5557" },
        results: { type: "string", default: "tcp://localhost:5558" },
        batch: { type: "string", default: "100" },
        workers: { type: "string", default: "1" },
      },
    });
  } catch (error) {
    console.error(`${(error as Error).message} (see the header of this file for the flags)`);
    process.exit(2);
  }
})();
const workers = Number(options.workers);

const sender = new zmq.Push();
// Watch the socket before binding, so that no worker's handshake is missed.
const workersConnected = (async () => {
  let connected = 0;
  if (workers <= 0) return;
  for await (const event of sender.events) {
    if (event.type === "handshake" && ++connected === workers) return;
  }
})();
await sender.bind(options.tasks);

// With `immediate`, the start signal waits for a live connection to the sink
// instead of sitting in a queue while results overtake it.
const sink = new zmq.Push({ immediate: true });
sink.connect(options.results);

console.log(`ventilator: waiting for ${workers} worker(s) on ${sender.lastEndpoint}...`);
await workersConnected;
console.log("ventilator: sending tasks to workers...");
await sink.send("0"); // the start of the batch

let totalMilliseconds = 0;
for (let task = 0; task < Number(options.batch); task++) {
  const workload = Math.floor(Math.random() * 100) + 1; // 1 to 100 ms
  totalMilliseconds += workload;
  await sender.send(String(workload));
}
console.log(`Total expected cost: ${totalMilliseconds} msec`);

sender.close();
sink.close();
// Terminating the context waits until every queued task has been delivered.
await zmq.context.terminate();

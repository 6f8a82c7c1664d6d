/**
 * Task sink (the guide's tasksink): collects the results of one batch from
 * every worker (task_worker.ts) on a Pull socket, which fair-queues them, and
 * prints how long the whole batch took. The ventilator (task_ventilator.ts)
 * signals the start of the batch.
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
 *   --results E     where to bind for the workers and ventilator (default tcp://*:5558)
 *   --batch N       how many results make a batch (default 100; as the ventilator's)
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
        results: { type: "string", default: "tcp://*:5558" },
        batch: { type: "string", default: "100" },
      },
    });
  } catch (error) {
    console.error(`${(error as Error).message} (see the header of this file for the flags)`);
    process.exit(2);
  }
})();
const batch = Number(options.batch);

const receiver = new zmq.Pull();
await receiver.bind(options.results);
console.log(`sink: collecting results on ${receiver.lastEndpoint}`);

await receiver.receive(); // the start of the batch, from the ventilator
const start = performance.now();

// One character per result, a ':' every tenth, as in the guide.
for (let result = 1; result <= batch; result++) {
  await receiver.receive();
  process.stdout.write(result % 10 === 0 ? ":" : ".");
}
process.stdout.write("\n");

console.log(`sink: collected ${batch} results`);
console.log(`Total elapsed time: ${Math.round(performance.now() - start)} msec`);
receiver.close();

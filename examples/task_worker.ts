/**
 * Task worker (the guide's taskwork): pulls tasks from the ventilator
 * (task_ventilator.ts), "works" for as many milliseconds as each task says,
 * and pushes a result to the sink (task_sink.ts). Start as many as you like:
 * the ventilator spreads the batch over them and the sink sees it finish
 * sooner. Runs until Ctrl-C.
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
 *   --tasks E       the ventilator to connect to (default tcp://localhost:5557)
 *   --results E     the sink to connect to (default tcp://localhost:5558)
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
        tasks: { type: "string", default: "tcp://localhost:5557" },
        results: { type: "string", default: "tcp://localhost:5558" },
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

const receiver = new zmq.Pull();
receiver.connect(options.tasks);
const sender = new zmq.Push();
sender.connect(options.results);
console.log("worker: waiting for tasks...");

let processed = 0;
try {
  while (true) {
    const [task] = await receiver.receive({ signal: interrupted.signal });
    const workload = Number(text(task));
    console.log(`worker: task of ${workload} ms`);
    await sleep(workload); // do the "work"
    await sender.send(""); // tell the sink this task is done
    processed++;
  }
} catch (error) {
  if (!interrupted.signal.aborted) throw error;
}

console.log(`worker: processed ${processed} tasks`);
receiver.close();
sender.close();

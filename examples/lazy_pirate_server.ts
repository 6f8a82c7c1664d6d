/**
 * Lazy Pirate server (the guide's lpserver): a Reply server that echoes each
 * request back and, to exercise lazy_pirate_client.ts, misbehaves on purpose
 * after a few cycles: it "crashes" (exits without replying) or suffers "CPU
 * overload" (stalls for two seconds; a client started with --timeout 1000
 * gives up on that reply and retries). By default it picks at random, as in
 * the guide; --failure chooses one that happens exactly once, after
 * --fail-after requests.
 *
 * Run it with the client in another shell; after a crash, start it again:
 *
 *   deno run -A examples/lazy_pirate_server.ts   # or: bun examples/lazy_pirate_server.ts
 *   deno run -A examples/lazy_pirate_client.ts   # or: bun examples/lazy_pirate_client.ts
 *
 * Options:
 *   --endpoint E     where to bind (default tcp://*:5555)
 *   --failure F      random (default), crash, overload, or none
 *   --fail-after N   how many requests to serve before failing (default 3)
 *
 * Runs until it crashes or Ctrl-C.
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
        failure: { type: "string", default: "random" },
        "fail-after": { type: "string", default: "3" },
      },
    });
  } catch (error) {
    console.error(`${(error as Error).message} (see the header of this file for the flags)`);
    process.exit(2);
  }
})();
const failAfter = Number(options["fail-after"]);
if (!["random", "crash", "overload", "none"].includes(options.failure)) {
  console.error(`Unknown --failure "${options.failure}": use random, crash, overload or none`);
  process.exit(2);
}
const text = (frame: Uint8Array) => new TextDecoder().decode(frame);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const oneIn = (n: number) => Math.floor(Math.random() * n) === 0;

/** What to do on this cycle: the guide's dice, or the one failure asked for. */
function misbehaviour(cycle: number): "crash" | "overload" | undefined {
  if (cycle <= failAfter) return undefined;
  if (options.failure === "random") {
    if (oneIn(3)) return "crash";
    if (oneIn(3)) return "overload";
    return undefined;
  }
  if (cycle === failAfter + 1 && options.failure !== "none") {
    return options.failure as "crash" | "overload";
  }
  return undefined;
}

// Ctrl-C aborts the receive we are waiting in, and we shut down cleanly.
const interrupted = new AbortController();
process.on("SIGINT", () => interrupted.abort());

const server = new zmq.Reply();
await server.bind(options.endpoint);
console.log(`I: lazy pirate server on ${server.lastEndpoint}`);

let cycle = 0;
try {
  while (true) {
    const [request] = await server.receive({ signal: interrupted.signal });
    cycle++;
    const failure = misbehaviour(cycle);
    if (failure === "crash") {
      console.log("I: simulating a crash");
      break;
    }
    if (failure === "overload") {
      console.log("I: simulating CPU overload");
      await sleep(2000);
    }
    console.log(`I: normal request (${text(request)})`);
    await server.send(request);
  }
} catch (error) {
  if (!interrupted.signal.aborted) throw error;
  console.log("I: interrupted");
}

server.close();

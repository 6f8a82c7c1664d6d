/**
 * Hello World client (the guide's hwclient): a Request socket connects to
 * the server, sends "Hello" and waits for each "World" before asking again.
 * Start it before or after the server: connecting retries until the server
 * is there, and the request waits in the queue meanwhile.
 *
 * Run it with hello_server.ts in another shell:
 *
 *   deno run -A examples/hello_server.ts      # or: bun examples/hello_server.ts
 *   deno run -A examples/hello_client.ts      # or: bun examples/hello_client.ts
 *
 * Options:
 *   --endpoint E    the server to connect to (default tcp://localhost:5555)
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
        endpoint: { type: "string", default: "tcp://localhost:5555" },
        requests: { type: "string", default: "10" },
      },
    });
  } catch (error) {
    console.error(`${(error as Error).message} (see the header of this file for the flags)`);
    process.exit(2);
  }
})();
const text = (frame: Uint8Array) => new TextDecoder().decode(frame);

console.log(`Connecting to hello world server at ${options.endpoint}...`);
const requester = new zmq.Request();
requester.connect(options.endpoint);

for (let request = 1; request <= Number(options.requests); request++) {
  console.log(`Sending Hello ${request}...`);
  await requester.send("Hello");
  const [reply] = await requester.receive();
  console.log(`Received ${text(reply)} ${request}`);
}

requester.close();

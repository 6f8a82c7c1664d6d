/**
 * Lazy Pirate client (the guide's lpclient): reliable request-reply on the
 * client side alone. A Request socket that lost its reply is stuck (it may
 * not send again until it receives), so on a timeout the client throws the
 * socket away, opens a new one, and sends the same request again; after a
 * few tries it decides the server is gone and gives up (exit code 1).
 * Replies carry the request's sequence number, so the client can tell them
 * apart from stray ones.
 *
 * Run it with lazy_pirate_server.ts, which fails now and then on purpose;
 * when it "crashes", start it again while the client is still retrying:
 *
 *   deno run -A examples/lazy_pirate_server.ts   # or: bun examples/lazy_pirate_server.ts
 *   deno run -A examples/lazy_pirate_client.ts   # or: bun examples/lazy_pirate_client.ts
 *
 * Options:
 *   --endpoint E    the server to connect to (default tcp://localhost:5555)
 *   --requests N    how many requests to send (default 10)
 *   --timeout MS    how long to wait for each reply (default 2500)
 *   --tries N       how many tries per request before giving up (default 3, as in the
 *                   guide; zmq.LazyPirateClient's `retries` counts the resends instead)
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
        timeout: { type: "string", default: "2500" },
        tries: { type: "string", default: "3" },
      },
    });
  } catch (error) {
    console.error(`${(error as Error).message} (see the header of this file for the flags)`);
    process.exit(2);
  }
})();
const timeout = Number(options.timeout);
const text = (frame: Uint8Array) => new TextDecoder().decode(frame);

function connect(): zmq.Request {
  // linger 0: closing a socket must not wait for a request nobody will read.
  const socket = new zmq.Request({ linger: 0 });
  socket.connect(options.endpoint);
  return socket;
}

/** Sends one request until a matching reply comes; false if we gave up. */
async function request(sequence: number): Promise<boolean> {
  let triesLeft = Number(options.tries);
  await client.send(String(sequence));
  while (true) {
    try {
      const [reply] = await client.receive({ timeout });
      if (text(reply) === String(sequence)) {
        console.log(`I: server replied OK (${text(reply)})`);
        return true;
      }
      console.log(`E: malformed reply from server: ${text(reply)}`);
      continue; // keep waiting for the right one
    } catch (error) {
      if (!(error instanceof zmq.ZmqError && error.code === "EAGAIN")) throw error;
    }
    // No reply in time: this socket is stuck, so throw it away.
    client.close();
    if (--triesLeft === 0) {
      console.log("E: server seems to be offline, abandoning");
      return false;
    }
    console.log("W: no response from server, retrying...");
    console.log("I: reconnecting to server...");
    client = connect();
    await client.send(String(sequence));
  }
}

console.log(`I: connecting to server at ${options.endpoint}...`);
let client = connect();
let sequence = 0;
while (sequence < Number(options.requests)) {
  if (!await request(++sequence)) {
    process.exitCode = 1;
    break;
  }
}
client.close();

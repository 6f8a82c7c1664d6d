/**
 * Socket monitoring: `socket.events` yields what happens underneath a socket
 * (binding, accepting peers, handshakes, disconnects, closing). Here a Reply
 * socket is watched while a Request connects, talks, and disconnects.
 *
 *   deno run -A examples/monitor.ts
 *   bun examples/monitor.ts
 */
import * as zmq from "../mod.ts";

const text = (frame: Uint8Array) => new TextDecoder().decode(frame);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function describe(event: zmq.SocketEvent): string {
  let line = `  event: ${event.type.padEnd(10)} ${event.address}`;
  if (event.fd !== undefined) line += ` fd=${event.fd}`;
  if (event.interval !== undefined) line += ` interval=${event.interval}ms`;
  if (event.error !== undefined) line += ` error=${event.error.code} (${event.error.errno})`;
  return line;
}

const server = new zmq.Reply();

// Start listening before anything happens: monitoring begins with the first
// iterator, and the loop ends by itself when the socket closes.
const seen = new Set<zmq.SocketEventType>();
const watching = (async () => {
  for await (const event of server.events) {
    console.log(describe(event));
    seen.add(event.type);
  }
})();

/** Waits (at most 5 s) until the server has reported an event of this type. */
async function until(type: zmq.SocketEventType) {
  for (const deadline = Date.now() + 5000; !seen.has(type); await sleep(10)) {
    if (Date.now() > deadline) throw new Error(`No "${type}" event within 5 s`);
  }
}

console.log("server binds");
await server.bind("tcp://127.0.0.1:*");
const endpoint = server.lastEndpoint!;
await until("bind");

console.log("client connects");
const client = new zmq.Request();
client.connect(endpoint);
await until("handshake");

console.log("client and server talk");
await client.send("hello");
const [question] = await server.receive({ timeout: 5000 });
await server.send(`${text(question)} to you too`);
const [answer] = await client.receive({ timeout: 5000 });
console.log(`  client got "${text(answer)}"`);

console.log("client closes (and so disconnects)");
client.close();
await until("disconnect");

console.log("server closes");
server.close();
await watching; // ends once the socket has closed

console.log("Done.");

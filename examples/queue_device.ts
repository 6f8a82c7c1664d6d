/**
 * The queue device, ZeroMQ's classic request-reply broker: Request clients
 * talk to a Router (frontend), a Proxy shuttles their requests to a Dealer
 * (backend), and the Dealer shares them out among Reply workers. Clients and
 * workers only know the broker's address, never each other's.
 *
 *   clients (Request) -> Router | Proxy | Dealer -> workers (Reply)
 *
 *   deno run -A examples/queue_device.ts
 *   bun examples/queue_device.ts
 */
import * as zmq from "../mod.ts";

const text = (frame: Uint8Array) => new TextDecoder().decode(frame);

// The broker binds both sides; everyone else connects.
const frontend = new zmq.Router();
await frontend.bind("tcp://127.0.0.1:*");
const backend = new zmq.Dealer();
await backend.bind("tcp://127.0.0.1:*");
console.log(`broker: clients connect to ${frontend.lastEndpoint}`);
console.log(`broker: workers connect to ${backend.lastEndpoint}\n`);

// The Dealer only shares work among the workers connected when it sends, so
// watch its events until both workers have finished their handshake.
const workersJoined = (async () => {
  let joined = 0;
  for await (const event of backend.events) {
    if (event.type === "handshake" && ++joined === 2) return;
  }
})();

// Workers: answer every request with their own name.
const workers = ["worker A", "worker B"].map((name) => {
  const socket = new zmq.Reply();
  socket.connect(backend.lastEndpoint!);
  const serving = (async () => {
    for await (const [request] of socket) {
      await socket.send(`${name} handled "${text(request)}"`);
    }
  })();
  return { socket, serving };
});
await workersJoined;

const proxy = new zmq.Proxy(frontend, backend);
const running = proxy.run();

// Clients: each sends a few requests, one at a time, all clients at once.
const clients = [1, 2, 3].map(() => new zmq.Request());
for (const client of clients) client.connect(frontend.lastEndpoint!);
await Promise.all(clients.map(async (client, c) => {
  for (let r = 1; r <= 3; r++) {
    await client.send(`request ${r} from client ${c + 1}`);
    const [reply] = await client.receive({ timeout: 5000 });
    console.log(`client ${c + 1} got: ${text(reply)}`);
  }
}));

const stats = await proxy.statistics();
console.log("\nproxy statistics:");
for (const side of ["frontend", "backend"] as const) {
  const { messagesIn, bytesIn, messagesOut, bytesOut } = stats[side];
  console.log(
    `  ${side}: ${messagesIn} messages in (${bytesIn} bytes), ${messagesOut} out (${bytesOut} bytes)`,
  );
}

await proxy.terminate();
await running;
for (const client of clients) client.close();
for (const worker of workers) worker.socket.close();
await Promise.all(workers.map((worker) => worker.serving));
frontend.close();
backend.close();
console.log("\nDone.");

/**
 * The guide's request-reply broker (rrbroker) written with a Poller: one loop
 * serves a Router frontend for clients and a Dealer backend for workers,
 * moving each message to the other side as soon as its socket is readable.
 *
 *   clients (Request) -> Router | poll loop | Dealer -> workers (Reply)
 *
 * Unlike a Proxy, the loop runs on the JavaScript thread, so it can look at
 * (or change) every message it moves: here it counts them per direction.
 * An AbortSignal ends the loop once the clients are done.
 *
 *   deno run -A examples/poll_broker.ts
 *   bun examples/poll_broker.ts
 *
 * @module
 */
import * as zmq from "../mod.ts";

const text = (frame: Uint8Array) => new TextDecoder().decode(frame);

const frontend = new zmq.Router();
await frontend.bind("tcp://127.0.0.1:*");
const backend = new zmq.Dealer();
await backend.bind("tcp://127.0.0.1:*");
console.log(`broker: clients connect to ${frontend.lastEndpoint}`);
console.log(`broker: workers connect to ${backend.lastEndpoint}\n`);

// The broker: wait until either side is readable, then move what is there.
const stop = new AbortController();
const moved = { requests: 0, replies: 0 };
const broker = (async () => {
  const poller = new zmq.Poller<zmq.Router | zmq.Dealer>()
    .add(frontend, "readable")
    .add(backend, "readable");
  for (;;) {
    let ready;
    try {
      ready = await poller.wait({ signal: stop.signal });
    } catch (error) {
      if (stop.signal.aborted) return; // asked to stop
      throw error;
    }
    for (const { socket } of ready) {
      // Ready means a message is waiting: tryReceive() gets it without a promise.
      const message = socket.tryReceive();
      if (message === null) continue;
      if (socket === frontend) {
        await backend.send(message); // [client id, "", request] -> a worker
        moved.requests++;
      } else {
        await frontend.send(message); // [client id, "", reply] -> that client
        moved.replies++;
      }
    }
  }
})();

// Workers: answer every request with their name.
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

// Clients: three of them, three requests each, one at a time.
const clients = [1, 2, 3].map(() => new zmq.Request());
for (const client of clients) client.connect(frontend.lastEndpoint!);
await Promise.all(clients.map(async (client, c) => {
  for (let r = 1; r <= 3; r++) {
    await client.send(`request ${r} from client ${c + 1}`);
    const [reply] = await client.receive({ timeout: 5000 });
    console.log(`client ${c + 1} got: ${text(reply)}`);
  }
}));

stop.abort();
await broker;
console.log(`\nbroker moved ${moved.requests} requests and ${moved.replies} replies`);

for (const client of clients) client.close();
for (const worker of workers) worker.socket.close();
await Promise.all(workers.map((worker) => worker.serving));
frontend.close();
backend.close();
console.log("Done.");

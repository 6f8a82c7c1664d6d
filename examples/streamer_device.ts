/**
 * The streamer device: a Proxy between a Pull (frontend, where the
 * ventilator pushes tasks) and a Push (backend, where workers pull them).
 * The backend Push shares the tasks out round-robin among the workers.
 *
 *   ventilator (Push) -> Pull | Proxy | Push -> workers (Pull)
 *
 *   deno run -A examples/streamer_device.ts
 *   bun examples/streamer_device.ts
 */
import * as zmq from "../mod.ts";

const text = (frame: Uint8Array) => new TextDecoder().decode(frame);
const TASKS = 10;

const frontend = new zmq.Pull();
await frontend.bind("tcp://127.0.0.1:*");
const backend = new zmq.Push();
await backend.bind("tcp://127.0.0.1:*");

// A Push only shares work among the peers connected when it sends, so watch
// the backend's events until both workers have finished their handshake.
const workersJoined = (async () => {
  let joined = 0;
  for await (const event of backend.events) {
    if (event.type === "handshake" && ++joined === 2) return;
  }
})();

// Workers: count the tasks they get; when all are in, the work is done.
const counts = new Map<string, number>();
let handled = 0;
let allHandled!: () => void;
const done = new Promise<void>((resolve) => allHandled = resolve);
const workers = ["worker A", "worker B"].map((name) => {
  const socket = new zmq.Pull();
  socket.connect(backend.lastEndpoint!);
  counts.set(name, 0);
  const working = (async () => {
    for await (const [task] of socket) {
      console.log(`${name} got ${text(task)}`);
      counts.set(name, counts.get(name)! + 1);
      if (++handled === TASKS) allHandled();
    }
  })();
  return { socket, working };
});
await workersJoined;

const proxy = new zmq.Proxy(frontend, backend);
const running = proxy.run();

const ventilator = new zmq.Push();
ventilator.connect(frontend.lastEndpoint!);
for (let n = 1; n <= TASKS; n++) await ventilator.send(`task ${n}`, { timeout: 5000 });

// Bounded: fail (exit code 1) if the tasks are not all in within 5 s.
let timer: ReturnType<typeof setTimeout> | undefined;
await Promise.race([
  done,
  new Promise((_, reject) => {
    const late = () => reject(new Error(`Only ${handled} of ${TASKS} tasks arrived within 5 s`));
    timer = setTimeout(late, 5000);
  }),
]);
clearTimeout(timer);

console.log("\ntasks per worker:");
for (const [name, count] of counts) console.log(`  ${name}: ${count}`);

await proxy.terminate();
await running;
ventilator.close();
for (const worker of workers) worker.socket.close();
await Promise.all(workers.map((worker) => worker.working));
frontend.close();
backend.close();
console.log("\nDone.");

/**
 * A service that waits on a work socket and a control socket at once (the
 * guide's "parallel task with kill signaling"): workers pull tasks and push
 * results, and stop when the sink broadcasts "STOP" on a control channel.
 * Each worker waits with `zmq.poll()` on both sockets in one call, so a stop
 * command is seen even while no work arrives (and between two tasks when it does).
 *
 *   ventilator (Push) -> workers (Pull) -> sink (Pull)
 *   sink (XPublisher) -- "STOP" --> workers (Subscriber)
 *
 *   deno run -A examples/poll_service.ts
 *   bun examples/poll_service.ts
 *
 * @module
 */
import * as zmq from "../mod.ts";

const TASKS = 20;
const text = (frame: Uint8Array) => new TextDecoder().decode(frame);

const ventilator = new zmq.Push();
await ventilator.bind("tcp://127.0.0.1:*");
const sink = new zmq.Pull();
await sink.bind("tcp://127.0.0.1:*");
// An XPublisher tells us when each worker's subscription has arrived, so the
// stop command cannot be lost to pub/sub's slow joiner. verbose: every one.
const control = new zmq.XPublisher({ verbose: true });
await control.bind("tcp://127.0.0.1:*");

async function worker(name: string): Promise<number> {
  const work = new zmq.Pull();
  work.connect(ventilator.lastEndpoint!);
  const results = new zmq.Push();
  results.connect(sink.lastEndpoint!);
  const commands = new zmq.Subscriber();
  commands.subscribe();
  commands.connect(control.lastEndpoint!);
  let done = 0;
  try {
    for (;;) {
      // One wait for both sockets; the timeout is only a safety net here.
      const ready = await zmq.poll([
        { socket: work, readable: true },
        { socket: commands, readable: true },
      ], { timeout: 5000 });
      if (ready.length === 0) throw new Error(`${name}: nothing happened for 5 s`);
      for (const { socket } of ready) {
        if (socket === commands) {
          const [command] = commands.tryReceive()!;
          console.log(`${name}: got ${text(command)} after ${done} tasks`);
          return done;
        }
        const [task] = work.tryReceive()!;
        const milliseconds = Number(text(task));
        await new Promise((resolve) => setTimeout(resolve, milliseconds)); // "work"
        await results.send(`${name} slept ${milliseconds} ms`);
        done++;
      }
    }
  } finally {
    work.close();
    results.close();
    commands.close();
  }
}

const workers = [worker("worker A"), worker("worker B")];
for (let subscribed = 0; subscribed < workers.length; subscribed++) {
  await control.receive({ timeout: 5000 }); // [0x01] = a subscription
}
console.log("both workers are subscribed to the control channel");

for (let i = 0; i < TASKS; i++) await ventilator.send(String(1 + (i % 5)));
const perWorker = new Map<string, number>();
for (let i = 0; i < TASKS; i++) {
  const [result] = await sink.receive({ timeout: 5000 });
  const name = text(result).split(" slept")[0];
  perWorker.set(name, (perWorker.get(name) ?? 0) + 1);
}
console.log(`sink: ${TASKS} results (${[...perWorker].map(([n, c]) => `${n}: ${c}`).join(", ")})`);

await control.send("STOP");
const counts = await Promise.all(workers);
console.log(
  `workers stopped after ${counts.join(" + ")} = ${counts.reduce((a, b) => a + b)} tasks`,
);

ventilator.close();
sink.close();
control.close();
console.log("Done.");

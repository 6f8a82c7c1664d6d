/**
 * The three classic patterns, live: request/reply, publish/subscribe and a
 * pipeline, each over a real transport, printing what flows.
 *
 *   deno run -A examples/demo.ts
 *   bun examples/demo.ts
 */
import * as zmq from "../mod.ts";

const text = (frame: Uint8Array) => new TextDecoder().decode(frame);

console.log(`libzmq ${zmq.version}\n`);

console.log("== request/reply over tcp ==");
{
  const server = new zmq.Reply();
  await server.bind("tcp://127.0.0.1:*");
  const client = new zmq.Request();
  client.connect(server.lastEndpoint!);
  const serving = (async () => {
    for await (const [question] of server) {
      await server.send(`${text(question)}? 42.`);
    }
  })();
  for (const question of ["life", "the universe", "everything"]) {
    await client.send(question);
    const [answer] = await client.receive({ timeout: 5000 });
    console.log(`  client asked "${question}", server said "${text(answer)}"`);
  }
  client.close();
  server.close();
  await serving;
}

console.log("\n== publish/subscribe over ipc ==");
{
  const publisher = new zmq.Publisher();
  const endpoint = `ipc:///tmp/zmq-demo-${Date.now()}`;
  await publisher.bind(endpoint);
  const subscriber = new zmq.Subscriber();
  subscriber.connect(endpoint);
  subscriber.subscribe("weather");
  // A subscription takes a moment to reach the publisher (the "slow joiner"):
  // publish until the first update arrives.
  const first = subscriber.receive({ timeout: 5000 });
  const warmup = setInterval(() => publisher.trySend(["weather", "warming up"]), 10);
  await first;
  clearInterval(warmup);
  const updates = [["weather", "sunny, 21°C"], ["sports", "not for us"], ["weather", "rain, 14°C"]];
  for (const update of updates) await publisher.send(update);
  for (let shown = 0; shown < 2;) {
    const [topic, body] = await subscriber.receive({ timeout: 5000 });
    if (text(body) === "warming up") continue; // left over from the warm-up
    console.log(`  subscriber got [${text(topic)}] ${text(body)}`);
    shown++;
  }
  console.log(`  (the "sports" update was filtered out by the subscription)`);
  subscriber.close();
  publisher.close();
}

console.log("\n== pipeline over inproc: one ventilator, two workers, one sink ==");
{
  const ventilator = new zmq.Push();
  await ventilator.bind("inproc://demo-tasks");
  const sink = new zmq.Pull();
  await sink.bind("inproc://demo-results");
  const workers = ["worker A", "worker B"].map((name) => {
    const tasks = new zmq.Pull();
    tasks.connect("inproc://demo-tasks");
    const results = new zmq.Push();
    results.connect("inproc://demo-results");
    const running = (async () => {
      for await (const [task] of tasks) {
        const n = Number(text(task));
        await results.send([name, `${n}² = ${n * n}`]);
      }
      results.close();
    })();
    return { tasks, running };
  });
  for (let n = 1; n <= 6; n++) await ventilator.send(String(n));
  for (let n = 1; n <= 6; n++) {
    const [who, result] = await sink.receive({ timeout: 5000 });
    console.log(`  sink got ${text(result)} from ${text(who)}`);
  }
  for (const worker of workers) worker.tasks.close();
  await Promise.all(workers.map((worker) => worker.running));
  ventilator.close();
  sink.close();
}

console.log("\nDone.");

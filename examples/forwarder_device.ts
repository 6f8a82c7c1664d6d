/**
 * The forwarder device: a Proxy between an XSubscriber (frontend, connected
 * to the publisher) and an XPublisher (backend, where subscribers connect).
 * Subscriptions travel upstream through it and matching messages downstream,
 * so subscribers only need the forwarder's address.
 *
 *   Publisher -> XSubscriber | Proxy | XPublisher -> Subscribers
 *
 *   deno run -A examples/forwarder_device.ts
 *   bun examples/forwarder_device.ts
 */
import * as zmq from "../mod.ts";

const text = (frame: Uint8Array) => new TextDecoder().decode(frame);

const publisher = new zmq.Publisher();
await publisher.bind("tcp://127.0.0.1:*");

// The forwarder: subscribe upstream, publish downstream.
const xsub = new zmq.XSubscriber();
xsub.connect(publisher.lastEndpoint!);
const xpub = new zmq.XPublisher();
await xpub.bind("tcp://127.0.0.1:*");
const proxy = new zmq.Proxy(xsub, xpub);
const running = proxy.run();

// Two subscribers, each interested in one topic; each stops after 3 updates.
const subscribers = [["weather", "subscriber 1"], ["sports", "subscriber 2"]].map(
  ([topic, name]) => {
    const socket = new zmq.Subscriber();
    socket.connect(xpub.lastEndpoint!);
    socket.subscribe(topic);
    const listening = (async () => {
      for (let got = 0; got < 3; got++) {
        const [topic, body] = await socket.receive({ timeout: 5000 });
        console.log(`${name} got [${text(topic)}] ${text(body)}`);
      }
    })();
    return { socket, listening };
  },
);
const allDone = Promise.all(subscribers.map((subscriber) => subscriber.listening));

// A subscription takes a moment to travel through the forwarder to the
// publisher (the "slow joiner"); until it arrives, updates are dropped. So
// publish in a loop until every subscriber has had its three updates.
let finished = false;
allDone.finally(() => finished = true).catch(() => {});
const topics = ["weather", "sports", "news"];
for (let n = 1; !finished; n++) {
  const topic = topics[n % topics.length];
  publisher.trySend([topic, `update #${n}`]);
  await new Promise((resolve) => setTimeout(resolve, 10));
}
await allDone; // rethrows a subscriber's timeout, if any

await proxy.terminate();
await running;
for (const subscriber of subscribers) subscriber.socket.close();
xsub.close();
xpub.close();
publisher.close();
console.log(`\n(nobody subscribed to "news", so the forwarder passed none of it on)`);
console.log("Done.");

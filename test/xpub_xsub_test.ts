import * as zmq from "../mod.ts";
import {
  bindAny,
  bytes,
  closeAll,
  deepEqual,
  equal,
  pumpUntilReceived,
  receiveUntil,
  test,
  text,
  texts,
  transports,
  withTimeout,
} from "./harness.ts";

function subscription(on: boolean, topic: string): Uint8Array {
  const topicBytes = bytes(topic);
  const frame = new Uint8Array(1 + topicBytes.byteLength);
  frame[0] = on ? 1 : 0;
  frame.set(topicBytes, 1);
  return frame;
}

for (const transport of transports) {
  test(`xpub over ${transport}: receives subscribe and unsubscribe frames`, async () => {
    const xpub = new zmq.XPublisher({ linger: 0 });
    const sub = new zmq.Subscriber({ linger: 0 });
    try {
      sub.connect(await bindAny(xpub, transport));
      sub.subscribe("weather");
      const on = await withTimeout(xpub.receive(), 5_000, "subscription");
      equal(on.length, 1);
      deepEqual(Array.from(on[0]), Array.from(subscription(true, "weather")));

      await xpub.send(["weather", "sunny"]);
      await xpub.send(["sports", "ignored"]);
      await xpub.send(["weather", "rain"]);
      deepEqual(texts(await withTimeout(sub.receive(), 5_000, "1")), [
        "weather",
        "sunny",
      ]);
      deepEqual(texts(await withTimeout(sub.receive(), 5_000, "2")), [
        "weather",
        "rain",
      ]);

      sub.unsubscribe("weather");
      const off = await withTimeout(xpub.receive(), 5_000, "unsubscription");
      deepEqual(Array.from(off[0]), Array.from(subscription(false, "weather")));
    } finally {
      closeAll(sub, xpub);
    }
  });

  test(`xsub over ${transport}: sends subscription frames to a Publisher`, async () => {
    const pub = new zmq.Publisher({ linger: 0 });
    const xsub = new zmq.XSubscriber({ linger: 0 });
    try {
      xsub.connect(await bindAny(pub, transport));
      await xsub.send(subscription(true, "a"));
      const first = await pumpUntilReceived(
        () => pub.send(["a", "sync"]),
        xsub,
      );
      deepEqual(texts(first), ["a", "sync"]);
      await pub.send(["b", "not subscribed"]);
      await pub.send(["a", "end"]);
      const got = await receiveUntil(
        xsub,
        (frames) => text(frames[1]) !== "sync",
      );
      deepEqual(texts(got), ["a", "end"]);
    } finally {
      closeAll(xsub, pub);
    }
  });
}

for (const transport of ["tcp", "ipc"] as const) {
  test(`xpub over ${transport}: a welcome message reaches each new subscriber while the XPublisher reads`, async () => {
    const xpub = new zmq.XPublisher({ linger: 0, welcomeMessage: "welcome" });
    const subs = [new zmq.Subscriber({ linger: 0 }), new zmq.Subscriber({ linger: 0 })];
    try {
      const endpoint = await bindAny(xpub, transport);
      // libzmq sends the welcome when the XPublisher next processes its
      // commands: an XPublisher reading subscriptions always has a receive pending.
      const subscriptions: number[][] = [];
      const reading = (async () => {
        for await (const [frame] of xpub) subscriptions.push(Array.from(frame));
      })();
      for (const [i, sub] of subs.entries()) {
        sub.subscribe("");
        sub.connect(endpoint);
        deepEqual(texts(await withTimeout(sub.receive(), 5_000, `welcome ${i}`)), ["welcome"]);
      }
      xpub.close();
      await withTimeout(reading, 5_000, "the XPublisher's reading to end");
      deepEqual(subscriptions, [[1]]); // the second "" subscription is not new
    } finally {
      closeAll(...subs, xpub);
    }
  });
}

test("xpub/xsub: a forwarding device between Publisher and Subscriber", async () => {
  const pub = new zmq.Publisher({ linger: 0 });
  const xsub = new zmq.XSubscriber({ linger: 0 });
  const xpub = new zmq.XPublisher({ linger: 0 });
  const sub = new zmq.Subscriber({ linger: 0 });
  try {
    xsub.connect(await bindAny(pub, "inproc"));
    sub.connect(await bindAny(xpub, "tcp"));
    sub.subscribe("t");
    // Forward the subscription upstream by hand.
    const subscribe = await withTimeout(xpub.receive(), 5_000, "subscription");
    deepEqual(Array.from(subscribe[0]), Array.from(subscription(true, "t")));
    await xsub.send(subscribe);
    // Forward messages downstream until one arrives.
    let forwarded = 0;
    const got = await pumpUntilReceived(async () => {
      await pub.send(["t", "payload"]);
      const message = xsub.tryReceive();
      if (message) {
        forwarded++;
        await xpub.send(message);
      }
    }, sub);
    deepEqual(texts(got), ["t", "payload"]);
    equal(forwarded > 0, true);
  } finally {
    closeAll(pub, xsub, xpub, sub);
  }
});

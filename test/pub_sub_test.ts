import * as zmq from "../mod.ts";
import {
  bindAny,
  closeAll,
  deepEqual,
  equal,
  pumpUntilReceived,
  receiveUntil,
  test,
  text,
  texts,
  transports,
} from "./harness.ts";

for (const transport of transports) {
  test(`pub/sub over ${transport}: prefix filtering`, async () => {
    const pub = new zmq.Publisher({ linger: 0 });
    const sub = new zmq.Subscriber({ linger: 0 });
    try {
      const endpoint = await bindAny(pub, transport);
      sub.connect(endpoint);
      sub.subscribe("a.");
      const first = await pumpUntilReceived(() => pub.send("a.sync"), sub);
      deepEqual(texts(first), ["a.sync"]);

      for (const topic of ["b.1", "a.1", "ab", "A.2", "a.2", "xa.3", "a."]) {
        await pub.send([topic, `payload of ${topic}`]);
      }
      await pub.send("a.end");
      const got: string[][] = [];
      for (;;) {
        const frames = texts(await sub.receive({ timeout: 5_000 }));
        if (frames[0] === "a.sync") continue; // leftovers of the pumping
        got.push(frames);
        if (frames[0] === "a.end") break;
      }
      deepEqual(got, [
        ["a.1", "payload of a.1"],
        ["a.2", "payload of a.2"],
        ["a.", "payload of a."],
        ["a.end"],
      ]);
    } finally {
      closeAll(sub, pub);
    }
  });
}

test("pub/sub: subscribe() with no argument receives everything", async () => {
  const pub = new zmq.Publisher({ linger: 0 });
  const sub = new zmq.Subscriber({ linger: 0 });
  try {
    const endpoint = await bindAny(pub, "tcp");
    sub.connect(endpoint);
    sub.subscribe();
    await pumpUntilReceived(() => pub.send("sync"), sub);
    const topics = ["", "x", "hello", "\u0000binary", "zzz"];
    for (const topic of topics) await pub.send(topic);
    await pub.send("end");
    const got: string[] = [];
    for (;;) {
      const [frame] = await sub.receive({ timeout: 5_000 });
      const topic = text(frame);
      if (topic === "sync") continue;
      if (topic === "end") break;
      got.push(topic);
    }
    deepEqual(got, topics);
  } finally {
    closeAll(sub, pub);
  }
});

test("pub/sub: a Subscriber without subscriptions receives nothing", async () => {
  const pub = new zmq.Publisher({ linger: 0 });
  const sub = new zmq.Subscriber({ linger: 0 });
  const probe = new zmq.Subscriber({ linger: 0 });
  try {
    const endpoint = await bindAny(pub, "inproc");
    sub.connect(endpoint);
    probe.connect(endpoint);
    probe.subscribe();
    // Once the probe gets messages, the silent subscriber is connected too.
    await pumpUntilReceived(() => pub.send("anything"), probe);
    for (let i = 0; i < 10; i++) await pub.send(`message ${i}`);
    // Had one of them passed the empty filter, it would come before anything
    // published later: subscribe to a marker and publish it until it arrives.
    sub.subscribe("marker");
    const [first] = await pumpUntilReceived(() => pub.send("marker"), sub);
    equal(text(first), "marker", "the Subscriber without subscriptions got a message");
  } finally {
    closeAll(sub, probe, pub);
  }
});

test("pub/sub: unsubscribe stops a prefix, a new subscription starts one", async () => {
  const pub = new zmq.Publisher({ linger: 0 });
  const sub = new zmq.Subscriber({ linger: 0 });
  try {
    const endpoint = await bindAny(pub, "tcp");
    sub.connect(endpoint);
    sub.subscribe("a", "b");
    await pumpUntilReceived(() => pub.send("a-sync"), sub);
    await pumpUntilReceived(() => pub.send("b-sync"), sub);

    sub.unsubscribe("a");
    sub.subscribe("c");
    // Subscriptions travel in order: once "c" arrives, "a" is gone too.
    await pumpUntilReceived(() => pub.send("c-sync"), {
      async receive(options) {
        for (;;) {
          const frames = await sub.receive(options);
          if (text(frames[0]) === "c-sync") return frames;
        }
      },
    });

    for (const topic of ["a1", "b1", "c1", "a2", "c2"]) await pub.send(topic);
    await pub.send("b-end");
    const got: string[] = [];
    for (;;) {
      const topic = text((await sub.receive({ timeout: 5_000 }))[0]);
      if (topic.endsWith("-sync")) continue;
      if (topic === "b-end") break;
      got.push(topic);
    }
    deepEqual(got, ["b1", "c1", "c2"]);
  } finally {
    closeAll(sub, pub);
  }
});

test("pub/sub: one publisher reaches every subscriber", async () => {
  const pub = new zmq.Publisher({ linger: 0 });
  const subs = [0, 1, 2].map(() => new zmq.Subscriber({ linger: 0 }));
  try {
    const endpoint = await bindAny(pub, "ipc");
    for (const sub of subs) {
      sub.connect(endpoint);
      sub.subscribe("news");
    }
    for (const sub of subs) {
      await pumpUntilReceived(() => pub.send("news-sync"), sub);
    }
    await pub.send(["news", "flash"]);
    for (const sub of subs) {
      const frames = await receiveUntil(
        sub,
        (f) => text(f[0]) === "news",
        5_000,
      );
      deepEqual(texts(frames), ["news", "flash"]);
    }
  } finally {
    closeAll(pub, ...subs);
  }
});

test("pub/sub: binary prefixes filter byte-exact", async () => {
  const pub = new zmq.Publisher({ linger: 0 });
  const sub = new zmq.Subscriber({ linger: 0 });
  try {
    sub.connect(await bindAny(pub, "inproc"));
    sub.subscribe(new Uint8Array([0xff, 0x00]));
    const topic = (...b: number[]) => new Uint8Array(b);
    await pumpUntilReceived(() => pub.send(topic(0xff, 0x00, 0x01)), sub);
    await pub.send(topic(0xff, 0x01));
    await pub.send(topic(0xff));
    await pub.send([topic(0xff, 0x00, 0x02), "payload"]);
    const got = await receiveUntil(sub, (frames) => frames[0][2] !== 0x01);
    deepEqual(Array.from(got[0]), [0xff, 0x00, 0x02]);
    deepEqual(texts(got.slice(1)), ["payload"]);
  } finally {
    closeAll(sub, pub);
  }
});

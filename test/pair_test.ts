import * as zmq from "../mod.ts";
import {
  bindAny,
  closeAll,
  deepEqual,
  equal,
  expectNext,
  test,
  texts,
  transports,
  withTimeout,
} from "./harness.ts";

for (const transport of transports) {
  test(`pair over ${transport}: both ends send and receive`, async () => {
    const a = new zmq.Pair({ linger: 0 });
    const b = new zmq.Pair({ linger: 0 });
    try {
      b.connect(await bindAny(a, transport));
      for (let i = 0; i < 3; i++) {
        await a.send(["ping", String(i)]);
        deepEqual(texts(await withTimeout(b.receive(), 5_000, "ping")), [
          "ping",
          String(i),
        ]);
        await b.send(["pong", String(i)]);
        deepEqual(texts(await withTimeout(a.receive(), 5_000, "pong")), [
          "pong",
          String(i),
        ]);
      }
      // Both directions at once.
      const fromA = a.send("crossing a");
      const fromB = b.send("crossing b");
      await withTimeout(Promise.all([fromA, fromB]), 5_000, "sends");
      deepEqual(texts(await withTimeout(b.receive(), 5_000, "a")), [
        "crossing a",
      ]);
      deepEqual(texts(await withTimeout(a.receive(), 5_000, "b")), [
        "crossing b",
      ]);
      // Nothing else is on the way in either direction: a marker comes next.
      await a.send("marker from a");
      await b.send("marker from b");
      await expectNext(b, ["marker from a"]);
      await expectNext(a, ["marker from b"]);
    } finally {
      closeAll(a, b);
    }
  });
}

test("pair: a socket has both send and receive", () => {
  const pair = new zmq.Pair();
  try {
    equal(typeof pair.send, "function");
    equal(typeof pair.trySend, "function");
    equal(typeof pair.receive, "function");
    equal(typeof pair.tryReceive, "function");
    equal(typeof pair[Symbol.asyncIterator], "function");
  } finally {
    closeAll(pair);
  }
});
